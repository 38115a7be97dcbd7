"""Shipping an order in a chunk, as ``fulfilment.shipping.create_shipment`` does for a
tracking-only merchant: the same allocation, packing and number rules (``shipments.rules``),
and the scans that came first claimed by the new parcels (``tracking.rules.claims``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, select

from ordertrack.carriers.tracking_numbers import validate_tracking_number
from ordertrack.kit.ids import new_id
from ordertrack.orders.status import check_action
from ordertrack.shipments import rules as shipment_rules
from ordertrack.shipments.schemas import ShipmentIn
from ordertrack.simulate.bulk.chunk import Chunk, ChunkParcel, ChunkShipment, Claim
from ordertrack.tracking import rules as tracking_rules
from ordertrack.tracking.model import TrackingEvent
from ordertrack.tracking.status import TrackingState


def create_shipment(chunk: Chunk, order_number: str, data: ShipmentIn, now: datetime) -> None:
    """A shipment of (part of) the order in one or more parcels; raises the services' refusals."""
    order_id = chunk.order_by_number.get(order_number)
    if order_id is None:
        chunk.report.refused["order_not_found"] += 1
        return
    order = chunk.orders[order_id]
    check_action("ship", chunk.order_status(order))
    shipped: dict[str, int] = defaultdict(int)
    for shipment_id in order.shipment_ids:
        for line_id, qty in chunk.shipments[shipment_id].quantities.items():
            shipped[line_id] += qty
    remaining = shipment_rules.remaining_quantities(order.lines, shipped)
    allocation = shipment_rules.allocate(order.lines, remaining, shipment_rules.requested_lines(data))
    boxes = shipment_rules.boxes(data)
    if any(box.tracking_number is None for box in boxes):
        # The services would issue the merchant's own numbers; a bulk load has none to give.
        chunk.report.refused["no_tracking_number"] += 1
        return
    numbers = [validate_tracking_number(data.carrier, box.tracking_number or "") for box in boxes]
    since = shipment_rules.recycled_after(now, chunk.window)
    for number in numbers:
        for parcel in chunk.by_number.get((number, data.carrier), ()):
            if shipment_rules.number_in_flight(parcel.created_at, chunk.state(parcel).status, since=since):
                raise shipment_rules.TrackingNumberInUse(f"tracking number {number} is in use")

    shipment = ChunkShipment(new_id("shp"), order.id, {}, None, check_at=now, touched_at=now)
    shipment.row = {
        "id": shipment.id,
        "merchant_id": chunk.merchant_id,
        "order_id": order.id,
        "warehouse": data.warehouse,
        "carrier": data.carrier,
        "service": data.service,
        "handed_over_at": None,
        "created_at": now,
    }
    for line_id, sku, qty in allocation:
        chunk.new_shipment_lines.append(
            {
                "id": new_id("sln"),
                "merchant_id": chunk.merchant_id,
                "shipment_id": shipment.id,
                "order_line_id": line_id,
                "sku": sku,
                "quantity": qty,
            }
        )
        shipment.quantities[line_id] = shipment.quantities.get(line_id, 0) + qty
    chunk.shipments[shipment.id] = shipment
    order.shipment_ids.append(shipment.id)
    if order.confirmed_at is None:
        order.confirmed_at = now  # shipping confirms the order
    order.touched_at = now
    chunk.report.shipments += 1

    new_parcels = []
    contents = shipment_rules.pack(allocation, boxes)
    for seq, (number, box, items) in enumerate(zip(numbers, boxes, contents, strict=True), start=1):
        parcel = ChunkParcel(
            new_id("pcl"), shipment.id, number, data.carrier, now, None, TrackingState(), False
        )
        parcel.row = {
            "id": parcel.id,
            "merchant_id": chunk.merchant_id,
            "shipment_id": shipment.id,
            "seq": seq,
            "tracking_number": number,
            "carrier": data.carrier,
            "weight_grams": box.weight_grams,
            "length_mm": box.length_mm,
            "width_mm": box.width_mm,
            "height_mm": box.height_mm,
            "next_poll_at": now if data.carrier in chunk.polled else None,
            "last_polled_at": None,
            "created_at": now,
        }
        for line_id, sku, qty in items:
            chunk.new_items.append(
                {
                    "id": new_id("pci"),
                    "merchant_id": chunk.merchant_id,
                    "parcel_id": parcel.id,
                    "order_line_id": line_id,
                    "sku": sku,
                    "quantity": qty,
                }
            )
        chunk.add_parcel(parcel, seq)
        new_parcels.append(parcel)
    _claim(chunk, new_parcels, now)


def _claim(chunk: Chunk, new_parcels: list[ChunkParcel], now: datetime) -> None:
    """As ``tracking.service.claim_events_for_new_parcels``: the chunk's own rows in memory, the
    stored ones as claims written after the new parcels."""
    new_ids = {p.id for p in new_parcels}
    touched = set(new_ids)
    for parcel in new_parcels:
        key = (parcel.tracking_number, parcel.carrier)
        older = {p.id for p in chunk.by_number[key] if p.id not in new_ids}
        since = tracking_rules.claim_since(parcel.created_at, chunk.window)
        moved = False
        for row in chunk.events_by_number.get(key, ()):
            if tracking_rules.claims(row["parcel_id"], row["occurred_at"], since=since, older=older):
                row["parcel_id"] = parcel.id
                moved = True
        if key in chunk.numbers_with_stored_events and _claims_stored(chunk, parcel, since, older):
            moved = True
            parcel.has_stored_events = True
            claim = Claim(parcel.id, parcel.tracking_number, parcel.carrier, since, frozenset(older))
            chunk.claims.append(claim)
        if moved:
            touched |= older
    for parcel_id in touched:
        parcel = chunk.parcels[parcel_id]
        parcel.state = None  # derived again from every event, as the service does
        chunk.touch(parcel, now)


def _claims_stored(chunk: Chunk, parcel: ChunkParcel, since: datetime, older: set[str]) -> bool:
    """Whether the new parcel takes any stored event (``tracking.rules.claims``, in SQL).

    Earlier claims of this chunk only moved stored events between parcels in ``owner``, so
    the stored owners still tell what this claim takes.
    """
    owner: ColumnElement[bool] = TrackingEvent.parcel_id.is_(None)
    if older:
        owner = owner | TrackingEvent.parcel_id.in_(sorted(older))
    stored = chunk.conn.execute(
        select(TrackingEvent.id)
        .where(
            TrackingEvent.merchant_id == chunk.merchant_id,
            TrackingEvent.tracking_number == parcel.tracking_number,
            TrackingEvent.carrier == parcel.carrier,
            TrackingEvent.occurred_at >= since,
            owner,
        )
        .limit(1)
    ).first()
    return stored is not None
