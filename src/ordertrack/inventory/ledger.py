"""The writes every stock use case shares: a level, a movement through the ledger, a hold.

Every change to a level goes through :func:`move`, which applies the pure rule, writes the
ledger row and watches the low-stock threshold, so levels always equal the ledger's sum.
A level that falls below its threshold raises one alert and records :class:`StockRanLow`;
who hears about it is the handlers' business (staff email and webhook, as outbox rows).
"""

from __future__ import annotations

from datetime import datetime

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import StockRanLow
from ordertrack.inventory import repository
from ordertrack.inventory.model import Reservation, StockAlert, StockLevel, StockMovement
from ordertrack.inventory.rules import Level, MovementKind, apply_movement
from ordertrack.kit.clock import utcnow
from ordertrack.kit.ids import new_id


def level_for(uow: UnitOfWork, merchant_id: str, warehouse_id: str, sku: str) -> StockLevel:
    """The locked level of the SKU at the warehouse, created empty when it has none yet."""
    found = repository.locked_levels(uow, merchant_id, [sku], [warehouse_id])
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


def move(
    uow: UnitOfWork,
    level: StockLevel,
    kind: MovementKind,
    quantity: int,
    *,
    actor: str,
    reason: str | None = None,
    order_id: str | None = None,
    now: datetime | None = None,
) -> StockMovement:
    """Apply one movement to a locked level and append it to the ledger; the ledger row (its
    id is set at the next flush), for a record that points at it, such as a receipt."""
    now = now or utcnow()
    after = apply_movement(Level(level.on_hand, level.reserved), kind, quantity)
    movement = StockMovement(
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
    uow.session.add(movement)
    level.on_hand, level.reserved, level.updated_at = after.on_hand, after.reserved, now
    watch_threshold(uow, level, now)
    return movement


def watch_threshold(uow: UnitOfWork, level: StockLevel, now: datetime) -> None:
    """Raise a low-stock alert once when available falls below the threshold."""
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
        uow.record(
            StockRanLow(
                merchant_id=level.merchant_id,
                alert_id=alert.id,
                warehouse=repository.warehouse_code(uow, level.warehouse_id),
                sku=level.sku,
                available=available,
                threshold=level.low_stock_threshold,
                at=now,
            )
        )
    level.below_threshold = below


def add_reservation(
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
        existing = repository.reservation_of_line(uow, line_id, warehouse_id)
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
