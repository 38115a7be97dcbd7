"""Many stock counts at once (``ordertrack stock import``): checked whole, applied in one go.

Each row means what :func:`service.set_stock` means: the count becomes ``on_hand`` through one
adjustment in the ledger, the threshold and location are set when given, a level that falls
below its threshold raises one alert (recorded as ``StockRanLow``), and new units (recorded as
``StockReceived``) fill waiting backorders. What differs is the shape of the work.
:func:`plan_counts` reads the levels of the warehouses the file names in one locked query and
runs every row through the pure rule, so a count under what is reserved, or beyond what a
level may hold, is named with its line before anything is written.
:func:`apply_counts` then writes new levels, changed levels, ledger rows and alerts with a few
bulk statements per chunk (COPY on PostgreSQL, executemany on SQLite) instead of a few
statements per row. Both run in the caller's unit of work: one transaction, all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import StockRanLow, StockReceived
from ordertrack.inventory import repository
from ordertrack.inventory.backorders import fill_backorders_of
from ordertrack.inventory.repository import LevelSnapshot
from ordertrack.inventory.rules import Level, MovementKind, apply_movement
from ordertrack.inventory.stock_csv import RowError, StockRow
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.ids import new_id, new_ids

# Rows written per round of statements; the progress callback hears after each.
CHUNK = 5_000

# What a count of a SKU the warehouse has never held starts from.
_NO_LEVEL = LevelSnapshot("", 0, 0, None, False, None)


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
    warehouses = repository.warehouse_ids_by_code(uow, merchant_id)
    named = sorted({warehouses[r.warehouse] for r in rows if r.warehouse in warehouses})
    current = repository.locked_level_snapshots(uow, merchant_id, named) if named else {}
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
        for code, warehouse_id in repository.warehouse_ids_by_code(uow, plan.merchant_id).items()
    }
    changes = plan.changes
    for start in range(0, len(changes), CHUNK):
        _write_chunk(uow, plan.merchant_id, changes[start : start + CHUNK], codes, actor, reason, now)
        if progress is not None:
            progress(min(start + CHUNK, len(changes)))
    grown = [c for c in changes if c.delta > 0]
    uow.record(
        *(
            StockReceived(
                merchant_id=plan.merchant_id, warehouse=codes[c.warehouse_id], sku=c.row.sku, quantity=c.delta
            )
            for c in grown
        )
    )
    # New units go to waiting backorders, oldest order first, as a single count's would.
    filled = fill_backorders_of(uow, plan.merchant_id, {c.row.sku for c in grown}, actor=actor)
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
    at = repository.stamp(uow)(now)
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
    repository.insert_levels(uow, created)
    # A level whose count stays keeps its updated_at, as with a single count.
    for counted in (True, False):
        repository.update_levels(
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
    repository.insert_movements(uow, movements)
    alerts = [c for c in changes if c.alert]
    if alerts:
        _raise_alerts(uow, merchant_id, alerts, codes, now)


def _raise_alerts(
    uow: UnitOfWork,
    merchant_id: str,
    changes: Sequence[CountChange],
    codes: dict[str, str],
    now: datetime,
) -> None:
    """One alert row and one :class:`StockRanLow` per level that fell below its threshold."""
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
    repository.insert_alerts(uow, rows)
    uow.record(
        *(
            StockRanLow(
                merchant_id=merchant_id,
                alert_id=row["id"],
                warehouse=codes.get(row["warehouse_id"], row["warehouse_id"]),
                sku=row["sku"],
                available=row["available"],
                threshold=row["threshold"],
                at=now,
            )
            for row in rows
        )
    )
