"""The estimated-delivery-date engine: plain inputs and a transit history in, a dated window out."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ordertrack.eta.bounds import TransitBounds, hold_within
from ordertrack.eta.calendar import BusinessCalendar, dispatch_date
from ordertrack.eta.learning import Lane, Leg, TransitHistory
from ordertrack.eta.service_levels import advertises
from ordertrack.eta.service_levels import service_transit_days as advertised_transit_days

# What a window is based on (stored with each revision; the shopper's page words it):
BASIS_ROUTE = "route"  # the merchant's deliveries on this very route
BASIS_WIDER = "wider"  # deliveries on wider lanes, within what the route allows
BASIS_TYPICAL = "typical"  # what is typical for the distance and the service
BASIS_CARRIER = "carrier"  # the carrier's own estimate
BASIS_DELIVERED = "delivered"
# The order leg (before hand-off) also holds the merchant's own handling: it may run this
# many business days past the transit bounds' most.
ORDER_LEG_HANDLING_DAYS = 2


@dataclass(frozen=True)
class Estimate:
    """An estimated delivery window in the destination's local calendar, and why."""

    earliest: date
    latest: date
    most_likely: date
    reason: str
    basis: str = BASIS_TYPICAL
    deliveries: int = 0  # how many deliveries a learned window is based on
    # The window, counted from the day the parcel left, had already passed: it is later than
    # usual (the dates were moved to today; the caller may give it a fresh window instead).
    overdue: bool = False


@dataclass(frozen=True)
class EddInputs:
    """Everything known about a parcel at the moment an estimate is made."""

    moment: datetime
    ordered_at: datetime
    dispatched_at: datetime | None
    origin: BusinessCalendar
    destination: BusinessCalendar
    destination_timezone: str
    lane: Lane
    warehouse_timezone: str = "UTC"
    cutoff: time = time(14, 0)
    processing_days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    handling_days: int = 0
    service_transit_days: tuple[int, int] | None = None
    carrier_estimate: tuple[date, date] | None = None
    delivered_on: date | None = None
    # What distance and the service allow on this route (None: no bounds, e.g. Olist's files).
    bounds: TransitBounds | None = None
    route_words: str = ""  # "from Germany to the United States", for the reason


@dataclass(frozen=True)
class EddPolicy:
    """Which learned quantiles become the window; chosen by backtest (docs/delivery-dates.md)."""

    earliest_quantile: float = 0.10
    most_likely_quantile: float = 0.50
    latest_quantile: float = 0.93
    # How much the carrier's own latest date pulls the learned latest date towards it (0: ignored,
    # 1: the carrier's date wins). Two independent guesses at a high quantile err in different
    # places, so their blend is on time as often with less padding.
    carrier_weight: float = 0.0
    # Business days added to the advertised maximum when nothing has been learned yet.
    cold_start_margin_days: int = 2


DEFAULT_POLICY = EddPolicy()


def journey_start(inputs: EddInputs) -> tuple[date, Leg]:
    """The day transit is counted from, and which learned leg applies: the hand-off day once the
    carrier has the parcel, else the computed dispatch day (never before the moment itself)."""
    if inputs.dispatched_at is not None and inputs.dispatched_at <= inputs.moment:
        return inputs.dispatched_at.astimezone(ZoneInfo(inputs.warehouse_timezone)).date(), "handoff"
    planned = dispatch_date(
        max(inputs.ordered_at, inputs.moment),
        timezone=inputs.warehouse_timezone,
        cutoff=inputs.cutoff,
        processing_days=inputs.processing_days,
        calendar=inputs.origin,
        handling_days=inputs.handling_days,
    )
    return planned, "order"


def estimate(inputs: EddInputs, history: TransitHistory, *, policy: EddPolicy = DEFAULT_POLICY) -> Estimate:
    """The delivery window for one parcel, using only deliveries completed before `inputs.moment`."""
    today = inputs.moment.astimezone(ZoneInfo(inputs.destination_timezone)).date()
    if inputs.delivered_on is not None:
        day = inputs.delivered_on
        return Estimate(day, day, day, "delivered", BASIS_DELIVERED)
    start, leg = journey_start(inputs)
    calendar = inputs.destination
    quantiles = (policy.earliest_quantile, policy.most_likely_quantile, policy.latest_quantile)
    learned = history.window(inputs.lane, inputs.moment, quantiles, leg=leg)
    bounds = inputs.bounds
    if bounds is not None and leg == "order":
        bounds = replace(bounds, most=bounds.most + ORDER_LEG_HANDLING_DAYS)
    basis, deliveries = BASIS_TYPICAL, 0
    if learned is not None:
        low, middle, high = learned.values
        count = history.count_before(learned.lane_used, inputs.moment, leg=leg)
        same_route = learned.lane_used.origin is not None and (
            learned.lane_used.origin,
            learned.lane_used.destination,
        ) == (inputs.lane.origin, inputs.lane.destination)
        route = f" {inputs.route_words}" if inputs.route_words else ""
        if bounds is None:  # no route to hold it to (Olist's files)
            low_days, middle_days, high_days = math.floor(low), round(middle), math.ceil(high)
            basis, deliveries = BASIS_WIDER, count
            lane = learned.lane_used.describe()
            reason = f"learned from {count} deliveries on {lane}, recent ones weighing more"
        elif same_route:
            # The merchant's own deliveries on this route are what happens there: kept as they are.
            low_days, middle_days, high_days = math.floor(low), round(middle), math.ceil(high)
            basis, deliveries = BASIS_ROUTE, count
            reason = f"based on {count} deliveries{route}, recent ones weighing more"
        else:
            held = hold_within(low, middle, high, bounds)
            low_days, middle_days, high_days = held.low, held.middle, held.high
            if held.raised:
                # Wider lanes' data was faster than this route allows: it says nothing of this route.
                reason = f"typical for {_service_words(bounds)}{route} (deliveries elsewhere are faster)"
            else:
                basis, deliveries = BASIS_WIDER, count
                reason = (
                    f"based on {count} deliveries on {learned.lane_used.describe()},"
                    f" within what {_service_words(bounds)}{route} allows"
                )
        earliest = calendar.add_business_days(start, low_days)
        most_likely = calendar.add_business_days(start, middle_days)
        latest = calendar.add_business_days(start, high_days)
        if inputs.carrier_estimate is not None and policy.carrier_weight > 0:
            promised = max(inputs.carrier_estimate)
            shift = (promised - latest).days * policy.carrier_weight
            # The blend counts calendar days and could land on a Sunday or a holiday.
            latest = calendar.next_business_day(latest + timedelta(days=round(shift)))
            reason += ", weighed with the carrier's own estimate"
    elif inputs.carrier_estimate is not None:
        earliest, latest = sorted(inputs.carrier_estimate)
        most_likely = latest
        basis = BASIS_CARRIER
        reason = "the carrier's own estimate (no delivery history yet)"
    else:
        fastest, slowest = inputs.service_transit_days or advertised_transit_days(
            inputs.lane.carrier,
            inputs.lane.service,
            international=inputs.origin.country != inputs.destination.country,
        )
        slowest += policy.cold_start_margin_days
        if bounds is not None and not inputs.service_transit_days and not advertises(inputs.lane.carrier):
            # A carrier nobody publishes times for (the store's own vans, a local courier): what
            # the distance and the service allow is all there is to go on.
            fastest, slowest = bounds.fewest, bounds.fewest + bounds.widest
        advertised = inputs.service_transit_days is not None or advertises(inputs.lane.carrier)
        if bounds is not None:
            # A published time, with its cold-start margin, is never cut (zones differ, and the
            # margin is what keeps a first promise); it is only moved later when it is faster
            # than the distance allows.
            limits = (
                replace(bounds, widest=max(bounds.widest, slowest - fastest), most=max(bounds.most, slowest))
                if advertised
                else bounds
            )
            held = hold_within(fastest, (fastest + slowest + 1) // 2, slowest, limits)
            published = (fastest, slowest - policy.cold_start_margin_days)
            kept = held.low == published[0] and held.high >= published[1]
            fastest, middle_days, slowest = held.low, held.middle, held.high
            route = f" {inputs.route_words}" if inputs.route_words else ""
            if advertised and kept:
                # The advertised time fits what distance and service allow: say whose it is.
                reason = (
                    f"the service's advertised {published[0]}-{published[1]}"
                    f" business days{route} (no delivery history yet)"
                )
            else:
                reason = f"typical for {_service_words(bounds)}{route}"
        else:
            middle_days = (fastest + slowest - policy.cold_start_margin_days + 1) // 2
            reason = (
                f"the service's advertised {fastest}-{slowest - policy.cold_start_margin_days} business days"
                " (no delivery history yet)"
            )
        earliest = calendar.add_business_days(start, fastest)
        most_likely = calendar.add_business_days(start, middle_days)
        latest = calendar.add_business_days(start, slowest)
    found = _coherent(earliest, most_likely, latest, today, reason)
    return replace(found, basis=basis, deliveries=deliveries)


def _service_words(bounds: TransitBounds) -> str:
    """ "standard service, cross-border with customs, 2-9 business days"."""
    scope = bounds.scope.replace("_", "-")
    customs = " with customs" if bounds.customs and bounds.scope != "intercontinental" else ""
    service = bounds.service.replace("_", " ")
    return f"{service} service, {scope}{customs}, {bounds.fewest}-{bounds.most} business days"


def _coherent(earliest: date, most_likely: date, latest: date, today: date, reason: str) -> Estimate:
    """Nothing before today, earliest <= most_likely <= latest."""
    overdue = latest < today
    earliest = max(earliest, today)
    latest = max(latest, earliest)
    most_likely = min(max(most_likely, earliest), latest)
    return Estimate(earliest, latest, most_likely, reason, overdue=overdue)
