"""Order use cases: place, look up, list, confirm, cancel, and keep the derived status true."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from ordertrack.attention import service as attention_service
from ordertrack.attention.schemas import item_out
from ordertrack.catalog import service as catalog_service
from ordertrack.customers import service as customers_service
from ordertrack.customers.schemas import CustomerOut
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import promises
from ordertrack.eta.schemas import EstimateRevisionOut, estimate_out
from ordertrack.events import OrderConfirmed, OrderPlaced, OrderStatusChanged
from ordertrack.inventory import reservations
from ordertrack.inventory.reservations import OrderToHold
from ordertrack.inventory.rules import LineNeed
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.kit.number_keys import number_key
from ordertrack.kit.pagination import Page
from ordertrack.orders import repository
from ordertrack.orders.model import Order, OrderLine
from ordertrack.orders.schemas import AddressOut, OrderIn, OrderLineOut, OrderOut
from ordertrack.orders.status import (
    DerivedOrder,
    OrderFacts,
    OrderStatus,
    ShipmentFacts,
    check_action,
    derive_order_status,
)
from ordertrack.shipments import service as shipments_service


class OrderNotFound(NotFound):
    code = "order_not_found"


class DuplicateOrderNumber(Conflict):
    code = "duplicate_order_number"


class UnreadableOrderNumber(Unprocessable):
    code = "unreadable_order_number"


def place_order(uow: UnitOfWork, merchant_id: str, data: OrderIn, *, now: datetime | None = None) -> Order:
    """A new pending order; ``now`` (default the wall clock) stamps it and a new customer."""
    now = now or utcnow()
    if repository.number_taken(uow, merchant_id, data.number):
        raise DuplicateOrderNumber(f"order number {data.number!r} is already taken")
    key = number_key(data.number)
    if not key:
        raise UnreadableOrderNumber(
            f"order number {data.number!r} has no letter or digit: '#', spaces and dashes are "
            "ignored when shoppers and staff look numbers up"
        )
    if (alike := repository.number_with_key(uow, merchant_id, key)) is not None:
        raise DuplicateOrderNumber(
            f"order number {data.number!r} reads as the existing {alike!r}: numbers are looked up "
            "ignoring case, '#', spaces and dashes, so the two could not be told apart"
        )
    customer = customers_service.upsert_customer(uow, merchant_id, data.customer, now=now)
    names = catalog_service.product_names(uow, merchant_id, {line.sku for line in data.lines})
    address = data.shipping_address
    order = Order(
        id=new_id("ord"),
        merchant_id=merchant_id,
        number=data.number,
        customer_id=customer.id,
        currency=data.currency,
        placed_at=data.placed_at.astimezone(UTC),
        source=data.source,
        ship_name=address.name or data.customer.name,
        ship_line1=address.line1,
        ship_line2=address.line2,
        ship_city=address.city,
        ship_region=address.region,
        ship_postal_code=address.postal_code,
        ship_country=address.country,
        status=OrderStatus.pending,
        attention=False,
        created_at=now,
        updated_at=now,
    )
    order.lines = [
        OrderLine(
            id=new_id("oln"),
            merchant_id=merchant_id,
            line_no=index,
            sku=line.sku,
            name=line.name or names.get(line.sku),
            quantity=line.quantity,
            unit_price=line.unit_price,
        )
        for index, line in enumerate(data.lines, start=1)
    ]
    repository.add_order(uow, order)
    # Its first promise (the checks' handler of OrderPlaced), read back by the caller.
    uow.record(OrderPlaced(merchant_id, order.id, order.created_at))
    uow.settle()
    return order


def find_order(uow: UnitOfWork, merchant_id: str, id_or_number: str, *, lock: bool = False) -> Order:
    """The merchant's order by id or by its number; another merchant's order is not found."""
    order = repository.order_with_id_or_number(uow, merchant_id, id_or_number, lock=lock)
    if order is None:
        raise OrderNotFound(f"no order {id_or_number!r}")
    return order


class Placement(NamedTuple):
    """When and to where an order was placed (what learning from past deliveries reads)."""

    placed_at: datetime
    country: str | None
    region: str | None


def placements(uow: UnitOfWork, merchant_id: str, ids: Iterable[str]) -> dict[str, Placement]:
    """Each of these orders' placement time and destination, without its lines."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = repository.placement_rows(uow, merchant_id, wanted)
    return {order_id: Placement(placed_at, country, region) for order_id, placed_at, country, region in rows}


def orders_by_id(uow: UnitOfWork, merchant_id: str, ids: Iterable[str]) -> dict[str, Order]:
    """The merchant's orders with these ids, with their lines (missing ones are left out)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return repository.orders_with_lines(uow, merchant_id, wanted)


def customers_of_orders(uow: UnitOfWork, merchant_id: str, ids: Iterable[str]) -> dict[str, str | None]:
    """Each of these orders' customer id (None: an order without one); missing orders are left out."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return repository.customer_ids_of_orders(uow, merchant_id, wanted)


@dataclass(frozen=True)
class OrderFilters:
    """What an order list is narrowed to: support's search text and the filters beside it."""

    text: str | None = None
    status: OrderStatus | None = None
    attention: bool | None = None
    placed_from: datetime | None = None  # inclusive
    placed_to: datetime | None = None  # exclusive


@dataclass(frozen=True)
class OrderList:
    """A page of orders newest placed first, the cursors of the pages beside it, and how many
    orders the filters let through in all (None when not counted)."""

    items: list[Order]
    older: str | None
    newer: str | None
    total: int | None


def _conditions(merchant_id: str, filters: OrderFilters) -> list[Any]:
    text = " ".join((filters.text or "").split())
    if not text:
        return repository.list_conditions(
            merchant_id,
            status=filters.status,
            attention=filters.attention,
            placed_from=filters.placed_from,
            placed_to=filters.placed_to,
        )
    # Support types a part of the number (any case, with or without '#', spaces, dashes), a
    # customer's name, email or phone, or a tracking number: an order matching any of them is found.
    return repository.list_conditions(
        merchant_id,
        number_fragment=number_key(text) or None,
        name_words=text.split(),
        customer_ids=customers_service.customers_matching(merchant_id, text),
        order_ids=shipments_service.orders_with_tracking_number_holding(merchant_id, text),
        status=filters.status,
        attention=filters.attention,
        placed_from=filters.placed_from,
        placed_to=filters.placed_to,
    )


def search_orders(
    uow: UnitOfWork,
    merchant_id: str,
    filters: OrderFilters,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int,
    count: bool = False,
) -> OrderList:
    """The merchant's orders passing ``filters``, newest placed first: the page older than the
    order ``after`` names, newer than the one ``before`` names, or the first. Read-only; the
    dashboard's list and the API's. A cursor naming no order of the merchant is InvalidCursor."""
    conditions = _conditions(merchant_id, filters)
    page = repository.placed_page(uow, merchant_id, conditions, after=after, before=before, limit=limit)
    total = repository.count_where(uow, conditions) if count else None
    return OrderList(page.items, page.older, page.newer, total)


def list_orders(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    status: OrderStatus | None,
    attention: bool | None,
    cursor: str | None,
    limit: int,
    text: str | None = None,
) -> Page[Order]:
    """The API's list: newest placed first; the cursor is the id of the previous page's last order."""
    found = search_orders(
        uow,
        merchant_id,
        OrderFilters(text=text, status=status, attention=attention),
        after=cursor or None,
        limit=limit,
    )
    return Page(found.items, found.older)


def orders_for_export(
    uow: UnitOfWork,
    merchant_id: str,
    filters: OrderFilters,
    *,
    after: tuple[datetime, str] | None,
    size: int = 500,
) -> list[Order]:
    """The next ``size`` orders passing ``filters`` (with their lines), newest placed first, older
    than ``after`` = (placed_at, id) of the last one written: an export reads a batch per short
    transaction instead of holding one open while a slow client downloads."""
    return repository.batch_where(uow, _conditions(merchant_id, filters), after, size)


def _derive(order: Order, shipments: list[ShipmentFacts]) -> DerivedOrder:
    return derive_order_status(
        OrderFacts(
            ordered={line.id: line.quantity for line in order.lines},
            confirmed=order.confirmed_at is not None,
            cancelled=order.cancelled_at is not None,
            shipments=shipments,
        )
    )


def _rederive(uow: UnitOfWork, merchant_id: str, order: Order) -> None:
    facts = shipments_service.shipment_facts(uow, merchant_id, [order.id]).get(order.id, [])
    _store(uow, order, _derive(order, facts))


def _store(uow: UnitOfWork, order: Order, derived: DerivedOrder) -> None:
    if order.status != derived.status:
        uow.record(OrderStatusChanged(order.merchant_id, order.id, str(order.status), str(derived.status)))
        order.status = derived.status
        order.updated_at = utcnow()
        uow.record_page_change(order_id=order.id)


def set_attention(uow: UnitOfWork, merchant_id: str, flags: Mapping[str, bool]) -> None:
    """Whether each order needs attention: one of its shipments has an open attention item (the
    one rule, :mod:`ordertrack.attention.rules`, applied by the checks)."""
    for order in orders_by_id(uow, merchant_id, flags).values():
        if order.attention != flags[order.id]:
            order.attention = flags[order.id]
            order.updated_at = utcnow()
            uow.record_page_change(order_id=order.id)


def keep_promises(uow: UnitOfWork, merchant_id: str, windows: Mapping[str, tuple[date, date, date]]) -> None:
    """The orders' current promise (earliest, latest, most likely), from their newest revision."""
    for order in orders_by_id(uow, merchant_id, windows).values():
        order.edd_earliest, order.edd_latest, order.edd_most_likely = windows[order.id]
        uow.record_page_change(order_id=order.id)


def stock_to_hold(order: Order) -> OrderToHold:
    """What the order needs from stock, as inventory takes it (every line, in full)."""
    return OrderToHold(
        order.id,
        order.placed_at,
        order.ship_country,
        tuple(LineNeed(line.id, line.sku, line.quantity) for line in order.lines),
        ship_region=order.ship_region,
        ship_city=order.ship_city,
    )


def mark_confirmed(order: Order, now: datetime) -> None:
    """Handing an order to a carrier confirms it, if nobody had yet."""
    if order.confirmed_at is None:
        order.confirmed_at = now


def confirm_order(
    uow: UnitOfWork, merchant_id: str, id_or_number: str, *, actor: str = "api", now: datetime | None = None
) -> Order:
    """Confirm the order and reserve its stock; ``now`` (default the clock) stamps the confirmation."""
    order = find_order(uow, merchant_id, id_or_number, lock=True)
    if order.status != OrderStatus.pending and order.confirmed_at is not None:
        return order  # confirming twice is harmless
    check_action("confirm", order.status)
    # Read what the status needs before changing anything, so the order row is written
    # once (confirmed_at and status together) instead of once per autoflush.
    facts = shipments_service.shipment_facts(uow, merchant_id, [order.id]).get(order.id, [])
    first_hold = order.confirmed_at is None
    order.confirmed_at = now or utcnow()
    _store(uow, order, _derive(order, facts))
    reservations.reserve_order(uow, merchant_id, stock_to_hold(order), actor=actor, first_hold=first_hold)
    uow.record(OrderConfirmed(merchant_id, order.id, order.confirmed_at))
    return order


def cancel_order(
    uow: UnitOfWork, merchant_id: str, id_or_number: str, *, actor: str = "api", now: datetime | None = None
) -> Order:
    """Cancel the order and give back its stock; ``now`` (default the clock) stamps it."""
    order = find_order(uow, merchant_id, id_or_number, lock=True)
    if order.status == OrderStatus.cancelled:
        return order
    check_action("cancel", order.status)
    order.cancelled_at = now or utcnow()
    reservations.release_order(uow, merchant_id, order.id, actor=actor)
    _rederive(uow, merchant_id, order)
    return order


def refresh_order_status(uow: UnitOfWork, merchant_id: str, order_ids: Iterable[str]) -> None:
    """Derive the status of these orders again from their lines and shipments."""
    ids = sorted(set(order_ids))
    if not ids:
        return
    orders = repository.locked_orders_with_lines(uow, merchant_id, ids)
    facts = shipments_service.shipment_facts(uow, merchant_id, ids)
    for order in orders:
        _store(uow, order, _derive(order, facts.get(order.id, [])))


def order_view(uow: UnitOfWork, merchant_id: str, order: Order) -> OrderOut:
    """The order as the API shows it: lines with shipped/delivered counts, and its shipments."""
    shipments = shipments_service.shipments_for_orders(uow, merchant_id, [order.id]).get(order.id, [])
    own_revisions, shipment_revisions = promises.revisions_for(uow, merchant_id, order.id)
    items = attention_service.items_for_orders(uow, merchant_id, [order.id]).get(order.id, [])
    customer = customers_service.get_customers(
        uow, merchant_id, {order.customer_id} if order.customer_id else set()
    ).get(order.customer_id or "")
    shipped: dict[str, int] = {}
    delivered: dict[str, int] = {}
    for shipment in shipments:
        for line in shipment.lines:
            shipped[line.order_line_id] = shipped.get(line.order_line_id, 0) + line.quantity
            if shipment.status == "delivered":
                delivered[line.order_line_id] = delivered.get(line.order_line_id, 0) + line.quantity
    return OrderOut(
        id=order.id,
        number=order.number,
        status=OrderStatus(order.status),
        attention=order.attention,
        currency=order.currency,
        total=sum((line.unit_price * line.quantity for line in order.lines), Decimal(0)),
        placed_at=order.placed_at,
        confirmed_at=order.confirmed_at,
        cancelled_at=order.cancelled_at,
        source=order.source,
        customer=CustomerOut.model_validate(customer) if customer else None,
        shipping_address=AddressOut(
            name=order.ship_name,
            line1=order.ship_line1,
            line2=order.ship_line2,
            city=order.ship_city,
            region=order.ship_region,
            postal_code=order.ship_postal_code,
            country=order.ship_country,
        ),
        lines=[
            OrderLineOut(
                id=line.id,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                quantity_shipped=shipped.get(line.id, 0),
                quantity_delivered=delivered.get(line.id, 0),
            )
            for line in order.lines
        ],
        shipments=[
            shipments_service.shipment_view(s, shipment_revisions.get(s.id, []), order_number=order.number)
            for s in shipments
        ],
        estimated_delivery=estimate_out(order.edd_earliest, order.edd_latest, order.edd_most_likely),
        estimate_revisions=[EstimateRevisionOut.model_validate(r) for r in own_revisions],
        attention_items=[item_out(item, order.number) for item in items if item.closed_at is None],
        created_at=order.created_at,
        updated_at=order.updated_at,
    )


# --- reads for the shopper's tracking page -----------------------------------------------------
# The shopper is not signed in to any merchant: a signed link names the order by its id, a
# lookup names it by its number. These are the only reads that start without a merchant id.


def order_for_tracking_link(uow: UnitOfWork, order_id: str) -> Order | None:
    """The order a signed tracking link names (any merchant: the signature is the authority)."""
    return repository.order_with_lines(uow, order_id)


def orders_for_shopper_lookup(uow: UnitOfWork, number: str, merchant_id: str | None = None) -> list[Order]:
    """Orders whose number reads as ``number`` (case, '#', spaces and dashes ignored), of one
    merchant or of every merchant; the caller checks the proof (email or postal code)."""
    key = number_key(number)
    if not key:
        return []
    return repository.orders_with_number_key(uow, key, merchant_id)
