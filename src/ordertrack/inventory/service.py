"""Inventory use cases: warehouses, and stock levels counted, received and adjusted.

Holding stock for orders (reservations, releases, shipping) is in
:mod:`ordertrack.inventory.reservations`; many counts at once in
:mod:`ordertrack.inventory.count_import`. Every change goes through the ledger
(:mod:`ordertrack.inventory.ledger`); new units fill waiting backorders, oldest order first,
in the same transaction, and are recorded as :class:`~ordertrack.events.StockReceived`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm.attributes import set_committed_value

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import StockReceived
from ordertrack.inventory import repository
from ordertrack.inventory.backorders import fill_backorders, fill_backorders_of
from ordertrack.inventory.ledger import level_for, move, watch_threshold
from ordertrack.inventory.model import StockLevel, StockMovement, Warehouse
from ordertrack.inventory.rules import Level, MovementKind, apply_movement
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound, Unprocessable
from ordertrack.kit.ids import new_id, new_ids
from ordertrack.kit.pagination import Page


class WarehouseNotFound(NotFound):
    code = "warehouse_not_found"


class UnknownWarehouse(Unprocessable):
    code = "unknown_warehouse"


class DuplicateWarehouse(Conflict):
    code = "duplicate_warehouse"


# --- warehouses -----------------------------------------------------------------------------


def create_warehouse(uow: UnitOfWork, merchant_id: str, data: WarehouseIn) -> Warehouse:
    if repository.warehouse_with_code(uow, merchant_id, data.code) is not None:
        raise DuplicateWarehouse(f"a warehouse with code {data.code!r} already exists")
    warehouse = Warehouse(id=new_id("whs"), merchant_id=merchant_id, created_at=utcnow(), **data.columns())
    uow.session.add(warehouse)
    uow.flush()
    return warehouse


def list_warehouses(uow: UnitOfWork, merchant_id: str) -> list[Warehouse]:
    """The merchant's warehouses in the order stock is taken from them (priority, then code)."""
    return repository.warehouses(uow, merchant_id)


def find_warehouse(uow: UnitOfWork, merchant_id: str, code: str) -> Warehouse:
    warehouse = repository.warehouse_with_code(uow, merchant_id, code)
    if warehouse is None:
        raise WarehouseNotFound(f"no warehouse {code!r}")
    return warehouse


def uses_inventory(uow: UnitOfWork, merchant_id: str) -> bool:
    """A merchant without warehouses uses ordertrack for tracking only: no stock rules apply."""
    return repository.has_warehouses(uow, merchant_id)


# --- counting, receiving, adjusting ---------------------------------------------------------


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
    level = level_for(uow, merchant_id, warehouse.id, sku)
    if threshold is not None:
        level.low_stock_threshold = threshold
    if location is not None:
        level.location = location
    delta = on_hand - level.on_hand
    if delta:
        move(uow, level, MovementKind.adjustment, delta, actor=actor, reason=reason or "stock count")
    else:
        watch_threshold(uow, level, utcnow())
    if delta > 0:
        _arrived(uow, merchant_id, warehouse.code, sku, delta, actor=actor)
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
    """Goods arrived: on_hand grows through a receipt, and waiting backorders are filled."""
    warehouse = find_warehouse(uow, merchant_id, code)
    level = level_for(uow, merchant_id, warehouse.id, sku)
    move(uow, level, MovementKind.receipt, quantity, actor=actor, reason=reason)
    _arrived(uow, merchant_id, warehouse.code, sku, quantity, actor=actor)
    return level


def receive_many(
    uow: UnitOfWork,
    merchant_id: str,
    warehouse_id: str,
    arrivals: Sequence[tuple[str, int]],
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> list[int]:
    """A delivery counted at the dock: one ``receipt`` movement per (sku, units) arrival, in
    order; their ledger ids, for the receipts that point at them. The levels are locked in one
    query, the missing ones made together and the ledger rows written in one go, so a thousand
    lines cost a few statements, not a few each; then waiting backorders are filled, oldest
    order first, once per SKU. Each level moves by the same rule :func:`ledger.move` applies."""
    if not arrivals:
        return []
    skus = {sku for sku, _units in arrivals}
    levels = {level.sku: level for level in repository.locked_levels(uow, merchant_id, skus, [warehouse_id])}
    missing = sorted(skus - levels.keys())
    for sku, level_id in zip(missing, new_ids("stk", len(missing)), strict=True):
        levels[sku] = StockLevel(
            id=level_id,
            merchant_id=merchant_id,
            warehouse_id=warehouse_id,
            sku=sku,
            on_hand=0,
            reserved=0,
            below_threshold=False,
            updated_at=now,
        )
        uow.session.add(levels[sku])
    if missing:
        uow.flush()
    at = repository.stamp(uow)(now)
    rows = []
    on_hand = {sku: level.on_hand for sku, level in levels.items()}
    for sku, units in arrivals:
        level = levels[sku]
        after = apply_movement(Level(on_hand[sku], level.reserved), MovementKind.receipt, units)
        rows.append(
            (
                merchant_id,
                warehouse_id,
                sku,
                str(MovementKind.receipt),
                after.on_hand - on_hand[sku],
                after.reserved - level.reserved,
                None,
                actor,
                reason,
                at,
            )
        )
        on_hand[sku] = after.on_hand
    # The levels are written in one statement and the session told the values it wrote (the
    # session would have sent an UPDATE per level); then the threshold watch as move() does.
    repository.set_on_hand(uow, [(levels[sku].id, units) for sku, units in sorted(on_hand.items())], at)
    for sku, level in levels.items():
        set_committed_value(level, "on_hand", on_hand[sku])
        set_committed_value(level, "updated_at", now)
        watch_threshold(uow, level, now)
    movement_ids = repository.insert_movements_with_ids(uow, rows)
    code = repository.warehouse_code(uow, warehouse_id)
    grown: dict[str, int] = {}
    for sku, units in arrivals:
        grown[sku] = grown.get(sku, 0) + units
    uow.record(
        *(
            StockReceived(merchant_id=merchant_id, warehouse=code, sku=sku, quantity=units)
            for sku, units in grown.items()
        )
    )
    fill_backorders_of(uow, merchant_id, grown, actor=actor)
    return movement_ids


def adjust_stock(
    uow: UnitOfWork, merchant_id: str, code: str, sku: str, delta: int, *, actor: str, reason: str
) -> StockLevel:
    """Correct on_hand by a signed delta (damage, loss, found stock)."""
    warehouse = find_warehouse(uow, merchant_id, code)
    level = level_for(uow, merchant_id, warehouse.id, sku)
    if delta:
        move(uow, level, MovementKind.adjustment, delta, actor=actor, reason=reason)
    if delta > 0:
        _arrived(uow, merchant_id, warehouse.code, sku, delta, actor=actor)
    return level


def _arrived(uow: UnitOfWork, merchant_id: str, code: str, sku: str, quantity: int, *, actor: str) -> None:
    uow.record(StockReceived(merchant_id=merchant_id, warehouse=code, sku=sku, quantity=quantity))
    fill_backorders(uow, merchant_id, sku, actor=actor)


# --- reading --------------------------------------------------------------------------------


def list_stock(
    uow: UnitOfWork, merchant_id: str, *, sku: str | None, warehouse: str | None, low: bool | None
) -> list[tuple[StockLevel, str]]:
    """Levels with their warehouse codes, by SKU then warehouse."""
    return repository.levels_with_codes(uow, merchant_id, sku=sku, warehouse=warehouse, low=low)


def warehouse_page(uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int) -> Page[Warehouse]:
    """The merchant's warehouses in the order stock is taken from them, a page at a time."""
    return repository.warehouse_page(uow, merchant_id, cursor, limit)


def stock_page(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    sku: str | None,
    warehouse: str | None,
    low: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[tuple[StockLevel, str]]:
    """Levels with their warehouse codes, by SKU, a page at a time."""
    page = repository.level_page(
        uow, merchant_id, sku=sku, warehouse=warehouse, low=low, cursor=cursor, limit=limit
    )
    codes = {v: k for k, v in repository.warehouse_ids_by_code(uow, merchant_id).items()}
    return Page([(level, codes[level.warehouse_id]) for level in page.items], page.next_cursor)


def movement_page(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    sku: str | None,
    warehouse: str | None,
    cursor: str | None,
    limit: int,
) -> Page[tuple[StockMovement, str]]:
    """The ledger with warehouse codes, newest first, a page at a time."""
    page = repository.movement_page(
        uow, merchant_id, sku=sku, warehouse=warehouse, cursor=cursor, limit=limit
    )
    codes = {v: k for k, v in repository.warehouse_ids_by_code(uow, merchant_id).items()}
    return Page([(movement, codes[movement.warehouse_id]) for movement in page.items], page.next_cursor)


def ledger_sums(uow: UnitOfWork, merchant_id: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(warehouse id, sku) -> (sum of on_hand deltas, sum of reserved deltas)."""
    return repository.ledger_sums(uow, merchant_id)
