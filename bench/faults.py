"""Faults at scale: kill -9 the server, restart PostgreSQL, mid-ingest; count what survives.

    python bench/faults.py                      # 20,000 events, every scenario
    python bench/faults.py --events 200000 --only kill9-postgresql
    python bench/faults.py --pg postgresql://user@host:5432/postgres > faults.json

Scenarios: ``kill9-sqlite`` and ``kill9-postgresql`` (SIGKILL the server once a third of the
events are acknowledged, start it again on the same database half a second later) and
``pg-restart`` (a private PostgreSQL cluster, stopped with ``-m immediate`` once a third of
the events are acknowledged and started again ``--outage`` seconds later; the server process
is never touched). The sender is ``ordertrack.simulate.http.send`` with its ack log.

stdout carries one JSON document; progress goes to stderr. ``duplicates_stored`` and ``lost``
must be 0 in every scenario.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.fault_support

from tests.fault_support import (
    ServerProcess,
    Stream,
    acknowledged_event_ids,
    create_merchant,
    postgres_binaries,
    private_postgres,
    record_stream,
    stored_event_counts,
    wait_for,
)

from ordertrack.bootstrap import open_database
from ordertrack.db import migrate
from ordertrack.db.scratch import scratch_postgres_database
from ordertrack.db.uow import Database
from ordertrack.simulate.http import SendReport, send

SCENARIOS = ("kill9-sqlite", "kill9-postgresql", "pg-restart")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class AckWatch:
    """Counts acknowledged events from the ack log, and when the count last moved."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self.events = 0

    def poll(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open(encoding="utf-8") as log:
            log.seek(self._offset)
            for line in log:
                if not line.endswith("\n"):
                    break
                self._offset += len(line.encode())
                self.events += len(json.loads(line)["event_ids"])
        return self.events

    def wait_for_growth(self, timeout: float) -> float:
        """Seconds until one more event is acknowledged."""
        started = time.monotonic()
        before = self.poll()
        wait_for(lambda: self.poll() > before, timeout, "an acknowledgement after the fault")
        return time.monotonic() - started


def third(server: ServerProcess, watch: AckWatch, stream: Stream) -> bool:
    server.ensure_alive()
    return watch.poll() >= len(stream.event_ids) // 3


def run_sender(
    stream: Stream, base_url: str, api_key: str, ack_log: Path, batch: int
) -> Callable[[], SendReport]:
    box: dict[str, SendReport] = {}

    def work() -> None:
        box["report"] = send(stream.records, base_url, api_key, batch_events=batch, ack_log=ack_log)

    thread = threading.Thread(target=work, name="sender", daemon=True)
    thread.start()

    def finish() -> SendReport:
        thread.join()
        return box["report"]

    return finish


def figures(
    stream: Stream,
    db: Database,
    merchant_id: str,
    ack_log: Path,
    report: SendReport,
    fault_seconds: float,
    **extra: Any,
) -> dict[str, Any]:
    stored = stored_event_counts(db, merchant_id)
    acknowledged = set(acknowledged_event_ids(ack_log))
    return {
        "events_in_stream": len(stream.event_ids),
        "events_sent": report.events_sent,
        "events_acknowledged": len(acknowledged),
        "events_stored": len(stored),
        "duplicates_stored": sum(count - 1 for count in stored.values()),
        "lost": len(stream.event_ids - set(stored)),
        "acknowledged_not_stored": len(acknowledged - set(stored)),
        "redeliveries_answered_as_duplicates": report.duplicates,
        "retries": report.retries,
        "errors": dict(report.errors),
        "seconds": round(report.seconds, 2),
        "events_per_second": round(report.events_sent / report.seconds),
        # The same, leaving out the time the server or the database was away.
        "events_per_second_outside_fault": round(report.events_sent / (report.seconds - fault_seconds)),
        **extra,
    }


@contextmanager
def database(backend: str, pg_server: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'faults.db'}"
        return
    with scratch_postgres_database(pg_server, prefix="ordertrack_faults") as url:
        yield url


def prepare(url: str) -> tuple[Database, str, str]:
    db = open_database(url)
    migrate.upgrade(db.engine)
    merchant_id, api_key = create_merchant(db, "Fault Bench")
    return db, merchant_id, api_key


def kill9(backend: str, stream: Stream, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    with database(backend, args.pg, workdir) as url:
        db, merchant_id, api_key = prepare(url)
        ack_log = workdir / f"acks-{backend}.jsonl"
        watch = AckWatch(ack_log)
        server = ServerProcess(url, log=workdir / f"server-{backend}.log").start()
        try:
            finish = run_sender(stream, server.base_url, api_key, ack_log, args.batch)
            wait_for(lambda: third(server, watch, stream), 3600, "a third acknowledged")
            server.kill()
            killed = time.monotonic()
            say(f"kill9-{backend}: killed the server at {watch.poll()} acknowledged events")
            time.sleep(0.5)
            server.start()
            down = time.monotonic() - killed
            recovered = watch.wait_for_growth(120)
            report = finish()
        finally:
            server.stop()
        result = figures(
            stream,
            db,
            merchant_id,
            ack_log,
            report,
            down,
            server_down_seconds=round(down, 2),
            seconds_to_first_ack_after_restart=round(recovered, 2),
        )
        db.dispose()
        return result


def pg_restart(stream: Stream, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    bindir = postgres_binaries()
    if bindir is None:
        return {"skipped": "initdb and pg_ctl are not installed"}
    with private_postgres(bindir) as cluster:
        db, merchant_id, api_key = prepare(cluster.url)
        ack_log = workdir / "acks-pg-restart.jsonl"
        watch = AckWatch(ack_log)
        with ServerProcess(cluster.url, log=workdir / "server-pg-restart.log") as server:
            pid = server.pid
            finish = run_sender(stream, server.base_url, api_key, ack_log, args.batch)
            wait_for(lambda: third(server, watch, stream), 3600, "a third acknowledged")
            stopped = time.monotonic()
            cluster.stop("immediate")
            say(f"pg-restart: stopped PostgreSQL at {watch.poll()} acknowledged events")
            time.sleep(args.outage)
            cluster.start()
            outage = time.monotonic() - stopped
            recovered = watch.wait_for_growth(120)
            report = finish()
            same_process = server.alive() and server.pid == pid
        result = figures(
            stream,
            db,
            merchant_id,
            ack_log,
            report,
            outage,
            outage_seconds=round(outage, 2),
            seconds_to_first_ack_after_database_back=round(recovered, 2),
            same_server_process=same_process,
        )
        db.dispose()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500, help="events per request")
    parser.add_argument("--outage", type=float, default=2.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", action="append", choices=SCENARIOS)
    args = parser.parse_args()
    stream = record_stream(parcels=max(10, args.events // 100), events=args.events)
    results: dict[str, Any] = {"events": args.events, "batch": args.batch}
    with tempfile.TemporaryDirectory(prefix="ordertrack-faults-") as tmp:
        workdir = Path(tmp)
        for name in args.only or SCENARIOS:
            say(f"{name}: {args.events} events, batches of {args.batch}")
            if name == "pg-restart":
                results[name] = pg_restart(stream, args, workdir)
            else:
                results[name] = kill9(name.removeprefix("kill9-"), stream, args, workdir)
            say(f"{name}: {json.dumps(results[name])}")
    json.dump(results, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
