"""Tracking lookup at concurrency 16: ordertrack against a bare Starlette endpoint."""

from __future__ import annotations

import json
import random
import urllib.request
from collections.abc import Sequence
from typing import Any

from ordertrack.db.uow import Database

import loadgen
from benchdb import Tenant, libpq_url, seed_events, seed_parcels
from cpu import cpu_use
from events import EventStream
from plan import Plan
from servers import BARE_LOOKUP_APP, Server, serve

CONCURRENCY = 16
# A parcel's scans from label to doorstep, typically.
LOOKUP_EVENTS = 10
TARGET_RATIO = 0.50
LOOKUP_PATH = "/api/v1/tracking/{}"


def prepare(db: Database, tenant: Tenant, stream: EventStream, plan: Plan) -> list[str]:
    numbers = [f"1ZLKP{i:07d}" for i in range(plan.lookup_parcels)]
    seed_parcels(db, tenant, numbers)
    seed_events(db, tenant, [stream.scan(number) for number in numbers for _ in range(LOOKUP_EVENTS)])
    return numbers


def _check_one(port: int, api_key: str, number: str) -> None:
    """Both servers must answer the real thing: every event of the parcel."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{LOOKUP_PATH.format(number)}",
        headers={"Authorization": f"Bearer {api_key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        answer = json.load(reply)
    if answer["event_count"] != LOOKUP_EVENTS or len(answer["events"]) != LOOKUP_EVENTS:
        raise RuntimeError(f"port {port} answered {answer['event_count']} events for {number}")


def drive(port: int, api_key: str, numbers: Sequence[str], plan: Plan, seed: int) -> loadgen.LoadResult:
    _check_one(port, api_key, numbers[0])
    headers = {"Authorization": f"Bearer {api_key}"}
    requests = [loadgen.encode_request("GET", LOOKUP_PATH.format(n), headers=headers) for n in numbers]
    pick = random.Random(seed)
    return loadgen.run(
        loadgen.closed_loop(
            port,
            lambda: pick.choice(requests),
            concurrency=CONCURRENCY,
            warmup=plan.warmup,
            duration=plan.duration,
        )
    )


def bare_env(db_url: str, tenant: Tenant) -> dict[str, str]:
    return {
        "BENCH_DATABASE_URL": libpq_url(db_url),
        "BENCH_MERCHANT_ID": tenant.merchant_id,
        "BENCH_API_KEY": tenant.api_key,
        "BENCH_POOL_SIZE": str(CONCURRENCY),
    }


def _figures(server: Server, api_key: str, numbers: Sequence[str], plan: Plan) -> dict[str, Any]:
    with cpu_use(server.pid) as cpu:
        result = drive(server.port, api_key, numbers, plan, seed=1)
    return {**result.summary(), "cpu_cores": cpu.as_dict()}


def measure(
    server: Server, db_url: str, tenant: Tenant, numbers: Sequence[str], plan: Plan
) -> dict[str, Any]:
    """Both servers see the same random sequence of tracking numbers."""
    ours = _figures(server, tenant.api_key, numbers, plan)
    with serve(BARE_LOOKUP_APP, bare_env(db_url, tenant)) as bare:
        baseline = _figures(bare, tenant.api_key, numbers, plan)
    ratio = ours["requests_per_s"] / baseline["requests_per_s"]
    return {
        "events_per_parcel": LOOKUP_EVENTS,
        "ordertrack": ours,
        "baseline_bare_starlette": baseline,
        "ratio": round(ratio, 3),
        "target": f">= {TARGET_RATIO:.2f}",
        "met": ratio >= TARGET_RATIO,
    }
