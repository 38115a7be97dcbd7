"""Placing an order in a chunk, as ``orders.service.place_order`` does (its customer upserted by
email, as ``customers.service.upsert_customer`` does)."""

from __future__ import annotations

from datetime import UTC, datetime

from ordertrack.kit.ids import new_id
from ordertrack.kit.number_keys import number_key
from ordertrack.orders.schemas import OrderIn
from ordertrack.simulate.bulk.chunk import Chunk, ChunkOrder, OrderLineFacts


def place_order(chunk: Chunk, data: OrderIn, now: datetime) -> None:
    """A new order with its lines, pending; a number already taken is refused."""
    if data.number in chunk.taken_numbers or data.number in chunk.order_by_number:
        chunk.report.refused["duplicate_order_number"] += 1
        return
    customer_id = _upsert_customer(chunk, data, now)
    address = data.shipping_address
    order_id = new_id("ord")
    lines = []
    for index, line in enumerate(data.lines, start=1):
        row = {
            "id": new_id("oln"),
            "merchant_id": chunk.merchant_id,
            "order_id": order_id,
            "line_no": index,
            "sku": line.sku,
            "name": line.name or chunk.product_names.get(line.sku),
            "quantity": line.quantity,
            "unit_price": line.unit_price,
        }
        chunk.new_lines.append(row)
        lines.append(OrderLineFacts(row["id"], line.sku, line.quantity))
    order = ChunkOrder(order_id, customer_id, lines, None, False, [], None, touched_at=now)
    order.row = {
        "id": order_id,
        "merchant_id": chunk.merchant_id,
        "number": data.number,
        "number_key": number_key(data.number),
        "customer_id": customer_id,
        "currency": data.currency,
        "placed_at": data.placed_at.astimezone(UTC),
        "source": data.source,
        "ship_name": address.name or data.customer.name,
        "ship_line1": address.line1,
        "ship_line2": address.line2,
        "ship_city": address.city,
        "ship_region": address.region,
        "ship_postal_code": address.postal_code,
        "ship_country": address.country,
        "confirmed_at": None,
        "cancelled_at": None,
        "created_at": now,
        "updated_at": now,
    }
    chunk.orders[order_id] = order
    chunk.order_by_number[data.number] = order_id
    chunk.report.orders += 1


def _upsert_customer(chunk: Chunk, data: OrderIn, now: datetime) -> str:
    """The customer with the order's email (lower case), newer details winning; its id."""
    email = data.customer.email.lower()
    customer = chunk.customers.get(email)
    if customer is None:
        customer = {"id": new_id("cus"), "merchant_id": chunk.merchant_id, "email": email, "created_at": now}
        customer.update(name=None, phone=None, locale=None, timezone=None)
        chunk.customers[email] = customer
        chunk.new_customers.add(email)
    for name in ("name", "phone", "locale"):
        value = getattr(data.customer, name)
        if value is not None and customer[name] != value:
            customer[name] = value
            chunk.changed_customers.add(email)
    return str(customer["id"])
