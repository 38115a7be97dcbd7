"""Queries of the orders' own tables: orders and their lines.

Every read that hands out whole orders loads their lines in the same round trip
(``selectinload``); the status, totals and holds all read them. Writers lock orders
``FOR UPDATE OF orders`` (not the lines' rows), in id order when there are several.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import selectinload

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.number_keys import number_key
from ordertrack.kit.pagination import decode_cursor
from ordertrack.orders.model import Order
from ordertrack.orders.status import OrderStatus


def number_taken(uow: UnitOfWork, merchant_id: str, number: str) -> bool:
    return (
        uow.session.scalar(select(Order.id).where(Order.merchant_id == merchant_id, Order.number == number))
        is not None
    )


def number_with_key(uow: UnitOfWork, merchant_id: str, key: str) -> str | None:
    """The number of one of the merchant's orders whose number has this key, if any."""
    return uow.session.scalar(
        select(Order.number).where(Order.number_key == key, Order.merchant_id == merchant_id).limit(1)
    )


def add_order(uow: UnitOfWork, order: Order) -> None:
    """Insert the order (with its lines) now, so its ids and defaults are there to read."""
    uow.session.add(order)
    uow.flush()


def order_with_id_or_number(
    uow: UnitOfWork, merchant_id: str, id_or_number: str, *, lock: bool
) -> Order | None:
    """The merchant's order whose id (tried first when it looks like one) or number this is."""
    base = select(Order).where(Order.merchant_id == merchant_id).options(selectinload(Order.lines))
    if lock:
        base = base.with_for_update(of=Order)
    order = None
    if id_or_number.startswith("ord_"):
        order = uow.session.scalars(base.where(Order.id == id_or_number)).first()
    if order is None:
        order = uow.session.scalars(base.where(Order.number == id_or_number)).first()
    if order is None and (key := number_key(id_or_number)):
        # As typed ("nw-10442" for NW-10442): only when one order reads so, never a guess.
        alike = uow.session.scalars(base.where(Order.number_key == key).limit(2)).all()
        order = alike[0] if len(alike) == 1 else None
    return order


def placement_rows(
    uow: UnitOfWork, merchant_id: str, ids: Sequence[str]
) -> list[tuple[str, datetime, str | None, str | None]]:
    """(id, placed_at, country, region) of each of these orders, without their lines."""
    rows = uow.session.execute(
        select(Order.id, Order.placed_at, Order.ship_country, Order.ship_region).where(
            Order.merchant_id == merchant_id, Order.id.in_(ids)
        )
    )
    return [(order_id, placed_at, country, region) for order_id, placed_at, country, region in rows]


def orders_with_lines(uow: UnitOfWork, merchant_id: str, ids: Sequence[str]) -> dict[str, Order]:
    rows = uow.session.scalars(
        select(Order)
        .where(Order.merchant_id == merchant_id, Order.id.in_(ids))
        .options(selectinload(Order.lines))
    )
    return {order.id: order for order in rows}


def locked_orders_with_lines(uow: UnitOfWork, merchant_id: str, ids: Sequence[str]) -> Sequence[Order]:
    """These orders, locked in id order (their status is about to be written)."""
    return uow.session.scalars(
        select(Order)
        .where(Order.merchant_id == merchant_id, Order.id.in_(ids))
        .options(selectinload(Order.lines))
        .order_by(Order.id)
        .with_for_update(of=Order)
    ).all()


def customer_ids_of_orders(uow: UnitOfWork, merchant_id: str, ids: Sequence[str]) -> dict[str, str | None]:
    rows = uow.session.execute(
        select(Order.id, Order.customer_id).where(Order.merchant_id == merchant_id, Order.id.in_(ids))
    )
    return {order_id: customer_id for order_id, customer_id in rows}


@dataclass(frozen=True)
class PlacedPage:
    """One page of a list newest placed first; ``older``/``newer`` name the pages beside it (the
    id of this page's last/first order), None where there is none."""

    items: list[Order]
    older: str | None
    newer: str | None


def list_conditions(
    merchant_id: str,
    *,
    number_fragment: str | None = None,
    name_words: Sequence[str] = (),
    customer_ids: Select[tuple[str]] | None = None,
    order_ids: Select[tuple[str]] | None = None,
    status: OrderStatus | None = None,
    attention: bool | None = None,
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE of a filtered list of the merchant's orders. When any of the text tests is given
    an order passes one of them: its number key holds ``number_fragment``, its ship-to name holds
    every word, its customer is in ``customer_ids`` or its id in ``order_ids``."""
    conditions: list[ColumnElement[bool]] = [Order.merchant_id == merchant_id]
    text_tests: list[ColumnElement[bool]] = []
    if number_fragment:
        text_tests.append(Order.number_key.contains(number_fragment, autoescape=True))
    if name_words:
        text_tests.append(and_(*(Order.ship_name.icontains(word, autoescape=True) for word in name_words)))
    if customer_ids is not None:
        text_tests.append(Order.customer_id.in_(customer_ids))
    if order_ids is not None:
        text_tests.append(Order.id.in_(order_ids))
    if text_tests:
        conditions.append(or_(*text_tests))
    if status is not None:
        conditions.append(Order.status == status)
    if attention is not None:
        conditions.append(Order.attention == attention)
    if placed_from is not None:
        conditions.append(Order.placed_at >= placed_from)
    if placed_to is not None:
        conditions.append(Order.placed_at < placed_to)
    return conditions


# Crockford base32 as kit.ids writes it; the letters it leaves out read as it says to (i, l as
# 1; o as 0) and u, which it never decodes, as the highest digit.
_BASE32 = {char: value for value, char in enumerate("0123456789abcdefghjkmnpqrstvwxyz")} | {
    "i": 1,
    "l": 1,
    "o": 0,
    "u": 31,
}
_LATEST = datetime(9999, 12, 31, tzinfo=UTC)


def _moment_of(order_id: str) -> datetime:
    """When an id of kit.ids' layout was made (its first 10 characters count milliseconds)."""
    millis = 0
    for char in order_id.partition("_")[2][:10]:
        millis = millis * 32 + _BASE32[char]
    latest = int(_LATEST.timestamp() * 1000)
    return datetime.fromtimestamp(0, UTC) + timedelta(milliseconds=min(millis, latest))


def _place_of(uow: UnitOfWork, merchant_id: str, cursor: str) -> tuple[datetime, str] | None:
    """(placed_at, id) of the place a cursor names in the merchant's list, None for the start.

    Every id of the declared form is a place (docs/api.md): the merchant's order where it was
    placed; any other id (an unknown one, another merchant's) where its id says it was made,
    without reading anyone else's row. A cursor not of that form is InvalidCursor."""
    order_id = decode_cursor(cursor)
    if order_id is None:
        return None
    order_id = str(order_id)
    placed_at = uow.session.scalar(
        select(Order.placed_at).where(Order.merchant_id == merchant_id, Order.id == order_id)
    )
    return (placed_at if placed_at is not None else _moment_of(order_id)), order_id


def placed_page(
    uow: UnitOfWork,
    merchant_id: str,
    conditions: Sequence[ColumnElement[bool]],
    *,
    after: str | None,
    before: str | None,
    limit: int,
) -> PlacedPage:
    """Newest placed first (ties: newest id first); the page older than the order ``after``
    names, or newer than the one ``before`` names, or the first page."""
    key = tuple_(Order.placed_at, Order.id)
    query = select(Order).where(*conditions).options(selectinload(Order.lines))
    newer_than = _place_of(uow, merchant_id, before) if before else None
    older_than = _place_of(uow, merchant_id, after) if after else None
    if newer_than is not None:
        bound = tuple_(literal(newer_than[0], Order.placed_at.type), literal(newer_than[1], Order.id.type))
        rows = list(
            uow.session.scalars(
                query.where(key > bound).order_by(Order.placed_at.asc(), Order.id.asc()).limit(limit + 1)
            )
        )
        more = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        return PlacedPage(rows, rows[-1].id if rows else None, rows[0].id if more and rows else None)
    if older_than is not None:
        bound = tuple_(literal(older_than[0], Order.placed_at.type), literal(older_than[1], Order.id.type))
        query = query.where(key < bound)
    rows = list(uow.session.scalars(query.order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    newer = rows[0].id if older_than and rows else None
    return PlacedPage(rows, rows[-1].id if more and rows else None, newer)


def count_where(uow: UnitOfWork, conditions: Sequence[ColumnElement[bool]]) -> int:
    return uow.session.scalar(select(func.count()).select_from(Order).where(*conditions)) or 0


def batch_where(
    uow: UnitOfWork,
    conditions: Sequence[ColumnElement[bool]],
    after: tuple[datetime, str] | None,
    size: int,
) -> list[Order]:
    """Up to ``size`` orders passing ``conditions`` with their lines, newest placed first, older
    than the (placed_at, id) ``after`` (keyset: one indexed query however deep it goes)."""
    query = select(Order).where(*conditions).options(selectinload(Order.lines))
    if after is not None:
        bound = tuple_(literal(after[0], Order.placed_at.type), literal(after[1], Order.id.type))
        query = query.where(tuple_(Order.placed_at, Order.id) < bound)
    return list(uow.session.scalars(query.order_by(Order.placed_at.desc(), Order.id.desc()).limit(size)))


def order_with_lines(uow: UnitOfWork, order_id: str) -> Order | None:
    """The order with this id, of any merchant."""
    return uow.session.scalars(
        select(Order).where(Order.id == order_id).options(selectinload(Order.lines))
    ).first()


def orders_with_number_key(uow: UnitOfWork, key: str, merchant_id: str | None) -> list[Order]:
    """Up to 20 orders whose number has this key, newest first, of one merchant or of every
    merchant (one lookup of ``ix_orders_number_key``)."""
    query = select(Order).where(Order.number_key == key).options(selectinload(Order.lines))
    if merchant_id is not None:
        query = query.where(Order.merchant_id == merchant_id)
    return list(uow.session.scalars(query.order_by(Order.placed_at.desc(), Order.id).limit(20)))
