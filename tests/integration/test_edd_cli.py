"""``ordertrack edd`` on the Olist orders file: predictions without leakage, and the backtest table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ordertrack.cli.main import app

OLIST_ORDERS = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "olist" / "olist_orders_train.csv"
)
runner = CliRunner()


def olist_rows() -> tuple[list[str], list[dict[str, str]]]:
    if not OLIST_ORDERS.is_file():
        pytest.skip(f"Olist orders not found at {OLIST_ORDERS} (shared data absent)")
    with OLIST_ORDERS.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def approved_between(rows: list[dict[str, str]], start: str, end: str) -> list[dict[str, str]]:
    return [r for r in rows if start <= r["order_approved_at"] < end]


def predictions(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("at", ["approval", "handoff"])
def test_predictions_ignore_deliveries_completed_after_the_moment(tmp_path: Path, at: str) -> None:
    columns, rows = olist_rows()
    orders = approved_between(rows, "2017-11-01", "2017-11-15")
    moment_column = "order_approved_at" if at == "approval" else "order_delivered_carrier_date"
    # Deliveries up to the last order's moment may serve some orders; none after it may change anything.
    last_moment = max(r[moment_column] for r in orders if r[moment_column])
    past = [
        r
        for r in rows
        if r["order_delivered_customer_date"] and r["order_delivered_customer_date"] < last_moment
    ]
    # The full file adds every later delivery, including those of most of the orders themselves.
    later = [
        r
        for r in rows
        if not (r["order_delivered_customer_date"] and r["order_delivered_customer_date"] < last_moment)
    ]
    assert later, "the check needs deliveries after the moment to be meaningful"
    outputs = []
    for name, history in (("past", past), ("everything", past + later)):
        out = tmp_path / f"{name}.csv"
        result = runner.invoke(
            app,
            [
                "edd", "predict", "--history", str(write(tmp_path / f"{name}-history.csv", columns, history)),
                "--orders", str(write(tmp_path / "orders.csv", columns, orders)),
                "--format", "olist", "--at", at, "--out", str(out),
            ],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(predictions(out))
    assert outputs[0] and outputs[0] == outputs[1]


def test_predict_ignores_the_truth_in_the_orders_file(tmp_path: Path) -> None:
    columns, rows = olist_rows()
    history = write(tmp_path / "history.csv", columns, approved_between(rows, "2017-06-01", "2017-10-01"))
    orders = approved_between(rows, "2017-10-01", "2017-10-10")
    blank = [{**r, "order_delivered_customer_date": "", "order_status": "shipped"} for r in orders]
    outputs = []
    for name, order_rows in (("truth", orders), ("blank", blank)):
        out = tmp_path / f"{name}.csv"
        result = runner.invoke(
            app,
            ["edd", "predict", "--history", str(history), "--orders",
             str(write(tmp_path / f"{name}-orders.csv", columns, order_rows)), "--out", str(out)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(predictions(out))
    assert outputs[0] == outputs[1]
    assert set(outputs[0][0]) == {"order_id", "earliest", "latest", "most_likely"}
    assert all(p["earliest"] <= p["most_likely"] <= p["latest"] for p in outputs[0])


def test_backtest_scores_engine_and_promise_on_later_months(tmp_path: Path) -> None:
    columns, rows = olist_rows()
    history = write(tmp_path / "history.csv", columns, approved_between(rows, "2017-05-01", "2017-10-01"))
    orders = write(tmp_path / "orders.csv", columns, approved_between(rows, "2017-10-01", "2017-11-01"))
    result = runner.invoke(
        app,
        ["edd", "backtest", "--history", str(history), "--orders", str(orders), "--at", "handoff", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["at"] == "handoff"
    assert report["orders_evaluated"] > 200
    assert report["engine"]["orders"] == report["promise"]["orders"] == report["orders_evaluated"]
    assert 0.5 < report["engine"]["on_time_rate"] <= 1
    assert report["engine"]["window_hit_rate"] <= report["engine"]["on_time_rate"]
    # The promise is a single day: zero width, and it "hits" only when delivery lands on it.
    assert report["promise"]["mean_width_days"] == 0
    assert report["engine"]["mean_absolute_error_days"] < report["promise"]["mean_absolute_error_days"]

    table = runner.invoke(app, ["edd", "backtest", "--history", str(history), "--orders", str(orders)])
    assert table.exit_code == 0, table.output
    assert "on-time rate" in table.stdout and "promise" in table.stdout and "orders evaluated" in table.stdout


def test_clear_errors_for_missing_file_unknown_format_and_wrong_columns(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("order_id,when\n1,2017-01-01\n", encoding="utf-8")
    cases = [
        (["--history", str(tmp_path / "absent.csv"), "--orders", str(wrong)], "no such file"),
        (["--history", str(wrong), "--orders", str(wrong), "--format", "shopify"], "unknown format"),
        (["--history", str(wrong), "--orders", str(wrong)], "missing column"),
        (["--history", str(wrong), "--orders", str(wrong), "--at", "noon"], "approval"),
    ]
    for arguments, message in cases:
        result = runner.invoke(app, ["edd", "backtest", *arguments])
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert "Traceback" not in result.output


def test_olist_band_is_the_promised_lead_from_purchase_at_every_moment() -> None:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from ordertrack.eta import olist

    zone = ZoneInfo(olist.OLIST_TIMEZONE)
    order = olist.OlistOrder(
        order_id="o1",
        status="unknown",
        purchased_at=datetime(2018, 1, 1, 9, tzinfo=zone),
        approved_at=datetime(2018, 1, 2, 9, tzinfo=zone),
        handed_off_at=datetime(2018, 1, 9, 9, tzinfo=zone),  # a slow seller: a week to hand over
        delivered_at=None,
        promised_on=date(2018, 1, 21),
    )
    bands = {at: olist.engine_inputs(order, at).lane.band for at in olist.MOMENTS}  # type: ignore[union-attr]
    # 20 days from purchase, in 3-day bands; the 12 days left at hand-off would mix in the seller's delay.
    assert bands == {"approval": "promise+18d/no-holiday", "handoff": "promise+18d/no-holiday"}


def test_olist_band_says_whether_a_holiday_lies_between_the_moment_and_the_promise() -> None:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from ordertrack.eta import olist

    zone = ZoneInfo(olist.OLIST_TIMEZONE)
    order = olist.OlistOrder(
        order_id="o2",
        status="unknown",
        purchased_at=datetime(2017, 12, 20, 9, tzinfo=zone),
        approved_at=datetime(2017, 12, 20, 10, tzinfo=zone),
        handed_off_at=datetime(2017, 12, 27, 9, tzinfo=zone),
        delivered_at=None,
        promised_on=date(2018, 1, 8),
    )
    bands = {at: olist.engine_inputs(order, at).lane.band for at in olist.MOMENTS}  # type: ignore[union-attr]
    # Christmas (Monday 25 December) and New Year (Monday 1 January) are ahead at approval; only New
    # Year is left at hand-off.
    assert bands == {"approval": "promise+18d/holiday-ahead", "handoff": "promise+18d/holiday-ahead"}
    late = olist.OlistOrder(
        order_id="o3",
        status="unknown",
        purchased_at=datetime(2018, 1, 2, 9, tzinfo=zone),
        approved_at=datetime(2018, 1, 2, 10, tzinfo=zone),
        handed_off_at=None,
        delivered_at=None,
        promised_on=date(2018, 1, 1),
    )
    # A promise already past at the moment keeps the bare band.
    assert olist.engine_inputs(late, "approval").lane.band == "promise-passed"  # type: ignore[union-attr]


SMALL_HISTORY_COLUMNS = [
    "order_id",
    "order_status",
    "order_purchase_timestamp",
    "order_approved_at",
    "order_delivered_carrier_date",
    "order_delivered_customer_date",
    "order_estimated_delivery_date",
]


def small_history(path: Path) -> Path:
    """Forty delivered orders in autumn 2017, a week or so each: enough for the engine to learn a lane."""
    rows = []
    for n in range(40):
        day = 1 + n % 28
        rows.append(
            {
                "order_id": f"h{n}",
                "order_status": "delivered",
                "order_purchase_timestamp": f"2017-09-{day:02d} 10:00:00",
                "order_approved_at": f"2017-09-{day:02d} 11:00:00",
                "order_delivered_carrier_date": f"2017-09-{day:02d} 18:00:00",
                "order_delivered_customer_date": f"2017-10-{day:02d} 12:00:00",
                "order_estimated_delivery_date": f"2017-10-{day:02d} 00:00:00",
            }
        )
    return write(path, SMALL_HISTORY_COLUMNS, rows)


def test_predict_accepts_orders_without_delivery_or_status_columns(tmp_path: Path) -> None:
    # Orders still to deliver: a file from a shop has no delivery date, and no final status, to give.
    columns = [c for c in SMALL_HISTORY_COLUMNS if c not in ("order_status", "order_delivered_customer_date")]
    orders = write(
        tmp_path / "orders.csv",
        columns,
        [
            {
                "order_id": "p1",
                "order_purchase_timestamp": "2017-11-06 09:00:00",
                "order_approved_at": "2017-11-06 09:30:00",
                "order_delivered_carrier_date": "",
                "order_estimated_delivery_date": "2017-12-06 00:00:00",
            }
        ],
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app,
        ["edd", "predict", "--history", str(small_history(tmp_path / "history.csv")),
         "--orders", str(orders), "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [estimate] = predictions(out)
    assert estimate["order_id"] == "p1"
    assert "2017-11-06" < estimate["earliest"] <= estimate["most_likely"] <= estimate["latest"]


def test_backtest_still_needs_the_delivery_column_it_scores_against(tmp_path: Path) -> None:
    history = small_history(tmp_path / "history.csv")
    columns = [c for c in SMALL_HISTORY_COLUMNS if c != "order_delivered_customer_date"]
    orders = write(tmp_path / "orders.csv", columns, [])
    result = runner.invoke(app, ["edd", "backtest", "--history", str(history), "--orders", str(orders)])
    assert result.exit_code == 2, result.output
    assert "missing column(s) order_delivered_customer_date" in result.output


def test_history_without_delivery_column_is_refused_by_predict(tmp_path: Path) -> None:
    # The history is what the engine learns from: without deliveries there is nothing to learn.
    columns = [c for c in SMALL_HISTORY_COLUMNS if c != "order_delivered_customer_date"]
    history = write(tmp_path / "history.csv", columns, [])
    result = runner.invoke(
        app,
        [
            "edd",
            "predict",
            "--history",
            str(history),
            "--orders",
            str(history),
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "missing column(s) order_delivered_customer_date" in result.output
