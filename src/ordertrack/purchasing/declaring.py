"""Advance shipping notices: the supplier (or staff, the API, a CSV file) declares which lines
and quantities of a purchase order left, in which parcels, with which carrier, expected when;
and cancels a notice nothing was counted in from.

Everything is checked before anything is written (a refused notice leaves no row, no parcel,
no history line). A notice is a fact about goods that already left, so more units than a line
still expects are accepted and flagged (``over_shipment``), as over-receipts are at the dock,
never capped or refused. Its parcels are ordinary tracking parcels
(:func:`ordertrack.purchasing.inbound.add_inbound_parcels`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete

from ordertrack.db.uow import UnitOfWork
from ordertrack.eta.estimating import Cause
from ordertrack.events import InboundExpectationChanged, InboundShipmentDeclared, InboundShipmentStatusChanged
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, Unprocessable
from ordertrack.kit.ids import new_id, new_ids
from ordertrack.kit.number_keys import number_key
from ordertrack.purchasing import inbound
from ordertrack.suppliers import history, inbound_shipments, purchase_orders, rules
from ordertrack.suppliers.inbound_schemas import (
    InboundParcelOut,
    InboundShipmentIn,
    InboundShipmentLineOut,
    InboundShipmentOut,
    InboundWarning,
)
from ordertrack.suppliers.model import InboundShipment, InboundShipmentLine, PurchaseOrder, PurchaseOrderLine
from ordertrack.suppliers.service import find_supplier
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking.model import Parcel

# Why the waiting customer orders' promises move (eta's causes): a notice is the supplier's own
# word on when the units arrive; a withdrawn one leaves them waiting for stock again.
CAUSE_SHIPPED = Cause.supplier_confirmed
CAUSE_CANCELLED = Cause.waiting_for_stock

# A notice may be declared once the supplier has the order and until it is closed. "shipped"
# is included: a supplier may send more than it said (flagged, not refused).
DECLARABLE = frozenset(
    {
        rules.PurchaseOrderStatus.sent,
        rules.PurchaseOrderStatus.confirmed,
        rules.PurchaseOrderStatus.partially_shipped,
        rules.PurchaseOrderStatus.shipped,
        rules.PurchaseOrderStatus.partially_received,
    }
)


class SkuNotOnPurchaseOrder(Unprocessable):
    code = "sku_not_on_purchase_order"


class ParcelNotInNotice(Unprocessable):
    code = "unknown_parcel"


class ExpectedArrivalInThePast(Unprocessable):
    code = "expected_arrival_in_past"


class InboundShipmentAlreadyCancelled(Conflict):
    code = "inbound_shipment_cancelled"


class InboundShipmentReceived(Conflict):
    code = "inbound_shipment_received"


@dataclass(frozen=True)
class Flagged:
    """Accepted, but worth a look."""

    code: str
    message: str
    line_no: int | None = None


@dataclass
class Declared:
    shipment: InboundShipment
    flagged: list[Flagged] = field(default_factory=list)


def _resolve_lines(
    po: PurchaseOrder, data: InboundShipmentIn
) -> list[tuple[PurchaseOrderLine, int, int | None]]:
    """Each declared line as (the PO line, quantity, parcel number), or the first bad one refused."""
    by_no = {line.line_no: line for line in po.lines}
    by_sku = {line.sku.casefold(): line for line in po.lines}
    resolved = []
    for index, line in enumerate(data.lines):
        if line.line_no is not None:
            found = by_no.get(line.line_no)
            if found is None:
                raise purchase_orders.UnknownPurchaseOrderLine(
                    f"lines.{index}.line_no: the order has no line {line.line_no}"
                )
            if line.sku is not None and line.sku.casefold() != found.sku.casefold():
                raise SkuNotOnPurchaseOrder(
                    f"lines.{index}.sku: line {found.line_no} is {found.sku}, not {line.sku}"
                )
        else:
            found = by_sku.get((line.sku or "").casefold())
            if found is None:
                raise SkuNotOnPurchaseOrder(
                    f"lines.{index}.sku: {line.sku} is not on purchase order {po.number}"
                )
        if line.parcel is not None and line.parcel > len(data.parcels):
            raise ParcelNotInNotice(
                f"lines.{index}.parcel: the notice lists {len(data.parcels)} parcel(s), not {line.parcel}"
            )
        resolved.append((found, line.quantity, line.parcel))
    return resolved


def _number(uow: UnitOfWork, merchant_id: str, po: PurchaseOrder, given: str | None, seq: int) -> str:
    if given is not None:
        if not number_key(given):
            raise inbound_shipments.UnreadableInboundShipmentNumber(
                f"number {given!r} has no letter or digit: '#', spaces and dashes are ignored"
            )
        if inbound_shipments.number_taken(uow, merchant_id, given):
            raise inbound_shipments.DuplicateInboundShipmentNumber(
                f"an inbound shipment numbered {given!r} already exists"
            )
        return given
    # "<PO>-<n>"; should a supplier have used that reference for another notice, the next free one.
    for n in range(seq, seq + 1000):
        number = f"{po.number}-{n}"[:64]
        if not inbound_shipments.number_taken(uow, merchant_id, number):
            return number
    raise inbound_shipments.DuplicateInboundShipmentNumber("give the notice a number of its own")


def still_expected(line: PurchaseOrderLine) -> int:
    """Units the line still waits for: what it expects less what shipped (or arrived undeclared)."""
    if line.short_closed_at is not None:
        return 0
    facts = purchase_orders.line_facts(line)
    return max(0, facts.expected - max(facts.shipped, facts.received))


def declare_inbound_shipment(
    uow: UnitOfWork,
    merchant_id: str,
    po_ref: str,
    data: InboundShipmentIn,
    *,
    actor: str,
    now: datetime | None = None,
) -> Declared:
    """Declare a notice on the merchant's purchase order ``po_ref``: the shipment and its lines,
    its parcels registered for tracking, the lines' shipped quantities, the order's status, the
    events and the history line. Refused whole on the first bad part."""
    now = now or utcnow()
    po = purchase_orders.find_purchase_order(uow, merchant_id, po_ref, lock=True)
    if po.status not in DECLARABLE:
        raise rules.PurchaseOrderTransitionRefused("declare a shipment for", po.status)
    resolved = _resolve_lines(po, data)
    supplier = find_supplier(uow, merchant_id, po.supplier_id)
    today = purchase_orders.supplier_today(supplier, now)
    if data.expected_arrival_date is not None and data.expected_arrival_date < today:
        raise ExpectedArrivalInThePast(
            f"expected_arrival_date {data.expected_arrival_date.isoformat()} is before today "
            f"({today.isoformat()} where the supplier is)"
        )
    parcels = [(p.tracking_number, p.carrier or data.carrier) for p in data.parcels]
    checked = inbound.check_inbound_numbers(parcels)  # 422 before anything is written
    # The notice's carrier: the one named, else the one every parcel turned out to be.
    carriers = {carrier for _number, carrier in checked}
    carrier = data.carrier or (carriers.pop() if len(carriers) == 1 else None)
    seq = inbound_shipments.next_seq(uow, po.id)
    shipment = InboundShipment(
        id=new_id("ibs"),
        merchant_id=merchant_id,
        purchase_order_id=po.id,
        seq=seq,
        number=_number(uow, merchant_id, po, data.number, seq),
        carrier=carrier,
        expected_arrival_date=data.expected_arrival_date,
        status=rules.InboundStatus.declared,
        declared_by=actor[: history.MAX_ACTOR_LENGTH],
        created_at=now,
        updated_at=now,
    )
    uow.session.add(shipment)
    flagged: list[Flagged] = []
    remaining = {line.id: still_expected(line) for line in po.lines}
    rows = []
    for (line, quantity, parcel), row_id in zip(resolved, new_ids("ibl", len(resolved)), strict=True):
        if quantity > remaining[line.id]:
            flagged.append(
                Flagged(
                    "over_shipment",
                    f"line {line.line_no} ({line.sku}): {quantity} declared, "
                    f"{remaining[line.id]} still expected",
                    line.line_no,
                )
            )
        remaining[line.id] = max(0, remaining[line.id] - quantity)
        line.shipped_quantity += quantity
        rows.append(
            InboundShipmentLine(
                id=row_id,
                merchant_id=merchant_id,
                inbound_shipment_id=shipment.id,
                purchase_order_line_id=line.id,
                sku=line.sku,
                quantity=quantity,
                parcel_seq=parcel,
                received_quantity=0,
                damaged_quantity=0,
            )
        )
    uow.session.add_all(rows)
    uow.flush()
    inbound.add_inbound_parcels(uow, merchant_id, shipment.id, parcels, now=now)
    purchase_orders.refresh_status(uow, po, now)
    skus = tuple(sorted({line.sku for line, _q, _p in resolved}))
    uow.record(InboundShipmentDeclared(merchant_id, po.id, shipment.id, skus, actor, now))
    uow.record(InboundExpectationChanged(merchant_id, skus, po.warehouse_id, CAUSE_SHIPPED, now))
    history.record(
        uow,
        po,
        actor,
        "asn_declared",
        {
            "inbound_shipment": shipment.number,
            "lines": [{"line_no": line.line_no, "sku": line.sku, "quantity": q} for line, q, _p in resolved],
            "parcels": [number for number, _carrier in parcels],
            "expected_arrival_date": data.expected_arrival_date,
            "flagged": [f.message for f in flagged],
        },
        at=now,
    )
    return Declared(shipment, flagged)


def cancel_inbound_shipment(
    uow: UnitOfWork, merchant_id: str, ref: str, *, actor: str, now: datetime | None = None
) -> InboundShipment:
    """Withdraw a notice nothing was counted in from: its units are no longer on their way
    (the lines' shipped quantities go down again) and its parcels are no longer followed.

    The parcels are removed, not kept as orphans: their scans, if any, go back to waiting
    unmatched, so the same tracking number can be declared again on a corrected notice."""
    now = now or utcnow()
    shipment = inbound_shipments.find_inbound_shipment(uow, merchant_id, ref, lock=True)
    if shipment.cancelled_at is not None:
        raise InboundShipmentAlreadyCancelled(f"inbound shipment {shipment.number} is already cancelled")
    if any(line.received_quantity or line.damaged_quantity for line in shipment.lines):
        raise InboundShipmentReceived(
            f"goods of inbound shipment {shipment.number} were counted in: it cannot be cancelled"
        )
    po = purchase_orders.find_purchase_order(uow, merchant_id, shipment.purchase_order_id, lock=True)
    by_id = {line.id: line for line in po.lines}
    for row in shipment.lines:
        line = by_id[row.purchase_order_line_id]
        line.shipped_quantity = max(0, line.shipped_quantity - row.quantity)
    uow.session.execute(
        delete(Parcel).where(Parcel.merchant_id == merchant_id, Parcel.inbound_shipment_id == shipment.id)
    )
    previous = shipment.status
    shipment.cancelled_at = now
    shipment.status = rules.InboundStatus.cancelled
    shipment.updated_at = now
    purchase_orders.refresh_status(uow, po, now)
    skus = tuple(sorted({row.sku for row in shipment.lines}))
    uow.record(
        InboundShipmentStatusChanged(
            merchant_id, po.id, shipment.id, previous, rules.InboundStatus.cancelled, now
        )
    )
    uow.record(InboundExpectationChanged(merchant_id, skus, po.warehouse_id, CAUSE_CANCELLED, now))
    history.record(uow, po, actor, "asn_cancelled", {"inbound_shipment": shipment.number}, at=now)
    return shipment


def views(
    uow: UnitOfWork, merchant_id: str, shipments: list[InboundShipment], flagged: list[Flagged] | None = None
) -> list[InboundShipmentOut]:
    """The notices as the API and the supplier's link show them, with their parcels' tracking
    status (two queries besides the notices themselves)."""
    po_ids = {s.purchase_order_id for s in shipments}
    orders = {po_id: purchase_orders.find_purchase_order(uow, merchant_id, po_id) for po_id in po_ids}
    line_nos = {line.id: line.line_no for po in orders.values() for line in po.lines}
    parcels = tracking_parcels.parcels_of_inbound_shipments(uow, merchant_id, [s.id for s in shipments])
    answers = []
    for shipment in shipments:
        po = orders[shipment.purchase_order_id]
        answers.append(
            InboundShipmentOut(
                id=shipment.id,
                number=shipment.number,
                purchase_order_id=po.id,
                purchase_order_number=po.number,
                seq=shipment.seq,
                status=shipment.status,
                carrier=shipment.carrier,
                expected_arrival_date=shipment.expected_arrival_date,
                declared_by=shipment.declared_by,
                lines=[
                    InboundShipmentLineOut(
                        line_no=line_nos[row.purchase_order_line_id],
                        sku=row.sku,
                        quantity=row.quantity,
                        parcel=row.parcel_seq,
                        received_quantity=row.received_quantity,
                        damaged_quantity=row.damaged_quantity,
                    )
                    for row in sorted(
                        shipment.lines, key=lambda r: (line_nos[r.purchase_order_line_id], r.parcel_seq or 0)
                    )
                ],
                parcels=[
                    InboundParcelOut(
                        id=p.id, tracking_number=p.tracking_number, carrier=p.carrier, status=p.status
                    )
                    for p in parcels.get(shipment.id, [])
                ],
                warnings=[
                    InboundWarning(code=w.code, message=w.message, line_no=w.line_no) for w in flagged or []
                ],
                arrival_estimate=shipment.arrival_estimate,
                arrival_basis=shipment.arrival_basis,
                attention=shipment.attention,
                attention_detail=shipment.attention_detail,
                attention_since=shipment.attention_at,
                arrived_at=shipment.arrived_at,
                cancelled_at=shipment.cancelled_at,
                created_at=shipment.created_at,
                updated_at=shipment.updated_at,
            )
        )
    return answers
