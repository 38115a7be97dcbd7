"""Stock held for orders: reserved on confirmation, released on cancellation, shipped.

The caller says what an order needs as plain data (:class:`OrderToHold`); inventory never
reads orders' tables. Levels are read ``FOR UPDATE`` in id order: concurrent confirmations
queue on the rows of the SKUs they want and never oversell. What no warehouse has is
backordered and filled, oldest order first, as units come free
(:mod:`ordertrack.inventory.backorders`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory import repository
from ordertrack.inventory.backorders import fill_backorders
from ordertrack.inventory.ledger import add_reservation, level_for, move
from ordertrack.inventory.model import Backorder, Reservation, Warehouse
from ordertrack.inventory.rules import (
    Allocation,
    Destination,
    HeldUnits,
    InsufficientStock,
    LineNeed,
    MovementKind,
    Site,
    allocate,
    rank_warehouses,
)
from ordertrack.inventory.service import UnknownWarehouse, WarehouseNotFound, find_warehouse, uses_inventory
from ordertrack.kit import geo
from ordertrack.kit.clock import utcnow
from ordertrack.kit.ids import new_id


@dataclass(frozen=True, slots=True)
class OrderToHold:
    """What an order needs from stock: its lines, where it goes and when it was placed."""

    order_id: str
    placed_at: datetime  # backorders are filled oldest order first
    ship_country: str | None  # warehouses in this country are tried first
    lines: tuple[LineNeed, ...]  # every line of the order, with its full quantity
    ship_region: str | None = None  # with the city, places the destination for the nearest warehouse
    ship_city: str | None = None


def site_of(warehouse: Warehouse) -> Site:
    """A warehouse where it is: its own position, else its town, region or country."""
    point = (
        geo.Point(warehouse.latitude, warehouse.longitude)
        if warehouse.latitude is not None and warehouse.longitude is not None
        else geo.locate(warehouse.country, warehouse.region, warehouse.city)
    )
    return Site(warehouse.id, warehouse.code, warehouse.country, point, warehouse.priority)


def preferred_warehouses(
    warehouses: Sequence[Warehouse], country: str | None, region: str | None, city: str | None
) -> list[Warehouse]:
    """The warehouses in the order a merchant would ship to this address from them
    (:func:`~ordertrack.inventory.rules.rank_warehouses`)."""
    by_id = {w.id: w for w in warehouses}
    ranked = rank_warehouses(
        [site_of(w) for w in warehouses], Destination(country, geo.locate(country, region, city))
    )
    return [by_id[i] for i in ranked]


@dataclass(frozen=True, slots=True)
class ShipTo:
    """Where an order goes, as the choice of its warehouse needs it."""

    country: str | None
    region: str | None = None
    city: str | None = None


def shipping_warehouses(
    uow: UnitOfWork, merchant_id: str, orders: Mapping[str, ShipTo]
) -> dict[str, Warehouse | None]:
    """The warehouse each order's unshipped units leave from: the one holding most of its
    reserved units (ties: the nearer by :func:`preferred_warehouses`), else the one a merchant
    would choose for its address; None for a merchant without warehouses."""
    warehouses = repository.warehouses(uow, merchant_id)
    if not warehouses or not orders:
        return dict.fromkeys(orders)
    held: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for reservation in repository.reservations_of_orders(uow, merchant_id, sorted(orders)):
        if reservation.quantity > 0:
            held[reservation.order_id][reservation.warehouse_id] += reservation.quantity
    found: dict[str, Warehouse | None] = {}
    for order_id, where in orders.items():
        ranked = preferred_warehouses(warehouses, where.country, where.region, where.city)
        units = held.get(order_id, {})
        found[order_id] = min(ranked, key=lambda w: -units.get(w.id, 0)) if units else ranked[0]
    return found


def reserve_order(
    uow: UnitOfWork,
    merchant_id: str,
    order: OrderToHold,
    *,
    actor: str,
    already_shipped: Mapping[str, int] | None = None,
    first_hold: bool = False,
) -> Allocation | None:
    """Hold stock for a confirmed order; what no warehouse has is backordered."""
    # The nearest warehouse first (same country, same continent, distance, then the merchant's
    # priority): allocate() takes the first one that fills the whole order.
    warehouse_ids = [
        w.id
        for w in preferred_warehouses(
            repository.warehouses(uow, merchant_id), order.ship_country, order.ship_region, order.ship_city
        )
    ]
    if not warehouse_ids:
        return None
    shipped = already_shipped or {}
    needs = [
        LineNeed(line.line_id, line.sku, line.quantity - shipped.get(line.line_id, 0))
        for line in order.lines
        if line.quantity > shipped.get(line.line_id, 0)
    ]
    levels = repository.locked_levels(uow, merchant_id, {n.sku for n in needs})
    by_key = {(level.warehouse_id, level.sku): level for level in levels}
    available: dict[str, dict[str, int]] = defaultdict(dict)
    for level in levels:
        available[level.warehouse_id][level.sku] = level.on_hand - level.reserved
    allocation = allocate(needs, available, warehouse_ids)
    now = utcnow()
    # An order holds nothing before its first confirmation (holds are only made from here
    # and from backorders, which a confirmation makes), so a first one skips the read.
    held: dict[tuple[str, str], Reservation] = (
        {}
        if first_hold
        else {
            (r.order_line_id, r.warehouse_id): r
            for r in repository.reservations_of_order(uow, merchant_id, order.order_id)
        }
    )
    for assignment in allocation.assignments:
        level = by_key[(assignment.warehouse, assignment.sku)]
        move(
            uow,
            level,
            MovementKind.reservation,
            assignment.quantity,
            actor=actor,
            order_id=order.order_id,
            now=now,
        )
        add_reservation(
            uow,
            merchant_id,
            order.order_id,
            assignment.line_id,
            assignment.warehouse,
            assignment.sku,
            assignment.quantity,
            now,
            held,
        )
    for missing in allocation.backordered:
        uow.session.add(
            Backorder(
                id=new_id("bko"),
                merchant_id=merchant_id,
                order_id=order.order_id,
                order_line_id=missing.line_id,
                sku=missing.sku,
                quantity=missing.quantity,
                placed_at=order.placed_at,
            )
        )
    uow.flush()
    return allocation


def release_order(uow: UnitOfWork, merchant_id: str, order_id: str, *, actor: str) -> None:
    """Give back everything an order holds, and drop its backorders."""
    reservations = repository.reservations_of_order(uow, merchant_id, order_id)
    if reservations:
        levels = repository.locked_levels(
            uow, merchant_id, {r.sku for r in reservations}, {r.warehouse_id for r in reservations}
        )
        by_key = {(level.warehouse_id, level.sku): level for level in levels}
        for reservation in reservations:
            move(
                uow,
                by_key[(reservation.warehouse_id, reservation.sku)],
                MovementKind.release,
                reservation.quantity,
                actor=actor,
                reason="order cancelled",
                order_id=order_id,
            )
            uow.session.delete(reservation)
    for backorder in repository.backorders_of_order(uow, merchant_id, order_id):
        uow.session.delete(backorder)
    uow.flush()
    for sku in {r.sku for r in reservations}:
        fill_backorders(uow, merchant_id, sku, actor=actor)


def ship_from_stock(
    uow: UnitOfWork,
    merchant_id: str,
    order_id: str,
    warehouse_code: str | None,
    lines: Sequence[tuple[str, str, int]],
    *,
    actor: str,
) -> None:
    """Turn what a shipment carries ((line id, sku, quantity)) into shipment movements.

    Reserved units of the line at that warehouse go first; the rest comes from the
    warehouse's free stock and is no longer needed from other warehouses or backorders.
    """
    if not uses_inventory(uow, merchant_id):
        return  # tracking-only merchant: the warehouse is a label
    if warehouse_code is None:
        raise UnknownWarehouse("this merchant keeps stock: say which warehouse the shipment leaves from")
    try:
        warehouse = find_warehouse(uow, merchant_id, warehouse_code)
    except WarehouseNotFound:
        raise UnknownWarehouse(f"no warehouse {warehouse_code!r}") from None
    now = utcnow()
    for line_id, sku, quantity in lines:
        level = level_for(uow, merchant_id, warehouse.id, sku)
        held = repository.reservation_of_line(uow, line_id, warehouse.id)
        from_reserved = min(quantity, held.quantity if held else 0)
        extra = quantity - from_reserved
        if extra > level.on_hand - level.reserved:
            raise InsufficientStock(
                f"warehouse {warehouse_code} has {level.on_hand - level.reserved} free units of {sku};"
                f" {extra} more are needed",
                details={"warehouse": warehouse_code, "sku": sku, "needed": extra},
            )
        if extra:
            move(uow, level, MovementKind.reservation, extra, actor=actor, order_id=order_id, now=now)
            _give_up_elsewhere(uow, merchant_id, order_id, line_id, warehouse.id, sku, extra, actor)
        move(uow, level, MovementKind.shipment, quantity, actor=actor, order_id=order_id, now=now)
        if held is not None:
            held.quantity -= from_reserved
            if held.quantity == 0:
                uow.session.delete(held)
    uow.flush()


def _give_up_elsewhere(
    uow: UnitOfWork,
    merchant_id: str,
    order_id: str,
    line_id: str,
    shipped_from: str,
    sku: str,
    quantity: int,
    actor: str,
) -> None:
    """Units shipped from free stock no longer need a backorder or another warehouse's hold."""
    backorder = repository.backorder_of_line(uow, line_id)
    if backorder is not None:
        cut = min(quantity, backorder.quantity)
        backorder.quantity -= cut
        quantity -= cut
        if backorder.quantity == 0:
            uow.session.delete(backorder)
    if quantity <= 0:
        return
    for held in repository.reservations_of_line_elsewhere(uow, line_id, shipped_from):
        cut = min(quantity, held.quantity)
        level = level_for(uow, merchant_id, held.warehouse_id, sku)
        move(
            uow,
            level,
            MovementKind.release,
            cut,
            actor=actor,
            reason="shipped from another warehouse",
            order_id=order_id,
        )
        held.quantity -= cut
        quantity -= cut
        if held.quantity == 0:
            uow.session.delete(held)
        if quantity == 0:
            break
    fill_backorders(uow, merchant_id, sku, actor=actor)


def held_at_warehouse(uow: UnitOfWork, merchant_id: str, code: str) -> tuple[Warehouse, list[HeldUnits]]:
    """Every unit reserved at a warehouse and not yet shipped, with the order it is for
    (what :func:`~ordertrack.inventory.rules.pick_list` walks, given the orders' numbers)."""
    warehouse = find_warehouse(uow, merchant_id, code)
    return warehouse, [
        HeldUnits(*row) for row in repository.held_at_warehouse(uow, merchant_id, warehouse.id)
    ]
