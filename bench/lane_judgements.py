"""Lanes that got worse from the kept judgement, on the million-shipment PostgreSQL database:
p50/p99 of ``lane_judgements.kept`` (30 reads a window), one ``judge`` (both windows counted and
kept), and the worker's probe of whether a merchant's analytics changed.

    flock /tmp/b22/bench.lock python bench/lane_judgements.py /tmp/b22/db1m.json

The JSON file names the database (``url``), the merchant and its last day (``last_day``). The
database is brought to the newest revision (0029 adds a table and an index on analytics_cells; no
cell is changed). JSON on stdout.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from ordertrack.analytics import lane_judgements
from ordertrack.bootstrap import open_database
from ordertrack.db import migrate
from ordertrack.kit.clock import utcnow

READS = 30


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1)]


def main(path: str) -> None:
    spec = json.loads(Path(path).read_text())
    db = open_database(spec["url"])
    migrate.upgrade(db.engine)
    merchant, as_of = spec["merchant"], date.fromisoformat(spec["last_day"])
    out: dict[str, object] = {"merchant": merchant, "as_of": str(as_of)}
    now = utcnow()
    started = time.perf_counter()
    judged = lane_judgements.judge(db, merchant, as_of, now)
    out["judge_s"] = round(time.perf_counter() - started, 2)
    out["alerts"] = {w: len(a) for w, a in judged.items()}
    for window in lane_judgements.WINDOWS:
        times = []
        for _ in range(READS):
            started = time.perf_counter()
            with db.uow(write=False) as uow:
                found = lane_judgements.kept(uow, merchant, as_of, window, utcnow())
            times.append(time.perf_counter() - started)
            assert found is not None
        out[f"kept_{window}_ms"] = {
            "p50": ms(statistics.median(times)),
            "p99": ms(percentile(times, 99)),
            "max": ms(max(times)),
        }
    times = []
    for _ in range(READS):
        started = time.perf_counter()
        with db.uow(write=False) as uow:
            lane_judgements.changed_since(uow, merchant, as_of, now + timedelta(minutes=2))
        times.append(time.perf_counter() - started)
    out["changed_probe_ms"] = {"p50": ms(statistics.median(times)), "p99": ms(percentile(times, 99))}
    db.dispose()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
