"""Test plumbing shared by the integration and API suites: databases and a live server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx
import pypdfium2
import uvicorn
import zxingcpp
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ordertrack.api.app import create_app
from ordertrack.bootstrap import open_database
from ordertrack.config import Settings
from ordertrack.db import migrate
from ordertrack.db.scratch import scratch_postgres_database
from ordertrack.db.uow import Database
from ordertrack.tables import metadata


def fresh_postgres_database(server_url: str) -> contextlib.AbstractContextManager[str]:
    """An empty database on the server for this test session, dropped afterwards."""
    return scratch_postgres_database(server_url, prefix="ordertrack_test")


def migrated_database(url: str) -> Database:
    db = open_database(url)
    migrate.upgrade(db.engine)
    return db


def wipe(db: Database) -> None:
    """Empty every table (keeping the schema) so each test starts from nothing."""
    for attempt in range(1, 6):
        try:
            _empty_tables(db)
            return
        except OperationalError as error:
            # A running ``ordertrack serve`` (its worker, an open page's updates) may be reading
            # these tables: PostgreSQL ends a deadlock by failing one side, SQLite says it is
            # locked. Either way the reader is done a moment later.
            busy = getattr(error.orig, "sqlstate", None) == "40P01" or "database is locked" in str(error)
            if not busy or attempt == 5:
                raise
            time.sleep(0.2 * attempt)


def _empty_tables(db: Database) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.is_sqlite:
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))
        else:
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{n}"' for n in tables) + " RESTART IDENTITY CASCADE")
            )


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'ordertrack.db'}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The real app under uvicorn on 127.0.0.1, in a thread: tests talk HTTP to it."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        app = create_app(settings, db)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def client(self, api_key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


class ServeProcess:
    """``ordertrack serve`` as users run it: its own process, with the lifespan, the embedded
    worker and the API-key cache on, listening on 127.0.0.1 and serving ``database_url``."""

    def __init__(
        self,
        database_url: str,
        workdir: Path,
        *,
        secret: str,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.log_path = workdir / f"serve-{self.port}.log"
        self.command = [sys.executable, "-m", "ordertrack", "serve", "--host", "127.0.0.1"]
        self.command += ["--port", str(self.port), "--db", database_url, *args]
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ORDERTRACK_")},
            "ORDERTRACK_SECRET_KEY": secret,
            "ORDERTRACK_VAR_DIR": str(workdir / "var"),
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        # The database it serves, for arranging data behind its back (set by the fixture).
        self.database: Database | None = None

    def __enter__(self) -> ServeProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command, cwd=self.workdir, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"ordertrack serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"ordertrack serve did not answer within 60 s:\n{self.log()}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> float:
        """Send ``sig`` and wait for the process to end; the seconds it took."""
        assert self.process is not None
        started = time.monotonic()
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return time.monotonic() - started

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.stop()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def client(self, api_key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


def barcodes(pdf: bytes) -> list[tuple[str, str]]:
    """Every barcode on every page of a PDF, as (format name, text), read back from pixels."""
    found = []
    for page in pypdfium2.PdfDocument(pdf):
        image = page.render(scale=3).to_pil()
        found += [(result.format.name, result.text) for result in zxingcpp.read_barcodes(image)]
    return found
