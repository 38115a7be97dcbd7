"""Lanes that got worse: a lane's on-time rate or transit p90 over the last 7 or 30 days outside
its usual range over the weeks before: pure. Definitions in docs/analytics.md ("Lanes that got
worse"); the figures themselves come from ``figures``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ordertrack.analytics.figures import (
    DeliveryFacts,
    Share,
    nearest_rank,
    on_time_promise,
    promise_offset,
    transit_hours,
)

# A lane: carrier, origin country, destination country and region.
LaneKey = tuple[str, str | None, str | None, str | None]
WEEKS_BEFORE = 8  # the usual range is learned from the 8 weeks before the window
LEAST_SHIPMENTS = 5  # a week, or the window, with fewer delivered shipments says nothing
LEAST_WEEKS = 4  # with fewer telling weeks a lane has no usual range yet


def lane_of(fact: DeliveryFacts) -> LaneKey:
    return (fact.carrier, fact.origin_country, fact.destination_country, fact.destination_region)


@dataclass(frozen=True)
class LaneValue:
    """One lane over one span of days: on-time (against the promise) and transit hours."""

    on_time: Share
    transit: Mapping[int, int]

    @property
    def delivered(self) -> int:
        return sum(self.transit.values())

    @property
    def transit_p90(self) -> int | None:
        return nearest_rank(self.transit, 90)


@dataclass(frozen=True)
class LaneAlert:
    """A lane whose figure over the window left its usual range."""

    lane: LaneKey
    figure: str  # "on_time" or "transit_p90"
    window_days: int
    current: float
    usual_low: float
    usual_high: float
    shipment_ids: tuple[int, ...] = ()


def lane_spans(as_of: date, window_days: int) -> list[tuple[date, date]]:
    """The window (first), then the ``WEEKS_BEFORE`` weeks before it, newest first, as
    inclusive (first day, last day) of destination-local days; the window ends on ``as_of``."""
    start = as_of - timedelta(days=window_days - 1)
    spans = [(start, as_of)]
    for week in range(1, WEEKS_BEFORE + 1):
        spans.append((start - timedelta(days=7 * week), start - timedelta(days=7 * (week - 1) + 1)))
    return spans


def judge_lane(
    lane: LaneKey, window_days: int, current: LaneValue, weeks: Sequence[LaneValue]
) -> list[LaneAlert]:
    """The usual range of a figure is the lowest to the highest of its weekly values over the
    8 weeks before the window, counting only weeks with at least ``LEAST_SHIPMENTS`` delivered
    (and of those, on-time needs promised ones); it takes ``LEAST_WEEKS`` such weeks. The lane
    got worse when the window (itself with ``LEAST_SHIPMENTS``) is below the lowest on-time
    rate or above the highest transit p90. Min–max, not mean ± 2 sd: with 8 values it is what
    a person can check by eye, and it never flags a value the lane already had in a usual week."""
    alerts: list[LaneAlert] = []
    if current.delivered < LEAST_SHIPMENTS:
        return alerts
    on_time_weeks = [w.on_time.value for w in weeks if w.on_time.denominator >= LEAST_SHIPMENTS]
    if (
        current.on_time.denominator >= LEAST_SHIPMENTS
        and len(on_time_weeks) >= LEAST_WEEKS
        and current.on_time.value < min(on_time_weeks)  # type: ignore[operator,type-var]
    ):
        alerts.append(
            LaneAlert(
                lane, "on_time", window_days, current.on_time.value, min(on_time_weeks), max(on_time_weeks)
            )  # type: ignore[arg-type,type-var]
        )
    p90_weeks = [w.transit_p90 for w in weeks if w.delivered >= LEAST_SHIPMENTS]
    if len(p90_weeks) >= LEAST_WEEKS and current.transit_p90 > max(p90_weeks):  # type: ignore[operator,type-var]
        alerts.append(
            LaneAlert(lane, "transit_p90", window_days, current.transit_p90, min(p90_weeks), max(p90_weeks))  # type: ignore[arg-type,type-var]
        )
    return alerts


def lanes_that_got_worse(
    facts: Iterable[DeliveryFacts], as_of: date, window_days: int = 7
) -> list[LaneAlert]:
    """Lanes whose on-time rate or transit p90 over the ``window_days`` ending ``as_of`` left
    their usual range (``judge_lane``). Delivered shipments only, by destination-local delivery
    day; each alert names the window's shipments behind it (for on-time: the late ones)."""
    spans = lane_spans(as_of, window_days)
    first, last = spans[-1][0], spans[0][1]
    by_lane: dict[LaneKey, list[DeliveryFacts]] = {}
    for fact in facts:
        day = fact.delivery_day
        if day is not None and first <= day <= last:
            by_lane.setdefault(lane_of(fact), []).append(fact)
    alerts: list[LaneAlert] = []
    for lane in sorted(by_lane, key=str):
        values = []
        for start, end in spans:
            inside = [f for f in by_lane[lane] if start <= f.delivery_day <= end]  # type: ignore[operator]
            values.append(LaneValue(on_time_promise(inside), transit_hours(inside)))
        window = [f for f in by_lane[lane] if spans[0][0] <= f.delivery_day]  # type: ignore[operator]
        for alert in judge_lane(lane, window_days, values[0], values[1:]):
            if alert.figure == "on_time":
                behind = [f.shipment_id for f in window if (promise_offset(f) or 0) > 0]
            else:
                behind = [f.shipment_id for f in window]
            alerts.append(_with_ids(alert, sorted(behind)))
    return alerts


def _with_ids(alert: LaneAlert, ids: list[int]) -> LaneAlert:
    return LaneAlert(
        alert.lane,
        alert.figure,
        alert.window_days,
        alert.current,
        alert.usual_low,
        alert.usual_high,
        tuple(ids),
    )
