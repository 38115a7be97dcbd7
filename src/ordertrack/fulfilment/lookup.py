"""Where is it? The tracking lookup by number (``GET /api/v1/tracking/{number}``).

A read across three features for one answer: the newest parcel with the number
(tracking), the promise of its shipment (shipments) and its order's number (orders), read
in one statement so the hot path stays two round trips. Read models in this layer may join
the tables of the features below them; they never write them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select

from ordertrack.db.reader import Reader
from ordertrack.eta.schemas import estimate_out
from ordertrack.orders.model import Order
from ordertrack.shipments.model import Shipment
from ordertrack.statuses import ShipmentStatus
from ordertrack.suppliers.model import InboundShipment
from ordertrack.tracking import timeline as tracking_timeline
from ordertrack.tracking.model import Parcel
from ordertrack.tracking.schemas import OrderRef, TrackingOut

_TRACKED_PARCEL = (
    select(
        Parcel.id,
        Parcel.tracking_number,
        Parcel.carrier,
        Parcel.status,
        Parcel.reason,
        Parcel.delivered_at,
        Parcel.shipment_id,
        Shipment.order_id,
        Order.number,
        Shipment.edd_earliest,
        Shipment.edd_latest,
        Shipment.edd_most_likely,
    )
    .join(Shipment, Shipment.id == Parcel.shipment_id)
    .join(Order, Order.id == Shipment.order_id)
    .where(
        Parcel.merchant_id == bindparam("merchant_id"),
        Parcel.tracking_number == bindparam("tracking_number"),
    )
    .order_by(Parcel.created_at.desc(), Parcel.id.desc())
    .limit(1)
)
_TRACKED_PARCEL_OF_CARRIER = _TRACKED_PARCEL.where(Parcel.carrier == bindparam("carrier"))

# A supplier's parcel is one of the merchant's parcels too: asked only when no order's carries it.
_INBOUND_PARCEL = (
    select(
        Parcel.id,
        Parcel.tracking_number,
        Parcel.carrier,
        Parcel.status,
        Parcel.reason,
        Parcel.delivered_at,
        Parcel.inbound_shipment_id,
        InboundShipment.arrival_estimate,
    )
    .join(InboundShipment, InboundShipment.id == Parcel.inbound_shipment_id)
    .where(
        Parcel.merchant_id == bindparam("merchant_id"),
        Parcel.tracking_number == bindparam("tracking_number"),
    )
    .order_by(Parcel.created_at.desc(), Parcel.id.desc())
    .limit(1)
)
_INBOUND_PARCEL_OF_CARRIER = _INBOUND_PARCEL.where(Parcel.carrier == bindparam("carrier"))


async def lookup_tracking(
    reader: Reader, merchant_id: str, tracking_number: str, carrier: str | None = None
) -> TrackingOut:
    """The unified tracking of a number: its newest parcel of an order, else of a supplier's
    inbound shipment, else the scans nobody claimed yet."""
    params = {"merchant_id": merchant_id, "tracking_number": tracking_number}
    statement = _TRACKED_PARCEL
    if carrier:
        statement = _TRACKED_PARCEL_OF_CARRIER
        params["carrier"] = carrier.lower()
    rows = await reader.fetch(statement, params)
    if not rows:
        inbound = await reader.fetch(_INBOUND_PARCEL_OF_CARRIER if carrier else _INBOUND_PARCEL, params)
        if inbound:
            return await _inbound_tracking(reader, merchant_id, inbound[0])
        return await tracking_timeline.unclaimed_tracking(reader, merchant_id, tracking_number, carrier)
    (parcel_id, number, carrier_slug, status, reason, delivered_at, shipment_id, order_id, order_number,
     earliest, latest, most_likely) = rows[0]  # fmt: skip
    events = await tracking_timeline.parcel_timeline(reader, merchant_id, parcel_id)
    return TrackingOut(
        tracking_number=number,
        carrier=carrier_slug,
        status=ShipmentStatus(status),
        reason=reason,
        delivered_at=delivered_at,
        matched=True,
        shipment_id=shipment_id,
        order=OrderRef(id=order_id, number=order_number),
        estimated_delivery=estimate_out(earliest, latest, most_likely),
        event_count=len(events),
        events=events,
    )


async def _inbound_tracking(reader: Reader, merchant_id: str, row: Sequence[Any]) -> TrackingOut:
    """The tracking of a supplier's parcel: no order, its inbound shipment, its expected arrival."""
    parcel_id, number, carrier_slug, status, reason, delivered_at, inbound_shipment_id, expected = row
    events = await tracking_timeline.parcel_timeline(reader, merchant_id, parcel_id)
    return TrackingOut(
        tracking_number=number,
        carrier=carrier_slug,
        status=ShipmentStatus(status),
        reason=reason,
        delivered_at=delivered_at,
        matched=True,
        shipment_id=None,
        order=None,
        estimated_delivery=estimate_out(expected, expected, expected),
        inbound_shipment_id=inbound_shipment_id,
        event_count=len(events),
        events=events,
    )
