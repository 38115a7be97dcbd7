"""The orders list as a CSV file: exactly the orders the list's filters let through, newest placed
first, written as it is read (a batch per short read transaction), so an export of a year of
orders neither holds the whole list in memory nor a transaction open while it downloads.

Cells that a spreadsheet would read as a formula (text starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return, as OWASP's "CSV injection" page lists) are written with a leading
``'``: a customer named ``=HYPERLINK(...)`` stays text when support opens the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from ordertrack.customers import service as customers_service
from ordertrack.customers.model import Customer
from ordertrack.db.uow import Database
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order
from ordertrack.orders.service import OrderFilters
from ordertrack.shipments import service as shipments_service
from ordertrack.shipments.model import Shipment

COLUMNS = (
    "order_number",
    "placed_at",
    "status",
    "needs_attention",
    "customer_name",
    "customer_email",
    "customer_phone",
    "ship_to_name",
    "ship_to_line1",
    "ship_to_line2",
    "ship_to_city",
    "ship_to_region",
    "ship_to_postal_code",
    "ship_to_country",
    "currency",
    "total",
    "items",
    "estimated_delivery_earliest",
    "estimated_delivery_latest",
    "carriers",
    "tracking_numbers",
    "order_id",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500


def safe_cell(value: object) -> str:
    """The cell's text, with a leading ``'`` when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def order_row(order: Order, customer: Customer | None, shipments: Sequence[Shipment]) -> list[str]:
    """One order as a CSV row, in the order of :data:`COLUMNS`."""
    total = sum((line.unit_price * line.quantity for line in order.lines), Decimal(0))
    carriers = sorted({s.carrier for s in shipments if s.carrier})
    numbers = [p.tracking_number for s in shipments for p in s.parcels]
    text = [
        order.number,
        None,
        None,
        None,
        customer.name if customer else None,
        customer.email if customer else None,
        customer.phone if customer else None,
        order.ship_name,
        order.ship_line1,
        order.ship_line2,
        order.ship_city,
        order.ship_region,
        order.ship_postal_code,
        order.ship_country,
    ]
    row = [safe_cell(value) for value in text]
    # Values the product writes itself (times, statuses, amounts) cannot start a formula.
    row[1] = _instant(order.placed_at)
    row[2] = str(order.status)
    row[3] = "yes" if order.attention else "no"
    row += [
        order.currency,
        f"{total:.2f}",
        str(sum(line.quantity for line in order.lines)),
        order.edd_earliest.isoformat() if order.edd_earliest else "",
        order.edd_latest.isoformat() if order.edd_latest else "",
        " ".join(carriers),
        " ".join(safe_cell(number) for number in numbers),
        order.id,
    ]
    return row


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _encode(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_chunks(db: Database, merchant_id: str, filters: OrderFilters) -> Iterator[bytes]:
    """The file, a batch of orders at a time: a UTF-8 byte order mark (so spreadsheets read
    accents right), the header, then every order the filters let through."""
    yield "\ufeff".encode() + _encode([COLUMNS])
    after: tuple[datetime, str] | None = None
    while True:
        with db.uow(write=False) as uow:
            orders = orders_service.orders_for_export(uow, merchant_id, filters, after=after, size=BATCH)
            ids = [order.id for order in orders]
            customers = customers_service.get_customers(
                uow, merchant_id, {o.customer_id for o in orders if o.customer_id}
            )
            shipments = shipments_service.shipments_for_orders(uow, merchant_id, ids) if ids else {}
            rows = [
                order_row(order, customers.get(order.customer_id or ""), shipments.get(order.id, []))
                for order in orders
            ]
        if rows:
            yield _encode(rows)
        if len(orders) < BATCH:
            return
        after = (orders[-1].placed_at, orders[-1].id)
