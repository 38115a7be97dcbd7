"""Which purchase orders are past their promised ship date with nothing shipped, for the
worker's supplier reminders (every merchant's, in one query)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import selectinload

from ordertrack.db.uow import UnitOfWork
from ordertrack.suppliers.model import PurchaseOrder, PurchaseOrderChange, Supplier
from ordertrack.suppliers.rules import PurchaseOrderStatus

REMINDED = "supplier_reminded"


def overdue_without_shipment(
    uow: UnitOfWork, now: datetime, *, limit: int
) -> list[tuple[PurchaseOrder, Supplier]]:
    """Sent or confirmed orders (so nothing shipped or received) whose promised ship date may have
    passed where their supplier is, with a supplier email, not reminded since they last changed.

    "May have": the supplier's today is at most one day after the UTC date, so the caller checks
    each against the supplier's own calendar. An order reminded once comes back only when it
    changes (a new promised date), and the outbox tells each date once whatever happens."""
    reminded_since_change = exists().where(
        and_(
            PurchaseOrderChange.purchase_order_id == PurchaseOrder.id,
            PurchaseOrderChange.action == REMINDED,
            PurchaseOrderChange.at >= PurchaseOrder.updated_at,
        )
    )
    query = (
        select(PurchaseOrder, Supplier)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .where(
            PurchaseOrder.status.in_([PurchaseOrderStatus.sent, PurchaseOrderStatus.confirmed]),
            PurchaseOrder.promised_ship_date.is_not(None),
            PurchaseOrder.promised_ship_date < (now + timedelta(days=1)).date(),
            Supplier.email.is_not(None),
            ~reminded_since_change,
        )
        .order_by(PurchaseOrder.promised_ship_date, PurchaseOrder.id)
        .limit(limit)
    )
    found = [(po, supplier) for po, supplier in uow.session.execute(query)]
    # The lines, in one more query (the relationship does not load lazily).
    if found:
        ids = [po.id for po, _s in found]
        list(
            uow.session.scalars(
                select(PurchaseOrder)
                .where(PurchaseOrder.id.in_(ids))
                .options(selectinload(PurchaseOrder.lines))
            )
        )
    return found
