"""``ordertrack suppliers import`` and ``ordertrack purchase-orders import``: suppliers, their SKU
terms and purchase orders brought in from CSV files, all or nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError

from ordertrack.cli.common import DbOption, database_for, ensure_schema
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.progress import ProgressBar
from ordertrack.merchants import service as merchants_service
from ordertrack.suppliers import purchase_order_import, supplier_import
from ordertrack.suppliers.csv_import import CsvRow, RowProblem, read_rows

suppliers_app = typer.Typer(help="Suppliers and their terms for your SKUs.", no_args_is_help=True)
purchase_orders_app = typer.Typer(help="Purchase orders to suppliers.", no_args_is_help=True)

# Bad rows named one by one; beyond this many the rest are counted.
SHOWN_ERRORS = 50
# Names of updated suppliers printed; beyond this many the rest are counted.
SHOWN_NAMES = 20

MerchantOption = Annotated[str, typer.Option("--merchant", help="the merchant id the rows belong to")]
Plan = TypeVar("Plan")


def _file_argument(columns: str) -> object:
    return typer.Argument(exists=True, dir_okay=False, readable=True, help=f"CSV (UTF-8): {columns}")


@suppliers_app.command("import")
def import_suppliers(
    file: Annotated[
        Path,
        _file_argument(
            "name[,email,phone,line1,line2,city,region,postal_code,country,timezone,lead_time_days,"
            "holiday_country,holiday_subdivision][,sku,supplier_sku,unit_cost,currency]"
        ),
    ],
    merchant: MerchantOption,
    db: DbOption = None,
) -> None:
    """Create or update suppliers (by name), and their terms per SKU, from a CSV file.

    A supplier's details are on the first row with its name; each row may also give one SKU's
    terms. The whole file is checked first and written in one transaction: a file with any bad
    row names every bad row (line, column, code) and imports nothing. Exit status 0 when
    imported, 1 when nothing was imported, 2 for a usage error.
    """
    rows, unreadable = _read(file, supplier_import.REQUIRED, supplier_import.OPTIONAL)

    def plan(uow: UnitOfWork, merchant_id: str) -> supplier_import.SupplierPlan:
        return supplier_import.plan_suppliers(uow, merchant_id, rows)

    def apply(uow: UnitOfWork, merchant_id: str, found: supplier_import.SupplierPlan) -> str:
        progress = ProgressBar("importing suppliers", found.steps, "rows")
        summary = supplier_import.apply_suppliers(uow, merchant_id, found, progress.update)
        progress.finish()
        lines = [
            f"imported {len(found.changes)} suppliers: {len(summary.created)} new,"
            f" {len(summary.updated)} updated, {len(summary.unchanged)} unchanged;"
            f" {summary.terms} SKU terms set"
        ]
        if summary.updated:
            lines.append("updated: " + _names(summary.updated))
        return "\n".join(lines)

    _run(
        file,
        unreadable,
        merchant,
        db,
        plan,
        lambda found: found.problems,
        lambda found: bool(found.changes),
        apply,
    )


@purchase_orders_app.command("import")
def import_purchase_orders(
    file: Annotated[
        Path,
        _file_argument(
            "po_number,supplier,warehouse,currency,sku,quantity"
            "[,unit_cost,promised_ship_date,promised_arrival_date,notes], one row per line"
        ),
    ],
    merchant: MerchantOption,
    send: Annotated[
        bool, typer.Option("--send", help="send each imported order to its supplier (else: drafts)")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create purchase orders (drafts, or sent with --send) from a CSV file, one row per line.

    Rows with the same po_number make one order; its supplier (name or id), warehouse code,
    currency, promised dates and notes are on its first row. The whole file is checked first and
    written in one transaction: a file with any bad row names every bad row (line, column, code)
    and imports nothing. Exit status 0 when imported, 1 when nothing was imported, 2 for a usage
    error.
    """
    rows, unreadable = _read(file, purchase_order_import.REQUIRED, purchase_order_import.OPTIONAL)

    def plan(uow: UnitOfWork, merchant_id: str) -> purchase_order_import.PurchaseOrderPlan:
        return purchase_order_import.plan_purchase_orders(uow, merchant_id, rows)

    def apply(uow: UnitOfWork, merchant_id: str, found: purchase_order_import.PurchaseOrderPlan) -> str:
        progress = ProgressBar("importing purchase orders", found.lines, "lines")
        summary = purchase_order_import.apply_purchase_orders(
            uow, merchant_id, found, send=send, actor=f"csv {file.name}", progress=progress.update
        )
        progress.finish()
        state = "sent" if send else "drafts"
        return f"imported {len(summary.created)} purchase orders ({state}) with {summary.lines} lines"

    _run(
        file,
        unreadable,
        merchant,
        db,
        plan,
        lambda found: found.problems,
        lambda found: bool(found.drafts),
        apply,
    )


def _read(
    file: Path, required: Sequence[str], optional: Sequence[str]
) -> tuple[list[CsvRow], list[RowProblem]]:
    try:
        data = file.read_bytes()
    except OSError as error:
        _refuse(f"{file}: cannot be read: {error.strerror or error}")
    return read_rows(data, required, optional)


def _run(
    file: Path,
    unreadable: list[RowProblem],
    merchant: str,
    db: str | None,
    plan: Callable[[UnitOfWork, str], Plan],
    problems_of: Callable[[Plan], list[RowProblem]],
    has_rows: Callable[[Plan], bool],
    apply: Callable[[UnitOfWork, str, Plan], str],
) -> None:
    """Check the file whole, refuse it naming every bad row, or write it in one transaction."""
    database = database_for(db)
    try:
        ensure_schema(database)
        with database.uow() as uow:
            if not merchants_service.merchant_name(uow, merchant):
                _refuse(f"no merchant {merchant!r}: give the id 'ordertrack merchants create' printed")
            found = plan(uow, merchant)
            problems = sorted(unreadable + problems_of(found), key=lambda p: p.line)
            if problems:
                _report(file, problems)
            if not has_rows(found):
                typer.echo(f"{file} has no rows: nothing changed")
                return
            said = apply(uow, merchant, found)
            uow.commit()
    except OrdertrackError as error:
        _refuse(f"{file}: nothing was imported: {error.message} [{error.code}]")
    except SQLAlchemyError as error:
        _refuse(f"{file}: nothing was imported: the database answered: {str(error).splitlines()[0]}")
    finally:
        database.dispose()
    typer.echo(said)


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    return shown + (f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else "")


def _report(file: Path, problems: list[RowProblem]) -> NoReturn:
    for problem in problems[:SHOWN_ERRORS]:
        typer.echo(f"{file}:{problem.line}: {problem}", err=True)
    if len(problems) > SHOWN_ERRORS:
        typer.echo(f"... and {len(problems) - SHOWN_ERRORS} more problems", err=True)
    _refuse("nothing imported: fix the rows above and run again")


def _refuse(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
