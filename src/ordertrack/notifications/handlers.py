"""Who hears of what: the messages other features' events cause, written to the outbox.

Each handler takes a batch of one event type (see :mod:`ordertrack.handlers`), decides with
:mod:`ordertrack.notifications.rules` which trigger each event fires, looks up what the message
needs through the owning feature's service (the order's customer), and calls
:func:`ordertrack.notifications.service.enqueue` in the transaction of the change. Enqueueing
is idempotent per (subject, trigger, channel, recipient), so an event handled twice writes
nothing new.

What a handler reads and writes through comes in as keyword arguments (``customers``,
``enqueue``, ``clock``) with the real functions as defaults: the handler table calls
``handler(uow, events)``, tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from ordertrack.attention.rules import TROUBLE
from ordertrack.db.uow import UnitOfWork
from ordertrack.events import (
    AttentionOpened,
    Event,
    OrderConfirmed,
    OrderPromiseRevised,
    PromiseRevised,
    ShipmentCreated,
    ShipmentStatusChanged,
    ShopperMessaged,
    StockRanLow,
)
from ordertrack.kit.clock import utcnow
from ordertrack.notifications import rules
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.service import Occurrence
from ordertrack.orders import service as orders_service

# (uow, merchant id, order ids) -> each order's customer id
CustomersOf = Callable[[UnitOfWork, str, Iterable[str]], Mapping[str, str | None]]
# (uow, merchant id, occurrences, *, now) -> rows written
Enqueue = Callable[..., int]
Clock = Callable[[], datetime]
E = TypeVar("E", bound=Event)

# An attention check opening an exception item does not alert: the exception scan already did.
_ALERTED_ON_SCAN = frozenset({"exception"})


def notify_shipment_moves(
    uow: UnitOfWork,
    events: Sequence[ShipmentStatusChanged],
    *,
    customers: CustomersOf = orders_service.customers_of_orders,
    enqueue: Enqueue = notifications_service.enqueue,
    clock: Clock = utcnow,
) -> None:
    """The shopper hears of the statuses that matter (out for delivery, delivered...); staff of a
    shipment entering trouble by the attention rule (exception, failed attempt), once
    per shipment and state."""
    now = clock()
    for (merchant_id, _), moves in _grouped(events, lambda _e: now).items():
        owners = customers(uow, merchant_id, {m.order_id for m in moves})
        occurrences: list[Occurrence] = []
        for move in moves:
            customer = owners.get(move.order_id)
            trigger = rules.trigger_for_shipment_change(move.previous, move.current)
            if trigger is not None:
                occurrences.append(Occurrence(trigger, move.order_id, customer, move.shipment_id))
            if move.current != move.previous and move.current in TROUBLE:
                occurrences.append(
                    Occurrence(
                        "needs_attention",
                        move.order_id,
                        customer,
                        move.shipment_id,
                        subject=rules.attention_subject(move.shipment_id, move.current),
                    )
                )
        enqueue(uow, merchant_id, occurrences, now=now)


def notify_shipped(
    uow: UnitOfWork,
    events: Sequence[ShipmentCreated],
    *,
    customers: CustomersOf = orders_service.customers_of_orders,
    enqueue: Enqueue = notifications_service.enqueue,
) -> None:
    """A new shipment is "shipped" news for the shopper (with the promise made for it)."""
    for (merchant_id, at), created in _grouped(events, lambda e: e.at).items():
        owners = customers(uow, merchant_id, {e.order_id for e in created})
        enqueue(
            uow,
            merchant_id,
            [Occurrence("shipped", e.order_id, owners.get(e.order_id), e.shipment_id) for e in created],
            now=at,
        )


def notify_order_confirmed(
    uow: UnitOfWork,
    events: Sequence[OrderConfirmed],
    *,
    customers: CustomersOf = orders_service.customers_of_orders,
    enqueue: Enqueue = notifications_service.enqueue,
) -> None:
    """A confirmed order is the shopper's first message."""
    for (merchant_id, at), confirmed in _grouped(events, lambda e: e.at).items():
        owners = customers(uow, merchant_id, {e.order_id for e in confirmed})
        enqueue(
            uow,
            merchant_id,
            [Occurrence("order_confirmed", e.order_id, owners.get(e.order_id)) for e in confirmed],
            now=at,
        )


def notify_revised_promises(
    uow: UnitOfWork,
    events: Sequence[PromiseRevised],
    *,
    customers: CustomersOf = orders_service.customers_of_orders,
    enqueue: Enqueue = notifications_service.enqueue,
    clock: Clock = utcnow,
) -> None:
    """A promise revised with ``notify`` (a delay, decided by the promise engine) is told to the
    shopper once per shipment and new window."""
    told = [e for e in events if e.notify and e.earliest is not None and e.latest is not None]
    now = clock()
    for (merchant_id, at), revised in _grouped(told, lambda e: e.at or now).items():
        owners = customers(uow, merchant_id, {e.order_id for e in revised})
        occurrences = []
        for e in revised:
            assert e.earliest is not None and e.latest is not None
            occurrences.append(
                Occurrence(
                    "delivery_revised",
                    e.order_id,
                    owners.get(e.order_id),
                    e.shipment_id,
                    subject=rules.revision_subject(e.shipment_id, e.earliest, e.latest),
                    facts={"cause": e.cause} if e.cause else None,
                )
            )
        enqueue(uow, merchant_id, occurrences, now=at)


def notify_revised_order_promises(
    uow: UnitOfWork,
    events: Sequence[OrderPromiseRevised],
    *,
    customers: CustomersOf = orders_service.customers_of_orders,
    enqueue: Enqueue = notifications_service.enqueue,
    clock: Clock = utcnow,
) -> None:
    """An order waiting for stock whose promise moved later (its inbound delayed, cancelled,
    short) is told to the shopper as a ``delivery_revised`` message about the order, once per
    order and new window; its shipments' own delays are told by :func:`notify_revised_promises`."""
    told = [e for e in events if e.notify]
    now = clock()
    for (merchant_id, at), revised in _grouped(told, lambda e: e.at or now).items():
        owners = customers(uow, merchant_id, {e.order_id for e in revised})
        enqueue(
            uow,
            merchant_id,
            [
                Occurrence(
                    "delivery_revised",
                    e.order_id,
                    owners.get(e.order_id),
                    subject=rules.revision_subject(e.order_id, e.earliest, e.latest),
                    facts={"cause": e.cause} if e.cause else None,
                )
                for e in revised
            ],
            now=at,
        )


def alert_staff_of_attention(
    uow: UnitOfWork,
    events: Sequence[AttentionOpened],
    *,
    customers: CustomersOf = orders_service.customers_of_orders,
    enqueue: Enqueue = notifications_service.enqueue,
    clock: Clock = utcnow,
) -> None:
    """Staff hear of new trouble a check found (late, stalled, lost...), once per shipment and kind."""
    opened = [e for e in events if e.kind not in _ALERTED_ON_SCAN]
    now = clock()
    for (merchant_id, at), found in _grouped(opened, lambda e: e.at or now).items():
        owners = customers(uow, merchant_id, {e.order_id for e in found})
        enqueue(
            uow,
            merchant_id,
            [
                Occurrence(
                    "needs_attention",
                    e.order_id,
                    owners.get(e.order_id),
                    e.shipment_id,
                    subject=rules.attention_subject(e.shipment_id, e.kind),
                    facts={"alert": rules.attention_alert(e.kind, e.detail)},
                )
                for e in found
            ],
            now=at,
        )


def send_shopper_messages(
    uow: UnitOfWork,
    events: Sequence[ShopperMessaged],
    *,
    customers: CustomersOf = orders_service.customers_of_orders,
    enqueue: Enqueue = notifications_service.enqueue,
    clock: Clock = utcnow,
) -> None:
    """What staff wrote to a shopper goes out by the shopper's channels (email, SMS), in their
    language's frame, past their opt-outs; each message once."""
    now = clock()
    for (merchant_id, _), written in _grouped(events, lambda _e: now).items():
        owners = customers(uow, merchant_id, {e.order_id for e in written})
        enqueue(
            uow,
            merchant_id,
            [
                Occurrence(
                    "shopper_message",
                    e.order_id,
                    owners.get(e.order_id),
                    e.shipment_id,
                    subject=e.message_id,
                    facts={"message": e.text},
                )
                for e in written
            ],
            now=now,
        )


def alert_staff_of_low_stock(
    uow: UnitOfWork,
    events: Sequence[StockRanLow],
    *,
    enqueue: Enqueue = notifications_service.enqueue,
) -> None:
    """Staff hear once per alert that a level fell below its threshold, with the numbers."""
    for (merchant_id, at), alerts in _grouped(events, lambda e: e.at).items():
        enqueue(
            uow,
            merchant_id,
            [
                Occurrence(
                    "low_stock",
                    None,
                    None,
                    subject=e.alert_id,
                    facts={
                        "sku": e.sku,
                        "warehouse": e.warehouse,
                        "available": e.available,
                        "threshold": e.threshold,
                    },
                )
                for e in alerts
            ],
            now=at,
        )


def _grouped(events: Iterable[E], at: Callable[[E], datetime]) -> dict[tuple[str, datetime], list[E]]:
    """Events by merchant and by when they happened (one enqueue each), in recorded order."""
    grouped: dict[tuple[str, datetime], list[E]] = {}
    for event in events:
        grouped.setdefault((event.merchant_id, at(event)), []).append(event)
    return grouped
