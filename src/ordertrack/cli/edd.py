"""``ordertrack edd``: run the delivery-date engine over order files offline, and backtest it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from ordertrack.eta import olist

app = typer.Typer(help="Estimated delivery dates: offline predictions and backtests.", no_args_is_help=True)

FORMATS = ("olist",)

HistoryOption = Annotated[
    Path,
    typer.Option(
        "--history", help="delivered orders to learn from (only those delivered before each moment count)"
    ),
]
OrdersOption = Annotated[Path, typer.Option("--orders", help="the orders to estimate")]
FormatOption = Annotated[str, typer.Option("--format", help="file format: olist")]
AtOption = Annotated[str, typer.Option("--at", help="prediction moment: approval or handoff")]


def _load(path: Path, option: str, file_format: str, *, with_outcome: bool = True) -> list[olist.OlistOrder]:
    if file_format not in FORMATS:
        raise typer.BadParameter(
            f"unknown format {file_format!r}; known: {', '.join(FORMATS)}", param_hint="--format"
        )
    if not path.is_file():
        raise typer.BadParameter(f"no such file: {path}", param_hint=option)
    try:
        return olist.read_orders(path, with_outcome=with_outcome)
    except (olist.OlistFormatError, UnicodeDecodeError) as error:
        raise typer.BadParameter(str(error), param_hint=option) from None


def _moment(at: str) -> olist.Moment:
    for moment in olist.MOMENTS:
        if at == moment:
            return moment
    raise typer.BadParameter(f"must be one of {', '.join(olist.MOMENTS)}", param_hint="--at")


class _ProgressLine:
    """A progress line on stderr every 1,000 orders (and at the end) for long runs."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if done % 1000 == 0 or done == total:
            elapsed = time.monotonic() - self.started
            typer.echo(f"{self.label}: {done}/{total} orders ({elapsed:.1f}s)", err=True)


def _report_skipped(skipped: dict[str, int]) -> None:
    for reason, count in sorted(skipped.items()):
        typer.echo(f"skipped {count} {reason}", err=True)


@app.command("predict")
def predict(
    history: HistoryOption,
    orders: OrdersOption,
    out: Annotated[Path, typer.Option("--out", help="where to write order_id,earliest,latest,most_likely")],
    file_format: FormatOption = "olist",
    at: AtOption = "approval",
) -> None:
    """Estimate delivery windows for orders, learning from the history file."""
    moment = _moment(at)
    history_rows = _load(history, "--history", file_format)
    # The orders to estimate are not delivered yet: their status and delivery columns may be absent,
    # and whatever they say about actual deliveries is not an input.
    order_rows = [row.without_truth() for row in _load(orders, "--orders", file_format, with_outcome=False)]
    run = olist.predict(history_rows, order_rows, moment, progress=_ProgressLine("predict"))
    _report_skipped(dict(run.skipped))
    try:
        written = olist.write_predictions(out, run.predictions)
    except OSError as error:
        raise typer.BadParameter(f"cannot write {out}: {error.strerror}", param_hint="--out") from None
    typer.echo(f"wrote {written} estimates to {out}", err=True)


@app.command("backtest")
def backtest(
    history: HistoryOption,
    orders: OrdersOption,
    file_format: FormatOption = "olist",
    at: AtOption = "approval",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Score the engine and the marketplace's promise on delivered orders, their truth hidden from it."""
    moment = _moment(at)
    history_rows = _load(history, "--history", file_format)
    order_rows = _load(orders, "--orders", file_format)
    report = olist.backtest(history_rows, order_rows, moment, progress=_ProgressLine("backtest"))
    _report_skipped(report.skipped)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    typer.echo(render_report(report))


def render_report(report: olist.BacktestReport) -> str:
    """The backtest as a plain table: engine against the promise."""
    rows = [
        ("on-time rate (actual <= latest)", "on_time_rate", "{:.1%}"),
        ("mean padding, days (latest - actual)", "mean_padding_days", "{:.2f}"),
        ("window hit rate (earliest <= actual <= latest)", "window_hit_rate", "{:.1%}"),
        ("mean window width, days (latest - earliest)", "mean_width_days", "{:.2f}"),
        ("mean absolute error of most likely, days", "mean_absolute_error_days", "{:.2f}"),
    ]
    engine, promise = report.engine.as_dict(), report.promise.as_dict()
    lines = [
        f"moment: {report.at}    orders evaluated: {report.engine.orders}",
        f"{'':<48} {'engine':>10} {'promise':>10}",
    ]
    for label, key, shape in rows:
        lines.append(f"{label:<48} {shape.format(engine[key]):>10} {shape.format(promise[key]):>10}")
    return "\n".join(lines)
