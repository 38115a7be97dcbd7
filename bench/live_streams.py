"""Live tracking pages at scale: 2,000 open WebSockets on one ordertrack process.

For SQLite and PostgreSQL (each its own fresh database), with ``--subjects`` orders shipped
and ``--streams`` pages open on them (the same number on each order), it measures:

- database statements per second while idle, with 0, 500 and 2,000 pages open (counted by a
  hook on the app's engines, served only by ``bench/live_app.py``; on PostgreSQL also the
  server's committed transactions from ``pg_stat_database``), beside what the old design
  cost: every page polled ``reading.change_marker`` every 1.5 s (its statements per poll
  counted here, in this run);
- update latency: one scan ingested per order, one order at a time, and the time from the
  ingest request's answer (and from its start) to the ``update`` on every page of that order;
- memory: the server's RSS per open page, beside a bare Starlette WebSocket endpoint under
  the same uvicorn (``bench/bare_live.py``).

    python bench/live_streams.py > live.json            # both databases, about 4 minutes
    python bench/live_streams.py --quick                # 500 pages, shorter idle windows

The load comes from this process (asyncio, the ``websockets`` client); the server runs in its
own process (``servers.serve``). stdout carries one JSON document, progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, text
from websockets.asyncio.client import ClientConnection, connect

from ordertrack.bootstrap import open_database
from ordertrack.db.uow import Database
from ordertrack.links import tracking_token
from ordertrack.web.track import reading

import benchdb
import servers

SECRET = "bench-live-streams-secret"
OLD_POLL_SECONDS = 1.5  # the per-page polling design this replaced
OPEN_AT_ONCE = 100


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextlib.contextmanager
def database(backend: str, pg_server: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'live.db'}"
    else:
        with benchdb.fresh_database(pg_server) as url:
            yield url


def seed(db: Database, tenant: benchdb.Tenant, subjects: int) -> list[tuple[str, str]]:
    """(order id, tracking number) of ``subjects`` shipped orders."""
    numbers = [f"LIVE{n:08d}" for n in range(subjects)]
    parcels = benchdb.seed_parcels(db, tenant, numbers)
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT p.id, s.order_id FROM parcels p JOIN shipments s ON s.id = p.shipment_id")
        )
        order_of = {parcel_id: order_id for parcel_id, order_id in rows}
    return [(order_of[p.parcel_id], p.tracking_number) for p in parcels]


def old_poll_statements(db: Database, tenant: benchdb.Tenant, order_id: str) -> int:
    """Statements one poll of the old design sent: ``reading.change_marker`` in a read unit."""
    seen = [0]

    def count(*_: Any) -> None:
        seen[0] += 1

    subject = reading.Subject(tenant.merchant_id, order_id, None)
    for engine in {db.engine, db.read_engine}:
        event.listen(engine, "before_cursor_execute", count)
    with db.uow(write=False) as uow:
        reading.change_marker(uow, subject)
    for engine in {db.engine, db.read_engine}:
        event.remove(engine, "before_cursor_execute", count)
    return seen[0]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def pg_commits(url: str) -> int:
    with open_database(url).engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_clear_snapshot()"))
        return int(
            conn.execute(
                text("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
            ).scalar_one()
        )


class Pages:
    """Open pages: one WebSocket each, every message's arrival time kept."""

    def __init__(self, port: int, tokens: Sequence[str]) -> None:
        self.port = port
        self.tokens = tokens
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.waiting: dict[int, asyncio.Future[float]] = {}

    async def open_until(self, count: int) -> None:
        while len(self.sockets) < count:
            batch = range(len(self.sockets), min(count, len(self.sockets) + OPEN_AT_ONCE))
            opened = await asyncio.gather(*(self._open(i) for i in batch))
            self.sockets.extend(opened)
            self.readers.extend(
                asyncio.create_task(self._read(i, s)) for i, s in zip(batch, opened, strict=True)
            )

    async def _open(self, index: int) -> ClientConnection:
        token = self.tokens[index % len(self.tokens)]
        url = f"ws://127.0.0.1:{self.port}/track/{token}/live"
        return await connect(url, open_timeout=60, ping_interval=None, max_queue=4)

    async def _read(self, index: int, socket: ClientConnection) -> None:
        with contextlib.suppress(Exception):
            async for _message in socket:
                arrived = time.perf_counter()
                waiter = self.waiting.pop(index, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(arrived)

    def expect(self, indexes: Sequence[int]) -> list[asyncio.Future[float]]:
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in indexes]
        self.waiting.update(zip(indexes, futures, strict=True))
        return futures

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)


async def idle_levels(
    server: servers.Server, pages: Pages, levels: Sequence[int], seconds: float, pg_url: str | None
) -> list[dict[str, Any]]:
    out = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
        for level in levels:
            await pages.open_until(level)
            while (await http.get("/bench/statements")).json()["streams"] < level:
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)  # opening costs a few reads per page: let them finish
            before, commits_before = (await http.get("/bench/statements")).json()["statements"], None
            if pg_url:
                commits_before = await asyncio.to_thread(pg_commits, pg_url)
            started = time.monotonic()
            await asyncio.sleep(seconds)
            after = (await http.get("/bench/statements")).json()["statements"]
            elapsed = time.monotonic() - started
            row: dict[str, Any] = {
                "streams": level,
                "statements_per_s": round((after - before) / elapsed, 3),
                "rss_mb": round(rss_mb(server.pid), 1),
            }
            if pg_url and commits_before is not None:
                # Minus the one transaction this reading itself commits.
                row["pg_commits_per_s"] = round(
                    (await asyncio.to_thread(pg_commits, pg_url) - commits_before - 1) / elapsed, 3
                )
            log(f"  {level} pages open: {row}")
            out.append(row)
    return out


async def update_latency(
    server: servers.Server, pages: Pages, api_key: str, numbers: Sequence[str]
) -> dict[str, Any]:
    """One scan per order, one order at a time; every page of that order must hear it."""
    by_subject: dict[int, list[int]] = {}
    for index in range(len(pages.sockets)):
        by_subject.setdefault(index % len(numbers), []).append(index)
    from_answer: list[float] = []
    from_request: list[float] = []
    at = datetime.now(UTC) - timedelta(hours=1)
    headers = {"Authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{server.port}", headers=headers, timeout=30
    ) as http:
        for subject, number in enumerate(numbers):
            futures = pages.expect(by_subject[subject])
            scan = {"tracking_number": number, "carrier": benchdb.CARRIER, "status": "in_transit",
                    "occurred_at": (at + timedelta(seconds=subject)).isoformat()}  # fmt: skip
            sent = time.perf_counter()
            answer = await http.post("/api/v1/tracking/events", json={"events": [scan]})
            answered = time.perf_counter()
            assert answer.json()["accepted"] == 1, answer.text
            arrivals = await asyncio.wait_for(asyncio.gather(*futures), 30)
            from_answer += [(t - answered) * 1000 for t in arrivals]
            from_request += [(t - sent) * 1000 for t in arrivals]
    return {
        "updates": len(from_answer),
        "from_answer_ms": percentiles(from_answer),
        "from_request_ms": percentiles(from_request),
    }


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[max(0, int(round(p * len(ordered))) - 1)], 2)

    return {
        "p50": rank(0.50),
        "p99": rank(0.99),
        "max": round(ordered[-1], 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


async def measure(
    server: servers.Server,
    tokens: Sequence[str],
    levels: Sequence[int],
    seconds: float,
    pg_url: str | None,
    api_key: str | None,
    numbers: Sequence[str],
) -> dict[str, Any]:
    pages = Pages(server.port, tokens)
    try:
        idle = await idle_levels(server, pages, levels, seconds, pg_url)
        result: dict[str, Any] = {"idle": idle}
        zero, full = idle[0], idle[-1]
        result["rss_kb_per_stream"] = round(
            (full["rss_mb"] - zero["rss_mb"]) * 1024 / max(full["streams"], 1), 1
        )
        if api_key is not None:
            log("  update latency ...")
            result["latency"] = await update_latency(server, pages, api_key, numbers)
            log(f"  {result['latency']}")
        return result
    finally:
        await pages.close()


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    log(f"{backend}: seeding {args.subjects} shipped orders")
    with database(backend, args.pg) as url:
        db = benchdb.migrated(url)
        tenant = benchdb.create_tenant(db)
        subjects = seed(db, tenant, args.subjects)
        per_poll = old_poll_statements(db, tenant, subjects[0][0])
        db.dispose()
        tokens = [tracking_token(SECRET, order_id) for order_id, _ in subjects]
        numbers = [number for _, number in subjects]
        levels = sorted({0, *args.levels, args.streams})
        env = {"ORDERTRACK_DATABASE_URL": url, "ORDERTRACK_SECRET_KEY": SECRET}
        log(f"{backend}: ordertrack, {args.streams} pages on {args.subjects} orders")
        with servers.serve("live_app:create_app", env) as server:
            pg_url = None if backend == "sqlite" else url
            measured = asyncio.run(
                measure(server, tokens, levels, args.idle_seconds, pg_url, tenant.api_key, numbers)
            )
        log(f"{backend}: baseline, a bare Starlette WebSocket endpoint")
        with servers.serve("bare_live:create_app", {}) as bare:
            baseline = asyncio.run(
                measure(bare, tokens, [0, args.streams], args.idle_seconds, None, None, numbers)
            )
    measured["old_polling_statements_per_s"] = {
        str(level): round(level * per_poll / OLD_POLL_SECONDS, 1) for level in levels
    }
    measured["old_poll_statements_per_poll"] = per_poll
    measured["bare_websocket"] = {
        "rss_kb_per_stream": baseline["rss_kb_per_stream"],
        "idle": baseline["idle"],
    }
    return measured


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=benchdb.DEFAULT_SERVER, help="PostgreSQL server URL")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--subjects", type=int, default=200, help="orders the pages are spread over")
    parser.add_argument("--levels", type=int, nargs="*", default=[500])
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="500 pages on 50 orders, 3 s idle windows")
    args = parser.parse_args(argv)
    if args.quick:
        args.streams, args.subjects, args.levels, args.idle_seconds = 500, 50, [100], 3.0
    raise_open_files()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    report = {
        "scenario": "live_streams",
        "streams": args.streams,
        "subjects": args.subjects,
        "idle_seconds": args.idle_seconds,
        "backends": {backend: run_backend(backend, args) for backend in backends},
    }
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
