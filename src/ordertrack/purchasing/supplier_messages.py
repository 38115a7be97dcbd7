"""What a purchase order's supplier is told, through the notifications outbox (in the transaction
of the change, delivered by the worker, once per subject):

- ``purchase_order_sent``: the order, with the supplier's link, when the merchant sends it, and
  again when the merchant sends it again (each time a fresh link, living its full time);
- ``supplier_reminder``: the promised ship date passed, in the supplier's own calendar, and no
  shipment was declared; once per order and promised date (a new date gets its own reminder).

The supplier has no account: the message goes to the email address the merchant keeps for it
(none: nothing is sent, and sending again says so). It is written in the supplier's language as
its country suggests (Spanish, Brazilian Portuguese, else English).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import PurchaseOrderSent
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict
from ordertrack.notifications import rules as notification_rules
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.service import Occurrence
from ordertrack.suppliers import history, purchase_orders, reminders, rules
from ordertrack.suppliers import service as suppliers_service
from ordertrack.suppliers.model import PurchaseOrder, Supplier

SENT = "purchase_order_sent"
REMINDER = "supplier_reminder"

# Countries whose suppliers read Spanish or Portuguese first; everyone else reads English.
_SPANISH = frozenset(
    [
        "AR",
        "BO",
        "CL",
        "CO",
        "CR",
        "CU",
        "DO",
        "EC",
        "ES",
        "GQ",
        "GT",
        "HN",
        "MX",
        "NI",
        "PA",
        "PE",
        "PR",
        "PY",
        "SV",
        "UY",
        "VE",
    ]
)
_PORTUGUESE = frozenset(["AO", "BR", "CV", "GW", "MZ", "PT", "ST", "TL"])
# Orders a reminder run looks at, at most (the next run takes the rest).
REMINDER_BATCH = 500


class SupplierHasNoEmail(Conflict):
    code = "supplier_has_no_email"


class NotSentYet(Conflict):
    code = "purchase_order_not_sent"


def supplier_locale(supplier: Supplier) -> str:
    if supplier.country in _SPANISH:
        return "es"
    if supplier.country in _PORTUGUESE:
        return "pt_BR"
    return "en"


def _facts(uow: UnitOfWork, po: PurchaseOrder, supplier: Supplier) -> dict[str, object]:
    """What the message tells, as it stands now (the outbox keeps it with the message)."""
    terms = suppliers_service.supplier_skus(uow, supplier.id, {line.sku for line in po.lines})
    warehouse = next(
        w for w in inventory_service.list_warehouses(uow, po.merchant_id) if w.id == po.warehouse_id
    )
    place = " ".join(p for p in (warehouse.postal_code, warehouse.city) if p)
    ship_to = ", ".join(
        p for p in (warehouse.name, warehouse.line1, warehouse.line2, place, warehouse.country) if p
    )
    return {
        "purchase_order_id": po.id,
        "purchase_order": po.number,
        "supplier": supplier.name,
        "supplier_email": supplier.email,
        "locale": supplier_locale(supplier),
        "promised_ship_date": po.promised_ship_date.isoformat() if po.promised_ship_date else None,
        "ship_to": ship_to,
        "lines": [
            [
                line.sku,
                terms[line.sku].supplier_sku if line.sku in terms else None,
                purchase_orders.line_facts(line).expected,
            ]
            for line in po.lines
            if line.short_closed_at is None
        ],
    }


def _send(uow: UnitOfWork, po: PurchaseOrder, supplier: Supplier, subject: str, *, now: datetime) -> int:
    occurrence = Occurrence(SENT, None, None, subject=subject, facts=_facts(uow, po, supplier))
    return notifications_service.enqueue(uow, po.merchant_id, [occurrence], now=now)


def tell_suppliers_of_sent_orders(uow: UnitOfWork, events: Sequence[PurchaseOrderSent]) -> None:
    """Handler of PurchaseOrderSent: the supplier gets the order with its link."""
    for event in events:
        po = purchase_orders.find_purchase_order(uow, event.merchant_id, event.purchase_order_id)
        supplier = suppliers_service.find_supplier(uow, event.merchant_id, po.supplier_id)
        if supplier.email:
            _send(uow, po, supplier, f"{po.id}:sent", now=event.at)


def send_again(
    uow: UnitOfWork, merchant_id: str, ref: str, *, actor: str, now: datetime | None = None
) -> PurchaseOrder:
    """The merchant sends the order to its supplier again (a lost email, a new contact): a new
    message with a fresh link. Refused for a draft (send it first), a cancelled or received order
    (nothing to ask of the supplier) and a supplier without an email address."""
    now = now or utcnow()
    po = purchase_orders.find_purchase_order(uow, merchant_id, ref)
    if po.status in (
        rules.PurchaseOrderStatus.draft,
        rules.PurchaseOrderStatus.cancelled,
        rules.PurchaseOrderStatus.received,
    ):
        raise NotSentYet(
            f"purchase order {po.number} is {po.status}: "
            + (
                "send it first"
                if po.status == rules.PurchaseOrderStatus.draft
                else "there is nothing to ask of the supplier"
            )
        )
    supplier = suppliers_service.find_supplier(uow, merchant_id, po.supplier_id)
    if not supplier.email:
        raise SupplierHasNoEmail(f"supplier {supplier.name} has no email address: add one to send the order")
    _send(uow, po, supplier, f"{po.id}:sent:{now.isoformat()}", now=now)
    history.record(uow, po, actor, "resent", {"to": supplier.email}, at=now)
    return po


def remind_suppliers(uow: UnitOfWork, now: datetime) -> int:
    """The worker's job: remind the suppliers of orders whose promised ship date has passed
    where they are, with nothing shipped; how many reminders were written (each order and
    promised date once: the outbox's subject keeps a second run from writing another)."""
    reminded = 0
    for po, supplier in reminders.overdue_without_shipment(uow, now, limit=REMINDER_BATCH):
        if not supplier.email or po.promised_ship_date is None:
            continue
        if purchase_orders.supplier_today(supplier, now) <= po.promised_ship_date:
            continue  # still the promised day (or before) where the supplier is
        subject = notification_rules.reminder_subject(po.id, po.promised_ship_date)
        occurrence = Occurrence(REMINDER, None, None, subject=subject, facts=_facts(uow, po, supplier))
        if notifications_service.enqueue(uow, po.merchant_id, [occurrence], now=now):
            history.record(
                uow,
                po,
                history.SYSTEM,
                "supplier_reminded",
                {"promised_ship_date": po.promised_ship_date},
                at=now,
            )
            reminded += 1
    return reminded
