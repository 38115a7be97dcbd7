"""Analytics' reactions: a shipment whose facts an event changed is queued for its rollup cell
(``store.mark_due``: one statement per merchant and batch); the worker folds it in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ordertrack.analytics import store
from ordertrack.db.uow import UnitOfWork


def mark_shipments_due(uow: UnitOfWork, events: Sequence[Any]) -> None:
    """Events naming an outbound shipment (created, scanned, its status, promise or carrier
    estimate changed): the shipment is due. An inbound parcel's event names none and is passed over."""
    by_merchant: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if getattr(event, "shipment_id", None):
            by_merchant[event.merchant_id].add(event.shipment_id)
    for merchant_id, ids in sorted(by_merchant.items()):
        store.mark_due(uow, merchant_id, ids)


def mark_cancelled_orders_due(uow: UnitOfWork, events: Sequence[Any]) -> None:
    """An order cancelled: its shipments are due (a cancelled shipment leaves every figure)."""
    by_merchant: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.current == "cancelled":
            by_merchant[event.merchant_id].add(event.order_id)
    for merchant_id, ids in sorted(by_merchant.items()):
        store.mark_orders_due(uow, merchant_id, ids)
