"""The delivery promise of orders and shipments, kept with every revision and why.

The caller (the checks use case) gathers the facts (:mod:`ordertrack.eta.estimating`) and the
merchant's delivered history (:mod:`ordertrack.eta.history`); this module computes the new
promise, writes a revision row when the window changed and records the fact
(:class:`~ordertrack.events.PromiseRevised`, :class:`~ordertrack.events.OrderPromiseRevised`):
the shipment's and order's cached columns and the shopper's ``delivery_revised`` message are
handlers of those. A revision that moves ``latest`` later is ``delayed`` and is told, once per
new window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import repository
from ordertrack.eta import service as estimates
from ordertrack.eta.estimating import (
    Cause,
    OrderJourney,
    ShipmentJourney,
    Stage,
    Window,
    is_delay,
    promise_order,
    revise_shipment,
)
from ordertrack.eta.learning import TransitHistory
from ordertrack.eta.model import EddRevision
from ordertrack.events import OrderPromiseRevised, PromiseRevised
from ordertrack.kit.ids import new_id


@dataclass(frozen=True)
class ShipmentPromise:
    """What a revision round did to one shipment's promise."""

    shipment_id: str
    changed: bool
    delayed: bool
    window: Window | None = None  # the new promise, when it changed


def revise_shipment_promises(
    uow: UnitOfWork,
    merchant_id: str,
    journeys: Sequence[ShipmentJourney],
    history: TransitHistory,
    *,
    now: datetime,
    stage: Stage,
) -> list[ShipmentPromise]:
    """Recompute these shipments' promises; write a revision and record ``PromiseRevised`` where
    the window changed (``notify`` when it is a delay)."""
    if not journeys:
        return []
    ids = [j.shipment_id for j in journeys]
    carrier_estimates = estimates.carrier_windows(
        uow, merchant_id, {j.shipment_id: j.parcel_ids for j in journeys}
    )
    promised_at = _promised_at(uow, merchant_id, ids)
    results: list[ShipmentPromise] = []
    for journey in journeys:
        window, what = revise_shipment(
            journey,
            carrier_estimates.get(journey.shipment_id),
            history,
            now=now,
            stage=stage,
            promised_at=promised_at.get(journey.shipment_id),
        )
        if journey.promise is not None and journey.promise.days == window.days:
            results.append(ShipmentPromise(journey.shipment_id, False, False))
            continue
        delayed = is_delay(journey, window)
        route = (journey.origin.place.country, journey.destination.country)
        repository.add(
            uow,
            _revision(merchant_id, journey.order_id, journey.shipment_id, window, what, delayed, now, route),
        )
        uow.record(
            PromiseRevised(
                merchant_id,
                journey.shipment_id,
                journey.order_id,
                str(what),
                window.earliest,
                window.latest,
                notify=delayed,
                most_likely=window.most_likely,
                at=now,
                cause=str(window.cause) if window.cause else None,
            )
        )
        results.append(ShipmentPromise(journey.shipment_id, True, delayed, window))
    return results


def revise_order_promise(
    uow: UnitOfWork,
    merchant_id: str,
    journey: OrderJourney,
    history: TransitHistory,
    *,
    now: datetime,
    stage: Stage,
    cause: Cause | None = None,
) -> Window | None:
    """Recompute the order's promise; write a revision and record ``OrderPromiseRevised`` when
    it changed (the new window), else None. ``cause``: why, when the caller knows better than
    the parts (stock arrived); else the changed part's cause, else the stage's."""
    window = promise_order(journey, history, now)
    if window is None or (journey.promise is not None and journey.promise.days == window.days):
        return None
    why = cause or window.cause or (Cause.order_placed if stage is Stage.order else Cause.learned)
    window = replace(window, cause=why)
    delayed = journey.promise is not None and window.latest > journey.promise.latest
    route = (journey.origin.place.country, journey.destination.country)
    repository.add(uow, _revision(merchant_id, journey.order_id, None, window, stage, delayed, now, route))
    uow.record(
        OrderPromiseRevised(
            merchant_id,
            journey.order_id,
            str(stage),
            window.earliest,
            window.latest,
            window.most_likely,
            # Its shipments tell their own delays; a wait for stock moving later is the order's.
            # (At confirmation the order's own message tells the first wait: stage ``order``.)
            notify=delayed and journey.promised_from_inbound and stage is not Stage.order,
            cause=str(why),
            at=now,
        )
    )
    return window


def _promised_at(uow: UnitOfWork, merchant_id: str, shipment_ids: list[str]) -> dict[str, datetime]:
    """When each shipment's promise was last made."""
    return repository.last_revised_at(uow, merchant_id, shipment_ids)


def _revision(
    merchant_id: str,
    order_id: str,
    shipment_id: str | None,
    window: Window,
    stage: Stage,
    delayed: bool,
    now: datetime,
    route: tuple[str, str],
) -> EddRevision:
    return EddRevision(
        id=new_id("edr"),
        merchant_id=merchant_id,
        order_id=order_id,
        shipment_id=shipment_id,
        earliest=window.earliest,
        latest=window.latest,
        most_likely=window.most_likely,
        stage=str(stage),
        reason=window.reason[:300],
        cause=str(window.cause) if window.cause else None,
        basis=window.basis,
        basis_deliveries=window.deliveries or None,
        origin_country=route[0],
        destination_country=route[1],
        delayed=delayed,
        recorded_at=now,
    )


def revisions_for(
    uow: UnitOfWork, merchant_id: str, order_id: str
) -> tuple[list[EddRevision], dict[str, list[EddRevision]]]:
    """An order's own revisions and each of its shipments', oldest first."""
    own: list[EddRevision] = []
    per_shipment: dict[str, list[EddRevision]] = {}
    for row in repository.order_revisions_oldest_first(uow, merchant_id, order_id):
        if row.shipment_id is None:
            own.append(row)
        else:
            per_shipment.setdefault(row.shipment_id, []).append(row)
    return own, per_shipment
