"""``ordertrack analytics``: figures computed offline from raw files, to check the analytics against."""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from ordertrack.analytics import ratings_olist, store
from ordertrack.cli.common import DbOption, database_for, ensure_schema
from ordertrack.merchants import service as merchants_service

app = typer.Typer(help="Analytics computed from raw files.", no_args_is_help=True)

CSV_COLUMNS = ("class", "orders", "mean_score", "share_1_2_stars", "share_5_stars")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def _score(mean: float | None) -> str:
    return "-" if mean is None else f"{mean:.2f}"


@app.command("olist")
def olist(
    orders: Annotated[Path, typer.Option("--orders", help="Olist orders CSV (olist_orders_*.csv)")],
    reviews: Annotated[Path, typer.Option("--reviews", help="Olist order reviews CSV")],
    as_csv: Annotated[bool, typer.Option("--csv", help="print the table as CSV")] = False,
) -> None:
    """Review score against lateness (delivery day vs promised day, Sao Paulo time) on Olist files."""
    for path, option in ((orders, "--orders"), (reviews, "--reviews")):
        if not path.is_file():
            _fail(f"{option}: no such file: {path}")
    try:
        result = ratings_olist.lateness_ratings_from_files(orders, reviews)
    except (ratings_olist.OlistFormatError, ratings_olist.ReviewsFormatError, UnicodeDecodeError) as error:
        _fail(str(error))
        return
    # What was left out goes to stderr in both forms, so the CSV stays clean for a spreadsheet.
    for reason, count in sorted(result.excluded.items()):
        typer.echo(f"left out: {count} {reason}", err=True)
    rows = [*result.classes, result.late, result.overall]
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            figures = row.as_dict()
            writer.writerow(["" if figures[c] is None else figures[c] for c in CSV_COLUMNS])
        return
    typer.echo(
        f"{result.orders_read} orders, {result.reviews_read} reviews; "
        f"{result.orders_reviewed} reviewed orders in the orders file, {result.overall.orders} of them "
        "delivered with a delivery and promised day (latest answer per order)"
    )
    typer.echo(f"{'lateness':<24}{'orders':>8}{'mean':>7}{'1-2 stars':>11}{'5 stars':>9}")
    for row in rows:
        typer.echo(
            f"{row.name:<24}{row.orders:>8}{_score(row.mean_score):>7}"
            f"{_percent(row.low_share):>11}{_percent(row.five_share):>9}"
        )
    r = "-" if result.pearson_r is None else f"{result.pearson_r:.3f}"
    rho = "-" if result.spearman_rho is None else f"{result.spearman_rho:.3f}"
    typer.echo(f"days late vs score: Pearson r {r}, Spearman rho {rho}")
    typer.echo(
        f"mean score falls with each class: {'yes' if result.mean_score_falls else 'no'}; "
        f"share of 1-2 stars rises with each class: {'yes' if result.low_share_rises else 'no'}"
    )


@app.command("rebuild")
def rebuild(
    merchant: Annotated[str | None, typer.Option("--merchant", help="only this merchant's (its id)")] = None,
    db: DbOption = None,
) -> None:
    """Recompute the delivery rollup cells from the raw facts; each merchant's replaced at once."""
    database = database_for(db)
    ensure_schema(database)
    if merchant is not None:
        with database.uow(write=False) as uow:
            if not merchants_service.merchant_name(uow, merchant):
                _fail(f"no merchant {merchant!r}")
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        rate = done / max(time.perf_counter() - started, 1e-9)
        typer.echo(f"\r{done:,}/{total:,} shipments, {rate:,.0f}/s", err=True, nl=False)

    stats = store.rebuild(database, merchant, progress=progress)
    typer.echo("", err=True)
    typer.echo(
        f"rebuilt {stats.merchants} merchant(s): {stats.shipments:,} shipments, {stats.counted:,} counted "
        f"in {stats.cells:,} cells, in {stats.seconds:.1f} s ({stats.rate:,.0f} shipments/s)"
    )
