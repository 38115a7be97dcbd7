"""How promises, checks and the attention flag follow what happened (see ordertrack.handlers).

Each handler reads what it needs through the features' services; ``now`` is the event's own
time where it carries one, so a replay or a test with a frozen clock gets the same result.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TypeVar

from ordertrack.attention import service as attention_service
from ordertrack.checks import promises
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta.estimating import Stage
from ordertrack.events import (
    AttentionClosed,
    AttentionOpened,
    BackorderFilled,
    CarrierEstimateChanged,
    Event,
    OrderPlaced,
    OrderPromiseRevised,
    ParcelScanned,
    PromiseRevised,
    ShipmentCreated,
)
from ordertrack.kit.clock import utcnow
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service

E = TypeVar("E", bound=Event)
# What the handlers read and write through (the real services by default; tests pass fakes).
Schedule = Callable[[UnitOfWork, str, Mapping[str, datetime | None]], None]
KeepPromises = Callable[[UnitOfWork, str, Mapping[str, tuple[date, date, date]]], None]
Needing = Callable[[UnitOfWork, str, Sequence[str]], set[str]]
SetFlags = Callable[[UnitOfWork, str, Mapping[str, bool]], None]


def _by_merchant_and_time(
    events: Iterable[E], at: Callable[[E], datetime]
) -> dict[tuple[str, datetime], list[E]]:
    grouped: dict[tuple[str, datetime], list[E]] = defaultdict(list)
    for event in events:
        grouped[(event.merchant_id, at(event))].append(event)
    return grouped


def schedule_checks_after_scans(
    uow: UnitOfWork,
    events: Sequence[ParcelScanned],
    *,
    schedule: Schedule = shipments_service.schedule_checks,
) -> None:
    """New scans: the checks look at the shipments next (promise, alerts), from when they arrived.
    A supplier's inbound parcels are not the shipment checks' (purchasing watches them)."""
    outbound = [e for e in events if e.shipment_id is not None]
    for (merchant_id, at), scanned in _by_merchant_and_time(outbound, lambda e: e.received_at).items():
        schedule(uow, merchant_id, dict.fromkeys((e.shipment_id for e in scanned if e.shipment_id), at))


def promise_placed_orders(uow: UnitOfWork, events: Sequence[OrderPlaced]) -> None:
    """A placed order gets its first promise (stage ``order``)."""
    for (merchant_id, at), placed in _by_merchant_and_time(events, lambda e: e.at).items():
        promises.promise_new_orders(uow, merchant_id, [e.order_id for e in placed], at)


def promise_new_shipments(uow: UnitOfWork, events: Sequence[ShipmentCreated]) -> None:
    """A new shipment gets the promise its "shipped" message carries (stage ``shipped``); the
    checks revise it later."""
    for (merchant_id, at), created in _by_merchant_and_time(events, lambda e: e.at).items():
        promises.revise_shipment_promises(
            uow, merchant_id, [e.shipment_id for e in created], now=at, stage=Stage.shipped
        )


def revise_after_carrier_estimates(uow: UnitOfWork, events: Sequence[CarrierEstimateChanged]) -> None:
    """The carrier's word is one input of the promise: revised now (stage ``carrier``). An
    inbound parcel's estimate moves its inbound shipment's expected arrival instead (purchasing)."""
    outbound = [e for e in events if e.shipment_id is not None]
    for (merchant_id, at), changed in _by_merchant_and_time(outbound, lambda e: e.at).items():
        promises.revise_shipment_promises(
            uow, merchant_id, [e.shipment_id for e in changed if e.shipment_id], now=at, stage=Stage.carrier
        )


def promise_restocked_orders(
    uow: UnitOfWork, events: Sequence[BackorderFilled], *, clock: Callable[[], datetime] = utcnow
) -> None:
    """Units an order waited for were reserved for it: its promise is revised (``stock_arrived``)."""
    now = clock()
    by_merchant: dict[str, set[str]] = defaultdict(set)
    for event in events:
        by_merchant[event.merchant_id].add(event.order_id)
    for merchant_id, order_ids in by_merchant.items():
        promises.promise_restocked_orders(uow, merchant_id, sorted(order_ids), now)


def keep_shipment_promises(
    uow: UnitOfWork, events: Sequence[PromiseRevised], *, keep: KeepPromises = shipments_service.keep_promises
) -> None:
    """The shipment's cached promise columns follow its newest revision."""
    for (merchant_id, _), revised in _by_merchant_and_time(events, lambda _e: datetime.min).items():
        keep(
            uow,
            merchant_id,
            {
                e.shipment_id: (e.earliest, e.latest, e.most_likely)
                for e in revised
                if e.earliest is not None and e.latest is not None and e.most_likely is not None
            },
        )


def keep_order_promises(uow: UnitOfWork, events: Sequence[OrderPromiseRevised]) -> None:
    """The order's cached promise columns follow its newest revision."""
    for (merchant_id, _), revised in _by_merchant_and_time(events, lambda _e: datetime.min).items():
        orders_service.keep_promises(
            uow, merchant_id, {e.order_id: (e.earliest, e.latest, e.most_likely) for e in revised}
        )


def flag_orders_needing_attention(
    uow: UnitOfWork,
    events: Sequence[AttentionOpened] | Sequence[AttentionClosed],
    *,
    needing: Needing = attention_service.orders_needing_attention,
    set_flags: SetFlags = orders_service.set_attention,
) -> None:
    """An order needs attention while any of its shipments has an open attention item: the flag
    is read back from the items, so one shipment's item closing leaves another's standing."""
    by_merchant: dict[str, set[str]] = defaultdict(set)
    for event in events:
        by_merchant[event.merchant_id].add(event.order_id)
    for merchant_id, order_ids in by_merchant.items():
        wanted = sorted(order_ids)
        flagged = needing(uow, merchant_id, wanted)
        set_flags(uow, merchant_id, {order_id: order_id in flagged for order_id in wanted})
