"""Queries of the attention items table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from ordertrack.attention.model import AttentionItem
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import Page, keyset_page


def open_items(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]
) -> dict[str, dict[str, AttentionItem]]:
    """Each shipment's open items by kind."""
    found: dict[str, dict[str, AttentionItem]] = defaultdict(dict)
    ids = sorted(set(shipment_ids))
    if not ids:
        return found
    for item in uow.session.scalars(
        select(AttentionItem).where(
            AttentionItem.merchant_id == merchant_id,
            AttentionItem.shipment_id.in_(ids),
            AttentionItem.closed_at.is_(None),
        )
    ):
        found[item.shipment_id][item.kind] = item
    return found


def orders_with_open_items(uow: UnitOfWork, merchant_id: str, order_ids: Iterable[str]) -> set[str]:
    ids = sorted(set(order_ids))
    if not ids:
        return set()
    return set(
        uow.session.scalars(
            select(AttentionItem.order_id)
            .where(
                AttentionItem.merchant_id == merchant_id,
                AttentionItem.order_id.in_(ids),
                AttentionItem.closed_at.is_(None),
            )
            .distinct()
        )
    )


def list_items(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    state: str | None,
    kind: str | None,
    order_id: str | None,
    shipment_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[AttentionItem]:
    query = select(AttentionItem).where(AttentionItem.merchant_id == merchant_id)
    if state == "open":
        query = query.where(AttentionItem.closed_at.is_(None))
    elif state == "closed":
        query = query.where(AttentionItem.closed_at.is_not(None))
    if kind:
        query = query.where(AttentionItem.kind == kind)
    if order_id:
        query = query.where(AttentionItem.order_id == order_id)
    if shipment_id:
        query = query.where(AttentionItem.shipment_id == shipment_id)
    return keyset_page(uow.session, query, AttentionItem.id, cursor, limit)


def items_for_orders(
    uow: UnitOfWork, merchant_id: str, order_ids: list[str]
) -> dict[str, list[AttentionItem]]:
    found: dict[str, list[AttentionItem]] = defaultdict(list)
    for item in uow.session.scalars(
        select(AttentionItem)
        .where(AttentionItem.merchant_id == merchant_id, AttentionItem.order_id.in_(order_ids))
        .order_by(AttentionItem.opened_at, AttentionItem.id)
    ):
        found[item.order_id].append(item)
    return found


def newest_open_items(uow: UnitOfWork, merchant_id: str, limit: int) -> list[AttentionItem]:
    return list(
        uow.session.scalars(
            select(AttentionItem)
            .where(AttentionItem.merchant_id == merchant_id, AttentionItem.closed_at.is_(None))
            .order_by(AttentionItem.opened_at.desc(), AttentionItem.id.desc())
            .limit(limit)
        )
    )
