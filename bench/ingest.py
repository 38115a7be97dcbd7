"""Ingest throughput: batches of 100 events against a bare psycopg script, and single events."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ordertrack.db.uow import Database

import loadgen
from bare_ingest import Rows, insert_batches
from benchdb import SeededParcel, Tenant, libpq_url, seed_events, seed_parcels
from cpu import cpu_use
from events import EventStream, body, table_row
from plan import Plan
from servers import Server

EVENTS_PATH = "/api/v1/tracking/events"
BATCH_SIZE = 100
# A batch covers this many parcels (5 scans each), like one poll of a carrier account.
PARCELS_PER_BATCH = 20
# Enough in flight to keep one server process busy while other requests wait on commits.
BATCH_CONCURRENCY = 4
SINGLE_CONCURRENCY = 8
TARGET_BATCH_RATIO = 0.30


def prepare(db: Database, tenant: Tenant, stream: EventStream, plan: Plan) -> list[SeededParcel]:
    """``plan.ingest_parcels`` shipped parcels, each already scanned once."""
    numbers = [f"1ZING{i:07d}" for i in range(plan.ingest_parcels)]
    parcels = seed_parcels(db, tenant, numbers)
    seed_events(db, tenant, [stream.scan(number) for number in numbers])
    return parcels


def ingest_headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}


class BatchFeed:
    """Batches over consecutive slices of the parcel pool, so batches in flight together
    never share a parcel (no lock waits: each carrier poller has its own parcels)."""

    def __init__(self, stream: EventStream, numbers: Sequence[str], per_batch: int) -> None:
        self._stream = stream
        self._numbers = numbers
        self._per_batch = per_batch
        self._slices = itertools.count()

    def next_events(self, size: int) -> list[dict[str, Any]]:
        start = next(self._slices) * self._per_batch
        window = [self._numbers[(start + k) % len(self._numbers)] for k in range(self._per_batch)]
        return self._stream.batch(window, size)


def _bare_script(
    db_url: str, tenant: Tenant, parcels: Sequence[SeededParcel], stream: EventStream, plan: Plan
) -> loadgen.LoadResult:
    parcel_of = {p.tracking_number: p.parcel_id for p in parcels}
    feed = BatchFeed(stream, list(parcel_of), PARCELS_PER_BATCH)

    def next_rows() -> Rows:
        received_at = datetime.now(UTC)
        return [
            table_row(tenant.merchant_id, parcel_of[event["tracking_number"]], event, received_at)
            for event in feed.next_events(BATCH_SIZE)
        ]

    return loadgen.run(
        insert_batches(
            libpq_url(db_url),
            next_rows,
            concurrency=BATCH_CONCURRENCY,
            warmup=plan.warmup,
            duration=plan.duration,
        )
    )


def drive_ingest(
    port: int, api_key: str, feed: BatchFeed, size: int, concurrency: int, plan: Plan
) -> loadgen.LoadResult:
    headers = ingest_headers(api_key)

    def next_request() -> bytes:
        return loadgen.encode_request("POST", EVENTS_PATH, headers=headers, body=body(feed.next_events(size)))

    return loadgen.run(
        loadgen.closed_loop(
            port,
            next_request,
            concurrency=concurrency,
            warmup=plan.warmup,
            duration=plan.duration,
            accept=loadgen.expect_accepted(size),
        )
    )


def _bare_figures(
    db_url: str, tenant: Tenant, parcels: Sequence[SeededParcel], stream: EventStream, plan: Plan
) -> dict[str, Any]:
    with cpu_use(None) as cpu:
        result = _bare_script(db_url, tenant, parcels, stream, plan)
    return {**result.summary(BATCH_SIZE), "cpu_cores": cpu.as_dict()}


def _ordertrack_figures(
    server: Server, api_key: str, feed: BatchFeed, size: int, concurrency: int, plan: Plan
) -> dict[str, Any]:
    with cpu_use(server.pid) as cpu:
        result = drive_ingest(server.port, api_key, feed, size, concurrency, plan)
    return {**result.summary(size), "cpu_cores": cpu.as_dict()}


def measure_batched(
    server: Server,
    db_url: str,
    tenant: Tenant,
    parcels: Sequence[SeededParcel],
    stream: EventStream,
    plan: Plan,
) -> dict[str, Any]:
    """ordertrack's events/s in batches of 100 against the bare script; the bare script runs
    first, on the smaller table, so growth of the table never flatters the ratio."""
    baseline = _bare_figures(db_url, tenant, parcels, stream, plan)
    feed = BatchFeed(stream, [p.tracking_number for p in parcels], PARCELS_PER_BATCH)
    ours = _ordertrack_figures(server, tenant.api_key, feed, BATCH_SIZE, BATCH_CONCURRENCY, plan)
    ratio = ours["events_per_s"] / baseline["events_per_s"]
    return {
        "events_per_request": BATCH_SIZE,
        "parcels_per_request": PARCELS_PER_BATCH,
        "ordertrack": ours,
        "baseline_bare_psycopg": baseline,
        "ratio": round(ratio, 3),
        "target": f">= {TARGET_BATCH_RATIO:.2f}",
        "met": ratio >= TARGET_BATCH_RATIO,
    }


def measure_single(
    server: Server, tenant: Tenant, parcels: Sequence[SeededParcel], stream: EventStream, plan: Plan
) -> dict[str, Any]:
    feed = BatchFeed(stream, [p.tracking_number for p in parcels], 1)
    ours = _ordertrack_figures(server, tenant.api_key, feed, 1, SINGLE_CONCURRENCY, plan)
    return {"events_per_request": 1, "ordertrack": ours}
