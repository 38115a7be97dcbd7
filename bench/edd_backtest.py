"""Backtest the EDD engine on the full Olist orders file at approval and at hand-off, against the promise.

    python bench/edd_backtest.py [--data PATH] [--sweep]

Splits (docs/delivery-dates.md): the *test* orders are those approved 2017-12-01 .. 2018-02-28; the
*validation* orders, on which the policy was chosen, are those approved 2017-09-01 .. 2017-11-30.
"online" learns from the whole file (the engine only sees deliveries completed before each order's
moment, as in the product); "frozen" learns only from orders approved before the split starts.
`--sweep` prints the latest quantile x promise weight grid on the validation split.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ordertrack.eta import olist

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "olist" / "olist_orders_train.csv"
)
_ZONE = ZoneInfo(olist.OLIST_TIMEZONE)
SPLITS = {
    "validation": (datetime(2017, 9, 1, tzinfo=_ZONE), datetime(2017, 12, 1, tzinfo=_ZONE)),
    "test": (datetime(2017, 12, 1, tzinfo=_ZONE), datetime(2018, 3, 1, tzinfo=_ZONE)),
}
SWEEP_QUANTILES = (0.92, 0.93, 0.94, 0.95, 0.96)
SWEEP_WEIGHTS = (0.5, 0.6, 0.7, 0.8)


def _line(label: str, at: str, who: str, score: olist.WindowScore, seconds: float) -> str:
    return (
        f"{label:<19} {at:<9} {who:<8} {score.orders:>6} {score.on_time_rate:>8.1%} "
        f"{score.mean_padding_days:>8.2f} {score.window_hit_rate:>7.1%} {score.mean_width_days:>6.2f} "
        f"{score.mean_absolute_error_days:>6.2f} {seconds:>6.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="olist_orders_train.csv")
    parser.add_argument("--sweep", action="store_true", help="policy grid on the validation split")
    arguments = parser.parse_args()
    started = time.perf_counter()
    rows = olist.read_orders(arguments.data)
    print(f"{len(rows)} rows")
    header = f"{'split/history':<19} {'moment':<9} {'who':<8} {'orders':>6} {'on-time':>8} {'padding':>8} "
    print(header + f"{'hit':>7} {'width':>6} {'MAE':>6} {'secs':>6}")
    for split, (start, end) in SPLITS.items():
        orders = [row for row in rows if row.approved_at is not None and start <= row.approved_at < end]
        earlier = [row for row in rows if row.approved_at is not None and row.approved_at < start]
        for name, history in (("online", rows), ("frozen", earlier)):
            for at in olist.MOMENTS:
                run_started = time.perf_counter()
                report = olist.backtest(history, orders, at)
                seconds = time.perf_counter() - run_started
                print(_line(f"{split}/{name}", at, "engine", report.engine, seconds))
                print(_line("", at, "promise", report.promise, 0.0))
    if arguments.sweep:
        start, end = SPLITS["validation"]
        orders = [row for row in rows if row.approved_at is not None and start <= row.approved_at < end]
        for at in olist.MOMENTS:
            for quantile in SWEEP_QUANTILES:
                for weight in SWEEP_WEIGHTS:
                    policy = replace(
                        olist.DEFAULT_SETTINGS.policy, latest_quantile=quantile, carrier_weight=weight
                    )
                    settings = replace(olist.DEFAULT_SETTINGS, policy=policy)
                    report = olist.backtest(rows, orders, at, settings=settings)
                    print(_line(f"sweep q{quantile:.2f} w{weight:.1f}", at, "engine", report.engine, 0.0))
    print(f"elapsed {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
