"""``ordertrack stock``: bring stock counts in from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ordertrack.cli.common import DbOption, database_for, ensure_schema
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.stock_csv import RowError, read_stock_csv
from ordertrack.kit.errors import OrdertrackError

app = typer.Typer(help="Stock levels.", no_args_is_help=True)

BATCH = 500


@app.command("import")
def import_stock(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV: warehouse,sku,on_hand[,low_stock_threshold]",
        ),
    ],
    merchant: Annotated[str, typer.Option("--merchant", help="the merchant id whose stock this is")],
    db: DbOption = None,
) -> None:
    """Set on-hand counts (and low-stock thresholds) from a CSV file; a file with any bad
    line imports nothing."""
    with file.open(newline="", encoding="utf-8-sig") as handle:
        rows, errors = read_stock_csv(handle)
    database = database_for(db)
    ensure_schema(database)
    with database.uow(write=False) as uow:
        known = {w.code for w in inventory_service.list_warehouses(uow, merchant)}
    errors += [
        RowError(r.line, f"merchant has no warehouse {r.warehouse!r}")
        for r in rows
        if r.warehouse not in known
    ]
    errors.sort(key=lambda e: e.line)
    if errors:
        for error in errors[:50]:
            typer.echo(f"{file}:{error.line}: {error.message}", err=True)
        if len(errors) > 50:
            typer.echo(f"... and {len(errors) - 50} more", err=True)
        typer.echo("nothing imported: fix the lines above and run again", err=True)
        raise typer.Exit(1)
    done = 0
    with typer.progressbar(length=len(rows), label="importing stock", file=None) as progress:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            try:
                with database.uow() as uow:
                    for row in chunk:
                        inventory_service.set_stock(
                            uow,
                            merchant,
                            row.warehouse,
                            row.sku,
                            row.on_hand,
                            threshold=row.low_stock_threshold,
                            actor="cli:stock-import",
                            reason=f"import {file.name}",
                        )
                    uow.commit()
            except OrdertrackError as error:
                typer.echo(f"\n{file}: rows {chunk[0].line}-{chunk[-1].line}: {error.message}", err=True)
                typer.echo(
                    f"{done} rows imported before this batch; this batch and later ones were not", err=True
                )
                raise typer.Exit(1) from None
            done += len(chunk)
            progress.update(len(chunk))
    typer.echo(f"imported {done} stock levels")
