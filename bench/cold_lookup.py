"""Cold lookups on a database larger than memory: the timeline index against the plain one.

    python bench/cold_lookup.py URL [--numbers 5000] [--duration 25] [--seed 1]
        [--compare-plain-index] [--no-restart]

On a populated database (``bench/scale.py --keep-large`` prints its URL), for the merchant
with the most parcels: PostgreSQL is restarted and the OS page cache dropped (both need root
on the database's machine; otherwise the report says the run was not cold), then tracking
lookups run over HTTP as in ``bench/scale.py`` (concurrency 16, random numbers from a pool no
earlier phase read), timed cold, then again on the same numbers warm.

With ``--compare-plain-index`` the same is measured again with the events' plain
``(parcel_id, occurred_at)`` index in place of the timeline index (the schema before
migration 0012), then the timeline index is built back. Each build is timed: the timeline
index's is what migration 0012 costs on this database. The JSON report goes to stdout,
progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ordertrack.bootstrap import open_database
from ordertrack.db.uow import Database
from ordertrack.merchants import service as merchants_service
from ordertrack.tracking.model import TIMELINE_COLUMNS

from benchdb import Tenant
from plan import FULL
from scale import measure_lookup, sample_numbers
from servers import ORDERTRACK_APP, ordertrack_env, serve

TIMELINE = "ix_tracking_events_parcel_timeline"
PLAIN = "ix_tracking_events_parcel"
BUILD = {
    TIMELINE: f"CREATE INDEX {TIMELINE} ON tracking_events (parcel_id, occurred_at)"
    f" INCLUDE ({', '.join(TIMELINE_COLUMNS)})",
    PLAIN: f"CREATE INDEX {PLAIN} ON tracking_events (parcel_id, occurred_at)",
}
EXPLAINED = (
    "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT occurred_at, status, description, city, event_id,"
    " dedupe_key FROM tracking_events WHERE merchant_id = :m AND parcel_id ="
    " (SELECT id FROM parcels WHERE merchant_id = :m AND tracking_number = :n LIMIT 1)"
)


def progress(message: str) -> None:
    print(f"[cold {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def make_cold() -> bool:
    """Restart PostgreSQL and drop the OS page cache; False when this process may not."""
    if os.geteuid() != 0:
        return False
    versions = sorted(Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").is_dir() else []
    if not versions:
        return False
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name, "main", "restart"], check=True
    )
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")
    return True


def tenant_of_largest_merchant(db: Database) -> Tenant:
    with db.uow() as uow:
        merchant_id = uow.session.scalar(
            text("SELECT merchant_id FROM parcels GROUP BY merchant_id ORDER BY count(*) DESC LIMIT 1")
        )
        api_key = merchants_service.issue_api_key(uow, merchant_id, "cold lookup bench")
        uow.commit()
    return Tenant(merchant_id=merchant_id, api_key=api_key)


def index_sizes(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index"
                " WHERE indrelid = 'tracking_events'::regclass ORDER BY 1"
            )
        )
        return {name: size for name, size in rows}


def plan_of_one(db: Database, merchant_id: str, number: str) -> dict[str, Any]:
    with db.engine.connect() as conn:
        plan = conn.execute(text(EXPLAINED), {"m": merchant_id, "n": number}).scalar_one()[0]["Plan"]
    return {
        "node": plan["Node Type"],
        "index": plan.get("Index Name"),
        "rows": plan["Actual Rows"],
        "heap_fetches": plan.get("Heap Fetches"),
        "buffers_hit": plan["Shared Hit Blocks"],
        "buffers_read": plan["Shared Read Blocks"],
        "ms": plan["Actual Total Time"],
    }


def swap(url: str, build: str, drop: str) -> float:
    """Build one index, drop the other; seconds the build took."""
    engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SET maintenance_work_mem = '1GB'"))
            started = time.perf_counter()
            conn.execute(text(BUILD[build]))
            seconds = time.perf_counter() - started
            conn.execute(text(f"DROP INDEX {drop}"))
            conn.execute(text("VACUUM ANALYZE tracking_events"))
    finally:
        engine.dispose()
    return round(seconds, 1)


def measure(url: str, tenant: Tenant, numbers: list[str], duration: float, restart: bool) -> dict[str, Any]:
    db = open_database(url)
    sizes = index_sizes(db)
    db.dispose()
    cold = make_cold() if restart else False
    progress(f"lookups ({'cold' if cold else 'NOT cold: needs root, or --no-restart'})")
    with serve(ORDERTRACK_APP, ordertrack_env(url)) as server:
        first = measure_lookup(server.port, tenant, numbers, duration)
        progress(f"first reads: {first}")
        again = measure_lookup(server.port, tenant, numbers, duration)
        progress(f"same numbers again: {again}")
    db = open_database(url)
    plan = plan_of_one(db, tenant.merchant_id, numbers[0])
    db.dispose()
    return {"cold": cold, "index_bytes": sizes, "first_reads": first, "warm": again, "one_plan_warm": plan}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", help="SQLAlchemy URL of a populated PostgreSQL database")
    parser.add_argument("--numbers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1, help="another seed, other numbers")
    parser.add_argument("--duration", type=float, default=FULL.duration)
    parser.add_argument("--compare-plain-index", action="store_true")
    parser.add_argument(
        "--no-restart",
        action="store_true",
        help="leave PostgreSQL and the page cache alone (a shared server)",
    )
    args = parser.parse_args()
    db = open_database(args.url)
    if TIMELINE not in index_sizes(db):
        sys.exit(f"{TIMELINE} is missing: upgrade the database to head first")
    tenant = tenant_of_largest_merchant(db)
    numbers = sample_numbers(db, tenant.merchant_id, args.numbers, args.seed)
    with db.engine.connect() as conn:
        events = conn.scalar(text("SELECT count(*) FROM tracking_events"))
    db.dispose()
    report: dict[str, Any] = {"events": events, "numbers": len(numbers), "timeline_index": {}}
    progress(f"{events:,} events; {len(numbers):,} numbers")
    report["timeline_index"] = measure(args.url, tenant, numbers, args.duration, not args.no_restart)
    if args.compare_plain_index:
        progress("building the plain index, dropping the timeline index")
        report["plain_index_build_seconds"] = swap(args.url, PLAIN, TIMELINE)
        report["plain_index"] = measure(args.url, tenant, numbers, args.duration, not args.no_restart)
        progress("building the timeline index back")
        report["timeline_index_build_seconds"] = swap(args.url, TIMELINE, PLAIN)
        progress(f"built in {report['timeline_index_build_seconds']} s")
        report["p99_plain_to_timeline_first_reads"] = round(
            report["plain_index"]["first_reads"]["p99_ms"]
            / report["timeline_index"]["first_reads"]["p99_ms"],
            2,
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
