"""Shipment checks cost what is due, not what is stored: milliseconds per due shipment for a
round of ``run_checks`` over the same due shipments among a few and among many idle ones.

    python bench/checks.py [--pg URL] [--due 200] [--idle 1000 --idle 100000]

A fresh PostgreSQL database gets one merchant and ``--due`` shipments made through the
services, each with a scan; then idle shipments (nothing to check until next month) are
added in bulk by SQL, copies of a seeded one. Each measurement makes the due shipments due
again and times one round that checks them all; the figure is the median of five rounds.
The ratio of the largest idle count to the smallest should stay near 1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database

from benchdb import (
    DEFAULT_SERVER,
    analyze,
    create_tenant,
    fresh_database,
    migrated,
    seed_events,
    seed_parcels,
)

ROUNDS = 5


def progress(message: str) -> None:
    print(f"[checks {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def add_idle(db: Database, count: int) -> None:
    """Copies of one seeded shipment, due only next month: rows the checks must not read."""
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO shipments (id, merchant_id, order_id, warehouse, carrier, service, status,"
                " reason, delivered_at, handed_over_at, created_at, updated_at, next_check_at)"
                " SELECT 'idle' || lpad(g::text, 12, '0'), s.merchant_id, s.order_id, s.warehouse,"
                " s.carrier, s.service, s.status, s.reason, s.delivered_at, s.handed_over_at,"
                " s.created_at, s.updated_at, now() + interval '30 days'"
                " FROM (SELECT * FROM shipments ORDER BY id LIMIT 1) s,"
                " generate_series((SELECT count(*) FROM shipments WHERE id LIKE 'idle%'), :n - 1) g"
            ),
            {"n": count},
        )


def measure(db: Database, due_ids: list[str]) -> float:
    """Median milliseconds per due shipment of a round that checks all of them."""
    per_shipment = []
    for _ in range(ROUNDS):
        now = datetime.now(UTC)
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE shipments SET next_check_at = :now WHERE id = ANY(:ids)"),
                {"now": now - timedelta(seconds=1), "ids": due_ids},
            )
        started = time.perf_counter()
        report = shipment_checks.run_checks(db, now, limit=len(due_ids))
        elapsed = time.perf_counter() - started
        if report.checked != len(due_ids):
            raise RuntimeError(f"checked {report.checked}, expected {len(due_ids)}")
        per_shipment.append(elapsed * 1000 / len(due_ids))
    return statistics.median(per_shipment)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", default=DEFAULT_SERVER)
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--idle", type=int, action="append")
    args = parser.parse_args()
    idle_counts = sorted(args.idle or [1_000, 100_000])
    results = {}
    with fresh_database(args.pg) as url:
        db = migrated(url)
        tenant = create_tenant(db)
        numbers = [f"CHK{i:08d}" for i in range(args.due)]
        progress(f"seeding {args.due} shipments through the services")
        seed_parcels(db, tenant, numbers)
        scanned = datetime.now(UTC) - timedelta(hours=2)
        seed_events(
            db,
            tenant,
            [
                {
                    "tracking_number": n,
                    "carrier": "acme_post",
                    "occurred_at": scanned.isoformat(),
                    "status": "in_transit",
                }
                for n in numbers
            ],
        )
        with db.engine.connect() as conn:
            due_ids = [row[0] for row in conn.execute(text("SELECT id FROM shipments ORDER BY id"))]
        for count in idle_counts:
            progress(f"{count:,} idle shipments")
            add_idle(db, count)
            analyze(url)
            results[str(count)] = round(measure(db, due_ids), 3)
        db.dispose()
    smallest, largest = str(idle_counts[0]), str(idle_counts[-1])
    print(
        json.dumps(
            {
                "due": args.due,
                "ms_per_due_shipment_by_idle_count": results,
                "ratio_largest_to_smallest": round(results[largest] / results[smallest], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
