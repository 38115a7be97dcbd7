"""Receiving, as the dock does it: find the inbound shipment from whatever was scanned (its
number, or the tracking number of one of its parcels), count its lines in
(:func:`ordertrack.suppliers.receiving.receive`), and derive the inbound shipment's status
again (:func:`ordertrack.purchasing.inbound.rederive_inbound_shipments`), which also depends
on its parcels.

This sits in purchasing because it spans suppliers and tracking; the counting itself, the
stock ledger and the backorders are the suppliers and inventory features'.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import NotFound
from ordertrack.kit.number_keys import number_key
from ordertrack.purchasing import inbound
from ordertrack.suppliers import inbound_shipments, purchase_orders, receiving
from ordertrack.suppliers.inbound_shipments import InboundShipmentNotFound
from ordertrack.suppliers.model import InboundShipment, PurchaseOrder
from ordertrack.tracking.model import Parcel

# What a scanner or a thumb may type: a tracking number's letters, digits, spaces and dashes.
_GAPS = re.compile(r"[\s\u00a0]+")


class NothingScanned(NotFound):
    code = "inbound_shipment_not_found"


def find_scanned(uow: UnitOfWork, merchant_id: str, scanned: str) -> InboundShipment | PurchaseOrder:
    """The merchant's inbound shipment by what the dock scanned or typed: its id or number, or
    the tracking number of one of its parcels; or a purchase order's number (its one notice on
    the way, or the order itself when goods came without one). Another merchant's is never
    found, and an outbound parcel's number finds nothing."""
    text = scanned.strip()[:100]
    if not text or not number_key(text):
        raise NothingScanned("scan or type the inbound shipment's number or a tracking number")
    try:
        return receiving.find_inbound_shipment(uow, merchant_id, text)
    except InboundShipmentNotFound:
        pass
    tracking_number = _GAPS.sub("", text).upper()
    found = uow.session.scalars(
        select(Parcel.inbound_shipment_id)
        .where(
            Parcel.merchant_id == merchant_id,
            Parcel.tracking_number == tracking_number,
            Parcel.inbound_shipment_id.is_not(None),
        )
        .order_by(Parcel.created_at.desc())
        .limit(1)
    ).first()
    if found is None:
        return _by_purchase_order(uow, merchant_id, text)
    return receiving.find_inbound_shipment(uow, merchant_id, found)


def _by_purchase_order(uow: UnitOfWork, merchant_id: str, text: str) -> InboundShipment | PurchaseOrder:
    """A purchase order's number scanned from its papers: its one notice still to count, or
    say which there are; an open order with none on its way is counted by its own lines."""
    try:
        po = purchase_orders.find_purchase_order(uow, merchant_id, text)
    except purchase_orders.PurchaseOrderNotFound:
        raise NothingScanned(
            f"nothing inbound matches {text!r}: no inbound shipment has that number or tracking number"
        ) from None
    waiting = [
        asn
        for asn in inbound_shipments.of_purchase_order(uow, merchant_id, po.id)
        if asn.status not in ("received", "cancelled")
    ]
    if len(waiting) == 1:
        return waiting[0]
    if not waiting:
        if po.sent_at is None or po.cancelled_at is not None or po.status == "received":
            raise NothingScanned(f"purchase order {po.number} is {po.status}: nothing is expected on it")
        return po  # goods that came without a notice are counted against the order's lines
    numbers = ", ".join(asn.number for asn in waiting)
    raise NothingScanned(
        f"purchase order {po.number} has {len(waiting)} shipments on their way: scan one of {numbers}"
    )


def receive(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    purchase_order_ref: str | None = None,
    inbound_shipment_ref: str | None = None,
    counts: Sequence[receiving.LineCount],
    actor: str,
    request_key: str | None = None,
    now: datetime,
) -> receiving.ReceivingResult:
    """Count lines in (see :func:`ordertrack.suppliers.receiving.receive`), then derive the
    status of the inbound shipments the counts touched."""
    result = receiving.receive(
        uow,
        merchant_id,
        purchase_order_ref=purchase_order_ref,
        inbound_shipment_ref=inbound_shipment_ref,
        counts=counts,
        actor=actor,
        request_key=request_key,
        now=now,
    )
    if result.inbound_shipment is not None and result.counted_anything:
        # Now, not only when GoodsReceived is handled at commit: the answer shows the status.
        inbound.rederive_inbound_shipments(uow, merchant_id, [result.inbound_shipment.id], now)
    return result
