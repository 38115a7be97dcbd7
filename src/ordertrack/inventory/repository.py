"""Queries of inventory's own tables: warehouses, levels, the ledger, holds and backorders.

Levels are always locked ``FOR UPDATE`` in id order, on every path, so concurrent writers
queue on the rows of the SKUs they want and never deadlock against each other. The bulk
writes of a stock import go to the driver as they are (COPY on PostgreSQL, executemany on
SQLite), past SQLAlchemy's per-row parameter handling, which took most of a large import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory.model import (
    Backorder,
    Reservation,
    StockAlert,
    StockLevel,
    StockMovement,
    Warehouse,
)
from ordertrack.inventory.schemas import STOCK_CURSOR, WAREHOUSE_CURSOR
from ordertrack.kit.pagination import Page, key_page, keyset_page

_levels = StockLevel.__table__
_movements = StockMovement.__table__
_alerts = StockAlert.__table__


# --- warehouses -----------------------------------------------------------------------------


def warehouse_with_code(uow: UnitOfWork, merchant_id: str, code: str) -> Warehouse | None:
    return uow.session.scalars(
        select(Warehouse).where(Warehouse.merchant_id == merchant_id, Warehouse.code == code)
    ).first()


def warehouses(uow: UnitOfWork, merchant_id: str) -> list[Warehouse]:
    """The merchant's warehouses in the order stock is taken from them (priority, then code)."""
    return list(
        uow.session.scalars(
            select(Warehouse)
            .where(Warehouse.merchant_id == merchant_id)
            .order_by(Warehouse.priority, Warehouse.code)
        )
    )


def has_warehouses(uow: UnitOfWork, merchant_id: str) -> bool:
    return (
        uow.session.scalar(select(Warehouse.id).where(Warehouse.merchant_id == merchant_id).limit(1))
        is not None
    )


def warehouse_ids_by_code(uow: UnitOfWork, merchant_id: str) -> dict[str, str]:
    return {
        code: warehouse_id
        for code, warehouse_id in uow.session.execute(
            select(Warehouse.code, Warehouse.id).where(Warehouse.merchant_id == merchant_id)
        )
    }


def warehouse_code(uow: UnitOfWork, warehouse_id: str) -> str:
    """The code of a warehouse by id (from the session's identity map when loaded)."""
    warehouse = uow.session.get(Warehouse, warehouse_id)
    return warehouse.code if warehouse else warehouse_id


# --- levels and the ledger ------------------------------------------------------------------


def locked_levels(
    uow: UnitOfWork, merchant_id: str, skus: Iterable[str], warehouse_ids: Iterable[str] | None = None
) -> list[StockLevel]:
    query = select(StockLevel).where(
        StockLevel.merchant_id == merchant_id, StockLevel.sku.in_(sorted(set(skus)))
    )
    if warehouse_ids is not None:
        query = query.where(StockLevel.warehouse_id.in_(sorted(set(warehouse_ids))))
    return list(uow.session.scalars(query.order_by(StockLevel.id).with_for_update()))


def levels_with_codes(
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


# --- holds and backorders -------------------------------------------------------------------


def reservations_of_order(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[Reservation]:
    return list(
        uow.session.scalars(
            select(Reservation).where(
                Reservation.merchant_id == merchant_id, Reservation.order_id == order_id
            )
        )
    )


def reservations_of_orders(uow: UnitOfWork, merchant_id: str, order_ids: Sequence[str]) -> list[Reservation]:
    """Every hold of these orders (one query, however many orders)."""
    if not order_ids:
        return []
    return list(
        uow.session.scalars(
            select(Reservation).where(
                Reservation.merchant_id == merchant_id, Reservation.order_id.in_(order_ids)
            )
        )
    )


def reservation_of_line(uow: UnitOfWork, line_id: str, warehouse_id: str) -> Reservation | None:
    return uow.session.scalars(
        select(Reservation).where(
            Reservation.order_line_id == line_id, Reservation.warehouse_id == warehouse_id
        )
    ).first()


def reservations_of_line_elsewhere(uow: UnitOfWork, line_id: str, warehouse_id: str) -> list[Reservation]:
    """The line's holds at every warehouse but this one."""
    return list(
        uow.session.scalars(
            select(Reservation).where(
                Reservation.order_line_id == line_id, Reservation.warehouse_id != warehouse_id
            )
        )
    )


def held_at_warehouse(
    uow: UnitOfWork, merchant_id: str, warehouse_id: str
) -> list[tuple[str, str | None, str, int]]:
    """(sku, bin location, order id, quantity) of every hold at the warehouse."""
    rows = uow.session.execute(
        select(Reservation.sku, StockLevel.location, Reservation.order_id, Reservation.quantity)
        .outerjoin(
            StockLevel,
            (StockLevel.warehouse_id == Reservation.warehouse_id) & (StockLevel.sku == Reservation.sku),
        )
        .where(Reservation.merchant_id == merchant_id, Reservation.warehouse_id == warehouse_id)
    )
    return [(sku, location, order_id, quantity) for sku, location, order_id, quantity in rows]


def backorders_of_order(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[Backorder]:
    return list(
        uow.session.scalars(
            select(Backorder).where(Backorder.merchant_id == merchant_id, Backorder.order_id == order_id)
        )
    )


def backorder_of_line(uow: UnitOfWork, line_id: str) -> Backorder | None:
    return uow.session.scalars(select(Backorder).where(Backorder.order_line_id == line_id)).first()


def waiting_backorders(uow: UnitOfWork, merchant_id: str, sku: str) -> list[Backorder]:
    """The SKU's backorders, locked, oldest order first (ties by id, so the order is total)."""
    return list(
        uow.session.scalars(
            select(Backorder)
            .where(Backorder.merchant_id == merchant_id, Backorder.sku == sku)
            .order_by(Backorder.placed_at, Backorder.id)
            .with_for_update()
        )
    )


def backordered_skus(uow: UnitOfWork, merchant_id: str) -> set[str]:
    return set(
        uow.session.scalars(select(Backorder.sku).where(Backorder.merchant_id == merchant_id).distinct())
    )


# --- bulk counts (stock import) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelSnapshot:
    """A level as a stock import found it."""

    id: str
    on_hand: int
    reserved: int
    threshold: int | None
    below: bool
    location: str | None


def locked_level_snapshots(
    uow: UnitOfWork, merchant_id: str, warehouse_ids: list[str]
) -> dict[tuple[str, str], LevelSnapshot]:
    """(warehouse id, sku) -> the level, for every level of these warehouses, locked."""
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
    return {(w, s): LevelSnapshot(*rest) for w, s, *rest in uow.session.execute(query)}


LEVEL_COLUMNS = (
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
# What a count rewrites in a level, by id (the first).
REWRITTEN_COLUMNS = ("id", "on_hand", "low_stock_threshold", "below_threshold", "location")
MOVEMENT_COLUMNS = (
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
# PostgreSQL array types of the rewritten columns, for one UPDATE ... FROM unnest(...) a chunk.
_REWRITTEN_ARRAYS = ("text[]", "integer[]", "integer[]", "boolean[]", "text[]")


def _postgres(uow: UnitOfWork) -> bool:
    return uow.session.get_bind().dialect.name == "postgresql"


def stamp(uow: UnitOfWork) -> Callable[[datetime | None], Any]:
    """A time as the driver takes it for this database (the column type's own conversion)."""
    dialect = uow.session.get_bind().dialect
    convert = _levels.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
    return convert if convert is not None else (lambda value: value)


def insert_levels(uow: UnitOfWork, rows: list[tuple[Any, ...]]) -> None:
    """New levels, as tuples of ``LEVEL_COLUMNS`` (times already ``stamp``-ed)."""
    _insert(uow, _levels.name, LEVEL_COLUMNS, rows)


def insert_movements(uow: UnitOfWork, rows: list[tuple[Any, ...]]) -> None:
    """Ledger rows, as tuples of ``MOVEMENT_COLUMNS`` (times already ``stamp``-ed)."""
    _insert(uow, _movements.name, MOVEMENT_COLUMNS, rows)


def insert_alerts(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    uow.session.execute(insert(_alerts), rows)


def insert_movements_with_ids(uow: UnitOfWork, rows: list[tuple[Any, ...]]) -> list[int]:
    """Ledger rows (tuples of ``MOVEMENT_COLUMNS``, times ``stamp``-ed) and their ids, in order,
    for records that point at them (receipts). On PostgreSQL the ids are drawn from the column's
    sequence in one query and the rows COPY-ed with them: no multi-row statement for psycopg to
    parse again for every batch. SQLite returns each row's id from its insert."""
    if not rows:
        return []
    connection = uow.session.connection()
    if _postgres(uow):
        ids = list(
            connection.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence('stock_movements', 'id'))"
                " FROM generate_series(1, %(n)s)",
                {"n": len(rows)},
            ).scalars()
        )
        _copy(
            uow,
            _movements.name,
            ("id", *MOVEMENT_COLUMNS),
            [(i, *row) for i, row in zip(ids, rows, strict=True)],
        )
        return ids
    sql = (
        f"INSERT INTO {_movements.name} ({', '.join(MOVEMENT_COLUMNS)})"
        f" VALUES ({', '.join('?' * len(MOVEMENT_COLUMNS))}) RETURNING id"
    )
    return [connection.exec_driver_sql(sql, row).scalar_one() for row in rows]


def copy_rows(uow: UnitOfWork, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows of another feature's table written the way stock imports write theirs (COPY on
    PostgreSQL, executemany on SQLite); values as the driver takes them (times ``stamp``-ed)."""
    _insert(uow, table, columns, rows)


def _insert(uow: UnitOfWork, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    if _postgres(uow):
        _copy(uow, table, columns, rows)
        return
    uow.session.connection().exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows
    )


def _copy(uow: UnitOfWork, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    raw = uow.session.connection().connection.driver_connection
    with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


def set_on_hand(uow: UnitOfWork, rows: list[tuple[str, int]], updated_at: Any) -> None:
    """Set levels' on_hand by id ((id, on_hand) pairs, one per level) and their updated_at
    (``stamp``-ed): one statement on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    if _postgres(uow):
        ids, on_hand = (list(column) for column in zip(*rows, strict=True))
        uow.session.connection().exec_driver_sql(
            "UPDATE stock_levels SET on_hand = changes.on_hand, updated_at = %s"
            " FROM unnest(%s::text[], %s::integer[]) AS changes(id, on_hand)"
            " WHERE stock_levels.id = changes.id",
            (updated_at, ids, on_hand),
        )
        return
    uow.session.connection().exec_driver_sql(
        "UPDATE stock_levels SET on_hand = ?, updated_at = ? WHERE id = ?",
        [(on_hand, updated_at, level_id) for level_id, on_hand in rows],
    )


def update_levels(uow: UnitOfWork, rows: list[tuple[Any, ...]], updated_at: Any) -> None:
    """Rewrite levels by id (tuples of ``REWRITTEN_COLUMNS``); ``updated_at`` too unless None."""
    if not rows:
        return
    touched = [] if updated_at is None else [updated_at]
    if _postgres(uow):
        # unnest() is estimated at a few rows, so each chunk's levels are found by primary key;
        # a temporary table of the chunk had each chunk scan every level instead.
        assignments = ", ".join(f"{name} = changes.{name}" for name in REWRITTEN_COLUMNS[1:])
        arrays = ", ".join(f"%s::{kind}" for kind in _REWRITTEN_ARRAYS)
        uow.session.connection().exec_driver_sql(
            f"UPDATE stock_levels SET {assignments}{', updated_at = %s' if touched else ''}"
            f" FROM unnest({arrays}) AS changes({', '.join(REWRITTEN_COLUMNS)})"
            " WHERE stock_levels.id = changes.id",
            (*touched, *(list(column) for column in zip(*rows, strict=True))),
        )
        return
    settings = ", ".join(
        f"{name} = ?" for name in (*REWRITTEN_COLUMNS[1:], *(["updated_at"] if touched else []))
    )
    uow.session.connection().exec_driver_sql(
        f"UPDATE stock_levels SET {settings} WHERE id = ?", [(*row[1:], *touched, row[0]) for row in rows]
    )


# --- pages for the API ----------------------------------------------------------------------


# --- pages (API lists) ----------------------------------------------------------------------


def warehouse_page(uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int) -> Page[Warehouse]:
    query = select(Warehouse).where(Warehouse.merchant_id == merchant_id)
    return key_page(uow.session, query, [Warehouse.priority, Warehouse.code], WAREHOUSE_CURSOR, cursor, limit)


def level_page(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    sku: str | None,
    warehouse: str | None,
    low: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[StockLevel]:
    query = select(StockLevel).where(StockLevel.merchant_id == merchant_id)
    if sku:
        query = query.where(StockLevel.sku == sku)
    if warehouse:
        query = query.join(Warehouse, Warehouse.id == StockLevel.warehouse_id).where(
            Warehouse.code == warehouse
        )
    if low is not None:
        query = query.where(StockLevel.below_threshold.is_(low))
    return key_page(uow.session, query, [StockLevel.sku, StockLevel.id], STOCK_CURSOR, cursor, limit)


def movement_page(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    sku: str | None,
    warehouse: str | None,
    cursor: str | None,
    limit: int,
) -> Page[StockMovement]:
    query = select(StockMovement).where(StockMovement.merchant_id == merchant_id)
    if sku:
        query = query.where(StockMovement.sku == sku)
    if warehouse:
        query = query.join(Warehouse, Warehouse.id == StockMovement.warehouse_id).where(
            Warehouse.code == warehouse
        )
    return keyset_page(uow.session, query, StockMovement.id, cursor, limit)
