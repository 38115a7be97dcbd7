"""Run the ordertrack benchmark suite on PostgreSQL and print one JSON document.

    python bench/run.py [--quick] [--pg URL]
        [--only lookup|single|history|batched|confirmations|labels|notifications|receiving|atp
                |backorder_revision ...]

A fresh database ``ordertrack_bench_<hex>`` is created on the server, migrated, seeded
through ordertrack's services, and dropped at the end. The server under test runs in its
own process (uvicorn, one worker); baselines run in the same run, on the same data.
``confirmations`` calls the services in this process and ``labels`` needs no database;
neither needs the server, which is started only when another scenario runs.
Progress goes to stderr; stdout carries only the JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ordertrack.db.uow import Database

import atp
import backorder_revision
import confirmations
import history
import ingest
import labels
import lookup
import notifications
import receiving
from benchdb import DEFAULT_SERVER, Tenant, analyze, create_tenant, fresh_database, migrated
from events import EventStream
from plan import FULL, QUICK, Plan
from servers import ORDERTRACK_APP, Server, ordertrack_env, serve

# Measured in this order: the bare ingest script adds the most rows, so it goes last but one.
# Labels touch no database; confirmations write only inventory and order rows.
SCENARIOS = (
    "labels",
    "lookup",
    "single",
    "history",
    "batched",
    "confirmations",
    "notifications",
    "receiving",
    "atp",
    "backorder_revision",
)
REPORT_ORDER = (
    "batched",
    "single",
    "lookup",
    "history",
    "confirmations",
    "notifications",
    "receiving",
    "atp",
    "backorder_revision",
    "labels",
)
SERVER_SCENARIOS = frozenset(
    {"lookup", "single", "history", "batched", "receiving", "atp", "backorder_revision"}
)


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a ~1 minute smoke run")
    parser.add_argument(
        "--pg", default=DEFAULT_SERVER, help=f"PostgreSQL server URL (default {DEFAULT_SERVER})"
    )
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="run only these scenarios")
    return parser.parse_args(argv)


def machine(db: Database) -> dict[str, Any]:
    with db.engine.connect() as conn:
        server_version = conn.execute(text("SHOW server_version")).scalar()
    return {
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "ordertrack_revision": _source_revision(),
        "python": platform.python_version(),
        "postgresql": server_version,
        "packages": {
            name: version(name)
            for name in (
                "fastapi",
                "starlette",
                "uvicorn",
                "sqlalchemy",
                "psycopg",
                "pydantic",
                "uvloop",
                "httptools",
            )
        },
    }


def _source_revision() -> str:
    """The commit of the code under test, ``+dirty`` when ``src/`` has uncommitted changes."""
    repo = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "src") else "")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _timed(name: str, step: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    progress(f"{name}...")
    outcome = step()
    progress(f"{name} done in {time.perf_counter() - started:.1f}s")
    return outcome


@dataclass
class Setup:
    """A seeded database and what the scenarios need to find their data in it."""

    url: str
    tenant: Tenant
    stream: EventStream
    pools: dict[str, Any]
    machine: dict[str, Any]


@contextlib.contextmanager
def prepared(server_url: str, plan: Plan, scenarios: Sequence[str]) -> Iterator[Setup]:
    """A fresh, migrated database seeded for ``scenarios``; dropped when the block ends."""
    with fresh_database(server_url) as url:
        db = migrated(url)
        tenant = create_tenant(db)
        stream = EventStream("bench")
        pools: dict[str, Any] = {}
        if "lookup" in scenarios:
            pools["lookup"] = _timed("seed lookup parcels", lambda: lookup.prepare(db, tenant, stream, plan))
        if {"single", "history", "batched"} & set(scenarios):
            pools["ingest"] = _timed("seed ingest parcels", lambda: ingest.prepare(db, tenant, stream, plan))
        if "history" in scenarios:
            pools["history"] = _timed(
                "seed parcel histories", lambda: history.prepare(db, tenant, stream, plan)
            )
        if "confirmations" in scenarios:
            pools["confirmations"] = _timed(
                "seed warehouses, stock and orders", lambda: confirmations.prepare(db, tenant, plan)
            )
        if "notifications" in scenarios:
            pools["notifications"] = _timed(
                "seed shipments and their messages", lambda: notifications.prepare(db, tenant, plan)
            )
        if "receiving" in scenarios:
            pools["receiving"] = _timed(
                "seed a 1,000-line purchase order and its ASNs",
                lambda: receiving.prepare(db, tenant, quick=plan is QUICK),
            )
        # Available to promise: shops of their own (their warehouses and queues are theirs).
        if "atp" in scenarios:
            shop = create_tenant(db, "ATP Shop")
            sizes = atp.QUICK_SIZES if plan is QUICK else atp.FULL_SIZES
            pools["atp"] = (
                shop,
                _timed("seed SKUs, open POs and backorders", lambda: atp.prepare(db, url, shop, sizes)),
            )
        if "backorder_revision" in scenarios:
            shop = create_tenant(db, "Backorder Shop")
            waiting = 2_000 if plan is QUICK else 10_000
            pools["backorder_revision"] = (
                shop,
                _timed(
                    f"seed {waiting} orders waiting on one inbound",
                    lambda: backorder_revision.prepare(db, url, shop, waiting),
                ),
            )
        analyze(url)
        about = machine(db)
        db.dispose()
        yield Setup(url, tenant, stream, pools, about)


def measurements(setup: Setup, server: Server | None, plan: Plan) -> dict[str, Callable[[], dict[str, Any]]]:
    """Each scenario's measurement; the HTTP ones against the ordertrack ``server``."""
    url, tenant, stream, pools = setup.url, setup.tenant, setup.stream, setup.pools

    def up() -> Server:
        if server is None:
            raise RuntimeError("this scenario needs the ordertrack server")
        return server

    return {
        "lookup": lambda: lookup.measure(up(), url, tenant, pools["lookup"], plan),
        "single": lambda: ingest.measure_single(up(), tenant, pools["ingest"], stream, plan),
        "history": lambda: history.measure(
            up().port, tenant, pools["history"], [p.tracking_number for p in pools["ingest"]], stream, plan
        ),
        "batched": lambda: ingest.measure_batched(up(), url, tenant, pools["ingest"], stream, plan),
        "confirmations": lambda: confirmations.measure(url, pools["confirmations"], plan),
        "labels": lambda: labels.measure(plan),
        "notifications": lambda: notifications.measure(url, pools["notifications"], plan),
        "receiving": lambda: receiving.measure(up(), tenant, pools["receiving"]),
        "atp": lambda: atp.measure(up(), *pools["atp"]),
        "backorder_revision": lambda: backorder_revision.measure(
            up(), migrated(url), url, *pools["backorder_revision"]
        ),
    }


def run(server_url: str, plan: Plan, scenarios: Sequence[str]) -> dict[str, Any]:
    started = time.perf_counter()
    results: dict[str, Any] = {}
    with (
        prepared(server_url, plan, scenarios) as setup,
        (
            serve(ORDERTRACK_APP, ordertrack_env(setup.url))
            if SERVER_SCENARIOS & set(scenarios)
            else contextlib.nullcontext()
        ) as server,
    ):
        measures = measurements(setup, server, plan)
        for name in SCENARIOS:
            if name in scenarios:
                results[name] = _timed(f"measure {name}", measures[name])
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": setup.machine,
        "plan": vars(plan),
        "results": {key: results[key] for key in REPORT_ORDER if key in results},
        "targets_met": {name: figures["met"] for name, figures in results.items() if "met" in figures},
        "total_seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    plan = QUICK if args.quick else FULL
    scenarios = tuple(args.only) if args.only else SCENARIOS
    report = run(args.pg, plan, scenarios)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
