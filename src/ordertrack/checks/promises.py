"""Keeping promises: when something happens to an order or shipment, ask eta for the promise
now, from the facts the features hold.

A shipment's promise is revised (stage) when it is created (``shipped``), when the carrier's
estimate moves (``carrier``) and by the checks (``check``); an order's when it is placed
(``order``) and whenever one of its shipments' promises changed. eta records each revision as
an event; the cached columns and the shopper's message are handlers of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from ordertrack.checks import facts
from ordertrack.checks.facts import Watched
from ordertrack.checks.waiting import Readiness
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import history as eta_history
from ordertrack.eta import promises as eta_promises
from ordertrack.eta.estimating import Cause, Stage, Window
from ordertrack.eta.learning import TransitHistory
from ordertrack.eta.promises import ShipmentPromise
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order


def learned_history(uow: UnitOfWork, merchant_id: str) -> TransitHistory:
    return eta_history.learned_history(merchant_id, facts.past_deliveries(uow, merchant_id))


def revise_shipment_promises(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str], *, now: datetime, stage: Stage
) -> list[ShipmentPromise]:
    """Recompute these shipments' promises (and their orders')."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return []
    return revise_watched(uow, merchant_id, facts.watch(uow, merchant_id, ids), now=now, stage=stage)


def revise_watched(
    uow: UnitOfWork, merchant_id: str, watched: Watched, *, now: datetime, stage: Stage
) -> list[ShipmentPromise]:
    """:func:`revise_shipment_promises` on facts the caller already read."""
    if not watched.shipments:
        return []
    history = learned_history(uow, merchant_id)
    results = eta_promises.revise_shipment_promises(
        uow, merchant_id, watched.journeys(), history, now=now, stage=stage
    )
    fresh = {r.shipment_id: r.window for r in results if r.window is not None}
    if fresh:
        orders = [watched.orders[s.order_id] for s in watched.shipments if s.id in fresh]
        revise_order_promises(
            uow, merchant_id, list({o.id: o for o in orders}.values()), now=now, stage=stage, fresh=fresh
        )
    return results


def revise_order_promises(
    uow: UnitOfWork,
    merchant_id: str,
    orders: Sequence[Order],
    *,
    now: datetime,
    stage: Stage,
    new: bool = False,
    fresh: Mapping[str, Window] | None = None,
    cause: Cause | None = None,
    ready: Mapping[str, Readiness] | None = None,
    history: TransitHistory | None = None,
) -> None:
    """The orders' promises: their last part's. ``new``: just placed; ``fresh``: shipments' promises
    revised in this round, newer than their stored ones; ``cause``: why, when the caller knows;
    ``ready``: when the stock waiting orders wait for can be picked, when already worked out."""
    history = history or learned_history(uow, merchant_id)
    ordered = sorted(orders, key=lambda o: o.id)
    for journey in facts.order_journeys(
        uow, merchant_id, ordered, new=new, fresh=fresh or {}, now=now, ready=ready
    ):
        eta_promises.revise_order_promise(
            uow, merchant_id, journey, history, now=now, stage=stage, cause=cause
        )


def promise_restocked_orders(
    uow: UnitOfWork, merchant_id: str, order_ids: Iterable[str], now: datetime
) -> None:
    """Units these orders waited for came into stock: their promise counts from now, from the
    warehouse that now holds them (stage ``check``, cause ``stock_arrived``)."""
    orders = orders_service.orders_by_id(uow, merchant_id, order_ids)
    revise_order_promises(
        uow, merchant_id, list(orders.values()), now=now, stage=Stage.check, cause=Cause.stock_arrived
    )


def promise_new_orders(uow: UnitOfWork, merchant_id: str, order_ids: Iterable[str], now: datetime) -> None:
    """The first promise of orders just placed (from their warehouse's cut-off)."""
    orders = orders_service.orders_by_id(uow, merchant_id, order_ids)
    revise_order_promises(uow, merchant_id, list(orders.values()), now=now, stage=Stage.order, new=True)
