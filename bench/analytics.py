"""Analytics rollups: what keeping them costs ingest, how fast answers are read from a million
orders' cells, and how long a rebuild from the raw facts takes.

    python bench/analytics.py [--pg URL] [--only ingest|read|rebuild ...] [--orders 1000000]
                              [--rebuild-sizes 10000,100000] [--duration 15]

- ``ingest``: ``POST /api/v1/tracking/events`` over HTTP against a real server, 100 events per
  request (concurrency 4) and 1 per request (concurrency 8), with the rollups kept up to date
  (the handlers queue shipments and the ``fold_analytics`` job runs every 5 s: in a worker process
  of its own as ``ordertrack worker`` runs it, "on", and in a thread of the server process as
  ``serve``'s embedded worker runs it, "embedded") and without (the same app with the analytics
  handlers taken out of the table, no worker, "off"). The parcels gain scans phase after phase,
  so the phases run off, on, embedded, embedded, on, off and each variant is the mean of its two.
- ``read``: a merchant with ``--orders`` shipments' worth of cells. The cells are *synthesized*:
  shipments' facts drawn in pure Python with the simulator's cardinalities (its 12 carrier
  services, 3 warehouses, its 1,743 towns in 117 regions of 7 countries as destinations, 4 scans
  each, promises, revisions, exceptions, failed attempts, returns at fixed rates) over 120 days,
  counted into cells with ``rollup.add`` (fine cells, and the coarse ones they add up to,
  ``store.with_coarse``) and written with COPY, with every shipment's ``analytics_shipments``
  row. Loading that many raw orders through the bulk loader takes ~2 h.
  Then p50/p99 of ``store.figures`` for the last 90 days (no filter, one carrier, one
  destination country), of ``store.lanes_that_got_worse`` (7 and 30 days), of
  ``store.lane_shipments``, and of ``GET /api/v1/analytics/delivery`` for the 90 days.
- ``rebuild``: simulated orders written by the bulk loader (as ``bench/scale.py``), then
  ``store.rebuild`` timed at each size: shipments/s.

JSON on stdout and in ``bench/results/analytics-<date>-<commit>.json``; progress on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from ordertrack.analytics import facts as facts_loader
from ordertrack.analytics import figures as f
from ordertrack.analytics import lane_judgements, report, rollup, store
from ordertrack.db.uow import Database
from ordertrack.kit import collector
from ordertrack.kit.ids import new_ids

from benchdb import DEFAULT_SERVER, Tenant, analyze, create_tenant, fresh_database, libpq_url, migrated
from cpu import cpu_use
from events import EventStream
from ingest import (
    BATCH_CONCURRENCY,
    BATCH_SIZE,
    PARCELS_PER_BATCH,
    SINGLE_CONCURRENCY,
    BatchFeed,
    drive_ingest,
)
from plan import FULL
from servers import ORDERTRACK_APP, ordertrack_env, serve

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
CITIES = BENCH_DIR.parent / "src" / "ordertrack" / "simulate" / "cities.csv"
TARGET_INGEST_RATIO = 0.9
TARGET_READ_P99_MS = 500
READ_DAYS = 90
SYNTH_DAYS = 120
REPEATS = 30
LANES_SHOWN = 15  # the dashboard's per-lane table


def progress(message: str) -> None:
    print(f"[analytics {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    rank = lambda p: ordered[max(0, -(-p * len(ordered) // 100) - 1)]  # noqa: E731 - nearest rank
    return {"p50_ms": round(rank(50) * 1000, 1), "p99_ms": round(rank(99) * 1000, 1), "runs": len(ordered)}


def timed(run: Callable[[], Any], repeats: int = REPEATS) -> dict[str, float]:
    started = time.perf_counter()
    run()  # warm: caches, plans
    if time.perf_counter() - started > 2:
        repeats = 3  # far from the target: a few runs say enough
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


# --- synthesized facts at scale ----------------------------------------------------------------------

SERVICES = (
    ("ups", "Ground"), ("ups", "2nd Day Air"), ("ups", "Worldwide Expedited"),
    ("fedex", "Ground"), ("fedex", "International Priority"), ("usps", "Priority Mail"),
    ("usps", "Ground Advantage"), ("dhl", "Express Worldwide"), ("dhl", "Paket"),
    ("royalmail", "Tracked 48"), ("dpd", "Classic"), ("canadapost", "Expedited Parcel"),
)  # fmt: skip
WAREHOUSES = (
    ("RNO1", "US", "NV", "Reno"),
    ("PHL1", "US", "PA", "Philadelphia"),
    ("AMS1", "NL", "NH", "Amsterdam"),
)
CAUSES = ("carrier_estimate", "exception", "running_late", "customs_delay", "missed_delivery")
REASONS = ("damaged", "address", "customs", "weather", "held")


def towns() -> list[tuple[str, str, str, int]]:
    with CITIES.open(encoding="utf-8") as handle:
        return [(r["name"], r["country"], r["admin1"], int(r["population"])) for r in csv.DictReader(handle)]


def synthesize(merchant_id: str, count: int, last_day: date, seed: int = 22) -> Iterator[f.DeliveryFacts]:
    """``count`` shipments' facts over the ``SYNTH_DAYS`` days ending ``last_day``."""
    rng = random.Random(seed)
    places = towns()
    weights = [p[3] for p in places]
    hubs = rng.sample(places, 25)
    start = datetime.combine(last_day - timedelta(days=SYNTH_DAYS - 1), datetime.min.time(), UTC)
    span = SYNTH_DAYS * 86400
    for index in range(count):
        town, country, region, _ = rng.choices(places, weights)[0]
        carrier, service = rng.choice(SERVICES)
        code, origin_country, origin_region, origin_city = rng.choice(WAREHOUSES)
        ordered = start + timedelta(seconds=rng.random() * span)
        handed = ordered + timedelta(hours=rng.uniform(2, 60))
        transit = timedelta(hours=rng.lognormvariate(4.2, 0.5))
        zone = facts_loader.destination_zone(country, region)
        hand_day = f.local_day(handed, zone)
        latest = hand_day + timedelta(days=rng.randint(3, 7))
        fate = rng.random()
        delivered = handed + transit if fate < 0.93 and handed + transit < datetime.now(UTC) else None
        hub = rng.choice(hubs)
        stops = [
            f.ScanStop(handed, origin_city, origin_country),
            f.ScanStop(handed + transit * 0.3, hub[0], hub[1]),
            f.ScanStop(handed + transit * 0.8, town, country),
        ]
        if delivered:
            stops.append(f.ScanStop(delivered, town, country))
        revisions = ()
        if rng.random() < 0.12:
            revisions = (
                f.PromiseRevision(
                    handed + transit * 0.5, latest, latest + timedelta(days=2), rng.choice(CAUSES)
                ),
            )
        yield f.DeliveryFacts(
            shipment_id=f"shp_bench{index:010d}",  # type: ignore[arg-type]
            merchant_id=merchant_id,  # type: ignore[arg-type]
            carrier=carrier,
            ordered_at=ordered,
            destination_zone=zone,
            service=service,
            warehouse=code,
            origin_country=origin_country,
            origin_region=origin_region,
            destination_country=country,
            destination_region=region,
            handed_off_at=handed,
            delivered_at=delivered,
            promise_earliest=latest - timedelta(days=2),
            promise_latest=latest,
            revisions=revisions,
            carrier_estimate=latest - timedelta(days=1) if rng.random() < 0.8 else None,
            failed_attempts=1 if rng.random() < 0.05 else 0,
            exception_reasons=frozenset({rng.choice(REASONS)}) if rng.random() < 0.03 else frozenset(),
            returned_to_sender=0.93 <= fate < 0.94,
            scans=tuple(stops),
        )


CELL_COLUMNS = (
    "id", "merchant_id", "day", *store.DIMENSION_NAMES, "shipments", "counts", "places", "updated_at",
)  # fmt: skip
SHIPMENT_COLUMNS = (
    "shipment_id", "merchant_id", "day", *store.DIMENSION_NAMES, "delivered", "promise_offset_days",
    "transit_hours", "contribution", "updated_at",
)  # fmt: skip


def load_synthesized(url: str, merchant_id: str, count: int, last_day: date) -> dict[str, Any]:
    """Count the synthesized shipments into cells and COPY cells and shipments' rows in."""
    started = time.perf_counter()
    at = datetime.now(UTC)
    cells: dict[rollup.CellKey, rollup.Cell] = {}
    with psycopg.connect(libpq_url(url)) as conn:
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY analytics_shipments ({', '.join(SHIPMENT_COLUMNS)}) FROM STDIN") as copy,
        ):
            for index, fact in enumerate(synthesize(merchant_id, count, last_day)):
                key = rollup.cell_key(fact)
                if key is None:
                    continue
                rollup.add(cells.setdefault(key, rollup.Cell()), fact)
                row = store._shipment_row(fact, key, at)  # noqa: SLF001 - the store's own row
                copy.write_row([row[c] for c in SHIPMENT_COLUMNS])
                if index and index % 100_000 == 0:
                    progress(f"synthesized {index:,} shipments, {len(cells):,} cells")
        counted = time.perf_counter() - started
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY analytics_cells ({', '.join(CELL_COLUMNS)}) FROM STDIN") as copy,
        ):
            fine = len(cells)
            cells = store.with_coarse(cells)
            ids = iter(new_ids("anc", len(cells)))
            for key, cell in cells.items():
                row = store._cell_row(key, cell, at)  # noqa: SLF001
                row["id"] = next(ids)
                copy.write_row([row[c] for c in CELL_COLUMNS])
        conn.commit()
    return {
        "shipments": count,
        "cells": len(cells),
        "fine_cells": fine,
        "days": SYNTH_DAYS,
        "seconds_to_count_and_copy": round(time.perf_counter() - started, 1),
        "seconds_counting": round(counted, 1),
    }


def measure_reads(db: Database, url: str, tenant: Tenant, orders: int) -> dict[str, Any]:
    last_day = datetime.now(UTC).date() - timedelta(days=1)
    progress(f"synthesizing {orders:,} shipments' cells")
    made = load_synthesized(url, tenant.merchant_id, orders, last_day)
    analyze(url)
    first = last_day - timedelta(days=READ_DAYS - 1)
    merchant = tenant.merchant_id
    with db.uow(write=False) as uow:
        in_range = len(store.read_cells(uow, merchant, first, last_day))
        lane = next(iter(store.read_cells(uow, merchant, last_day, last_day))).lane

    def read(run: Callable[[Any], Any]) -> Callable[[], Any]:
        def once() -> Any:
            with db.uow(write=False) as uow:
                return run(uow)

        return once

    figures: dict[str, Any] = {"synthesized": made, "cells_in_90_days": in_range}
    for name, filters in (
        ("all", {}),
        ("carrier", {"carrier": "ups"}),
        ("destination_country", {"destination_country": "DE"}),
    ):
        progress(f"store.figures, 90 days, {name}")
        figures[f"figures_90_days_{name}"] = timed(
            read(lambda uow, fl=filters: store.figures(uow, merchant, first, last_day, **fl)), 10
        )
    for window in (7, 30):
        progress(f"lanes that got worse, {window} days")
        figures[f"lanes_that_got_worse_{window}"] = timed(
            read(lambda uow, w=window: store.lanes_that_got_worse(uow, merchant, last_day, w)), 10
        )
    figures["lane_shipments_30_days"] = timed(
        read(
            lambda uow: store.lane_shipments(
                uow, merchant, lane, last_day - timedelta(days=29), last_day, late_only=True
            )
        )
    )
    progress("judging lanes that got worse once, as the worker does")
    started = time.perf_counter()
    lane_judgements.judge(db, merchant, last_day, datetime.now(UTC))
    figures["judge_lanes_seconds"] = round(time.perf_counter() - started, 2)
    with db.uow(write=False) as uow:
        warehouse = store.dimension_values(uow, merchant, first, last_day, "warehouse")[0]
    # The page is served by a process that has settled its cycle collector once started
    # (create_app(server=True)); these reads, timed in this process, run as it does.
    collector.settle()
    for name, filters in (
        ("all", {}),
        ("carrier", {"carrier": "ups"}),
        ("warehouse", {"warehouse": warehouse}),
        ("destination_country", {"destination_country": "DE"}),
        ("service", {"service": "Ground"}),
    ):
        progress(f"the dashboard page's reads, 90 days, {name}")
        figures[f"page_reads_90_days_{name}"] = timed(
            lambda fl=filters: page_reads(db, merchant, first, last_day, fl), 10
        )
    figures["http_delivery_90_days"] = measure_http_read(url, tenant, first, last_day)
    for name, extra in (
        ("group_by_warehouse", {"group_by": "warehouse"}),
        ("group_by_carrier", {"group_by": "carrier"}),
        ("group_by_lane", {"group_by": "lane"}),
        ("group_by_lane_csv_every_lane", {"group_by": "lane", "format": "csv"}),
        ("carrier", {"carrier": "ups"}),
        ("carrier_group_by_lane", {"carrier": "ups", "group_by": "lane"}),
        ("warehouse_group_by_lane", {"warehouse": warehouse, "group_by": "lane"}),
        ("carrier_destination_country", {"carrier": "ups", "destination_country": "DE"}),
        ("service_group_by_lane", {"service": "Ground", "group_by": "lane"}),
    ):
        progress(f"GET /api/v1/analytics/delivery, 90 days, {name}")
        figures[f"http_delivery_90_days_{name}"] = measure_http_read(url, tenant, first, last_day, extra)
    return figures


def page_reads(db: Database, merchant: str, first: date, last: date, filters: dict[str, str]) -> Any:
    """What /dashboard/analytics reads for its figures (not the suppliers' scorecards): the report
    with the busiest lanes, the filters' values, and lanes that got worse as the worker keeps them
    (``judge_lanes`` has run: ``measure_reads`` judges once before timing)."""
    query = report.DeliveryQuery(first, last, filters)
    with db.uow(write=False) as uow:
        busiest = (0, LANES_SHOWN)
        found = report.delivery_report(uow, merchant, query, ("warehouse", "lane"), lane_page=busiest)
        values = [store.dimension_values(uow, merchant, first, last, by) for by in ("carrier", "warehouse")]
    now = datetime.now(UTC)
    worse = [report.worse_lanes(db, merchant, last, w, now) for w in report.WINDOWS]
    return found, worse, values


def measure_http_read(
    url: str, tenant: Tenant, first: date, last: date, extra: dict[str, str] | None = None
) -> dict[str, Any]:
    import httpx  # noqa: PLC0415

    with serve(ORDERTRACK_APP, ordertrack_env(url)) as server:
        headers = {"Authorization": f"Bearer {tenant.api_key}"}
        target = f"http://127.0.0.1:{server.port}/api/v1/analytics/delivery"
        params = {"from": first.isoformat(), "to": last.isoformat(), **(extra or {})}
        with httpx.Client(headers=headers, timeout=600) as client:
            probe = client.get(target, params=params)
            if probe.status_code != 200:
                return {"status": probe.status_code, "body": probe.text[:300]}

            def once() -> None:
                assert client.get(target, params=params).status_code == 200

            path = "/api/v1/analytics/delivery?" + "&".join(["from", "to", *(extra or {})])
            return {"path": path + " (90 days)", **timed(once, 10)}


# --- ingest with and without rollups ----------------------------------------------------------------------


@contextlib.contextmanager
def fold_worker(url: str) -> Iterator[subprocess.Popen[bytes]]:
    """The worker's analytics job in its own process, every 5 s as ``serve`` runs it."""
    process = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / "analytics_worker.py"), url], env={**os.environ}, stdout=sys.stderr
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=60)


def _ingest_phase(
    port: int, pid: int, tenant: Tenant, feed: BatchFeed, size: int, concurrency: int, plan: Any
) -> dict[str, Any]:
    with cpu_use(pid) as cpu:
        result = drive_ingest(port, tenant.api_key, feed, size, concurrency, plan)
    return {**result.summary(size), "cpu_cores": cpu.as_dict()}


def drain(db: Database) -> tuple[int, float]:
    started = time.perf_counter()
    folded = 0
    while done := store.refresh_due(db, store.REFRESH_BATCH):
        folded += done
    return folded, time.perf_counter() - started


def measure_ingest(db: Database, url: str, tenant: Tenant, parcels: int, duration: float) -> dict[str, Any]:
    from benchdb import seed_events, seed_parcels  # noqa: PLC0415

    plan = dataclasses.replace(FULL, warmup=3.0, duration=duration)
    stream = EventStream("analytics")
    numbers = [f"1ZANA{i:07d}" for i in range(parcels)]
    progress(f"seeding {parcels:,} shipped parcels")
    seed_parcels(db, tenant, numbers)
    seed_events(db, tenant, [stream.scan(number) for number in numbers])
    folded, seconds = drain(db)
    progress(f"folded the seeded shipments: {folded:,} in {seconds:.1f} s")
    analyze(url)
    env = ordertrack_env(url)
    result: dict[str, Any] = {"parcels": parcels, "order": "off, on, embedded, embedded, on, off"}
    variants = {
        "off": ("analytics_worker:create_app_without_rollups", False),
        "on": (ORDERTRACK_APP, True),
        "embedded": ("analytics_worker:create_app_with_embedded_fold", False),
    }
    for label, size, concurrency, per_batch in (
        ("batched", BATCH_SIZE, BATCH_CONCURRENCY, PARCELS_PER_BATCH),
        ("single", 1, SINGLE_CONCURRENCY, 1),
    ):
        feed = BatchFeed(stream, numbers, per_batch)
        key = "events_per_s" if size > 1 else "requests_per_s"
        # Each parcel gains scans phase after phase (the server's and the fold's work grow with
        # them), so the variants run in a mirrored order and each is the mean of its two phases.
        phases: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
        left: list[int] = []
        for name in ("off", "on", "embedded", "embedded", "on", "off"):
            factory, separate_worker = variants[name]
            progress(f"{label}: {name}")
            worker = fold_worker(url) if separate_worker else contextlib.nullcontext()
            with serve(factory, env) as server, worker:
                phase = _ingest_phase(server.port, server.pid, tenant, feed, size, concurrency, plan)
            phases[name].append(phase)
            with db.uow(write=False) as uow:
                left.append(store.due_count(uow))
            drain(db)
        rate = {name: sum(p[key] for p in runs) / len(runs) for name, runs in phases.items()}
        ratio = rate["on"] / rate["off"] if rate["off"] else None
        embedded = rate["embedded"] / rate["off"] if rate["off"] else None
        result[label] = {
            "events_per_request": size,
            "concurrency": concurrency,
            "phases": phases,
            f"mean_{key}": {name: round(value, 1) for name, value in rate.items()},
            "ratio_on_off": None if ratio is None else round(ratio, 3),
            "ratio_embedded_on_off": None if embedded is None else round(embedded, 3),
            "target": f">= {TARGET_INGEST_RATIO}",
            "met": ratio is not None and ratio >= TARGET_INGEST_RATIO,
            "queued_when_each_phase_stopped": left,
        }
    return result


# --- rebuild from the raw facts ----------------------------------------------------------------------------


def measure_rebuild(server_url: str, sizes: list[int]) -> dict[str, Any]:
    from ordertrack.simulate import bulk, pipeline  # noqa: PLC0415
    from ordertrack.simulate.generator import SimConfig, unified_only  # noqa: PLC0415

    found: dict[str, Any] = {}
    for size in sizes:
        with fresh_database(server_url) as url:
            db = migrated(url)
            try:
                tenant = create_tenant(db)
                today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
                config = unified_only(
                    SimConfig(seed=1, orders=size, start=today - timedelta(days=97), days=90)
                )
                progress(f"rebuild: bulk-loading {size:,} simulated orders")
                started = time.perf_counter()
                bulk.load(db, tenant.merchant_id, pipeline.prepared(config, tenant.merchant_id))
                loaded = time.perf_counter() - started
                analyze(url)
                progress(f"rebuild: loaded in {loaded:.0f} s; rebuilding")
                stats = store.rebuild(db, tenant.merchant_id)
                found[str(size)] = {
                    "orders": size,
                    "bulk_load_seconds": round(loaded, 1),
                    "rebuild_seconds": round(stats.seconds, 2),
                    "shipments_per_s": round(stats.rate),
                    "counted": stats.counted,
                    "cells": stats.cells,
                }
                progress(
                    f"rebuild {size:,}: {stats.seconds:.1f} s ({stats.rate:,.0f}/s), {stats.cells:,} cells"
                )
            finally:
                db.dispose()
    return found


def commit_id() -> str:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        return subprocess.check_output(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BENCH_DIR, text=True
        ).strip()
    return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_SERVER)
    parser.add_argument("--only", action="append", choices=("ingest", "read", "rebuild"))
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--parcels", type=int, default=4000)
    parser.add_argument("--rebuild-sizes", default="10000,100000")
    parser.add_argument("--duration", type=float, default=15.0)
    args = parser.parse_args()
    parts = args.only or ["ingest", "read", "rebuild"]
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit_id(),
        "cpus": os.cpu_count(),
    }
    if "ingest" in parts or "read" in parts:
        with fresh_database(args.pg) as url:
            db = migrated(url)
            try:
                if "ingest" in parts:
                    report["ingest"] = measure_ingest(
                        db, url, create_tenant(db, "Ingest Shop"), args.parcels, args.duration
                    )
                if "read" in parts:
                    report["read"] = measure_reads(db, url, create_tenant(db, "Million Shop"), args.orders)
            finally:
                db.dispose()
    if "rebuild" in parts:
        report["rebuild"] = measure_rebuild(args.pg, [int(s) for s in args.rebuild_sizes.split(",") if s])
    text = json.dumps(report, indent=2, default=str)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    name = f"analytics-{date.today().isoformat()}-{report['commit']}-{'-'.join(parts)}.json"
    (RESULTS / name).write_text(text + "\n", encoding="utf-8")
    progress(f"written bench/results/{name}")


if __name__ == "__main__":
    main()
