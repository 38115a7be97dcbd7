"""Reading what a chunk's records touch, in a few statements per table whatever the chunk's size."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ordertrack.catalog.model import Product
from ordertrack.customers.model import Customer
from ordertrack.orders.model import Order, OrderLine
from ordertrack.shipments import rules as shipment_rules
from ordertrack.shipments.model import Shipment, ShipmentLine
from ordertrack.simulate.bulk.chunk import Chunk, ChunkOrder, ChunkParcel, ChunkShipment, OrderLineFacts
from ordertrack.simulate.bulk.reading import Prepared
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking.model import Parcel, TrackingEvent
from ordertrack.tracking.status import ParcelFacts


def prefetch(chunk: Chunk, items: list[Prepared]) -> None:
    """Read everything the records name: order numbers, customers, products, event keys, and
    every order (with its shipments and parcels) a record ships or scans."""
    m = chunk.merchant_id
    numbers: set[str] = set()
    shipped_numbers: set[str] = set()
    order_numbers: set[str] = set()
    referenced: set[str] = set()
    emails: set[str] = set()
    skus: set[str] = set()
    keys: set[str] = set()
    for item in items:
        body = item.body
        if item.kind == "order":
            order_numbers.add(body.number)
            emails.add(body.customer.email.lower())
            skus.update(line.sku for line in body.lines)
        elif item.kind == "shipment":
            referenced.add(item.order_number or "")
            for parcel in shipment_rules.boxes(body):
                if parcel.tracking_number:
                    shipped_numbers.add(parcel.tracking_number)
        else:
            for row in body:
                if "repeat" not in row:
                    numbers.add(row["tracking_number"])
                    keys.add(row["dedupe_key"])
    numbers |= shipped_numbers
    chunk.taken_numbers = {
        number
        for (number,) in chunk.rows_in(
            lambda part: select(Order.number).where(Order.merchant_id == m, chunk.member(Order.number, part)),
            order_numbers,
        )
    }
    chunk.stored_keys = {
        key
        for (key,) in chunk.rows_in(
            lambda part: select(TrackingEvent.dedupe_key).where(
                TrackingEvent.merchant_id == m, chunk.member(TrackingEvent.dedupe_key, part)
            ),
            keys,
        )
    }
    chunk.numbers_with_stored_events = {
        (number, carrier)
        for number, carrier in chunk.rows_in(
            lambda part: (
                select(TrackingEvent.tracking_number, TrackingEvent.carrier)
                .where(TrackingEvent.merchant_id == m, chunk.member(TrackingEvent.tracking_number, part))
                .distinct()
            ),
            shipped_numbers,
        )
    }
    for row in chunk.rows_in(
        lambda part: select(Customer).where(Customer.merchant_id == m, chunk.member(Customer.email, part)),
        emails,
    ):
        chunk.customers[row.email] = {c.name: getattr(row, c.name) for c in Customer.__table__.columns}
    chunk.product_names = dict(
        chunk.rows_in(
            lambda part: select(Product.sku, Product.name).where(
                Product.merchant_id == m, chunk.member(Product.sku, part)
            ),
            skus,
        )
    )
    shipment_ids = {
        row.shipment_id
        for row in chunk.rows_in(
            lambda part: select(Parcel.shipment_id).where(
                Parcel.merchant_id == m, chunk.member(Parcel.tracking_number, part)
            ),
            numbers,
        )
        if row.shipment_id is not None  # a supplier's inbound parcel is no order's
    }
    order_ids = {
        row.id
        for row in chunk.rows_in(
            lambda part: select(Order.id).where(Order.merchant_id == m, chunk.member(Order.number, part)),
            referenced,
        )
    }
    order_ids |= {
        row.order_id
        for row in chunk.rows_in(
            lambda part: select(Shipment.order_id).where(
                Shipment.merchant_id == m, chunk.member(Shipment.id, part)
            ),
            shipment_ids,
        )
    }
    _load_orders(chunk, order_ids)


def _load_orders(chunk: Chunk, order_ids: set[str]) -> None:
    """The orders, every shipment of theirs and every parcel of those, as stored."""
    m = chunk.merchant_id
    lines_of: dict[str, list[tuple[int, OrderLineFacts]]] = defaultdict(list)
    for row in chunk.rows_in(
        lambda part: select(Order).where(Order.merchant_id == m, chunk.member(Order.id, part)), order_ids
    ):
        chunk.orders[row.id] = ChunkOrder(
            row.id,
            row.customer_id,
            [],
            row.confirmed_at,
            row.cancelled_at is not None,
            [],
            (row.status, row.confirmed_at),
        )
        chunk.order_by_number[row.number] = row.id
    for row in chunk.rows_in(
        lambda part: select(OrderLine).where(
            OrderLine.merchant_id == m, chunk.member(OrderLine.order_id, part)
        ),
        order_ids,
    ):
        lines_of[row.order_id].append((row.line_no, OrderLineFacts(row.id, row.sku, row.quantity)))
    for order_id, lines in lines_of.items():
        chunk.orders[order_id].lines = [line for _, line in sorted(lines, key=lambda pair: pair[0])]
    for row in chunk.rows_in(
        lambda part: select(Shipment).where(Shipment.merchant_id == m, chunk.member(Shipment.order_id, part)),
        order_ids,
    ):
        chunk.shipments[row.id] = ChunkShipment(
            row.id, row.order_id, {}, ParcelFacts(row.status, row.reason, row.delivered_at)
        )
    for shipment in sorted(chunk.shipments.values(), key=lambda s: s.id):
        chunk.orders[shipment.order_id].shipment_ids.append(shipment.id)
    for row in chunk.rows_in(
        lambda part: select(
            ShipmentLine.shipment_id, ShipmentLine.order_line_id, ShipmentLine.quantity
        ).where(ShipmentLine.merchant_id == m, chunk.member(ShipmentLine.shipment_id, part)),
        chunk.shipments,
    ):
        quantities = chunk.shipments[row.shipment_id].quantities
        quantities[row.order_line_id] = quantities.get(row.order_line_id, 0) + row.quantity
    for row in chunk.rows_in(
        lambda part: select(Parcel).where(Parcel.merchant_id == m, chunk.member(Parcel.shipment_id, part)),
        chunk.shipments,
    ):
        ref = tracking_parcels.parcel_ref(row)
        parcel = ChunkParcel(
            row.id,
            row.shipment_id,
            row.tracking_number,
            row.carrier,
            row.created_at,
            ref.state,
            ref.state,
            row.event_count > 0,
        )
        chunk.add_parcel(parcel, row.seq)
