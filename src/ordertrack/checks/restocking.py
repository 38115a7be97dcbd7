"""Revising the promises of customer orders that wait for stock when their inbound moves.

A delayed ASN, a confirmed or cancelled purchase order, a short-closed line or goods received
change when the units backordered orders wait for arrive. The event's handler runs inside the
request or ingest transaction that recorded it, so it only notes the SKUs as due
(:class:`~ordertrack.suppliers.model.PromiseRevisionDue`, one insert); the worker
(:func:`revise_due_promises`) works out the allocation once per SKU and revises the waiting
orders a hundred per transaction, oldest order first, so ten thousand waiting orders never
hold one long transaction against the scans coming in; it rests between transactions as long
as it worked (``PAUSE_RATIO``), so it takes at most about half a core from ingest. A promise
that moves later is told to the shopper once per new window (``OrderPromiseRevised.notify``,
eta's rule).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from ordertrack.checks import promises, waiting
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.eta.estimating import Cause, Stage, same_answers
from ordertrack.events import (
    InboundExpectationChanged,
    OrderConfirmed,
    PurchaseOrderConfirmed,
    PurchaseOrderLineShortClosed,
    PurchaseOrderStatusChanged,
)
from ordertrack.inventory.model import Backorder
from ordertrack.kit.clock import utcnow
from ordertrack.kit.ids import new_id
from ordertrack.orders import service as orders_service
from ordertrack.suppliers.model import PromiseRevisionDue, PurchaseOrder, PurchaseOrderLine

# Orders revised per transaction by the worker: short enough never to hold up ingest.
ORDERS_PER_TRANSACTION = 100
# After each transaction the worker rests this many times as long as it worked, so a revision
# of thousands of orders takes at most about half a core from the server taking scans in.
PAUSE_RATIO = 0.5
# Due rows read per round (a round then revises every order waiting on their SKUs).
DUE_PER_ROUND = 200
# When one SKU was noted for several reasons before the worker came, the shopper hears the one
# that says most: a delay over a confirmation over plain waiting.
_CAUSE_RANK = {Cause.supplier_delay: 0, Cause.supplier_confirmed: 1, Cause.stock_arrived: 2}


# The causes a waiting order's promise is revised for; anything else the inbound side says
# (an ASN arrived at the dock, a carrier's estimate moved earlier) is plain waiting for stock.
_WAITING_CAUSES = frozenset(
    {Cause.supplier_delay, Cause.supplier_confirmed, Cause.stock_arrived, Cause.waiting_for_stock}
)


def _known_cause(value: str) -> Cause:
    return Cause(value) if value in _WAITING_CAUSES else Cause.waiting_for_stock


def mark_due(uow: UnitOfWork, merchant_id: str, skus: Iterable[str], cause: str, at: datetime) -> int:
    """Note these SKUs' waiting orders as due a new promise (only SKUs some order waits for)."""
    wanted = sorted(set(skus))
    if not wanted:
        return 0
    waited_for = set(
        uow.session.scalars(
            select(Backorder.sku)
            .where(Backorder.merchant_id == merchant_id, Backorder.sku.in_(wanted), Backorder.quantity > 0)
            .distinct()
        )
    )
    for sku in sorted(waited_for):
        uow.session.add(
            PromiseRevisionDue(
                id=new_id("prd"), merchant_id=merchant_id, sku=sku, cause=str(_known_cause(cause)), due_at=at
            )
        )
    return len(waited_for)


def _purchase_order_skus(uow: UnitOfWork, merchant_id: str, po_ids: Iterable[str]) -> dict[str, set[str]]:
    ids = sorted(set(po_ids))
    found: dict[str, set[str]] = defaultdict(set)
    if not ids:
        return found
    for po_id, sku in uow.session.execute(
        select(PurchaseOrderLine.purchase_order_id, PurchaseOrderLine.sku).where(
            PurchaseOrderLine.merchant_id == merchant_id, PurchaseOrderLine.purchase_order_id.in_(ids)
        )
    ):
        found[po_id].add(sku)
    return found


# --- handlers (registered in ordertrack.handlers) -------------------------------------------


def revise_after_inbound_changes(uow: UnitOfWork, events: Sequence[InboundExpectationChanged]) -> None:
    """When units may arrive at another time, the orders waiting for them are due a new promise."""
    for event in events:
        mark_due(uow, event.merchant_id, event.skus, event.cause, event.at)


def revise_after_purchase_order_changes(
    uow: UnitOfWork,
    events: Sequence[PurchaseOrderConfirmed] | Sequence[PurchaseOrderStatusChanged],
) -> None:
    """A PO sent, confirmed (with its dates) or cancelled moves what its SKUs' waiting orders
    can be promised."""
    by_merchant: dict[str, list[PurchaseOrderConfirmed | PurchaseOrderStatusChanged]] = defaultdict(list)
    for event in events:
        by_merchant[event.merchant_id].append(event)
    for merchant_id, changed in by_merchant.items():
        skus = _purchase_order_skus(uow, merchant_id, {e.purchase_order_id for e in changed})
        for event in changed:
            if isinstance(event, PurchaseOrderConfirmed):
                cause, at = Cause.supplier_confirmed, event.at
            elif event.status in ("sent", "cancelled", "confirmed"):
                cause = Cause.supplier_confirmed if event.status == "confirmed" else Cause.waiting_for_stock
                at = _now_of(uow, event)
            else:
                continue  # shipped and received move through ASNs and receipts
            mark_due(uow, merchant_id, skus.get(event.purchase_order_id, ()), cause, at)


def revise_after_short_closes(uow: UnitOfWork, events: Sequence[PurchaseOrderLineShortClosed]) -> None:
    """Nothing more comes on a short-closed line: its SKU's waiting orders wait for other inbound."""
    for event in events:
        mark_due(uow, event.merchant_id, [event.sku], Cause.waiting_for_stock, utcnow())


def _now_of(uow: UnitOfWork, event: PurchaseOrderStatusChanged) -> datetime:
    at = uow.session.scalar(
        select(PurchaseOrder.updated_at).where(
            PurchaseOrder.merchant_id == event.merchant_id, PurchaseOrder.id == event.purchase_order_id
        )
    )
    return at or utcnow()


def promise_backordered_orders(uow: UnitOfWork, events: Sequence[OrderConfirmed]) -> None:
    """An order confirmed with units no warehouse holds gets its promise from the inbound that
    will fill them at once (stage ``order``: the confirmation tells it, no delay message)."""
    by_merchant: dict[tuple[str, datetime], list[str]] = defaultdict(list)
    for event in events:
        by_merchant[(event.merchant_id, event.at)].append(event.order_id)
    for (merchant_id, at), order_ids in by_merchant.items():
        ready = waiting.readiness(uow, merchant_id, order_ids, at)
        if not ready:
            continue
        orders = orders_service.orders_by_id(uow, merchant_id, ready)
        promises.revise_order_promises(
            uow,
            merchant_id,
            list(orders.values()),
            now=at,
            stage=Stage.order,
            cause=Cause.waiting_for_stock,
            ready=ready,
        )


# --- the worker's job --------------------------------------------------------------------------


@dataclass(frozen=True)
class RevisionRound:
    skus: int
    orders: int
    transactions: int


def revise_due_promises(
    db: Database,
    now: datetime,
    *,
    per_transaction: int = ORDERS_PER_TRANSACTION,
    pause_ratio: float = PAUSE_RATIO,
    sleep: Callable[[float], None] = time.sleep,
) -> RevisionRound:
    """Revise the promises of every order waiting on the SKUs noted as due, oldest order first,
    ``per_transaction`` orders per transaction, resting ``pause_ratio`` times each one's time
    between them; then forget the rows read (rows noted meanwhile stay for the next round)."""
    with db.uow() as uow:
        due = list(
            uow.session.execute(
                select(
                    PromiseRevisionDue.id,
                    PromiseRevisionDue.merchant_id,
                    PromiseRevisionDue.sku,
                    PromiseRevisionDue.cause,
                )
                .order_by(PromiseRevisionDue.due_at, PromiseRevisionDue.id)
                .limit(DUE_PER_ROUND)
            )
        )
    if not due:
        return RevisionRound(0, 0, 0)
    causes: dict[str, dict[str, Cause]] = defaultdict(dict)
    for _id, merchant_id, sku, cause in due:
        known, current = _known_cause(cause), causes[merchant_id].get(sku)
        if current is None or _CAUSE_RANK.get(known, 9) < _CAUSE_RANK.get(current, 9):
            causes[merchant_id][sku] = known
    orders_done = transactions = 0
    for merchant_id, by_sku in sorted(causes.items()):
        with db.uow() as uow:
            covers = waiting.covers_of_skus(uow, merchant_id, by_sku, now)
            history = promises.learned_history(uow, merchant_id)
        queue: list[str] = []
        cause_of: dict[str, Cause] = {}
        for cover in sorted(covers.values(), key=lambda c: (c.waiting.placed_at, c.waiting.order_id)):
            order_id, cause = cover.waiting.order_id, by_sku[cover.waiting.sku]
            if order_id not in cause_of:
                queue.append(order_id)
                cause_of[order_id] = cause
            elif _CAUSE_RANK.get(cause, 9) < _CAUSE_RANK.get(cause_of[order_id], 9):
                cause_of[order_id] = cause
        for start in range(0, len(queue), per_transaction):
            chunk = queue[start : start + per_transaction]
            began = time.perf_counter()
            with db.uow() as uow:
                ready = waiting.readiness(uow, merchant_id, chunk, now, covers=covers)
                orders = orders_service.orders_by_id(uow, merchant_id, chunk)
                by_cause: dict[Cause, list[str]] = defaultdict(list)
                for order_id in chunk:
                    if order_id in orders:
                        by_cause[cause_of[order_id]].append(order_id)
                for cause, ids in sorted(by_cause.items()):
                    with same_answers():
                        promises.revise_order_promises(
                            uow,
                            merchant_id,
                            [orders[i] for i in ids],
                            now=now,
                            stage=Stage.check,
                            cause=cause,
                            ready=ready,
                            history=history,
                        )
                uow.commit()
            orders_done += len(chunk)
            transactions += 1
            if pause_ratio > 0 and start + per_transaction < len(queue):
                sleep((time.perf_counter() - began) * pause_ratio)
    with db.uow() as uow:
        uow.session.execute(
            delete(PromiseRevisionDue).where(PromiseRevisionDue.id.in_([row[0] for row in due]))
        )
        uow.commit()
    return RevisionRound(sum(len(v) for v in causes.values()), orders_done, transactions)
