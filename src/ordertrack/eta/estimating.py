"""The promise of one shipment or one order, from facts the caller gathered: pure, time passed in.

The vocabulary (docs/glossary): a **promise** is our delivery window (earliest, most likely,
latest day, in the destination's calendar); the carrier's **estimate** is one input to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from ordertrack.eta import engine
from ordertrack.eta.learning import Lane, TransitHistory
from ordertrack.eta.places import Origin, Place
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES

# A parcel past its promised day gets a new window of this many business days from today.
OVERDUE_MARGIN_DAYS = 2


class Stage(StrEnum):
    """What prompted a revision (docs/delivery-dates.md, "Recomputed"): stored on each revision."""

    order = "order"  # the order was placed
    shipped = "shipped"  # the shipment was created (its label)
    carrier = "carrier"  # the carrier's own estimate arrived or moved
    handoff = "handoff"  # the carrier took the parcel after the promise was made
    check = "check"  # the checks, after new scans or as time passes
    delivered = "delivered"  # the window collapsed to the day it arrived


@dataclass(frozen=True)
class Window:
    earliest: date
    latest: date
    most_likely: date
    reason: str

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
        ),
        history,
    )
    window = Window(found.earliest, found.latest, found.most_likely, found.reason)
    if delivered_on is None and carrier_estimate is not None and max(carrier_estimate) > window.latest:
        # The carrier announcing a later day than history suggests is news of a delay: believe it.
        window = Window(
            window.earliest,
            max(carrier_estimate),
            window.most_likely,
            window.reason + "; the carrier now says later",
        )
    return window


def estimate_unshipped(
    ordered_at: datetime, origin: Origin, destination: Place, history: TransitHistory, now: datetime
) -> Window:
    """Units not shipped yet: from the dispatch day the warehouse's cut-off gives."""
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
        ),
        history,
    )
    return Window(found.earliest, found.latest, found.most_likely, found.reason)


def as_time_passes(journey: ShipmentJourney, now: datetime) -> Window | None:
    """What a check (no new facts, only time) does to a promise under way: keep it while it can
    still be kept; once its last day has passed, a fresh window from today (told as a delay once,
    not again every morning); out for delivery, today. None: estimate afresh (no promise yet)."""
    promise = journey.promise
    if promise is None:
        return None
    destination = journey.destination
    today = now.astimezone(ZoneInfo(destination.timezone)).date()
    if journey.status == "out_for_delivery" and promise.latest >= today:
        return Window(today, today, today, "out for delivery today")
    if promise.latest >= today:
        return Window(promise.earliest, promise.latest, promise.most_likely, "unchanged")
    latest = destination.calendar.add_business_days(today, OVERDUE_MARGIN_DAYS)
    return Window(today, latest, today, "past the promised day and still on its way: a new window from today")


def revise_shipment(
    journey: ShipmentJourney,
    carrier_estimate: tuple[date, date] | None,
    history: TransitHistory,
    *,
    now: datetime,
    stage: Stage,
    promised_at: datetime | None,
) -> tuple[Window, Stage]:
    """The shipment's promise now and the stage to record it under. ``promised_at``: when its
    promise was last made; a hand-off after it is a new fact worth a fresh estimate."""
    dispatched = journey.dispatched_at
    handed_over_since = promised_at is not None and dispatched > promised_at
    window = None
    if stage is Stage.check and journey.status not in FINISHED_SHIPMENT_STATUSES and not handed_over_since:
        window = as_time_passes(journey, now)
    if window is None:
        window = estimate_shipment(journey, carrier_estimate, history, now)
    if journey.status == "delivered":
        return window, Stage.delivered
    return window, Stage.handoff if handed_over_since else stage


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
        windows.append(
            estimate_unshipped(journey.ordered_at, journey.origin, journey.destination, history, now)
        )
    if not windows:
        return None
    if len(windows) == 1:
        return windows[0]
    return Window(
        max(w.earliest for w in windows),
        max(w.latest for w in windows),
        max(w.most_likely for w in windows),
        f"the last of {len(windows)} parts to arrive",
    )
