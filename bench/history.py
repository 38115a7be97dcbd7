"""What one more event costs on a parcel that already has 1, 100 or 1,000 events.

Each sample is one request carrying one new, later scan for one parcel, sent alone on a
keep-alive connection (concurrency 1, so nothing but the parcel's history differs). Parcels
with 1 event are each used once; parcels with 100 or 1,000 events take ``history_rounds``
scans each, so they end at most a few events past their nominal size. Samples of the three
sizes are interleaved so that drift during the run (autovacuum, checkpoints) hits all alike.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from typing import Any

from ordertrack.db.uow import Database

import loadgen
from benchdb import Tenant, seed_events, seed_parcels
from events import EventStream, body
from ingest import EVENTS_PATH, ingest_headers
from plan import Plan

SIZES = (1, 100, 1000)
TARGET_RATIO = 1.5
WARMUP_REQUESTS = 100

Schedule = list[tuple[int, str]]


def prepare(db: Database, tenant: Tenant, stream: EventStream, plan: Plan) -> dict[int, list[str]]:
    """Parcels per history size, each seeded through the ingest service with that many events."""
    counts = {1: plan.history_fresh, 100: plan.history_deep, 1000: plan.history_deep}
    pools: dict[int, list[str]] = {}
    for size, count in counts.items():
        numbers = [f"1ZH{size:04d}{i:06d}" for i in range(count)]
        seed_parcels(db, tenant, numbers)
        seed_events(db, tenant, [stream.scan(number) for number in numbers for _ in range(size)])
        pools[size] = numbers
    return pools


def schedule(pools: dict[int, list[str]], rounds: int) -> Schedule:
    """(history size, tracking number) per sample, the three sizes taking turns."""
    lanes = [
        [(size, number) for number in numbers]
        if size == 1
        else [(size, number) for _ in range(rounds) for number in numbers]
        for size, numbers in pools.items()
    ]
    return [sample for turn in itertools.zip_longest(*lanes) for sample in turn if sample is not None]


def _one_event_requests(api_key: str, numbers: Sequence[str], stream: EventStream) -> list[bytes]:
    headers = ingest_headers(api_key)
    return [
        loadgen.encode_request("POST", EVENTS_PATH, headers=headers, body=body([stream.scan(n)]))
        for n in numbers
    ]


def measure(
    port: int,
    tenant: Tenant,
    pools: dict[int, list[str]],
    warmup_numbers: Sequence[str],
    stream: EventStream,
    plan: Plan,
) -> dict[str, Any]:
    accept = loadgen.expect_accepted(1)
    warmup = [warmup_numbers[i % len(warmup_numbers)] for i in range(WARMUP_REQUESTS)]
    loadgen.run(loadgen.timed_sequence(port, _one_event_requests(tenant.api_key, warmup, stream), accept))

    samples = schedule(pools, plan.history_rounds)
    requests = _one_event_requests(tenant.api_key, [number for _, number in samples], stream)
    latencies = loadgen.run(loadgen.timed_sequence(port, requests, accept))

    by_size: dict[int, list[float]] = {size: [] for size in pools}
    for (size, _), latency in zip(samples, latencies, strict=True):
        by_size[size].append(latency)
    figures = {
        str(size): {
            "samples": len(values),
            "median_ms": round(statistics.median(values), 3),
            "p90_ms": round(loadgen.percentile(sorted(values), 90), 3),
        }
        for size, values in by_size.items()
    }
    ratio = statistics.median(by_size[1000]) / statistics.median(by_size[1])
    return {
        "events_before": figures,
        "ratio_1000_to_1": round(ratio, 3),
        "target": f"< {TARGET_RATIO}",
        "met": ratio < TARGET_RATIO,
    }
