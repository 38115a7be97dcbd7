"""Reading what the dock counted: a purchase order's or notice's receipts and their photos,
the discrepancies per line (shown on the PO page, to the supplier's link and in the API), and
the inbound shipments still to be counted. Counting itself is
:mod:`ordertrack.suppliers.receiving`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import NotFound
from ordertrack.suppliers import counting
from ordertrack.suppliers.counting import Tally
from ordertrack.suppliers.model import (
    InboundShipment,
    InboundShipmentLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    Supplier,
)
from ordertrack.suppliers.purchase_orders import line_facts


def asn_tally(line: InboundShipmentLine) -> Tally:
    return Tally(line.quantity, line.received_quantity, line.damaged_quantity)


def po_tally(line: PurchaseOrderLine) -> Tally:
    return Tally(line_facts(line).expected, line.received_quantity, line.damaged_quantity)


def receipts_of(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    purchase_order_id: str | None = None,
    inbound_shipment_id: str | None = None,
) -> list[Receipt]:
    """The counts of a PO or of an ASN, oldest first (photos not loaded)."""
    query = (
        select(Receipt)
        .where(Receipt.merchant_id == merchant_id)
        .options(defer(Receipt.photo))
        .order_by(Receipt.created_at, Receipt.id)
    )
    if purchase_order_id is not None:
        query = query.where(Receipt.purchase_order_id == purchase_order_id)
    if inbound_shipment_id is not None:
        query = query.where(Receipt.inbound_shipment_id == inbound_shipment_id)
    return list(uow.session.scalars(query))


class ReceiptNotFound(NotFound):
    code = "receipt_not_found"


def receipt_photo(uow: UnitOfWork, merchant_id: str, receipt_id: str) -> tuple[bytes, str]:
    """A count's photo and its type (404 when the count or its photo is not there)."""
    row = uow.session.execute(
        select(Receipt.photo, Receipt.photo_type).where(
            Receipt.merchant_id == merchant_id, Receipt.id == receipt_id
        )
    ).first()
    if row is None or row.photo is None:
        raise ReceiptNotFound(f"no photo for receipt {receipt_id!r}")
    return row.photo, row.photo_type or "application/octet-stream"


@dataclass(frozen=True)
class InboundLineDiscrepancy:
    inbound_shipment_id: str
    inbound_shipment_number: str
    tally: Tally


@dataclass(frozen=True)
class LineDiscrepancy:
    """A PO line whose counts differ from what was declared or ordered, with the ASN lines that
    differ and the notes and photos of its counts.

    ``missing``: units an ASN declared that its count did not find (a line left uncounted on a
    counted ASN did not arrive); ``over``: units beyond the order, or beyond what an ASN
    declared; ``damaged``: units counted unusable. Units not yet shipped are not missing."""

    line_no: int
    sku: str
    expected: int
    received: int
    damaged: int
    missing: int
    over: int
    inbound: list[InboundLineDiscrepancy]
    notes: list[str]
    photo_receipt_ids: list[str]

    @property
    def outcome(self) -> counting.CountOutcome:
        if self.over:
            return counting.CountOutcome.over
        if self.damaged:
            return counting.CountOutcome.damaged
        return counting.CountOutcome.short


def discrepancies(uow: UnitOfWork, merchant_id: str, po: PurchaseOrder) -> list[LineDiscrepancy]:
    """The lines of ``po`` where what was counted differs from what was expected."""
    asns = list(
        uow.session.scalars(
            select(InboundShipment)
            .where(InboundShipment.merchant_id == merchant_id, InboundShipment.purchase_order_id == po.id)
            .options(selectinload(InboundShipment.lines))
            .order_by(InboundShipment.seq)
        )
    )
    receipts = receipts_of(uow, merchant_id, purchase_order_id=po.id)
    counted_asns = {r.inbound_shipment_id for r in receipts if r.inbound_shipment_id}
    inbound_by_line: dict[str, list[InboundLineDiscrepancy]] = {}
    for asn in asns:
        if asn.id not in counted_asns:
            continue
        for line in asn.lines:
            tally = asn_tally(line)
            if tally.discrepancy:
                inbound_by_line.setdefault(line.purchase_order_line_id, []).append(
                    InboundLineDiscrepancy(asn.id, asn.number, tally)
                )
    found = []
    for line in po.lines:
        tally = po_tally(line)
        inbound = inbound_by_line.get(line.id, [])
        missing = sum(i.tally.missing for i in inbound)
        over = max(tally.over, sum(i.tally.over for i in inbound))
        if not (missing or over or line.damaged_quantity):
            continue
        own = [r for r in receipts if r.purchase_order_line_id == line.id]
        found.append(
            LineDiscrepancy(
                line_no=line.line_no,
                sku=line.sku,
                expected=tally.expected,
                received=line.received_quantity,
                damaged=line.damaged_quantity,
                missing=missing,
                over=over,
                inbound=inbound,
                notes=[r.note for r in own if r.note],
                photo_receipt_ids=[r.id for r in own if r.photo_type],
            )
        )
    return found


@dataclass(frozen=True)
class AwaitedShipment:
    """An inbound shipment the dock may see next: not yet counted in full, not cancelled."""

    id: str
    number: str
    status: str
    purchase_order_number: str
    supplier_name: str
    expected_arrival_date: date | None
    lines: int
    units: int


def awaited_shipments(uow: UnitOfWork, merchant_id: str, limit: int = 30) -> list[AwaitedShipment]:
    """The merchant's inbound shipments still to be counted, soonest expected first."""
    query = (
        select(
            InboundShipment.id,
            InboundShipment.number,
            InboundShipment.status,
            PurchaseOrder.number,
            Supplier.name,
            InboundShipment.expected_arrival_date,
            func.count(InboundShipmentLine.id),
            func.coalesce(func.sum(InboundShipmentLine.quantity), 0),
        )
        .join(PurchaseOrder, PurchaseOrder.id == InboundShipment.purchase_order_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .outerjoin(InboundShipmentLine, InboundShipmentLine.inbound_shipment_id == InboundShipment.id)
        .where(
            InboundShipment.merchant_id == merchant_id,
            InboundShipment.status.not_in(("received", "cancelled")),
        )
        .group_by(InboundShipment.id, PurchaseOrder.number, Supplier.name)
        .order_by(
            InboundShipment.expected_arrival_date.is_(None),
            InboundShipment.expected_arrival_date,
            InboundShipment.id,
        )
        .limit(limit)
    )
    return [AwaitedShipment(*row) for row in uow.session.execute(query)]
