"""Profile the ordertrack server process under one benchmark load with py-spy.

    python bench/profile_server.py lookup|single|batched [--quick] [--pg URL] [--out FILE]

The server runs as in ``run.py``; ``py-spy record --gil`` (``pip install py-spy``; it needs
ptrace rights) attaches to it while the scenario's load (warm-up included, no baseline)
drives it. ``--gil`` keeps only samples of the thread holding the GIL: in one uvicorn
process that is the resource requests queue for, so ``gil_busy_percent`` near 100 means
Python CPU is the bottleneck, and the shares below say which code spends it. Prints JSON:
the load's figures, GIL time by package (self time of the innermost frame), and the
functions with the most inclusive and self time. Raw collapsed stacks stay in ``--out``.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ingest
import loadgen
import lookup
from benchdb import DEFAULT_SERVER
from plan import FULL, QUICK, Plan
from run import Setup, prepared, progress
from servers import ORDERTRACK_APP, ordertrack_env, serve

SAMPLES_PER_SECOND = 200
TOP = 25
ATTACH_SECONDS = 1.0
# py-spy frames read "function (path/to/file.py:line)".
_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")
_TRIM = re.compile(r"^.*?/(?:site-packages|src|lib/python3\.\d+)/")

Drive = Callable[[Setup, int, Plan], loadgen.LoadResult]


def _ingest_feed(setup: Setup, per_batch: int) -> ingest.BatchFeed:
    numbers = [p.tracking_number for p in setup.pools["ingest"]]
    return ingest.BatchFeed(setup.stream, numbers, per_batch)


def _lookup_load(setup: Setup, port: int, plan: Plan) -> loadgen.LoadResult:
    return lookup.drive(port, setup.tenant.api_key, setup.pools["lookup"], plan, seed=1)


def _single_load(setup: Setup, port: int, plan: Plan) -> loadgen.LoadResult:
    feed = _ingest_feed(setup, 1)
    return ingest.drive_ingest(port, setup.tenant.api_key, feed, 1, ingest.SINGLE_CONCURRENCY, plan)


def _batched_load(setup: Setup, port: int, plan: Plan) -> loadgen.LoadResult:
    feed = _ingest_feed(setup, ingest.PARCELS_PER_BATCH)
    return ingest.drive_ingest(
        port, setup.tenant.api_key, feed, ingest.BATCH_SIZE, ingest.BATCH_CONCURRENCY, plan
    )


# Scenario: (the load, events per request).
LOADS: dict[str, tuple[Drive, int]] = {
    "lookup": (_lookup_load, 1),
    "single": (_single_load, 1),
    "batched": (_batched_load, ingest.BATCH_SIZE),
}


def frame_label(frame: str) -> str:
    """``function (package/module.py)`` without the line number or install prefix."""
    match = _FRAME.match(frame)
    if match is None:
        return frame
    return f"{match['name']} ({_TRIM.sub('', match['file'])})"


def area(frame: str) -> str:
    """The package a frame's code belongs to; ordertrack's own code by feature."""
    match = _FRAME.match(frame)
    if match is None:
        return "other"
    parts: list[str] = _TRIM.sub("", match["file"]).split("/")
    if parts[0] == "ordertrack" and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0].removesuffix(".py")


def summarise(raw: Path, seconds: float, top: int = TOP) -> dict[str, Any]:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        frames = stack.split(";")
        labels = [frame_label(f) for f in frames]
        total += samples
        for label in set(labels):
            inclusive[label] += samples
        own[labels[-1]] += samples
        areas[area(frames[-1])] += samples

    def shares(counter: Counter[str], n: int) -> list[list[Any]]:
        return [[label, round(100 * value / total, 1)] for label, value in counter.most_common(n)]

    return {
        "samples": total,
        "gil_busy_percent": round(100 * total / (SAMPLES_PER_SECOND * seconds), 1),
        "self_percent_by_package": shares(areas, 15),
        "top_inclusive_percent": shares(inclusive, top),
        "top_self_percent": shares(own, top),
    }


def profiled(
    pid: int, raw: Path, drive: Callable[[], loadgen.LoadResult]
) -> tuple[loadgen.LoadResult, float]:
    """Run ``drive`` with py-spy attached to ``pid``; the load's result and seconds sampled."""
    spy = subprocess.Popen(
        ["py-spy", "record", "--pid", str(pid), "--gil", "--format", "raw",
         "--rate", str(SAMPLES_PER_SECOND), "--nonblocking", "--output", str(raw)],
        stdout=sys.stderr,
    )  # fmt: skip
    time.sleep(ATTACH_SECONDS)
    started = time.perf_counter()
    try:
        result = drive()
    finally:
        seconds = time.perf_counter() - started
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenario", choices=sorted(LOADS))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pg", default=DEFAULT_SERVER)
    parser.add_argument("--out", type=Path, default=None, help="raw py-spy output (collapsed stacks)")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    raw = args.out or Path(f"/tmp/ordertrack-profile-{args.scenario}.txt")
    drive, items = LOADS[args.scenario]
    with (
        prepared(args.pg, plan, [args.scenario]) as setup,
        serve(ORDERTRACK_APP, ordertrack_env(setup.url)) as server,
    ):
        progress(f"profiling {args.scenario}...")
        result, seconds = profiled(server.pid, raw, lambda: drive(setup, server.port, plan))
    report = {"scenario": args.scenario, "figures": result.summary(items), "profile": summarise(raw, seconds)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
