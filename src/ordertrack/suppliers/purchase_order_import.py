"""Many purchase orders from one CSV file (``ordertrack purchase-orders import``): one row per
line, rows grouped by PO number, checked whole, then written as drafts in the caller's
transaction (and sent, when asked).

A PO's own fields (supplier, warehouse, currency, promised dates, notes) are on its first row;
its later rows leave them empty or repeat them exactly. Every PO goes through the API's shape
(:class:`PurchaseOrderIn`) and the same checks as ``POST /api/v1/purchase-orders`` (known
supplier, warehouse and SKUs, promised dates not before the supplier's today, a number not
taken), each named at the row and column that carries it, with the API's code. The drafts are
then written by :func:`ordertrack.suppliers.purchase_orders.create_purchase_order` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ordertrack.catalog import service as catalog_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.number_keys import number_key
from ordertrack.suppliers import purchase_orders, repository, rules
from ordertrack.suppliers.csv_import import CsvRow, RowProblem, integer, problems_of, quoted
from ordertrack.suppliers.model import Supplier
from ordertrack.suppliers.schemas import PurchaseOrderIn

ORDER_COLUMNS = ("supplier", "warehouse", "currency", "promised_ship_date", "promised_arrival_date", "notes")
REQUIRED = ("po_number", "supplier", "warehouse", "currency", "sku", "quantity")
OPTIONAL = ("unit_cost", "promised_ship_date", "promised_arrival_date", "notes")

_ORDER_FIELDS: dict[tuple[Any, ...], str] = {("number",): "po_number", ("supplier_id",): "supplier"}


@dataclass
class OrderDraft:
    """One purchase order of the file, checked."""

    number: str
    rows: list[CsvRow]
    data: PurchaseOrderIn


@dataclass
class PurchaseOrderPlan:
    drafts: list[OrderDraft] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(len(draft.rows) for draft in self.drafts)


@dataclass(frozen=True)
class PurchaseOrderSummary:
    created: list[str]
    lines: int
    sent: int


def plan_purchase_orders(uow: UnitOfWork, merchant_id: str, rows: Sequence[CsvRow]) -> PurchaseOrderPlan:
    """Every purchase order of the file, or the problems naming the rows that stop it."""
    plan = PurchaseOrderPlan()
    problems = plan.problems
    groups: dict[str, list[CsvRow]] = {}
    for row in rows:
        number = row.get("po_number")
        if number is None:
            problems.append(RowProblem(row.line, "po_number", "missing", "po_number must not be empty"))
            continue
        key = number_key(number)
        if not key:
            problems.append(
                RowProblem(
                    row.line,
                    "po_number",
                    purchase_orders.UnreadablePurchaseOrderNumber.code,
                    f"number {quoted(number)} has no letter or digit: '#', spaces and dashes are ignored",
                )
            )
            continue
        groups.setdefault(key, []).append(row)
    suppliers = _suppliers(uow, merchant_id, {g[0].get("supplier") or "" for g in groups.values()})
    warehouses = {w.code: w for w in inventory_service.list_warehouses(uow, merchant_id)}
    skus = {row.get("sku") for group in groups.values() for row in group} - {None}
    known = catalog_service.known_skus(uow, merchant_id, skus)  # type: ignore[arg-type]
    now = utcnow()
    for group in groups.values():
        draft = _plan_one(uow, merchant_id, group, suppliers, warehouses, known, now, problems)
        if draft is not None:
            plan.drafts.append(draft)
    problems.sort(key=lambda p: p.line)
    return plan


def apply_purchase_orders(
    uow: UnitOfWork,
    merchant_id: str,
    plan: PurchaseOrderPlan,
    *,
    send: bool = False,
    actor: str = "csv",
    progress: Callable[[int], None] | None = None,
) -> PurchaseOrderSummary:
    """Write the drafts of a plan that has no problems (and send them); the caller commits.
    ``actor`` is who the orders' history says made them (``csv <file name>``).

    A refusal the plan could not foresee (a number taken meanwhile) is raised as the service
    raises it, so the caller rolls the whole file back."""
    if plan.problems:
        raise ValueError("a plan with problems is not applied")
    created: list[str] = []
    lines = sent = 0
    for draft in plan.drafts:
        po = purchase_orders.create_purchase_order(uow, merchant_id, draft.data, actor=actor)
        if send:
            purchase_orders.send_purchase_order(uow, merchant_id, po.id, actor=actor)
            sent += 1
        created.append(po.number)
        lines += len(draft.rows)
        if progress is not None:
            progress(lines)
    return PurchaseOrderSummary(created, lines, sent)


def _plan_one(
    uow: UnitOfWork,
    merchant_id: str,
    group: list[CsvRow],
    suppliers: dict[str, Supplier],
    warehouses: dict[str, Any],
    known: set[str],
    now: Any,
    problems: list[RowProblem],
) -> OrderDraft | None:
    first = group[0]
    number = first.cells["po_number"]
    before = len(problems)
    for row in group[1:]:
        for column in ORDER_COLUMNS:
            value = row.get(column)
            if value is not None and value != first.get(column):
                problems.append(
                    RowProblem(
                        row.line,
                        column,
                        "conflicting_purchase_order_details",
                        f"{number}'s {column} is {quoted(first.get(column) or '')} on line {first.line}:"
                        " leave it empty here or repeat it exactly",
                    )
                )
    supplier_ref = first.get("supplier")
    supplier = suppliers.get(supplier_ref or "")
    if supplier_ref is not None and supplier is None:
        problems.append(
            RowProblem(first.line, "supplier", "unknown_supplier", f"no supplier {quoted(supplier_ref)}")
        )
    warehouse = first.get("warehouse")
    if warehouse is not None and warehouse not in warehouses:
        problems.append(
            RowProblem(first.line, "warehouse", "unknown_warehouse", f"no warehouse {quoted(warehouse)}")
        )
    seen: dict[str, int] = {}
    for row in group:
        sku = row.get("sku")
        if sku is None:
            continue  # the shape's check names it
        if sku not in known:
            problems.append(
                RowProblem(row.line, "sku", "unknown_sku", f"no product {quoted(sku)} in the catalog")
            )
        if sku in seen:
            problems.append(
                RowProblem(
                    row.line,
                    "sku",
                    purchase_orders.DuplicateSkuLine.code,
                    f"{sku} is already on line {seen[sku]} of {number}: add the quantities together",
                )
            )
        seen.setdefault(sku, row.line)
    fields: dict[str, Any] = {
        "number": number,
        "supplier_id": supplier.id if supplier is not None else supplier_ref,
        "warehouse": warehouse,
        "currency": first.get("currency"),
        "promised_ship_date": first.get("promised_ship_date"),
        "promised_arrival_date": first.get("promised_arrival_date"),
        "notes": first.get("notes"),
        "lines": [
            {
                k: v
                for k, v in {
                    "sku": r.get("sku"),
                    "quantity": integer(r, "quantity"),
                    "unit_cost": r.get("unit_cost"),
                }.items()
                if v is not None
            }
            for r in group
        ],
    }
    try:
        data = PurchaseOrderIn.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        for item in error.errors():
            loc = tuple(item["loc"])
            if loc[:1] == ("lines",) and len(loc) >= 2 and isinstance(loc[1], int):
                # A line's field is that row's column of the same name.
                problems.extend(problems_of([item | {"loc": loc[2:]}], group[loc[1]].line, {}))
            else:
                problems.extend(problems_of([item], first.line, _ORDER_FIELDS))
        return None
    if repository.number_taken(uow, merchant_id, number):
        problems.append(
            RowProblem(
                first.line,
                "po_number",
                purchase_orders.DuplicatePurchaseOrderNumber.code,
                f"a purchase order numbered {number!r} already exists",
            )
        )
    if supplier is not None:
        try:
            rules.check_promised_dates(
                data.promised_ship_date,
                data.promised_arrival_date,
                purchase_orders.supplier_today(supplier, now),
            )
        except OrdertrackError as refused:
            column = (
                "promised_arrival_date"
                if "arrival" in refused.message.split(" ")[0]
                else "promised_ship_date"
            )
            problems.append(RowProblem(first.line, column, refused.code, refused.message))
        terms = repository.supplier_skus(uow, supplier.id, set(seen))
        for line, row in zip(data.lines, group, strict=True):
            term = terms.get(line.sku)
            if line.unit_cost is None and (term is None or term.currency != data.currency):
                problems.append(
                    RowProblem(
                        row.line,
                        "unit_cost",
                        purchase_orders.UnitCostRequired.code,
                        f"the supplier has no {data.currency} cost for {line.sku}: give unit_cost",
                    )
                )
    if len(problems) > before:
        return None
    return OrderDraft(number, group, data)


def _suppliers(uow: UnitOfWork, merchant_id: str, refs: set[str]) -> dict[str, Supplier]:
    """The file's suppliers by the name (or id) it gives them."""
    found = repository.suppliers_named(uow, merchant_id, refs)
    ids = {ref for ref in refs if ref.startswith("sup_") and ref not in found}
    found.update(repository.suppliers_by_id(uow, merchant_id, ids))
    return found
