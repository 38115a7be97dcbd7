"""Queries of the attention items table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ordertrack.attention.model import AttentionActivity, AttentionItem, CarrierClaim
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import Page, keyset_page


def open_items(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]
) -> dict[str, dict[str, AttentionItem]]:
    """Each shipment's open items by kind."""
    return _by_shipment_and_kind(uow, merchant_id, shipment_ids, AttentionItem.closed_at.is_(None))


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


def item(uow: UnitOfWork, merchant_id: str, item_id: str, *, lock: bool = False) -> AttentionItem | None:
    query = select(AttentionItem).where(AttentionItem.merchant_id == merchant_id, AttentionItem.id == item_id)
    if lock:
        query = query.with_for_update()
    return uow.session.scalars(query).first()


def resolved_while_holding(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]
) -> dict[str, dict[str, AttentionItem]]:
    """Each shipment's items staff resolved whose problem the checks still found last time, by kind."""
    return _by_shipment_and_kind(
        uow,
        merchant_id,
        shipment_ids,
        AttentionItem.closed_at.is_not(None),
        AttentionItem.problem_ended_at.is_(None),
    )


def _by_shipment_and_kind(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str], *conditions: Any
) -> dict[str, dict[str, AttentionItem]]:
    found: dict[str, dict[str, AttentionItem]] = defaultdict(dict)
    ids = sorted(set(shipment_ids))
    if not ids:
        return found
    for item in uow.session.scalars(
        select(AttentionItem).where(
            AttentionItem.merchant_id == merchant_id, AttentionItem.shipment_id.in_(ids), *conditions
        )
    ):
        found[item.shipment_id][item.kind] = item
    return found


def _filtered(query: Any, filters: Any, now: datetime) -> Any:
    """``filters`` is an :class:`ordertrack.attention.workflow.Filters`."""
    state = filters.state
    if state == "open":
        query = query.where(AttentionItem.closed_at.is_(None), AttentionItem.acknowledged_at.is_(None))
    elif state == "acknowledged":
        query = query.where(AttentionItem.closed_at.is_(None), AttentionItem.acknowledged_at.is_not(None))
    elif state == "active":
        query = query.where(AttentionItem.closed_at.is_(None))
    elif state == "resolved":
        query = query.where(AttentionItem.closed_at.is_not(None))
    if filters.kind:
        query = query.where(AttentionItem.kind == filters.kind)
    if filters.assignee == "unassigned":
        query = query.where(AttentionItem.assignee_id.is_(None))
    elif filters.assignee:
        query = query.where(AttentionItem.assignee_id == filters.assignee)
    if filters.older_than is not None:
        query = query.where(AttentionItem.opened_at <= now - filters.older_than)
    return query


def find_items(
    uow: UnitOfWork, merchant_id: str, filters: Any, *, now: datetime, limit: int
) -> list[AttentionItem]:
    query = _filtered(select(AttentionItem).where(AttentionItem.merchant_id == merchant_id), filters, now)
    if filters.state in ("open", "acknowledged", "active"):
        query = query.order_by(AttentionItem.opened_at, AttentionItem.id)
    else:
        query = query.order_by(AttentionItem.opened_at.desc(), AttentionItem.id.desc())
    return list(uow.session.scalars(query.limit(limit)))


def filtered_page(
    uow: UnitOfWork,
    merchant_id: str,
    filters: Any,
    *,
    order_id: str | None,
    shipment_id: str | None,
    now: datetime,
    cursor: str | None,
    limit: int,
) -> Page[AttentionItem]:
    query = _filtered(select(AttentionItem).where(AttentionItem.merchant_id == merchant_id), filters, now)
    if order_id:
        query = query.where(AttentionItem.order_id == order_id)
    if shipment_id:
        query = query.where(AttentionItem.shipment_id == shipment_id)
    return keyset_page(uow.session, query, AttentionItem.id, cursor, limit)


def activity(uow: UnitOfWork, merchant_id: str, item_ids: list[str]) -> dict[str, list[AttentionActivity]]:
    found: dict[str, list[AttentionActivity]] = defaultdict(list)
    if not item_ids:
        return found
    for row in uow.session.scalars(
        select(AttentionActivity)
        .where(
            AttentionActivity.merchant_id == merchant_id, AttentionActivity.item_id.in_(sorted(set(item_ids)))
        )
        .order_by(AttentionActivity.at, AttentionActivity.id)
    ):
        found[row.item_id].append(row)
    return found


def claim(uow: UnitOfWork, merchant_id: str, claim_id: str) -> CarrierClaim | None:
    return uow.session.scalars(
        select(CarrierClaim)
        .where(CarrierClaim.merchant_id == merchant_id, CarrierClaim.id == claim_id)
        .with_for_update()
    ).first()


def claims_of_items(uow: UnitOfWork, merchant_id: str, item_ids: list[str]) -> dict[str, list[CarrierClaim]]:
    found: dict[str, list[CarrierClaim]] = defaultdict(list)
    if not item_ids:
        return found
    for row in uow.session.scalars(
        select(CarrierClaim)
        .where(CarrierClaim.merchant_id == merchant_id, CarrierClaim.item_id.in_(sorted(set(item_ids))))
        .order_by(CarrierClaim.opened_at, CarrierClaim.id)
    ):
        found[row.item_id or ""].append(row)
    return found


def claims_page(
    uow: UnitOfWork, merchant_id: str, *, status: str | None, cursor: str | None, limit: int
) -> Page[CarrierClaim]:
    query = select(CarrierClaim).where(CarrierClaim.merchant_id == merchant_id)
    if status:
        query = query.where(CarrierClaim.status == status)
    return keyset_page(uow.session, query, CarrierClaim.id, cursor, limit)
