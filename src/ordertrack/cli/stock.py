"""``ordertrack stock``: bring stock counts in from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import SQLAlchemyError

from ordertrack.cli.common import DbOption, database_for, ensure_schema
from ordertrack.inventory import count_import
from ordertrack.inventory.stock_csv import RowError, read_stock_file
from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.progress import ProgressBar
from ordertrack.merchants import service as merchants_service

app = typer.Typer(help="Stock levels.", no_args_is_help=True)

# Bad lines named one by one; beyond this many the rest are counted.
SHOWN_ERRORS = 50
ACTOR = "cli:stock-import"


@app.command("import")
def import_stock(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV (UTF-8): warehouse,sku,on_hand[,low_stock_threshold][,location]",
        ),
    ],
    merchant: Annotated[str, typer.Option("--merchant", help="the merchant id whose stock this is")],
    db: DbOption = None,
) -> None:
    """Set on-hand counts (and low-stock thresholds, bin locations) from a CSV file.

    The whole file is checked first and applied in one transaction: a file with any bad
    line names every bad line and imports nothing. Exit status 0 when imported, 1 when
    nothing was imported, 2 for a usage error.
    """
    try:
        data = file.read_bytes()
    except OSError as error:
        _refuse(f"{file}: cannot be read: {error.strerror or error}")
    rows, errors = read_stock_file(data)
    database = database_for(db)
    try:
        ensure_schema(database)
        with database.uow() as uow:
            if not merchants_service.merchant_name(uow, merchant):
                _refuse(f"no merchant {merchant!r}: give the id 'ordertrack merchants create' printed")
            plan = count_import.plan_counts(uow, merchant, rows)
            errors = sorted(errors + plan.problems, key=lambda e: e.line)
            if errors:
                _report(file, errors)
            if not plan.changes:
                typer.echo(f"{file} has no stock rows: nothing changed")
                return
            progress = ProgressBar("importing stock", len(plan.changes), "rows")
            summary = count_import.apply_counts(
                uow,
                plan,
                actor=ACTOR,
                reason=f"import {file.name}",
                progress=progress.update,
            )
            progress.finish()
            uow.commit()
    except (OrdertrackError, SQLAlchemyError) as error:
        message = error.message if isinstance(error, OrdertrackError) else str(error).splitlines()[0]
        _refuse(f"{file}: nothing was imported: the database answered: {message}")
    typer.echo(
        f"imported {summary.levels} stock levels: {summary.created} new, {summary.changed} changed,"
        f" {summary.unchanged} already right; {summary.movements} ledger movements,"
        f" {summary.alerts} low-stock alerts"
        + (
            f", backorders filled for {summary.backordered_skus_filled} SKUs"
            if summary.backordered_skus_filled
            else ""
        )
    )


def _report(file: Path, errors: list[RowError]) -> NoReturn:
    for error in errors[:SHOWN_ERRORS]:
        typer.echo(f"{file}:{error.line}: {error.message}", err=True)
    if len(errors) > SHOWN_ERRORS:
        typer.echo(f"... and {len(errors) - SHOWN_ERRORS} more bad lines", err=True)
    _refuse("nothing imported: fix the lines above and run again")


def _refuse(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
