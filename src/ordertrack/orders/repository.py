"""Queries of the orders' own tables: orders and their lines.

Every read that hands out whole orders loads their lines in the same round trip
(``selectinload``); the status, totals and holds all read them. Writers lock orders
``FOR UPDATE OF orders`` (not the lines' rows), in id order when there are several.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.orders.model import Order
from ordertrack.orders.status import OrderStatus


def number_taken(uow: UnitOfWork, merchant_id: str, number: str) -> bool:
    return (
        uow.session.scalar(select(Order.id).where(Order.merchant_id == merchant_id, Order.number == number))
        is not None
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


def orders_page(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    status: OrderStatus | None,
    attention: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[Order]:
    query = select(Order).where(Order.merchant_id == merchant_id)
    if status is not None:
        query = query.where(Order.status == status)
    if attention is not None:
        query = query.where(Order.attention == attention)
    return keyset_page(uow.session, query, Order.id, cursor, limit)


def search_page(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    matching: tuple[str, list[str], list[str]] | None,
    status: OrderStatus | None,
    attention: bool | None,
    placed_from: datetime | None,
    placed_to: datetime | None,
    cursor: str | None,
    limit: int,
) -> Page[Order]:
    """Orders filtered as given; ``matching`` is (number, customer ids, order ids), any of which
    an order may match."""
    query = select(Order).where(Order.merchant_id == merchant_id)
    if matching is not None:
        number, customer_ids, order_ids = matching
        query = query.where(
            or_(Order.number == number, Order.customer_id.in_(customer_ids), Order.id.in_(order_ids))
        )
    if status is not None:
        query = query.where(Order.status == status)
    if attention is not None:
        query = query.where(Order.attention == attention)
    if placed_from is not None:
        query = query.where(Order.placed_at >= placed_from)
    if placed_to is not None:
        query = query.where(Order.placed_at < placed_to)
    return keyset_page(uow.session, query, Order.id, cursor, limit)


def order_with_lines(uow: UnitOfWork, order_id: str) -> Order | None:
    """The order with this id, of any merchant."""
    return uow.session.scalars(
        select(Order).where(Order.id == order_id).options(selectinload(Order.lines))
    ).first()


def orders_with_number(uow: UnitOfWork, number: str, merchant_id: str | None) -> list[Order]:
    """Up to 20 orders with this number, newest first, of one merchant or of every merchant."""
    query = select(Order).where(Order.number == number).options(selectinload(Order.lines))
    if merchant_id is not None:
        query = query.where(Order.merchant_id == merchant_id)
    return list(uow.session.scalars(query.order_by(Order.placed_at.desc(), Order.id).limit(20)))
