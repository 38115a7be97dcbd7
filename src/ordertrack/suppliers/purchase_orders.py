"""Purchase order use cases: a draft written, sent, confirmed by the supplier, cancelled, and
lines short-closed.

Each use case records the fact (a timestamp column, a domain event) and re-derives the status
from all the facts with :func:`ordertrack.suppliers.rules.derive_purchase_order_status`; the
status column is never written anywhere else.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import (
    PurchaseOrderCancelled,
    PurchaseOrderConfirmed,
    PurchaseOrderCreated,
    PurchaseOrderLineShortClosed,
    PurchaseOrderSent,
    PurchaseOrderStatusChanged,
)
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound, Unprocessable
from ordertrack.kit.ids import new_id, new_ids
from ordertrack.kit.number_keys import number_key
from ordertrack.kit.pagination import Page
from ordertrack.suppliers import history, repository, rules
from ordertrack.suppliers.model import PurchaseOrder, PurchaseOrderLine, Supplier
from ordertrack.suppliers.schemas import PurchaseOrderConfirmationIn, PurchaseOrderIn
from ordertrack.suppliers.service import (
    SupplierNotFound,
    UnknownSupplier,
    check_skus_known,
    find_supplier,
    supplier_skus,
)


class PurchaseOrderNotFound(NotFound):
    code = "purchase_order_not_found"


class PurchaseOrderLineNotFound(NotFound):
    code = "purchase_order_line_not_found"


class UnknownPurchaseOrderLine(Unprocessable):
    code = "unknown_purchase_order_line"


class DuplicatePurchaseOrderNumber(Conflict):
    code = "duplicate_purchase_order_number"


class UnreadablePurchaseOrderNumber(Unprocessable):
    code = "unreadable_purchase_order_number"


class UnitCostRequired(Unprocessable):
    code = "unit_cost_required"


class DuplicateSkuLine(Unprocessable):
    code = "duplicate_line_sku"


def supplier_today(supplier: Supplier, now: datetime) -> date:
    """The date it is where the supplier is: the day its promises are measured against."""
    return now.astimezone(ZoneInfo(supplier.timezone)).date()


def line_facts(line: PurchaseOrderLine) -> rules.PurchaseLineFacts:
    return rules.PurchaseLineFacts(
        ordered=line.quantity,
        confirmed=line.confirmed_quantity,
        shipped=line.shipped_quantity,
        received=line.received_quantity,
        short_closed=line.short_closed_at is not None,
    )


def facts_of(po: PurchaseOrder) -> rules.PurchaseOrderFacts:
    return rules.PurchaseOrderFacts(
        sent=po.sent_at is not None,
        confirmed=po.confirmed_at is not None,
        cancelled=po.cancelled_at is not None,
        lines=tuple(line_facts(line) for line in po.lines),
    )


def refresh_status(uow: UnitOfWork, po: PurchaseOrder, now: datetime) -> None:
    """Derive the status from the facts; record the change when there is one."""
    status = rules.derive_purchase_order_status(facts_of(po))
    po.updated_at = now
    if status != po.status:
        previous, po.status = po.status, status
        uow.record(PurchaseOrderStatusChanged(po.merchant_id, po.id, previous, status))


def create_purchase_order(
    uow: UnitOfWork, merchant_id: str, data: PurchaseOrderIn, *, actor: str = history.SYSTEM
) -> PurchaseOrder:
    """A draft: checked against the supplier, the warehouse, the catalog and the supplier's calendar."""
    try:
        supplier = find_supplier(uow, merchant_id, data.supplier_id)
    except SupplierNotFound:
        raise UnknownSupplier(f"no supplier {data.supplier_id!r}") from None
    try:
        warehouse = inventory_service.find_warehouse(uow, merchant_id, data.warehouse)
    except inventory_service.WarehouseNotFound:
        raise inventory_service.UnknownWarehouse(f"no warehouse {data.warehouse!r}") from None
    skus = [line.sku for line in data.lines]
    if len(set(skus)) != len(skus):
        raise DuplicateSkuLine("each SKU appears on one line: add the quantities together")
    check_skus_known(uow, merchant_id, set(skus))
    now = utcnow()
    rules.check_promised_dates(
        data.promised_ship_date, data.promised_arrival_date, supplier_today(supplier, now)
    )
    if not number_key(data.number):
        raise UnreadablePurchaseOrderNumber(
            f"number {data.number!r} has no letter or digit: '#', spaces and dashes are ignored"
        )
    if repository.number_taken(uow, merchant_id, data.number):
        raise DuplicatePurchaseOrderNumber(f"a purchase order numbered {data.number!r} already exists")
    terms = supplier_skus(uow, supplier.id, set(skus))
    po = PurchaseOrder(
        id=new_id("pur"),
        merchant_id=merchant_id,
        number=data.number,
        supplier_id=supplier.id,
        warehouse_id=warehouse.id,
        currency=data.currency,
        notes=data.notes,
        promised_ship_date=data.promised_ship_date,
        promised_arrival_date=data.promised_arrival_date,
        status=rules.PurchaseOrderStatus.draft,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(po)
    for line_no, (line, line_id) in enumerate(
        zip(data.lines, new_ids("pol", len(data.lines)), strict=True), 1
    ):
        cost = line.unit_cost
        if cost is None:
            term = terms.get(line.sku)
            if term is None or term.currency != data.currency:
                raise UnitCostRequired(
                    f"lines.{line_no - 1}.unit_cost: the supplier has no {data.currency} cost for {line.sku}"
                )
            cost = term.unit_cost
        uow.session.add(
            PurchaseOrderLine(
                id=line_id,
                merchant_id=merchant_id,
                purchase_order_id=po.id,
                line_no=line_no,
                sku=line.sku,
                quantity=line.quantity,
                unit_cost=cost,
                shipped_quantity=0,
                received_quantity=0,
            )
        )
    uow.flush()
    uow.record(PurchaseOrderCreated(merchant_id, po.id, supplier.id))
    history.record(
        uow,
        po,
        actor,
        "created",
        {"lines": [{"sku": line.sku, "quantity": line.quantity} for line in data.lines]},
        at=now,
    )
    return find_purchase_order(uow, merchant_id, po.id)


def find_purchase_order(uow: UnitOfWork, merchant_id: str, ref: str, *, lock: bool = False) -> PurchaseOrder:
    """The merchant's purchase order by id or number; another merchant's is not found."""
    po = repository.purchase_order(uow, merchant_id, ref, lock=lock)
    if po is None:
        raise PurchaseOrderNotFound(f"no purchase order {ref!r}")
    return po


def purchase_order_page(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    status: str | None = None,
    supplier_id: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    number_part: str | None = None,
) -> Page[PurchaseOrder]:
    """Newest first; ``number_part``: those whose number holds it, as people type it."""
    return repository.purchase_orders_page(
        uow,
        merchant_id,
        status=status,
        supplier_id=supplier_id,
        cursor=cursor,
        limit=limit,
        number_part=number_part,
    )


def send_purchase_order(
    uow: UnitOfWork, merchant_id: str, ref: str, *, actor: str = history.SYSTEM
) -> PurchaseOrder:
    """The merchant sent the order to the supplier (the email with the supplier's link comes later)."""
    po = find_purchase_order(uow, merchant_id, ref, lock=True)
    rules.check_action("send", po.status)
    now = utcnow()
    po.sent_at = now
    refresh_status(uow, po, now)
    uow.record(PurchaseOrderSent(merchant_id, po.id, po.supplier_id, now))
    history.record(uow, po, actor, "sent", None, at=now)
    return po


def confirm_purchase_order(
    uow: UnitOfWork,
    merchant_id: str,
    ref: str,
    data: PurchaseOrderConfirmationIn,
    *,
    actor: str = history.SYSTEM,
    now: datetime | None = None,
) -> PurchaseOrder:
    """The supplier's word: its quantities per line (left out: as ordered) and promised dates
    (left out: those it gave before). ``now`` is the moment the promise is judged at; a caller
    that chose its dates from its own clock passes that clock, so a day that turns over where
    the supplier is between the two readings cannot make "today" a day in the past."""
    po = find_purchase_order(uow, merchant_id, ref, lock=True)
    rules.check_action("confirm", po.status)
    supplier = find_supplier(uow, merchant_id, po.supplier_id)
    now = now or utcnow()
    by_no = {line.line_no: line for line in po.lines}
    for index, confirmed in enumerate(data.lines):
        if confirmed.line_no not in by_no:
            raise UnknownPurchaseOrderLine(
                f"lines.{index}.line_no: the order has no line {confirmed.line_no}"
            )
    ship = data.promised_ship_date or po.promised_ship_date
    arrival = data.promised_arrival_date or po.promised_arrival_date
    rules.check_promised_dates(
        data.promised_ship_date, data.promised_arrival_date, supplier_today(supplier, now)
    )
    if ship is not None and arrival is not None and arrival < ship:
        raise rules.PromiseOutOfOrder("promised_arrival_date is before promised_ship_date")
    changed_lines = []
    for confirmed in data.lines:
        line = by_no[confirmed.line_no]
        was = line.quantity if line.confirmed_quantity is None else line.confirmed_quantity
        if confirmed.quantity != was:
            changed_lines.append(
                {"line_no": line.line_no, "sku": line.sku, "from": was, "to": confirmed.quantity}
            )
        line.confirmed_quantity = confirmed.quantity
    details: dict[str, object] = {"lines": changed_lines} if changed_lines else {}
    for name, before, after in (
        ("promised_ship_date", po.promised_ship_date, ship),
        ("promised_arrival_date", po.promised_arrival_date, arrival),
    ):
        if before != after:
            details[name] = {"from": before, "to": after}
    po.promised_ship_date, po.promised_arrival_date = ship, arrival
    po.confirmed_at = now
    refresh_status(uow, po, now)
    uow.record(PurchaseOrderConfirmed(merchant_id, po.id, po.supplier_id, ship, arrival, now))
    history.record(uow, po, actor, "confirmed", details, at=now)
    return po


def cancel_purchase_order(
    uow: UnitOfWork, merchant_id: str, ref: str, *, actor: str = history.SYSTEM
) -> PurchaseOrder:
    po = find_purchase_order(uow, merchant_id, ref, lock=True)
    rules.check_action("cancel", po.status)
    now = utcnow()
    po.cancelled_at = now
    refresh_status(uow, po, now)
    uow.record(PurchaseOrderCancelled(merchant_id, po.id, po.supplier_id, now))
    history.record(uow, po, actor, "cancelled", None, at=now)
    return po


def short_close_line(
    uow: UnitOfWork,
    merchant_id: str,
    ref: str,
    line_no: int,
    reason: str | None,
    *,
    actor: str = history.SYSTEM,
) -> PurchaseOrder:
    """Nothing more is expected on the line: what came is all that will come."""
    po = find_purchase_order(uow, merchant_id, ref, lock=True)
    index = next((i for i, line in enumerate(po.lines) if line.line_no == line_no), None)
    if index is None:
        raise PurchaseOrderLineNotFound(f"the order has no line {line_no}")
    rules.check_action("short-close a line of", po.status)
    rules.check_short_close([line_facts(line) for line in po.lines], index)
    now = utcnow()
    line = po.lines[index]
    line.short_closed_at = now
    line.short_close_reason = reason
    refresh_status(uow, po, now)
    expected = line_facts(line).expected
    uow.record(
        PurchaseOrderLineShortClosed(merchant_id, po.id, line.id, line.sku, expected, line.received_quantity)
    )
    history.record(
        uow,
        po,
        actor,
        "line_short_closed",
        {
            "line_no": line.line_no,
            "sku": line.sku,
            "expected": expected,
            "received": line.received_quantity,
            "reason": reason,
        },
        at=now,
    )
    return po
