"""The promise of one shipment or one order, from facts the caller gathered: pure, time passed in.

The vocabulary (docs/glossary): a **promise** is our delivery window (earliest, most likely,
latest day, in the destination's calendar); the carrier's **estimate** is one input to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from babel import Locale

from ordertrack.eta import engine
from ordertrack.eta.bounds import TransitBounds, route, transit_bounds
from ordertrack.eta.learning import Lane, TransitHistory
from ordertrack.eta.places import Origin, Place
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES

# A parcel past its promised day gets a new window of this many business days from today.
OVERDUE_MARGIN_DAYS = 2
# A parcel held at customs is not expected sooner than this many business days from today.
CUSTOMS_HOLD_DAYS = 2


class Stage(StrEnum):
    """What prompted a revision (docs/delivery-dates.md, "Recomputed"): stored on each revision."""

    order = "order"  # the order was placed
    shipped = "shipped"  # the shipment was created (its label)
    carrier = "carrier"  # the carrier's own estimate arrived or moved
    handoff = "handoff"  # the carrier took the parcel after the promise was made
    check = "check"  # the checks, after new scans or as time passes
    delivered = "delivered"  # the window collapsed to the day it arrived


class Cause(StrEnum):
    """Why a revision happened, from the event that prompted it: stored on each revision and
    told to the shopper in plain words (docs/delivery-dates.md, "Why it changed")."""

    order_placed = "order_placed"  # the first promise, when the order was placed
    shipped = "shipped"  # the store packed and labelled it
    picked_up = "picked_up"  # the carrier picked it up
    carrier_estimate = "carrier_estimate"  # the carrier's own estimate changed
    customs_delay = "customs_delay"  # held at customs
    exception = "exception"  # a problem in transit
    missed_delivery = "missed_delivery"  # a delivery attempt was missed
    out_for_delivery = "out_for_delivery"
    running_late = "running_late"  # past the promised day and still on its way
    delivered = "delivered"
    stock_arrived = "stock_arrived"  # the units it waited for are in stock
    learned = "learned"  # recent deliveries changed what is expected on its route
    # Backordered orders, promised from the inbound that will fill them (docs/suppliers.md):
    waiting_for_stock = "waiting_for_stock"  # waiting for stock: a purchase order sent, cancelled or short
    supplier_delay = "supplier_delay"  # the inbound it waits for is expected later
    supplier_confirmed = "supplier_confirmed"  # the supplier confirmed its dates


@dataclass(frozen=True)
class Window:
    earliest: date
    latest: date
    most_likely: date
    reason: str
    basis: str = engine.BASIS_TYPICAL  # what the window is based on (engine.BASIS_*)
    deliveries: int = 0  # how many deliveries a learned window is based on
    cause: Cause | None = None  # why it changed (set by the revision rules)

    @property
    def days(self) -> tuple[date, date, date]:
        return (self.earliest, self.latest, self.most_likely)


@dataclass(frozen=True)
class ShipmentJourney:
    """What one shipment's promise is computed from, gathered by the caller."""

    shipment_id: str
    order_id: str
    carrier: str
    service: str | None
    status: str
    origin: Origin
    destination: Place
    ordered_at: datetime
    labelled_at: datetime  # the shipment was created: its label
    handed_over_at: datetime | None
    first_carrier_scan_at: datetime | None  # the first scan that is not "label created"
    delivered_at: datetime | None
    promise: Window | None  # the promise now (None: none yet)
    parcel_ids: tuple[str, ...] = ()  # whose carrier estimates count
    reason: str | None = None  # the shipment's status reason (customs_hold, ...)

    @property
    def dispatched_at(self) -> datetime:
        """The carrier had it from its hand-off, else its first scan; until then the label is the
        best sign the parcel is about to leave."""
        return self.handed_over_at or self.first_carrier_scan_at or self.labelled_at

    @property
    def lane(self) -> Lane:
        return Lane(self.carrier, self.service, self.origin.place.lane_name, self.destination.lane_name)


@dataclass(frozen=True)
class OrderJourney:
    """What an order's promise is computed from: its shipments' promises, and for units not
    shipped yet the warehouse that would ship them (the first by priority)."""

    order_id: str
    ordered_at: datetime
    destination: Place
    origin: Origin
    promise: Window | None
    parts: tuple[Window, ...]  # its shipments' promises now
    all_shipped: bool
    # Units it waits for (backordered): when the inbound that fills them is put away and can be
    # picked (None: nothing waits, or no inbound covers them, see ``waiting_for_stock``).
    stock_ready_at: datetime | None = None
    waiting_for_stock: bool = False  # some units are backordered

    @property
    def promised_from_inbound(self) -> bool:
        return self.stock_ready_at is not None


def estimate_shipment(
    journey: ShipmentJourney,
    carrier_estimate: tuple[date, date] | None,
    history: TransitHistory,
    now: datetime,
) -> Window:
    destination, origin = journey.destination, journey.origin
    delivered_on = (
        journey.delivered_at.astimezone(ZoneInfo(destination.timezone)).date()
        if journey.status == "delivered" and journey.delivered_at is not None
        else None
    )
    found = engine.estimate(
        engine.EddInputs(
            moment=now,
            ordered_at=journey.ordered_at,
            dispatched_at=journey.dispatched_at,
            origin=origin.place.calendar,
            destination=destination.calendar,
            destination_timezone=destination.timezone,
            lane=journey.lane,
            warehouse_timezone=origin.place.timezone,
            cutoff=origin.cutoff,
            processing_days=origin.processing_days,
            carrier_estimate=carrier_estimate,
            delivered_on=delivered_on,
            bounds=bounds_for(journey.carrier, journey.service, origin.place, destination),
            route_words=route_words(origin.place, destination),
        ),
        history,
    )
    window = _window(found)
    if found.overdue and delivered_on is None:
        # Counted from when it left, even the last day has passed: said as running late. The
        # dates stay where the engine holds them (today), so a window one day either side of
        # that edge gives the same promise; the late check moves a passed promise on.
        window = replace(
            window, reason=f"taking longer than usual ({found.reason})", cause=Cause.running_late
        )
    if delivered_on is None and carrier_estimate is not None and max(carrier_estimate) > window.latest:
        # The carrier announcing a later day than history suggests is news of a delay: believe it.
        window = replace(
            window, latest=max(carrier_estimate), reason=window.reason + "; the carrier now says later"
        )
    return window


def _window(found: engine.Estimate) -> Window:
    return Window(
        found.earliest, found.latest, found.most_likely, found.reason, found.basis, found.deliveries
    )


def bounds_for(carrier: str | None, service: str | None, origin: Place, destination: Place) -> TransitBounds:
    """What distance and the service allow from ``origin`` to ``destination``."""
    return transit_bounds(
        carrier, service, route(origin.country, origin.point, destination.country, destination.point)
    )


_ENGLISH = Locale("en")


def route_words(origin: Place, destination: Place) -> str:
    """ "from Germany to the United States" / "within Germany", for a revision's reason."""
    names = _ENGLISH.territories
    if origin.country == destination.country:
        return f"within {names.get(destination.country, destination.country)}"
    return (
        f"from {names.get(origin.country, origin.country)}"
        f" to {names.get(destination.country, destination.country)}"
    )


# A round revising thousands of orders at one moment (the worker's, for orders waiting on one
# inbound) asks the same question again and again: one start, one warehouse, a few
# destinations. Inside :func:`same_answers` each is worked out once; nothing is kept after it.
_ANSWERS: ContextVar[dict[tuple[object, ...], Window] | None] = ContextVar("eta_answers", default=None)


@contextmanager
def same_answers() -> Iterator[None]:
    """Within this block the same unshipped-estimate inputs (the history and moment included)
    give the window worked out the first time; the caller keeps the history unchanged in it."""
    token = _ANSWERS.set({})
    try:
        yield
    finally:
        _ANSWERS.reset(token)


def estimate_unshipped(
    ordered_at: datetime, origin: Origin, destination: Place, history: TransitHistory, now: datetime
) -> Window:
    """Units not shipped yet: from the dispatch day the warehouse's cut-off gives."""
    answers = _ANSWERS.get()
    if answers is None:
        return _estimate_unshipped(ordered_at, origin, destination, history, now)
    key = (ordered_at, origin, destination, id(history), now)
    try:
        found = answers.get(key)
    except TypeError:  # an input that cannot be a key: worked out each time
        return _estimate_unshipped(ordered_at, origin, destination, history, now)
    if found is None:
        found = answers[key] = _estimate_unshipped(ordered_at, origin, destination, history, now)
    return found


def _estimate_unshipped(
    ordered_at: datetime, origin: Origin, destination: Place, history: TransitHistory, now: datetime
) -> Window:
    found = engine.estimate(
        engine.EddInputs(
            moment=now,
            ordered_at=ordered_at,
            dispatched_at=None,
            origin=origin.place.calendar,
            destination=destination.calendar,
            destination_timezone=destination.timezone,
            lane=Lane(None, None, origin.place.lane_name, destination.lane_name),
            warehouse_timezone=origin.place.timezone,
            cutoff=origin.cutoff,
            processing_days=origin.processing_days,
            bounds=bounds_for(None, None, origin.place, destination),
            route_words=route_words(origin.place, destination),
        ),
        history,
    )
    return _window(found)


def as_time_passes(journey: ShipmentJourney, now: datetime) -> Window | None:
    """What a check (no new facts, only time and the parcel's status) does to a promise under
    way: keep it while it can still be kept; once its last day has passed, a fresh window from
    today (told as a delay once, not again every morning); out for delivery, today; held at
    customs, at least ``CUSTOMS_HOLD_DAYS`` more; a missed attempt, not before the next
    business day. None: estimate afresh (no promise yet)."""
    promise = journey.promise
    if promise is None:
        return None
    destination = journey.destination
    calendar = destination.calendar
    today = now.astimezone(ZoneInfo(destination.timezone)).date()
    if journey.status == "out_for_delivery" and promise.latest >= today:
        return Window(today, today, today, "out for delivery today", cause=Cause.out_for_delivery)
    if journey.status == "exception" and journey.reason == "customs_hold":
        cleared = calendar.add_business_days(today, CUSTOMS_HOLD_DAYS)
        if promise.latest < cleared:
            earliest = max(promise.earliest, calendar.add_business_days(today, 1))
            return Window(
                earliest,
                cleared,
                min(max(promise.most_likely, earliest), cleared),
                f"held at customs: at least {CUSTOMS_HOLD_DAYS} more business days",
                cause=Cause.customs_delay,
            )
    if journey.status == "failed_attempt" and promise.earliest <= today:
        retry = calendar.add_business_days(today, 1)
        return Window(
            retry,
            max(promise.latest, retry),
            retry,
            "a delivery attempt was missed: the next one on the next business day",
            cause=Cause.missed_delivery,
        )
    if promise.latest >= today:
        return Window(promise.earliest, promise.latest, promise.most_likely, "unchanged")
    latest = calendar.add_business_days(today, OVERDUE_MARGIN_DAYS)
    return Window(
        today,
        latest,
        today,
        "past the promised day and still on its way: a new window from today",
        cause=Cause.running_late,
    )


def revise_shipment(
    journey: ShipmentJourney,
    carrier_estimate: tuple[date, date] | None,
    history: TransitHistory,
    *,
    now: datetime,
    stage: Stage,
    promised_at: datetime | None,
) -> tuple[Window, Stage]:
    """The shipment's promise now (its ``cause`` set) and the stage to record it under.
    ``promised_at``: when its promise was last made; a hand-off after it is a new fact worth a
    fresh estimate."""
    dispatched = journey.dispatched_at
    handed_over_since = promised_at is not None and dispatched > promised_at
    window = None
    if stage is Stage.check and journey.status not in FINISHED_SHIPMENT_STATUSES and not handed_over_since:
        window = as_time_passes(journey, now)
    if window is None:
        window = estimate_shipment(journey, carrier_estimate, history, now)
        if journey.status not in FINISHED_SHIPMENT_STATUSES:
            # A fresh estimate still meets the parcel where it is: out for delivery, held at
            # customs, a missed attempt (what time alone does to a promise, applied to this one).
            moved = as_time_passes(replace(journey, promise=window), now)
            if moved is not None and moved.cause is not None and moved.cause is not Cause.running_late:
                window = moved
    if journey.status == "delivered":
        return replace(window, cause=Cause.delivered), Stage.delivered
    what = Stage.handoff if handed_over_since else stage
    return replace(window, cause=window.cause or cause_of(journey, what)), what


def cause_of(journey: ShipmentJourney, stage: Stage) -> Cause:
    """Why a shipment's promise moved, from what prompted the revision and the parcel's state:
    the hand-off, a new label or a placed order is the fact itself; otherwise trouble the
    parcel is in explains the move better than the stage that noticed it."""
    match stage:
        case Stage.order:
            return Cause.order_placed
        case Stage.shipped:
            return Cause.shipped
        case Stage.handoff:
            return Cause.picked_up
        case Stage.delivered:
            return Cause.delivered
    if journey.status == "exception":
        return Cause.customs_delay if journey.reason == "customs_hold" else Cause.exception
    if journey.status == "failed_attempt":
        return Cause.missed_delivery
    if journey.status == "out_for_delivery":
        return Cause.out_for_delivery
    return Cause.carrier_estimate if stage is Stage.carrier else Cause.learned


def is_delay(journey: ShipmentJourney, window: Window) -> bool:
    """A new window ending later than the one before, while the parcel is still on its way."""
    return (
        journey.promise is not None
        and window.latest > journey.promise.latest
        and journey.status not in FINISHED_SHIPMENT_STATUSES
    )


def promise_order(journey: OrderJourney, history: TransitHistory, now: datetime) -> Window | None:
    """The order's promise: its last part's (None: nothing to promise)."""
    windows = list(journey.parts)
    if not journey.all_shipped:
        # Units waiting for stock leave once the inbound that fills them is put away: the
        # warehouse's cut-off counts from then (arrival + put-away + processing + transit).
        start = max(journey.ordered_at, journey.stock_ready_at or journey.ordered_at)
        unshipped = estimate_unshipped(start, journey.origin, journey.destination, history, now)
        if journey.stock_ready_at is not None:
            unshipped = replace(unshipped, reason=f"waiting for stock, then {unshipped.reason}")
        windows.append(unshipped)
    if not windows:
        return None
    if len(windows) == 1:
        return windows[0]
    last = max(windows, key=lambda w: (w.latest, w.most_likely))
    return Window(
        max(w.earliest for w in windows),
        max(w.latest for w in windows),
        max(w.most_likely for w in windows),
        f"the last of {len(windows)} parts to arrive: {last.reason}",
        last.basis,
        last.deliveries,
        next((w.cause for w in windows if w.cause is not None), None),
    )
