"""Which customer orders wait on which purchase order, and the reverse; and for a storefront,
when a SKU can ship to a country.

Both directions are the same allocation read two ways (:func:`ordertrack.suppliers.availability.allocate`):
backordered lines take inbound units oldest order first, earliest arrival first, exactly as the
inventory fills them when the units are received. So the merchant's two lists, the shopper's
page and the promises always agree.

Service functions for the API and the dashboard (a PO's page, an order's page):
:func:`waiting_orders` and :func:`waiting_on`; :func:`ship_date` for a waiting order's dispatch
day; :func:`availability_to` for "when can this SKU ship to this country".
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ordertrack.carriers.zones import principal_zone
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta.calendar import calendar_for, dispatch_date
from ordertrack.eta.estimating import Window, estimate_unshipped
from ordertrack.eta.learning import TransitHistory
from ordertrack.eta.places import Place, default_origin, origin_of, place
from ordertrack.inventory.model import Warehouse
from ordertrack.inventory.reservations import preferred_warehouses
from ordertrack.inventory.service import UnknownWarehouse
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order
from ordertrack.suppliers import atp
from ordertrack.suppliers import purchase_orders as po_service
from ordertrack.suppliers.availability import Availability, Cover, availability
from ordertrack.suppliers.model import InboundShipment, PurchaseOrder, PurchaseOrderLine
from ordertrack.suppliers.service import UnknownSku


@dataclass(frozen=True, slots=True)
class Incoming:
    """Units of a waiting line one purchase order (and ASN, once shipped) brings."""

    purchase_order_id: str
    purchase_order_number: str
    inbound_shipment_id: str | None
    inbound_shipment_number: str | None
    quantity: int
    arrives_on: date


@dataclass(frozen=True, slots=True)
class WaitingLine:
    """One backordered line of a customer order and what fills it."""

    order_id: str
    order_number: str
    placed_at: datetime
    order_line_id: str
    sku: str
    quantity: int  # units still backordered
    incoming: tuple[Incoming, ...]  # earliest first
    uncovered: int  # units no open purchase order brings
    arrives_on: date | None  # the last unit's arrival (None: some uncovered)
    ships_on: date | None  # the warehouse's dispatch day once put away (None: as above)


def _warehouses(uow: UnitOfWork, merchant_id: str) -> dict[str, Warehouse]:
    return {
        w.id: w for w in uow.session.scalars(select(Warehouse).where(Warehouse.merchant_id == merchant_id))
    }


def ship_date(arrives_on: date, warehouse: Warehouse | None) -> date:
    """The day units arriving then leave the warehouse: put away, then its cut-off and working days."""
    ready = atp.put_away(arrives_on, warehouse)
    if warehouse is None:
        return ready.date()
    origin = origin_of(
        warehouse.country,
        warehouse.region,
        warehouse.timezone,
        warehouse.cutoff_time,
        warehouse.processing_days,
    )
    return dispatch_date(
        ready,
        timezone=warehouse.timezone,
        cutoff=origin.cutoff,
        processing_days=origin.processing_days,
        calendar=calendar_for(warehouse.country),
    )


def _lines(
    uow: UnitOfWork,
    merchant_id: str,
    covers: Iterable[Cover],
    orders: Mapping[str, tuple[str, datetime]],
) -> list[WaitingLine]:
    covers = list(covers)
    po_ids = {s.purchase_order_id for c in covers for s in c.sources if s.purchase_order_id}
    asn_ids = {s.inbound_shipment_id for c in covers for s in c.sources if s.inbound_shipment_id}
    po_numbers = (
        dict(
            uow.session.execute(
                select(PurchaseOrder.id, PurchaseOrder.number).where(
                    PurchaseOrder.merchant_id == merchant_id, PurchaseOrder.id.in_(sorted(po_ids))
                )
            ).all()
        )
        if po_ids
        else {}
    )
    asn_numbers = (
        dict(
            uow.session.execute(
                select(InboundShipment.id, InboundShipment.number).where(
                    InboundShipment.merchant_id == merchant_id, InboundShipment.id.in_(sorted(asn_ids))
                )
            ).all()
        )
        if asn_ids
        else {}
    )
    warehouses = _warehouses(uow, merchant_id)
    found = []
    for cover in sorted(
        covers, key=lambda c: (c.waiting.placed_at, c.waiting.order_id, c.waiting.order_line_id)
    ):
        number, placed_at = orders.get(cover.waiting.order_id, ("", cover.waiting.placed_at))
        incoming = tuple(
            Incoming(
                s.purchase_order_id,
                po_numbers.get(s.purchase_order_id, ""),
                s.inbound_shipment_id,
                asn_numbers.get(s.inbound_shipment_id) if s.inbound_shipment_id else None,
                s.quantity,
                s.arrive_on,
            )
            for s in cover.sources
            if s.purchase_order_id is not None and s.arrive_on is not None
        )
        last = max(cover.sources, key=lambda s: s.arrive_on or date.min, default=None)
        arrives_on = cover.arrive_on
        ships_on = (
            ship_date(arrives_on, warehouses.get(last.warehouse_id))
            if arrives_on and last is not None
            else None
        )
        found.append(
            WaitingLine(
                order_id=cover.waiting.order_id,
                order_number=number,
                placed_at=placed_at,
                order_line_id=cover.waiting.order_line_id,
                sku=cover.waiting.sku,
                quantity=cover.waiting.quantity,
                incoming=incoming,
                uncovered=cover.uncovered,
                arrives_on=arrives_on,
                ships_on=ships_on,
            )
        )
    return found


def _order_facts(
    uow: UnitOfWork, merchant_id: str, order_ids: Iterable[str]
) -> dict[str, tuple[str, datetime]]:
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(Order.id, Order.number, Order.placed_at).where(
            Order.merchant_id == merchant_id, Order.id.in_(ids)
        )
    ).all()
    return {order_id: (number, placed_at) for order_id, number, placed_at in rows}


def waiting_orders(uow: UnitOfWork, merchant_id: str, po_ref: str, *, today: date) -> list[WaitingLine]:
    """The customer order lines waiting on this purchase order's units, oldest order first (each
    with all it waits on, this PO's part among it). Another merchant's PO is not found (404)."""
    po = po_service.find_purchase_order(uow, merchant_id, po_ref)
    skus = set(
        uow.session.scalars(
            select(PurchaseOrderLine.sku).where(
                PurchaseOrderLine.merchant_id == merchant_id, PurchaseOrderLine.purchase_order_id == po.id
            )
        )
    )
    covers = [
        c
        for c in atp.covers(uow, merchant_id, skus, today=today).values()
        if any(s.purchase_order_id == po.id for s in c.sources)
    ]
    return _lines(
        uow, merchant_id, covers, _order_facts(uow, merchant_id, {c.waiting.order_id for c in covers})
    )


def waiting_on(
    uow: UnitOfWork, merchant_id: str, order_ref: str, *, today: date
) -> tuple[Order, list[WaitingLine]]:
    """The order's backordered lines and the purchase orders and ASNs that will fill them (an
    empty list: nothing waits). Another merchant's order is not found (404)."""
    order = orders_service.find_order(uow, merchant_id, order_ref)
    return order, lines_of_order(uow, merchant_id, order, today=today)


def lines_of_order(uow: UnitOfWork, merchant_id: str, order: Order, *, today: date) -> list[WaitingLine]:
    """:func:`waiting_on` for an order already read (the shopper's page): one query when nothing waits."""
    skus = atp.backordered_skus_of_orders(uow, merchant_id, [order.id])
    if not skus:
        return []
    covers = [
        c for c in atp.covers(uow, merchant_id, skus, today=today).values() if c.waiting.order_id == order.id
    ]
    return _lines(uow, merchant_id, covers, {order.id: (order.number, order.placed_at)})


def waiting_counts(
    uow: UnitOfWork, merchant_id: str, po_ids: Iterable[str], *, today: date
) -> dict[str, int]:
    """How many customer orders wait on each of these purchase orders (a list's column)."""
    wanted = set(po_ids)
    skus = set(
        uow.session.scalars(
            select(PurchaseOrderLine.sku).where(
                PurchaseOrderLine.merchant_id == merchant_id,
                PurchaseOrderLine.purchase_order_id.in_(sorted(wanted)),
            )
        )
    )
    orders: dict[str, set[str]] = defaultdict(set)
    for cover in atp.covers(uow, merchant_id, skus, today=today).values():
        for source in cover.sources:
            if source.purchase_order_id in wanted:
                orders[source.purchase_order_id].add(cover.waiting.order_id)
    return {po_id: len(orders.get(po_id, ())) for po_id in wanted}


# --- "when can this SKU ship to this country" ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShipAnswer:
    """A storefront's answer for ``quantity`` units of one SKU to one country."""

    sku: str
    country: str
    quantity: int
    numbers: Availability  # across the merchant's warehouses
    in_stock: bool  # can ship from the shelf now
    ready_on: date | None  # else the first inbound day that frees enough for a new order
    ships_on: date | None  # the day it would leave the warehouse (None: no date known)
    warehouse: str | None  # the code of the warehouse it would leave from
    delivery: Window | None  # the delivery window to that country (None: no date known)


def availability_to(
    uow: UnitOfWork,
    merchant_id: str,
    sku: str,
    country: str,
    quantity: int,
    *,
    now: datetime,
    history: TransitHistory,
    warehouse: str | None = None,
) -> ShipAnswer:
    """Can ``quantity`` of ``sku`` ship to ``country`` now, else from which day, and when it would
    arrive: the available-to-promise numbers (free stock, then inbound after the backorders ahead
    take theirs) and the promise engine's window from the warehouse it would leave from. Two
    queries (:func:`ordertrack.suppliers.atp.sku_facts`); 422 ``unknown_sku`` for a SKU the
    catalog lacks. ``warehouse`` (a code): that warehouse's stock and inbound only, shipped from
    it (the merchant's backorders still come first: whichever warehouse receives fills them);
    422 ``unknown_warehouse`` for a code the merchant does not have."""
    known, numbers, shelf, arriving = atp.sku_facts(uow, merchant_id, sku, today=now.date())
    if not known:
        raise UnknownSku(f"not in the catalog: {sku}", details=[{"code": "unknown_sku", "sku": sku}])
    ranked = ranked_warehouses(uow, merchant_id, country)
    if warehouse is not None:
        ranked = [w for w in ranked if w.code == warehouse]
        if not ranked:
            raise UnknownWarehouse(
                f"no warehouse {warehouse!r}", details=[{"code": "unknown_warehouse", "warehouse": warehouse}]
            )
        numbers = availability(sku, shelf, arriving, numbers.backordered, ranked[0].id)
        shelf = [level for level in shelf if level.warehouse_id == ranked[0].id]
        arriving = [unit for unit in arriving if unit.warehouse_id == ranked[0].id]
    where = destination_place(country)
    if numbers.available >= quantity:
        free = {level.warehouse_id: level.on_hand - level.reserved for level in shelf}
        origin_warehouse = next(
            (w for w in ranked if free.get(w.id, 0) >= quantity), ranked[0] if ranked else None
        )
        start, ready_on, in_stock = now, None, True
    else:
        ready_on = numbers.ready_on(quantity)
        in_stock = False
        origin_warehouse = ranked[0] if ranked else None
        if ready_on is not None:
            landing = {unit.warehouse_id for unit in arriving if unit.arrive_on == ready_on}
            origin_warehouse = next((w for w in ranked if w.id in landing), origin_warehouse)
        start = atp.put_away(ready_on, origin_warehouse) if ready_on is not None else None
    if start is None:
        return ShipAnswer(sku, country, quantity, numbers, False, None, None, None, None)
    origin = (
        origin_of(
            origin_warehouse.country,
            origin_warehouse.region,
            origin_warehouse.timezone,
            origin_warehouse.cutoff_time,
            origin_warehouse.processing_days,
            city=origin_warehouse.city,
        )
        if origin_warehouse is not None
        else default_origin(where)
    )
    window = estimate_unshipped(max(start, now), origin, where, history, now)
    ships_on = dispatch_date(
        max(start, now),
        timezone=origin.place.timezone,
        cutoff=origin.cutoff,
        processing_days=origin.processing_days,
        calendar=origin.place.calendar,
    )
    return ShipAnswer(
        sku,
        country,
        quantity,
        numbers,
        in_stock,
        ready_on,
        ships_on,
        origin_warehouse.code if origin_warehouse is not None else None,
        window,
    )


# A storefront asks many times a second: the merchant's warehouses, ranked per country, are
# kept this long (a warehouse added or moved shows in the answers within it).
WAREHOUSES_TTL_SECONDS = 10.0
_ranked: dict[tuple[str, str], tuple[float, list[Warehouse]]] = {}


def ranked_warehouses(uow: UnitOfWork, merchant_id: str, country: str) -> list[Warehouse]:
    """The merchant's warehouses in the order it would ship to ``country`` from them (cached
    :data:`WAREHOUSES_TTL_SECONDS`; read-only copies, never written back)."""
    key = (merchant_id, country)
    cached = _ranked.get(key)
    if cached is not None and time.monotonic() - cached[0] < WAREHOUSES_TTL_SECONDS:
        return cached[1]
    found = sorted(_warehouses(uow, merchant_id).values(), key=lambda w: (w.priority, w.code))
    for warehouse in found:
        uow.session.expunge(warehouse)
    ranked = preferred_warehouses(found, country, None, None) if found else []
    if len(_ranked) > 10_000:
        _ranked.clear()
    _ranked[key] = (time.monotonic(), ranked)
    return ranked


def destination_place(country: str) -> Place:
    """A country as a destination: its principal time zone and calendar, placed on the globe."""
    country = country.upper()
    return place(country, None, principal_zone(country) or "UTC")
