"""Fault injection for the simulator tests and bench/faults.py.

A server in its own process (so it can be killed with SIGKILL), a private PostgreSQL cluster
(so it can be stopped without touching the shared server), a small record stream in the
simulator's format, and the checks: what the ack log says against what the database holds.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from ordertrack.db.uow import Database
from ordertrack.merchants import service as merchants_service
from ordertrack.simulate.records import Record

STARTUP_SECONDS = 60.0


# --- a record stream -------------------------------------------------------------------------


def order_body(number: str) -> dict[str, Any]:
    return {
        "number": number,
        "customer": {"email": f"buyer-{number.lower()}@example.com", "name": "Ann Lee"},
        "shipping_address": {"line1": "1 Main St", "city": "Austin", "postal_code": "78701", "country": "US"},
        "lines": [{"sku": "MUG-STEEL", "quantity": 1, "unit_price": "12.50"}],
        "currency": "USD",
        "placed_at": "2026-01-05T09:30:00-06:00",
    }


def scan(tracking_number: str, event_id: str, at: datetime, status: str = "in_transit") -> dict[str, Any]:
    return {
        "tracking_number": tracking_number,
        "carrier": "acme_post",
        "event_id": event_id,
        "occurred_at": at.isoformat(),
        "status": status,
        "description": "Departed facility",
        "location": {"city": "Memphis", "country": "US", "timezone": "America/Chicago"},
    }


@dataclass(frozen=True)
class Stream:
    """Records to send, and the event ids a lossless run must end up storing."""

    records: list[Record]
    event_ids: set[str]
    tracking_numbers: list[str]


def record_stream(
    *, parcels: int, events: int, per_record: int = 10, prefix: str = "SIM", seed: int = 7
) -> Stream:
    """Orders and shipments for ``parcels`` parcels, then ``events`` scans spread over them.

    About one scan in fifty is delivered twice (a carrier redelivery: same ``event_id``),
    so the stream exercises deduplication as well.
    """
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=10)
    # Scans 20 s apart, squeezed so the last is still in the past (the server refuses the future).
    step = min(20.0, 9 * 86400 / max(events, 1))
    numbers = [f"{prefix}{i:07d}" for i in range(parcels)]
    records: list[Record] = []

    def add(kind: str, **fields: Any) -> None:
        records.append({"id": f"r{len(records):07d}", "kind": kind, "at": start.isoformat(), **fields})

    for i, number in enumerate(numbers):
        add("order", order=order_body(f"{prefix}-O{i:06d}"))
        add(
            "shipment",
            order_number=f"{prefix}-O{i:06d}",
            shipment={"carrier": "acme_post", "tracking_number": number},
        )
    scans: list[dict[str, Any]] = []
    ids: set[str] = set()
    for n in range(events):
        number = numbers[n % parcels]
        event = scan(number, f"{number}-E{n:07d}", start + timedelta(seconds=step * n))
        scans.append(event)
        ids.add(event["event_id"])
        if rng.random() < 0.02:
            scans.append(dict(event))  # redelivered
    for at in range(0, len(scans), per_record):
        add("events", events=scans[at : at + per_record])
    return Stream(records, ids, numbers)


# --- a server process ---------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """``ordertrack serve --no-worker`` on a fixed port, startable again after a kill."""

    def __init__(self, database_url: str, port: int | None = None, log: Path | None = None) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        output = self.log.open("ab") if self.log is not None else subprocess.DEVNULL
        command = [sys.executable, "-m", "ordertrack", "serve", "--no-worker", "--port", str(self.port)]
        env = {**os.environ, "ORDERTRACK_DATABASE_URL": self.database_url}
        # Its own session: a signal meant for our process group (Ctrl-C) does not reach it.
        self.process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode} before it was ready")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server on port {self.port} not ready after {STARTUP_SECONDS}s")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ensure_alive(self) -> None:
        """Raise when the server exited without being told to (so a wait does not hang)."""
        if not self.alive():
            code = self.process.returncode if self.process is not None else None
            raise RuntimeError(f"the server on port {self.port} exited unexpectedly ({code})")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing; in-flight requests lose their answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- a private PostgreSQL cluster --------------------------------------------------------------


def postgres_binaries() -> Path | None:
    """The directory holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    for candidate in [
        os.environ.get("ORDERTRACK_PG_BINDIR", ""),
        *sorted(glob.glob("/usr/lib/postgresql/*/bin")),
    ]:
        if candidate and (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    return None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on its own port: ours to stop and start at will."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="ordertrack-pg-"))
        self.data = self.directory / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        # PostgreSQL refuses to run as root: as root, run its tools as the postgres user.
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            account = pwd.getpwnam("postgres")
            os.chown(self.directory, account.pw_uid, account.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, timeout=timeout)

    def init(self) -> PrivatePostgres:
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-N")
        return self

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c max_connections=100 -c shared_buffers=64MB"
        )
        log = self.directory / "postgres.log"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is a crash: no checkpoint, open connections cut, recovery on start."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def private_postgres(bindir: Path) -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres(bindir)
    try:
        cluster.init().start()
        yield cluster
    finally:
        cluster.remove()


# --- checks ----------------------------------------------------------------------------------


def create_merchant(db: Database, name: str) -> tuple[str, str]:
    with db.uow() as uow:
        created = merchants_service.create_merchant(uow, name)
        uow.commit()
    return created.merchant_id, created.api_key


def stored_event_counts(db: Database, merchant_id: str) -> Counter[str]:
    """How many rows each event id has under ``merchant_id``."""
    db.engine.dispose()  # pooled connections may predate a database restart
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT event_id, COUNT(*) FROM tracking_events "
                "WHERE merchant_id = :merchant GROUP BY event_id"
            ),
            {"merchant": merchant_id},
        )
        return Counter({event_id: count for event_id, count in rows})


def acknowledged_event_ids(ack_log: Path) -> list[str]:
    """Every event id of every 2xx answer in the ack log, in order (repeats kept)."""
    ids: list[str] = []
    if not ack_log.exists():
        return ids
    with ack_log.open(encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            assert 200 <= entry["status"] < 300 or entry["status"] == 409, entry
            ids.extend(entry["event_ids"])
    return ids


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)
