"""Many stock counts at once (``ordertrack stock import``): checked whole, applied in one go.

Each row means what :func:`service.set_stock` means: the count becomes ``on_hand`` through one
adjustment in the ledger, the threshold and location are set when given, a level that falls
below its threshold raises one alert, and new units fill waiting backorders. What differs is
the shape of the work. :func:`plan_counts` reads the levels of the warehouses the file names
in one locked query and runs every row through the pure rule, so a count under what is
reserved, or beyond what a level may hold, is named with its line before anything is written.
:func:`apply_counts` then writes new levels, changed levels, ledger rows and alerts with a few
bulk statements per chunk (COPY on PostgreSQL, executemany on SQLite) instead of a few
statements per row. Both run in the caller's unit of work: one transaction, all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory.model import Backorder, StockAlert, StockLevel, StockMovement, Warehouse
from ordertrack.inventory.rules import Level, MovementKind, apply_movement
from ordertrack.inventory.service import fill_backorders
from ordertrack.inventory.stock_csv import RowError, StockRow
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.ids import new_id, new_ids
from ordertrack.notifications import service as notifications_service

# Rows written per round of statements; the progress callback hears after each.
CHUNK = 5_000

_levels = StockLevel.__table__
_movements = StockMovement.__table__
_alerts = StockAlert.__table__


@dataclass(frozen=True, slots=True)
class _Current:
    """A level as the plan found it."""

    id: str
    on_hand: int
    reserved: int
    threshold: int | None
    below: bool
    location: str | None


# What a count of a SKU the warehouse has never held starts from.
_NO_LEVEL = _Current("", 0, 0, None, False, None)


@dataclass(frozen=True, slots=True)
class CountChange:
    """One row's effect, worked out before anything is written."""

    row: StockRow
    warehouse_id: str
    level_id: str
    new: bool
    delta: int
    available: int
    threshold: int | None
    below: bool
    location: str | None
    alert: bool  # available fell below the threshold with this count
    changed: bool  # anything to write to the level at all


@dataclass
class CountPlan:
    """What a file would do; applied only when it has no problems."""

    merchant_id: str
    changes: list[CountChange] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class CountSummary:
    """What an applied plan wrote."""

    levels: int
    created: int
    changed: int
    unchanged: int
    movements: int
    alerts: int
    backordered_skus_filled: int


def plan_counts(uow: UnitOfWork, merchant_id: str, rows: Sequence[StockRow]) -> CountPlan:
    """Every row's effect, or a problem naming its line; locks the levels the rows touch."""
    plan = CountPlan(merchant_id)
    warehouses = {
        code: warehouse_id
        for code, warehouse_id in uow.session.execute(
            select(Warehouse.code, Warehouse.id).where(Warehouse.merchant_id == merchant_id)
        )
    }
    named = sorted({warehouses[r.warehouse] for r in rows if r.warehouse in warehouses})
    current = _current_levels(uow, merchant_id, named) if named else {}
    fresh = iter(new_ids("stk", sum((warehouses.get(r.warehouse), r.sku) not in current for r in rows)))
    for row in rows:
        warehouse_id = warehouses.get(row.warehouse)
        if warehouse_id is None:
            plan.problems.append(RowError(row.line, f"merchant has no warehouse {row.warehouse!r}"))
            continue
        level = current.get((warehouse_id, row.sku))
        before = level or _NO_LEVEL
        delta = row.on_hand - before.on_hand
        try:
            if delta:
                apply_movement(Level(before.on_hand, before.reserved), MovementKind.adjustment, delta)
        except OrdertrackError as error:
            plan.problems.append(
                RowError(
                    row.line, f"{row.warehouse}/{row.sku}: {before.reserved:,} reserved; {error.message}"
                )
            )
            continue
        threshold = row.low_stock_threshold if row.low_stock_threshold is not None else before.threshold
        available = row.on_hand - before.reserved
        below = threshold is not None and available < threshold
        location = row.location if row.location is not None else before.location
        plan.changes.append(
            CountChange(
                row=row,
                warehouse_id=warehouse_id,
                level_id=level.id if level else next(fresh),
                new=level is None,
                delta=delta,
                available=available,
                threshold=threshold,
                below=below,
                location=location,
                alert=below and not before.below,
                changed=(delta, threshold, below, location)
                != (0, before.threshold, before.below, before.location),
            )
        )
    return plan


def _current_levels(
    uow: UnitOfWork, merchant_id: str, warehouse_ids: list[str]
) -> dict[tuple[str, str], _Current]:
    # Locked in id order, as every other path locks levels, so nothing deadlocks against it.
    query = (
        select(
            _levels.c.warehouse_id,
            _levels.c.sku,
            _levels.c.id,
            _levels.c.on_hand,
            _levels.c.reserved,
            _levels.c.low_stock_threshold,
            _levels.c.below_threshold,
            _levels.c.location,
        )
        .where(_levels.c.merchant_id == merchant_id, _levels.c.warehouse_id.in_(warehouse_ids))
        .order_by(_levels.c.id)
        .with_for_update()
    )
    return {(w, s): _Current(*rest) for w, s, *rest in uow.session.execute(query)}


def apply_counts(
    uow: UnitOfWork,
    plan: CountPlan,
    *,
    actor: str,
    reason: str,
    progress: Callable[[int], None] | None = None,
) -> CountSummary:
    """Write a plan without problems; ``progress`` hears the rows done after each chunk."""
    if plan.problems:
        raise ValueError("a plan with problems is not applied")
    now = utcnow()
    codes = {
        warehouse_id: code
        for warehouse_id, code in uow.session.execute(
            select(Warehouse.id, Warehouse.code).where(Warehouse.merchant_id == plan.merchant_id)
        )
    }
    changes = plan.changes
    for start in range(0, len(changes), CHUNK):
        _write_chunk(uow, plan.merchant_id, changes[start : start + CHUNK], codes, actor, reason, now)
        if progress is not None:
            progress(min(start + CHUNK, len(changes)))
    filled = _fill_backorders(uow, plan, actor)
    return CountSummary(
        levels=len(changes),
        created=sum(c.new for c in changes),
        changed=sum(c.changed and not c.new for c in changes),
        unchanged=sum(not c.changed and not c.new for c in changes),
        movements=sum(bool(c.delta) for c in changes),
        alerts=sum(c.alert for c in changes),
        backordered_skus_filled=filled,
    )


def _write_chunk(
    uow: UnitOfWork,
    merchant_id: str,
    changes: Sequence[CountChange],
    codes: dict[str, str],
    actor: str,
    reason: str,
    now: datetime,
) -> None:
    stamp = _stamp(uow)
    at = stamp(now)
    created = [
        (
            c.level_id,
            merchant_id,
            c.warehouse_id,
            c.row.sku,
            c.row.on_hand,
            0,
            c.location,
            c.threshold,
            c.below,
            at,
        )
        for c in changes
        if c.new
    ]
    _insert(uow, _levels.name, _LEVEL_COLUMNS, created)
    # A level whose count stays keeps its updated_at, as with a single count.
    for counted in (True, False):
        _update_levels(
            uow,
            [
                (c.level_id, c.row.on_hand, c.threshold, c.below, c.location)
                for c in changes
                if c.changed and not c.new and bool(c.delta) == counted
            ],
            at if counted else None,
        )
    kind = str(MovementKind.adjustment)
    movements = [
        (merchant_id, c.warehouse_id, c.row.sku, kind, c.delta, 0, None, actor, reason, at)
        for c in changes
        if c.delta
    ]
    _insert(uow, _movements.name, _MOVEMENT_COLUMNS, movements)
    alerts = [c for c in changes if c.alert]
    if alerts:
        _raise_alerts(uow, merchant_id, alerts, codes, now)


_LEVEL_COLUMNS = (
    "id",
    "merchant_id",
    "warehouse_id",
    "sku",
    "on_hand",
    "reserved",
    "location",
    "low_stock_threshold",
    "below_threshold",
    "updated_at",
)
_REWRITTEN_COLUMNS = ("id", "on_hand", "low_stock_threshold", "below_threshold", "location")
_MOVEMENT_COLUMNS = (
    "merchant_id",
    "warehouse_id",
    "sku",
    "kind",
    "on_hand_delta",
    "reserved_delta",
    "order_id",
    "actor",
    "reason",
    "created_at",
)


def _postgres(uow: UnitOfWork) -> bool:
    return uow.session.get_bind().dialect.name == "postgresql"


def _stamp(uow: UnitOfWork) -> Callable[[datetime | None], Any]:
    """A time as the driver takes it for this database (the column type's own conversion)."""
    dialect = uow.session.get_bind().dialect
    convert = _levels.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
    return convert if convert is not None else (lambda value: value)


# The rows below go to the driver as they are, past SQLAlchemy's per-row parameter handling,
# which took most of the time of a large import: COPY on PostgreSQL, executemany on SQLite.
def _insert(uow: UnitOfWork, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if _postgres(uow):
        _copy(uow, table, columns, rows)
        return
    uow.session.connection().exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows
    )


# PostgreSQL array types of the rewritten columns, for one UPDATE ... FROM unnest(...) a chunk.
_REWRITTEN_ARRAYS = ("text[]", "integer[]", "integer[]", "boolean[]", "text[]")


def _update_levels(uow: UnitOfWork, rows: list[tuple[Any, ...]], updated_at: Any) -> None:
    """Rewrite levels by id; ``updated_at`` too unless it is None."""
    if not rows:
        return
    touched = [] if updated_at is None else [updated_at]
    if _postgres(uow):
        # unnest() is estimated at a few rows, so each chunk's levels are found by primary key;
        # a temporary table of the chunk had each chunk scan every level instead.
        assignments = ", ".join(f"{name} = changes.{name}" for name in _REWRITTEN_COLUMNS[1:])
        arrays = ", ".join(f"%s::{kind}" for kind in _REWRITTEN_ARRAYS)
        uow.session.connection().exec_driver_sql(
            f"UPDATE stock_levels SET {assignments}{', updated_at = %s' if touched else ''}"
            f" FROM unnest({arrays}) AS changes({', '.join(_REWRITTEN_COLUMNS)})"
            " WHERE stock_levels.id = changes.id",
            (*touched, *(list(column) for column in zip(*rows, strict=True))),
        )
        return
    settings = ", ".join(
        f"{name} = ?" for name in (*_REWRITTEN_COLUMNS[1:], *(["updated_at"] if touched else []))
    )
    uow.session.connection().exec_driver_sql(
        f"UPDATE stock_levels SET {settings} WHERE id = ?", [(*row[1:], *touched, row[0]) for row in rows]
    )


def _copy(uow: UnitOfWork, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    raw = uow.session.connection().connection.driver_connection
    with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


def _raise_alerts(
    uow: UnitOfWork,
    merchant_id: str,
    changes: Sequence[CountChange],
    codes: dict[str, str],
    now: datetime,
) -> None:
    """One alert row and one staff notification per level that fell below its threshold."""
    rows = [
        {
            "id": new_id("sal"),
            "merchant_id": merchant_id,
            "warehouse_id": c.warehouse_id,
            "sku": c.row.sku,
            "available": c.available,
            "threshold": c.threshold,
            "raised_at": now,
        }
        for c in changes
    ]
    uow.session.execute(insert(_alerts), rows)
    notifications_service.enqueue(
        uow,
        merchant_id,
        [
            notifications_service.Occurrence(
                "low_stock",
                None,
                None,
                subject=row["id"],
                facts={
                    "sku": row["sku"],
                    "warehouse": codes.get(row["warehouse_id"], row["warehouse_id"]),
                    "available": row["available"],
                    "threshold": row["threshold"],
                },
            )
            for row in rows
        ],
        now=now,
    )


def _fill_backorders(uow: UnitOfWork, plan: CountPlan, actor: str) -> int:
    """New units go to waiting backorders, oldest order first, as a single count's would."""
    grown = {c.row.sku for c in plan.changes if c.delta > 0}
    if not grown:
        return 0
    waiting = set(
        uow.session.scalars(select(Backorder.sku).where(Backorder.merchant_id == plan.merchant_id).distinct())
    )
    skus = sorted(grown & waiting)
    for sku in skus:
        fill_backorders(uow, plan.merchant_id, sku, actor=actor)
    return len(skus)
