"""One simulator stream through one server + one worker, then through two of each: records/s,
how long until every message is out, and whether any message arrived twice.

    python bench/multiprocess.py                      # 2,000 orders
    python bench/multiprocess.py --orders 500         # smoke run
    python bench/multiprocess.py --pg postgresql://user@host:5432/postgres > multiprocess.json

The stream is split in two lanes by order (tests/integration/test_multiprocess.py says why);
both lanes are sent at once, to the one server or one lane per server. The runs go one after
the other, each on its own scratch database, so the figures do not share the machine. The
final states of both runs are compared as the test compares them.

stdout carries one JSON document; progress goes to stderr. ``delivered_twice`` must be 0 and
``same_final_state`` true.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.*

from tests.integration.test_multiprocess import (
    COMPARED,
    Run,
    final_state,
    local_sinks,
    notification_states,
    process_environment,
    run,
    split_by_order,
    transient_alerts,
)

from ordertrack.bootstrap import open_database
from ordertrack.db import migrate
from ordertrack.db.scratch import scratch_postgres_database
from ordertrack.simulate.generator import SimConfig, generate

TOPOLOGIES = {"1+1": (1, 1), "2+2": (2, 2)}


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def figures(result: Run, records: int, outbox: dict[str, tuple[str, int]], received: Counter[str]) -> dict:
    mine = {nid: n for nid, n in received.items() if nid in outbox}
    return {
        "records": records,
        "send_seconds": round(result.sending, 2),
        "records_per_second": round(records / result.sending, 1),
        "settled_seconds": round(result.seconds, 2),
        "scans_acknowledged": sum(r.events_acknowledged for r in result.reports),
        "retries": sum(r.retries for r in result.reports),
        "messages": dict(Counter(state for state, _ in outbox.values())),
        "messages_received": len(mine),
        "delivered_twice": sum(1 for n in mine.values() if n > 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=4242)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=40)
    lanes = split_by_order(list(generate(SimConfig(orders=args.orders, seed=args.seed, start=start, days=5))))
    records = sum(len(lane) for lane in lanes)
    say(f"{args.orders} orders: {records} records in {len(lanes)} lanes")
    out: dict[str, Any] = {"orders": args.orders, "seed": args.seed, "cpu_count": os.cpu_count()}
    states: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="ordertrack-multiprocess-") as tmp, local_sinks() as sinks:
        os.environ.update(process_environment(sinks, Path(tmp) / "var"))
        for name, (servers, workers) in TOPOLOGIES.items():
            with scratch_postgres_database(args.pg, prefix="ordertrack_bench") as url:
                db = open_database(url)
                migrate.upgrade(db.engine)
                db.dispose()
                say(f"{name}: {servers} server(s), {workers} worker(s)")
                started = time.monotonic()
                result = run(
                    name, url, lanes, servers=servers, workers=workers, sinks=sinks, tmp_path=Path(tmp)
                )
                outbox = notification_states(url)
                states[name] = final_state(url)
                out[name] = figures(result, records, outbox, sinks.received())
                say(f"{name}: {json.dumps(out[name])} ({time.monotonic() - started:.0f}s)")
    a, b = states["1+1"], states["2+2"]
    differing = [part for part in COMPARED if a[part] != b[part]]
    if a["notifications"] - transient_alerts(a) != b["notifications"] - transient_alerts(b):
        differing.append("notifications")
    out["same_final_state"] = not differing
    out["differing_parts"] = differing
    out["speedup"] = round(out["2+2"]["records_per_second"] / out["1+1"]["records_per_second"], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
