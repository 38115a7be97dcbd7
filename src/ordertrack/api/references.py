"""How the API names other resources: ``order: {id, number}`` and ``warehouse: {code}`` in answers;
``order`` (id or number) and ``warehouse`` (code) in requests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Query

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ordertrack.kit.schema import OrderRef
from ordertrack.orders import service as orders_service

# Every list takes the same page size: 1 to MAX_LIMIT items, DEFAULT_LIMIT unless asked.
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")]
DEFAULT = DEFAULT_LIMIT

OrderQuery = Annotated[
    str | None, Query(min_length=1, max_length=64, description="only this order's: its id or number")
]


def order_refs(uow: UnitOfWork, merchant_id: str, ids: Iterable[str | None]) -> dict[str, OrderRef]:
    """The reference of every order named by id (in one query)."""
    wanted = {order_id for order_id in ids if order_id}
    if not wanted:
        return {}
    orders = orders_service.orders_by_id(uow, merchant_id, wanted)
    return {order_id: OrderRef(id=order.id, number=order.number) for order_id, order in orders.items()}


def order_id_of(uow: UnitOfWork, merchant_id: str, ref: str | None) -> str | None:
    """The id of the order a request names by id or number (404 order_not_found if none)."""
    return None if ref is None else orders_service.find_order(uow, merchant_id, ref).id
