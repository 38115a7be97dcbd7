"""The estimated-delivery-date engine: plain inputs and a transit history in, a dated window out."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ordertrack.eta.calendar import BusinessCalendar, dispatch_date
from ordertrack.eta.learning import Lane, Leg, TransitHistory
from ordertrack.eta.service_levels import service_transit_days as advertised_transit_days


@dataclass(frozen=True)
class Estimate:
    """An estimated delivery window in the destination's local calendar, and why."""

    earliest: date
    latest: date
    most_likely: date
    reason: str


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
        return Estimate(day, day, day, "delivered")
    start, leg = journey_start(inputs)
    calendar = inputs.destination
    quantiles = (policy.earliest_quantile, policy.most_likely_quantile, policy.latest_quantile)
    learned = history.window(inputs.lane, inputs.moment, quantiles, leg=leg)
    if learned is not None:
        low, middle, high = learned.values
        earliest = calendar.add_business_days(start, math.floor(low))
        most_likely = calendar.add_business_days(start, round(middle))
        latest = calendar.add_business_days(start, math.ceil(high))
        count = history.count_before(learned.lane_used, inputs.moment, leg=leg)
        reason = (
            f"learned from {count} deliveries on {learned.lane_used.describe()}, recent ones weighing more"
        )
        if inputs.carrier_estimate is not None and policy.carrier_weight > 0:
            promised = max(inputs.carrier_estimate)
            shift = (promised - latest).days * policy.carrier_weight
            # The blend counts calendar days and could land on a Sunday or a holiday.
            latest = calendar.next_business_day(latest + timedelta(days=round(shift)))
            reason += ", weighed with the carrier's own estimate"
    elif inputs.carrier_estimate is not None:
        earliest, latest = sorted(inputs.carrier_estimate)
        most_likely = latest
        reason = "the carrier's own estimate (no delivery history yet)"
    else:
        fastest, slowest = inputs.service_transit_days or advertised_transit_days(
            inputs.lane.carrier,
            inputs.lane.service,
            international=inputs.origin.country != inputs.destination.country,
        )
        earliest = calendar.add_business_days(start, fastest)
        most_likely = calendar.add_business_days(start, (fastest + slowest + 1) // 2)
        latest = calendar.add_business_days(start, slowest + policy.cold_start_margin_days)
        reason = f"the service's advertised {fastest}-{slowest} business days (no delivery history yet)"
    return _coherent(earliest, most_likely, latest, today, reason)


def _coherent(earliest: date, most_likely: date, latest: date, today: date, reason: str) -> Estimate:
    """Nothing before today, earliest <= most_likely <= latest."""
    earliest = max(earliest, today)
    latest = max(latest, earliest)
    most_likely = min(max(most_likely, earliest), latest)
    return Estimate(earliest, latest, most_likely, reason)
