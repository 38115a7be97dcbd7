"""Scale: does ordertrack stay as fast with a million shipments as with ten thousand?

    python bench/scale.py [--pg URL] [--small 10000] [--large 1000000] [--duration 25]

For each size, a fresh PostgreSQL database on the same server gets one merchant and that
many simulated orders (one shipment each, ~17 scans each with the simulator's faults),
written by ``ordertrack.simulate.bulk.load`` from ``simulate.generator.generate`` (the
generator runs in a child process). Then, on that database:

- tracking lookup over HTTP (concurrency 16, random known numbers), p50/p99;
- batched ingest over HTTP (100 events per request, 20 parcels each, 4 in flight), events/s;
- bytes of ``tracking_events`` (table, TOAST and indexes) per stored event;
- one delay-detection pass as the worker job runs it, with exactly 1% of the shipments due:
  the first pass (which also makes the promises the bulk load leaves to the worker) and a
  second one over the same shipments; milliseconds per due shipment;
- the reads behind the dashboard's attention page (open alerts, shipments in trouble).

The JSON report (stdout, and ``bench/results/scale-<date>-<large>.json``) ends with the ratios
large:small. Targets: lookup p99 ratio < 1.5, ingest rate ratio > 0.7, detection ratio ~ 1.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ordertrack.bootstrap import open_database
from ordertrack.config import Settings
from ordertrack.db.uow import Database
from ordertrack.simulate import bulk, pipeline
from ordertrack.simulate.generator import SimConfig, unified_only
from ordertrack.web.dashboard.orders_pages import read_attention
from ordertrack.worker import jobs

import loadgen
import lookup
from benchdb import DEFAULT_SERVER, Tenant, analyze, create_tenant, fresh_database, migrated
from events import EventStream
from ingest import BATCH_CONCURRENCY, BATCH_SIZE, PARCELS_PER_BATCH, BatchFeed, drive_ingest
from plan import FULL
from servers import ORDERTRACK_APP, ordertrack_env, serve

RESULTS = Path(__file__).resolve().parent / "results"
SIM_DAYS = 90  # long enough for carriers to recycle numbers (after 61 days)
DUE_SHARE = 0.01
LOOKUP_POOL = 5000
INGEST_POOL = 2000
UNIFIED_ONLY = True
PG_SETTINGS = ("shared_buffers", "max_wal_size", "effective_cache_size", "work_mem")
TARGETS = {
    "lookup_p99": "< 1.5",
    "ingest_events_per_s": "> 0.7",
    "detection_ms_per_due": "~ 1",
    "detection_seconds_1pct_to_quarter_pct_large": "~ 4 (time follows the due shipments)",
}


def progress(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def simulation(orders: int) -> SimConfig:
    """The same shape of run at every size: the stream ends a week before today."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    config = SimConfig(seed=1, orders=orders, start=today - timedelta(days=SIM_DAYS + 7), days=SIM_DAYS)
    # Unified events only: carrier-format pushes resend each parcel's whole history, which
    # multiplies the scans to read by ~4 without adding a stored row (connectors have their
    # own tests and the multi-process run covers pushes end to end).
    return unified_only(config) if UNIFIED_ONLY else config


def generated(config: SimConfig, merchant_id: str, budget: float | None = None) -> Iterator[bulk.Prepared]:
    """The stream as ``ordertrack simulate --to-db`` reads it (``simulate.pipeline``: made in one
    child process, read in two more), cut after ``budget`` seconds if one is given."""
    deadline = time.monotonic() + budget if budget is not None else None
    for item in pipeline.prepared(config, merchant_id):
        yield item
        if deadline is not None and item.kind == "order" and time.monotonic() > deadline:
            progress("population time budget spent: the stream is cut here")
            return


def populate(db: Database, tenant: Tenant, orders: int, budget: float | None = None) -> dict[str, Any]:
    last = [0.0]

    def report(r: bulk.BulkReport) -> None:
        if r.seconds - last[0] >= 60:
            last[0] = r.seconds
            progress(
                f"  {r.orders:,} orders, {r.events_stored:,} events in {r.seconds:,.0f}s"
                f" ({r.orders / r.seconds:,.0f} orders/s)"
            )

    result = bulk.load(
        db,
        tenant.merchant_id,
        generated(simulation(orders), tenant.merchant_id, budget),
        progress=report,
    )
    seconds = result.seconds
    return {
        **result.as_dict(),
        "orders_per_s": round(result.orders / seconds, 1),
        "events_per_s": round(result.events_stored / seconds, 1),
    }


def sample_numbers(db: Database, merchant_id: str, count: int, seed: int) -> list[str]:
    with db.engine.connect() as conn:
        numbers = sorted(
            set(
                conn.scalars(
                    text("SELECT tracking_number FROM parcels WHERE merchant_id = :m"), {"m": merchant_id}
                )
            )
        )
    return random.Random(seed).sample(numbers, min(count, len(numbers)))


def measure_lookup(port: int, tenant: Tenant, numbers: list[str], duration: float) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {tenant.api_key}"}
    requests = [loadgen.encode_request("GET", lookup.LOOKUP_PATH.format(n), headers=headers) for n in numbers]
    pick = random.Random(1)
    result = loadgen.run(
        loadgen.closed_loop(
            port,
            lambda: pick.choice(requests),
            concurrency=lookup.CONCURRENCY,
            warmup=FULL.warmup,
            duration=duration,
            accept=loadgen.expect_status(200),
        )
    )
    return result.summary()


def measure_ingest(port: int, tenant: Tenant, numbers: list[str], duration: float) -> dict[str, Any]:
    feed = BatchFeed(EventStream("scale"), numbers, PARCELS_PER_BATCH)
    plan = FULL.__class__(**{**vars(FULL), "duration": duration})
    result = drive_ingest(port, tenant.api_key, feed, BATCH_SIZE, BATCH_CONCURRENCY, plan)
    return {"events_per_request": BATCH_SIZE, **result.summary(BATCH_SIZE)}


def bytes_per_event(db: Database) -> dict[str, Any]:
    with db.engine.connect() as conn:
        size = conn.scalar(text("SELECT pg_total_relation_size('tracking_events')"))
        table = conn.scalar(text("SELECT pg_relation_size('tracking_events')"))
        count = conn.scalar(text("SELECT count(*) FROM tracking_events"))
    return {
        "events": count,
        "total_bytes": size,
        "heap_bytes": table,
        "bytes_per_event": round(size / count, 1),
    }


def detection_pass(
    db: Database, merchant_id: str, share: float = DUE_SHARE, rounds: int = 2
) -> dict[str, Any]:
    """Exactly ``share`` of the shipments due; each round times the worker's check job until all
    are done."""
    with db.engine.begin() as conn:
        ids = list(
            conn.scalars(
                text("SELECT id FROM shipments WHERE merchant_id = :m ORDER BY id"), {"m": merchant_id}
            )
        )
    due = sorted(random.Random(2).sample(ids, max(1, round(len(ids) * share))))
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE shipments SET next_check_at = :later"), {"later": now + timedelta(days=30)})
    analyze_shipments(db)
    figures = []
    for _ in range(rounds):
        now = datetime.now(UTC)
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE shipments SET next_check_at = :due WHERE id = ANY(:ids)"),
                {"due": now - timedelta(seconds=1), "ids": due},
            )
        started = time.perf_counter()
        checked = 0
        while checked < len(due):
            done = jobs.check_shipments(db, Settings(), now)
            if done == 0:
                break
            checked += done
        elapsed = time.perf_counter() - started
        figures.append(
            {
                "due": len(due),
                "checked": checked,
                "seconds": round(elapsed, 2),
                "ms_per_due_shipment": round(elapsed * 1000 / len(due), 3),
            }
        )
    return {"shipments": len(ids), "first_pass": figures[0], "second_pass": figures[-1]}


def attention_list(db: Database, merchant_id: str, rounds: int = 5) -> dict[str, Any]:
    """The reads behind the dashboard's attention page, timed in process (after the detection
    passes, so the checks' alerts are there too)."""
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        with db.uow(write=False) as uow:
            rows = read_attention(uow, merchant_id)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "alerts": len(rows),
        "median_ms": round(sorted(timings)[len(timings) // 2], 1),
        "max_ms": round(max(timings), 1),
    }


def analyze_shipments(db: Database) -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE shipments"))


def server_settings(server_url: str) -> dict[str, str]:
    """The PostgreSQL settings that decide how much of a large database stays in memory."""
    db = open_database(server_url)
    try:
        with db.engine.connect() as conn:
            return {name: conn.execute(text(f"SHOW {name}")).scalar_one() for name in PG_SETTINGS}
    finally:
        db.dispose()


def measure_size(
    server_url: str, orders: int, duration: float, budget: float | None = None, keep: bool = False
) -> dict[str, Any]:
    with fresh_database(server_url, keep=keep) as url:
        if keep:
            progress(f"this database is kept afterwards: {url}")
        db = migrated(url)
        tenant = create_tenant(db)
        progress(f"populating {orders:,} orders with bulk.load")
        figures: dict[str, Any] = {"orders": orders, "population": populate(db, tenant, orders, budget)}
        progress(f"populated: {json.dumps(figures['population'])}")
        started = time.perf_counter()
        analyze(url)
        figures["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 1)
        figures["storage"] = bytes_per_event(db)
        progress(f"storage: {figures['storage']}")
        numbers = sample_numbers(db, tenant.merchant_id, LOOKUP_POOL + INGEST_POOL, seed=orders)
        cut = min(LOOKUP_POOL, len(numbers) // 2)  # lookups and ingest get parcels of their own
        with serve(ORDERTRACK_APP, ordertrack_env(url)) as server:
            progress("lookup over HTTP")
            figures["lookup"] = measure_lookup(server.port, tenant, numbers[:cut], duration)
            progress(f"lookup: {figures['lookup']}")
            progress("batched ingest over HTTP")
            figures["ingest"] = measure_ingest(server.port, tenant, numbers[cut:], duration)
            progress(f"ingest: {figures['ingest']}")
        progress("delay detection with 1% due")
        figures["detection"] = detection_pass(db, tenant.merchant_id)
        progress(f"detection: {figures['detection']}")
        # The same database with a quarter as many due: the pass should take a quarter as long.
        figures["detection_quarter"] = detection_pass(db, tenant.merchant_id, DUE_SHARE / 4)
        progress(f"detection, {DUE_SHARE / 4:.2%} due: {figures['detection_quarter']}")
        figures["attention_page"] = attention_list(db, tenant.merchant_id)
        progress(f"attention page reads: {figures['attention_page']}")
        db.dispose()
    return figures


def ratios(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    def ratio(a: float, b: float) -> float:
        return round(a / b, 3) if b else float("nan")

    return {
        "lookup_p50": ratio(large["lookup"]["p50_ms"], small["lookup"]["p50_ms"]),
        "lookup_p99": ratio(large["lookup"]["p99_ms"], small["lookup"]["p99_ms"]),
        "ingest_events_per_s": ratio(large["ingest"]["events_per_s"], small["ingest"]["events_per_s"]),
        "bytes_per_event": ratio(large["storage"]["bytes_per_event"], small["storage"]["bytes_per_event"]),
        "detection_ms_per_due_first_pass": ratio(
            large["detection"]["first_pass"]["ms_per_due_shipment"],
            small["detection"]["first_pass"]["ms_per_due_shipment"],
        ),
        "detection_ms_per_due": ratio(
            large["detection"]["second_pass"]["ms_per_due_shipment"],
            small["detection"]["second_pass"]["ms_per_due_shipment"],
        ),
        "detection_seconds_1pct_to_quarter_pct_large": ratio(
            large["detection"]["second_pass"]["seconds"],
            large["detection_quarter"]["second_pass"]["seconds"],
        ),
        "attention_page_ms": ratio(
            large["attention_page"]["median_ms"], small["attention_page"]["median_ms"]
        ),
        "targets": TARGETS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=DEFAULT_SERVER)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=FULL.duration, help="seconds timed per HTTP phase")
    parser.add_argument(
        "--populate-minutes",
        type=float,
        help="stop loading the large database after this long and measure what is there"
        " (its population figures say how many orders it reached)",
    )
    parser.add_argument(
        "--with-pushes", action="store_true", help="keep the carrier-format pushes in the stream"
    )
    parser.add_argument(
        "--keep-large", action="store_true", help="keep the large database (its URL goes to stderr)"
    )
    args = parser.parse_args()
    global UNIFIED_ONLY
    UNIFIED_ONLY = not args.with_pushes
    started = time.perf_counter()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "simulation": {
            "days": SIM_DAYS,
            "seed": 1,
            "due_share": DUE_SHARE,
            "unified_only": not args.with_pushes,
        },
        "postgres": server_settings(args.pg),
    }
    sizes = {}
    for name, orders in (("small", args.small), ("large", args.large)):
        progress(f"=== {name}: {orders:,} orders")
        budget = args.populate_minutes * 60 if args.populate_minutes and name == "large" else None
        keep = args.keep_large and name == "large"
        sizes[name] = measure_size(args.pg, orders, args.duration, budget, keep)
    report["sizes"] = sizes
    reached = sizes["large"]["population"]["orders"]
    report["large_complete"] = reached >= args.large
    report["ratios_large_to_small"] = ratios(sizes["small"], sizes["large"])
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    document = json.dumps(report, indent=2, default=str)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"scale-{datetime.now(UTC):%Y-%m-%d}-{reached}.json").write_text(document + "\n")
    print(document)


if __name__ == "__main__":
    main()
