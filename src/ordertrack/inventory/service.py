"""Inventory use cases: warehouses, stock changes through the ledger, reservations on
confirmation, releases on cancellation, backorders filled as stock arrives, shipments.

Every change to a level goes through :func:`_move`, which applies the pure rule, writes the
ledger row and watches the low-stock threshold, so levels always equal the ledger's sum.
Levels are read ``FOR UPDATE`` in id order: concurrent confirmations queue on the rows of
the SKUs they want and never oversell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select

from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory.model import (
    Backorder,
    Reservation,
    StockAlert,
    StockLevel,
    StockMovement,
    Warehouse,
)
from ordertrack.inventory.rules import (
    Allocation,
    HeldUnits,
    InsufficientStock,
    Level,
    LineNeed,
    MovementKind,
    PickLine,
    allocate,
    apply_movement,
    pick_list,
)
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.notifications import service as notifications_service
from ordertrack.orders.model import Order


class WarehouseNotFound(NotFound):
    code = "warehouse_not_found"


class UnknownWarehouse(Unprocessable):
    code = "unknown_warehouse"


class DuplicateWarehouse(Conflict):
    code = "duplicate_warehouse"


# --- warehouses -----------------------------------------------------------------------------


def create_warehouse(uow: UnitOfWork, merchant_id: str, data: WarehouseIn) -> Warehouse:
    taken = uow.session.scalar(
        select(Warehouse.id).where(Warehouse.merchant_id == merchant_id, Warehouse.code == data.code)
    )
    if taken is not None:
        raise DuplicateWarehouse(f"a warehouse with code {data.code!r} already exists")
    fields = data.model_dump()
    fields["processing_days"] = ",".join(str(d) for d in data.processing_days)
    warehouse = Warehouse(id=new_id("whs"), merchant_id=merchant_id, created_at=utcnow(), **fields)
    uow.session.add(warehouse)
    uow.flush()
    return warehouse


def list_warehouses(uow: UnitOfWork, merchant_id: str) -> list[Warehouse]:
    return list(
        uow.session.scalars(
            select(Warehouse)
            .where(Warehouse.merchant_id == merchant_id)
            .order_by(Warehouse.priority, Warehouse.code)
        )
    )


def find_warehouse(uow: UnitOfWork, merchant_id: str, code: str) -> Warehouse:
    warehouse = uow.session.scalars(
        select(Warehouse).where(Warehouse.merchant_id == merchant_id, Warehouse.code == code)
    ).first()
    if warehouse is None:
        raise WarehouseNotFound(f"no warehouse {code!r}")
    return warehouse


def uses_inventory(uow: UnitOfWork, merchant_id: str) -> bool:
    """A merchant without warehouses uses ordertrack for tracking only: no stock rules apply."""
    return (
        uow.session.scalar(select(Warehouse.id).where(Warehouse.merchant_id == merchant_id).limit(1))
        is not None
    )


# --- levels and the ledger ------------------------------------------------------------------


def _locked_levels(
    uow: UnitOfWork, merchant_id: str, skus: Iterable[str], warehouse_ids: Iterable[str] | None = None
) -> list[StockLevel]:
    query = select(StockLevel).where(
        StockLevel.merchant_id == merchant_id, StockLevel.sku.in_(sorted(set(skus)))
    )
    if warehouse_ids is not None:
        query = query.where(StockLevel.warehouse_id.in_(sorted(set(warehouse_ids))))
    return list(uow.session.scalars(query.order_by(StockLevel.id).with_for_update()))


def _level(uow: UnitOfWork, merchant_id: str, warehouse_id: str, sku: str) -> StockLevel:
    found = _locked_levels(uow, merchant_id, [sku], [warehouse_id])
    if found:
        return found[0]
    level = StockLevel(
        id=new_id("stk"),
        merchant_id=merchant_id,
        warehouse_id=warehouse_id,
        sku=sku,
        on_hand=0,
        reserved=0,
        below_threshold=False,
        updated_at=utcnow(),
    )
    uow.session.add(level)
    uow.flush()
    return level


def _move(
    uow: UnitOfWork,
    level: StockLevel,
    kind: MovementKind,
    quantity: int,
    *,
    actor: str,
    reason: str | None = None,
    order_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Apply one movement to a locked level and append it to the ledger."""
    now = now or utcnow()
    after = apply_movement(Level(level.on_hand, level.reserved), kind, quantity)
    uow.session.add(
        StockMovement(
            merchant_id=level.merchant_id,
            warehouse_id=level.warehouse_id,
            sku=level.sku,
            kind=str(kind),
            on_hand_delta=after.on_hand - level.on_hand,
            reserved_delta=after.reserved - level.reserved,
            order_id=order_id,
            actor=actor,
            reason=reason,
            created_at=now,
        )
    )
    level.on_hand, level.reserved, level.updated_at = after.on_hand, after.reserved, now
    _watch_threshold(uow, level, now)


def _watch_threshold(uow: UnitOfWork, level: StockLevel, now: datetime) -> None:
    """Record a low-stock alert once when available falls below the threshold."""
    if level.low_stock_threshold is None:
        level.below_threshold = False
        return
    available = level.on_hand - level.reserved
    below = available < level.low_stock_threshold
    if below and not level.below_threshold:
        alert = StockAlert(
            id=new_id("sal"),
            merchant_id=level.merchant_id,
            warehouse_id=level.warehouse_id,
            sku=level.sku,
            available=available,
            threshold=level.low_stock_threshold,
            raised_at=now,
        )
        uow.session.add(alert)
        _alert_staff(uow, alert, now)
    level.below_threshold = below


def _alert_staff(uow: UnitOfWork, alert: StockAlert, now: datetime) -> None:
    """Queue the low-stock email to staff (and webhook) with the alert, in its transaction."""
    warehouse = uow.session.get(Warehouse, alert.warehouse_id)
    notifications_service.enqueue(
        uow,
        alert.merchant_id,
        [
            notifications_service.Occurrence(
                "low_stock",
                None,
                None,
                subject=alert.id,
                facts={
                    "sku": alert.sku,
                    "warehouse": warehouse.code if warehouse else alert.warehouse_id,
                    "available": alert.available,
                    "threshold": alert.threshold,
                },
            )
        ],
        now=now,
    )


def set_stock(
    uow: UnitOfWork,
    merchant_id: str,
    code: str,
    sku: str,
    on_hand: int,
    *,
    threshold: int | None = None,
    location: str | None = None,
    actor: str,
    reason: str | None = None,
) -> StockLevel:
    """Count stock: on_hand becomes ``on_hand`` through an adjustment in the ledger."""
    warehouse = find_warehouse(uow, merchant_id, code)
    level = _level(uow, merchant_id, warehouse.id, sku)
    if threshold is not None:
        level.low_stock_threshold = threshold
    if location is not None:
        level.location = location
    delta = on_hand - level.on_hand
    if delta:
        _move(uow, level, MovementKind.adjustment, delta, actor=actor, reason=reason or "stock count")
    else:
        _watch_threshold(uow, level, utcnow())
    if delta > 0:
        fill_backorders(uow, merchant_id, sku, actor=actor)
    return level


def receive_stock(
    uow: UnitOfWork,
    merchant_id: str,
    code: str,
    sku: str,
    quantity: int,
    *,
    actor: str,
    reason: str | None = None,
) -> StockLevel:
    warehouse = find_warehouse(uow, merchant_id, code)
    level = _level(uow, merchant_id, warehouse.id, sku)
    _move(uow, level, MovementKind.receipt, quantity, actor=actor, reason=reason)
    fill_backorders(uow, merchant_id, sku, actor=actor)
    return level


def adjust_stock(
    uow: UnitOfWork, merchant_id: str, code: str, sku: str, delta: int, *, actor: str, reason: str
) -> StockLevel:
    warehouse = find_warehouse(uow, merchant_id, code)
    level = _level(uow, merchant_id, warehouse.id, sku)
    if delta:
        _move(uow, level, MovementKind.adjustment, delta, actor=actor, reason=reason)
    if delta > 0:
        fill_backorders(uow, merchant_id, sku, actor=actor)
    return level


def list_stock(
    uow: UnitOfWork, merchant_id: str, *, sku: str | None, warehouse: str | None, low: bool | None
) -> list[tuple[StockLevel, str]]:
    query = (
        select(StockLevel, Warehouse.code)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.merchant_id == merchant_id)
    )
    if sku:
        query = query.where(StockLevel.sku == sku)
    if warehouse:
        query = query.where(Warehouse.code == warehouse)
    if low is not None:
        query = query.where(StockLevel.below_threshold.is_(low))
    return [
        (level, code) for level, code in uow.session.execute(query.order_by(StockLevel.sku, Warehouse.code))
    ]


def list_movements(
    uow: UnitOfWork, merchant_id: str, *, sku: str | None, warehouse: str | None, limit: int
) -> list[tuple[StockMovement, str]]:
    query = (
        select(StockMovement, Warehouse.code)
        .join(Warehouse, Warehouse.id == StockMovement.warehouse_id)
        .where(StockMovement.merchant_id == merchant_id)
    )
    if sku:
        query = query.where(StockMovement.sku == sku)
    if warehouse:
        query = query.where(Warehouse.code == warehouse)
    rows = uow.session.execute(query.order_by(StockMovement.id.desc()).limit(limit))
    return [(movement, code) for movement, code in rows]


def ledger_sums(uow: UnitOfWork, merchant_id: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(warehouse id, sku) -> (sum of on_hand deltas, sum of reserved deltas)."""
    rows = uow.session.execute(
        select(
            StockMovement.warehouse_id,
            StockMovement.sku,
            func.sum(StockMovement.on_hand_delta),
            func.sum(StockMovement.reserved_delta),
        )
        .where(StockMovement.merchant_id == merchant_id)
        .group_by(StockMovement.warehouse_id, StockMovement.sku)
    )
    return {(w, s): (int(a), int(b)) for w, s, a, b in rows}


# --- orders: reserve, release, backorders, ship ----------------------------------------------


def reserve_order(
    uow: UnitOfWork,
    merchant_id: str,
    order: Order,
    *,
    actor: str,
    already_shipped: Mapping[str, int] | None = None,
    first_hold: bool = False,
) -> Allocation | None:
    """Hold stock for a confirmed order; what no warehouse has is backordered."""
    # Warehouses in the shopper's country come first (a domestic parcel is cheaper and
    # quicker), then the merchant's priority order.
    warehouse_ids = [
        warehouse_id
        for warehouse_id, _country in sorted(
            uow.session.execute(
                select(Warehouse.id, Warehouse.country)
                .where(Warehouse.merchant_id == merchant_id)
                .order_by(Warehouse.priority, Warehouse.code)
            ),
            key=lambda row: row[1] != order.ship_country,
        )
    ]
    if not warehouse_ids:
        return None
    shipped = already_shipped or {}
    needs = [
        LineNeed(line.id, line.sku, line.quantity - shipped.get(line.id, 0))
        for line in order.lines
        if line.quantity > shipped.get(line.id, 0)
    ]
    levels = _locked_levels(uow, merchant_id, {n.sku for n in needs})
    by_key = {(level.warehouse_id, level.sku): level for level in levels}
    available: dict[str, dict[str, int]] = defaultdict(dict)
    for level in levels:
        available[level.warehouse_id][level.sku] = level.on_hand - level.reserved
    allocation = allocate(needs, available, warehouse_ids)
    now = utcnow()
    # An order holds nothing before its first confirmation (holds are only made from here
    # and from backorders, which a confirmation makes), so a first one skips the read.
    held = (
        {}
        if first_hold
        else {
            (r.order_line_id, r.warehouse_id): r
            for r in uow.session.scalars(
                select(Reservation).where(
                    Reservation.merchant_id == merchant_id, Reservation.order_id == order.id
                )
            )
        }
    )
    for assignment in allocation.assignments:
        level = by_key[(assignment.warehouse, assignment.sku)]
        _move(
            uow, level, MovementKind.reservation, assignment.quantity, actor=actor, order_id=order.id, now=now
        )
        _add_reservation(
            uow,
            merchant_id,
            order.id,
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
                order_id=order.id,
                order_line_id=missing.line_id,
                sku=missing.sku,
                quantity=missing.quantity,
                placed_at=order.placed_at,
            )
        )
    uow.flush()
    return allocation


def _add_reservation(
    uow: UnitOfWork,
    merchant_id: str,
    order_id: str,
    line_id: str,
    warehouse_id: str,
    sku: str,
    quantity: int,
    now: datetime,
    held: dict[tuple[str, str], Reservation] | None = None,
) -> None:
    """Add units to the line's hold at the warehouse. ``held`` (the order's holds, read once
    by the caller) spares a query and a flush per line on the confirmation path."""
    if held is not None:
        existing = held.get((line_id, warehouse_id))
    else:
        existing = uow.session.scalars(
            select(Reservation).where(
                Reservation.order_line_id == line_id, Reservation.warehouse_id == warehouse_id
            )
        ).first()
    if existing is not None:
        existing.quantity += quantity
        return
    reservation = Reservation(
        id=new_id("rsv"),
        merchant_id=merchant_id,
        order_id=order_id,
        order_line_id=line_id,
        warehouse_id=warehouse_id,
        sku=sku,
        quantity=quantity,
        created_at=now,
    )
    uow.session.add(reservation)
    if held is not None:
        held[(line_id, warehouse_id)] = reservation
    else:
        uow.flush()


def release_order(uow: UnitOfWork, merchant_id: str, order_id: str, *, actor: str) -> None:
    """Give back everything an order holds, and drop its backorders."""
    reservations = list(
        uow.session.scalars(
            select(Reservation).where(
                Reservation.merchant_id == merchant_id, Reservation.order_id == order_id
            )
        )
    )
    if reservations:
        levels = _locked_levels(
            uow, merchant_id, {r.sku for r in reservations}, {r.warehouse_id for r in reservations}
        )
        by_key = {(level.warehouse_id, level.sku): level for level in levels}
        for reservation in reservations:
            _move(
                uow,
                by_key[(reservation.warehouse_id, reservation.sku)],
                MovementKind.release,
                reservation.quantity,
                actor=actor,
                reason="order cancelled",
                order_id=order_id,
            )
            uow.session.delete(reservation)
    for backorder in uow.session.scalars(
        select(Backorder).where(Backorder.merchant_id == merchant_id, Backorder.order_id == order_id)
    ):
        uow.session.delete(backorder)
    uow.flush()
    for sku in {r.sku for r in reservations}:
        fill_backorders(uow, merchant_id, sku, actor=actor)


def fill_backorders(uow: UnitOfWork, merchant_id: str, sku: str, *, actor: str) -> None:
    """Reserve newly available units of ``sku`` for backorders, oldest order first."""
    waiting = list(
        uow.session.scalars(
            select(Backorder)
            .where(Backorder.merchant_id == merchant_id, Backorder.sku == sku)
            .order_by(Backorder.placed_at, Backorder.id)
            .with_for_update()
        )
    )
    if not waiting:
        return
    preference = {w.id: i for i, w in enumerate(list_warehouses(uow, merchant_id))}
    levels = sorted(
        _locked_levels(uow, merchant_id, [sku]), key=lambda level: preference.get(level.warehouse_id, 0)
    )
    now = utcnow()
    for backorder in waiting:
        for level in levels:
            take = min(backorder.quantity, level.on_hand - level.reserved)
            if take <= 0:
                continue
            _move(
                uow,
                level,
                MovementKind.reservation,
                take,
                actor=actor,
                reason="backorder filled",
                order_id=backorder.order_id,
                now=now,
            )
            _add_reservation(
                uow,
                merchant_id,
                backorder.order_id,
                backorder.order_line_id,
                level.warehouse_id,
                sku,
                take,
                now,
            )
            backorder.quantity -= take
            if backorder.quantity == 0:
                break
        if backorder.quantity == 0:
            uow.session.delete(backorder)
    uow.flush()


def ship_from_stock(
    uow: UnitOfWork,
    merchant_id: str,
    order_id: str,
    warehouse_code: str | None,
    lines: Sequence[tuple[str, str, int]],
    *,
    actor: str,
) -> None:
    """Turn what a shipment carries into shipment movements at its warehouse.

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
        level = _level(uow, merchant_id, warehouse.id, sku)
        held = uow.session.scalars(
            select(Reservation).where(
                Reservation.order_line_id == line_id, Reservation.warehouse_id == warehouse.id
            )
        ).first()
        from_reserved = min(quantity, held.quantity if held else 0)
        extra = quantity - from_reserved
        if extra > level.on_hand - level.reserved:
            raise InsufficientStock(
                f"warehouse {warehouse_code} has {level.on_hand - level.reserved} free units of {sku};"
                f" {extra} more are needed",
                details={"warehouse": warehouse_code, "sku": sku, "needed": extra},
            )
        if extra:
            _move(uow, level, MovementKind.reservation, extra, actor=actor, order_id=order_id, now=now)
            _give_up_elsewhere(uow, merchant_id, order_id, line_id, warehouse.id, sku, extra, actor)
        _move(uow, level, MovementKind.shipment, quantity, actor=actor, order_id=order_id, now=now)
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
    backorder = uow.session.scalars(select(Backorder).where(Backorder.order_line_id == line_id)).first()
    if backorder is not None:
        cut = min(quantity, backorder.quantity)
        backorder.quantity -= cut
        quantity -= cut
        if backorder.quantity == 0:
            uow.session.delete(backorder)
    if quantity <= 0:
        return
    for held in uow.session.scalars(
        select(Reservation).where(
            Reservation.order_line_id == line_id, Reservation.warehouse_id != shipped_from
        )
    ):
        cut = min(quantity, held.quantity)
        level = _level(uow, merchant_id, held.warehouse_id, sku)
        _move(
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


def warehouse_pick_list(uow: UnitOfWork, merchant_id: str, code: str) -> tuple[Warehouse, list[PickLine]]:
    """What to pick at a warehouse: every unit reserved there and not yet shipped."""
    warehouse = find_warehouse(uow, merchant_id, code)
    rows = uow.session.execute(
        select(Reservation.sku, StockLevel.location, Reservation.order_id, Order.number, Reservation.quantity)
        .join(Order, Order.id == Reservation.order_id)
        .outerjoin(
            StockLevel,
            (StockLevel.warehouse_id == Reservation.warehouse_id) & (StockLevel.sku == Reservation.sku),
        )
        .where(Reservation.merchant_id == merchant_id, Reservation.warehouse_id == warehouse.id)
    )
    return warehouse, pick_list([HeldUnits(*row) for row in rows])
