"""``ordertrack reorder``: the reorder suggestions, and drafting purchase orders from them."""

from __future__ import annotations

import csv
import sys
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import SQLAlchemyError

from ordertrack.cli.common import DbOption, database_for, ensure_schema
from ordertrack.kit.errors import OrdertrackError
from ordertrack.merchants import service as merchants_service
from ordertrack.suppliers import reorder

app = typer.Typer(help="Reorder suggestions.", no_args_is_help=True)

ACTOR = "cli:reorder"

Merchant = Annotated[str, typer.Option("--merchant", help="the merchant id")]
Warehouse = Annotated[str | None, typer.Option("--warehouse", help="one warehouse's code")]
SupplierOption = Annotated[
    str | None, typer.Option("--supplier", help="a supplier id to order from wherever it can")
]

COLUMNS = [
    "sku",
    "warehouse",
    "available",
    "daily_sales",
    "runs_out_on",
    "runs_out_before_inbound",
    "inbound",
    "next_inbound_on",
    "supplier",
    "lead_days",
    "suggested_quantity",
]


def _refuse(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def _row(s: reorder.Suggestion) -> list[object]:
    a = s.advice
    return [
        s.sku,
        s.warehouse.code,
        a.available,
        round(a.daily_rate, 2),
        a.runs_out_on.isoformat() if a.runs_out_on else "",
        "yes" if a.runs_out_before_inbound else "no",
        s.position.inbound,
        s.position.next_inbound_on.isoformat() if s.position.next_inbound_on else "",
        s.supplier.name if s.supplier else "",
        s.lead_days,
        a.suggested_quantity,
    ]


@app.command("list")
def list_suggestions(
    merchant: Merchant,
    warehouse: Warehouse = None,
    supplier: SupplierOption = None,
    every_sku: Annotated[bool, typer.Option("--all", help="every SKU, not only those to order")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on standard output")] = False,
    db: DbOption = None,
) -> None:
    """The SKUs to reorder per warehouse, soonest to run out first (as GET /api/v1/reorder-suggestions)."""
    database = database_for(db)
    ensure_schema(database)
    try:
        with database.uow(write=False) as uow:
            if not merchants_service.merchant_name(uow, merchant):
                _refuse(f"no merchant {merchant!r}")
            found = reorder.suggestions(
                uow, merchant, warehouse=warehouse, supplier_id=supplier, everything=every_sku
            )
    except OrdertrackError as error:
        _refuse(f"{error.code}: {error.message}")
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(_row(s) for s in found)
        return
    if not found:
        typer.echo("nothing to reorder")
        return
    for s in found:
        a = s.advice
        when = f"runs out {a.runs_out_on.isoformat()}" if a.runs_out_on else "not selling"
        flag = " BEFORE INBOUND" if a.runs_out_before_inbound else ""
        source = f" from {s.supplier.name}" if s.supplier else " (no supplier has terms)"
        typer.echo(
            f"{s.sku} @ {s.warehouse.code}: {a.available} available, {a.daily_rate:.1f}/day, {when}{flag};"
            f" {s.position.inbound} on the way; order {a.suggested_quantity}{source}"
        )


@app.command("draft")
def draft(
    merchant: Merchant,
    warehouse: Warehouse = None,
    supplier: SupplierOption = None,
    db: DbOption = None,
) -> None:
    """Draft purchase orders for every suggestion with a quantity and a supplier: one per
    supplier, warehouse and currency, nothing sent. Exit status 1 when nothing was drafted."""
    database = database_for(db)
    ensure_schema(database)
    try:
        with database.uow() as uow:
            if not merchants_service.merchant_name(uow, merchant):
                _refuse(f"no merchant {merchant!r}")
            found = reorder.suggestions(uow, merchant, warehouse=warehouse, supplier_id=supplier)
            picked = [
                reorder.Selection(s.sku, s.warehouse.code, s.advice.suggested_quantity, s.supplier.id)
                for s in found
                if s.supplier is not None and s.advice.suggested_quantity > 0
            ]
            if not picked:
                _refuse("nothing to order: no suggestion has a quantity and a supplier")
            drafts = reorder.draft_purchase_orders(uow, merchant, picked, actor=ACTOR)
            lines = [(po.number, len(po.lines), sum(line.quantity for line in po.lines)) for po in drafts]
            uow.commit()
    except (OrdertrackError, SQLAlchemyError) as error:
        message = error.message if isinstance(error, OrdertrackError) else str(error).splitlines()[0]
        _refuse(f"nothing was drafted: {message}")
    for number, count, units in lines:
        typer.echo(f"drafted {number}: {count} line{'s' if count != 1 else ''}, {units} units")
