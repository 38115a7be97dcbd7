"""The weekly digest: last week's delivery figures against each of the four weeks before and
their mean, and the three worst lanes of the week: pure (issue 22).

Read from daily cells (``rollup``), so it says exactly what the analytics pages say for the same
days. Definitions in docs/analytics.md, "Weekly digest":

- A week is Monday to Sunday. Cells are days in the destination's local calendar
  (``figures.analytics_day``); the merchant's time zone only decides which week has just ended.
- The mean of the four weeks before is the plain mean of those weeks' values (a week with no
  value, "—", is left out), so a reader can check it against the four columns by eye.
- The exception rate is exception reasons met per shipment: the sum of the per-reason shares,
  a shipment meeting two reasons counts twice (the cells keep reasons, not "any exception").
- Worst lanes: lanes (carrier, origin country, destination country and region) with at least
  ``LEAST_LANE_DELIVERIES`` deliveries judged against the promise in the week and at least one
  of them late, lowest on-time rate first, then most late deliveries, then by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from ordertrack.analytics import figures as f
from ordertrack.analytics import lanes, rollup

WEEKS_BEFORE = 4
WORST_LANES = 3
# As for lanes that got worse: fewer deliveries in a week say nothing about a lane.
LEAST_LANE_DELIVERIES = lanes.LEAST_SHIPMENTS


def week_before(today: date) -> tuple[date, date]:
    """The last whole Monday-to-Sunday week before ``today`` (on a Monday: the week just ended)."""
    monday = today - timedelta(days=today.weekday() + 7)
    return monday, monday + timedelta(days=6)


def weeks(monday: date) -> list[tuple[date, date]]:
    """The digest's week starting ``monday`` and the ``WEEKS_BEFORE`` weeks before it, newest first."""
    if monday.weekday() != 0:
        raise ValueError(f"a digest week starts on a Monday, not {monday:%A}")
    starts = [monday - timedelta(weeks=n) for n in range(WEEKS_BEFORE + 1)]
    return [(start, start + timedelta(days=6)) for start in starts]


@dataclass(frozen=True)
class Measure:
    """One figure: the week's value, each earlier week's (newest first) and their mean.

    Rates are fractions (0.5 is 50%), times whole hours, counts counts; None has no value.
    ``better`` is ``higher``, ``lower`` or ``neither`` (the number of shipments)."""

    name: str
    label: str
    kind: str  # rate | hours | count
    better: str
    week: float | None
    before: tuple[float | None, ...]
    mean: float | None

    @property
    def change(self) -> float | None:
        """The week against the mean, in the unit shown: percentage points, hours or shipments,
        rounded as shown (one decimal for rates, whole hours and shipments)."""
        if self.week is None or self.mean is None:
            return None
        if self.kind == "rate":
            return round((self.week - self.mean) * 100, 1)
        return float(round(self.week - self.mean))

    @property
    def direction(self) -> str:
        """``up``, ``down``, ``same`` (as shown, rounded) or ``none`` (nothing to compare)."""
        change = self.change
        if change is None:
            return "none"
        return "up" if change > 0 else "down" if change < 0 else "same"

    @property
    def verdict(self) -> str:
        """``better``, ``worse`` or ``same`` for the business; ``none`` when not a judgement."""
        if self.direction in ("none", "same") or self.better == "neither":
            return "same" if self.direction == "same" else "none"
        return "better" if (self.direction == "up") == (self.better == "higher") else "worse"


@dataclass(frozen=True)
class WorstLane:
    lane: lanes.LaneKey
    on_time: f.Share
    transit_p90_hours: int | None

    @property
    def late(self) -> int:
        return self.on_time.denominator - self.on_time.numerator


@dataclass(frozen=True)
class Digest:
    merchant_id: int | str
    weeks: tuple[tuple[date, date], ...]  # the digest's week first, then the four before
    measures: tuple[Measure, ...]
    worst_lanes: tuple[WorstLane, ...]

    @property
    def first(self) -> date:
        return self.weeks[0][0]

    @property
    def last(self) -> date:
        return self.weeks[0][1]

    @property
    def empty(self) -> bool:
        return all(m.week in (None, 0) and all(v in (None, 0) for v in m.before) for m in self.measures)


# name, label, kind, better, how to read it from figures
_MEASURES = (
    ("shipments", "Shipments", "count", "neither"),
    ("on_time_promise", "On time against our promise", "rate", "higher"),
    ("on_time_carrier", "On time against the carrier's estimate", "rate", "higher"),
    ("transit_p50", "Transit time p50", "hours", "lower"),
    ("transit_p90", "Transit time p90", "hours", "lower"),
    ("first_attempt", "Delivered at the first attempt", "rate", "higher"),
    ("exceptions", "Exceptions per shipment", "rate", "lower"),
    ("returned", "Returned to sender", "rate", "lower"),
)


def _values(figures: f.DeliveryFigures) -> dict[str, float | None]:
    exceptions = sum(share.numerator for _, share in figures.exceptions_by_reason)
    return {
        "shipments": float(figures.shipments),
        "on_time_promise": figures.on_time_promise.value,
        "on_time_carrier": figures.on_time_carrier.value,
        "transit_p50": _hours(figures.transit.p50_hours),
        "transit_p90": _hours(figures.transit.p90_hours),
        "first_attempt": figures.first_attempt.value,
        "exceptions": exceptions / figures.shipments if figures.shipments else None,
        "returned": figures.returned_to_sender.value,
    }


def _hours(value: int | None) -> float | None:
    return float(value) if value is not None else None


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def digest(cells: Mapping[rollup.CellKey, rollup.Cell], merchant_id: int | str, monday: date) -> Digest:
    """The digest of the week starting ``monday`` from ``cells`` (only this merchant's are read)."""
    spans = weeks(monday)
    per_week = []
    for first, last in spans:
        chosen = rollup.select(cells, merchant_id, first, last)  # type: ignore[arg-type]
        per_week.append(_values(rollup.figures_of(rollup.merge_all(chosen.values()))))
    measures = tuple(
        Measure(
            name,
            label,
            kind,
            better,
            per_week[0][name],
            tuple(week[name] for week in per_week[1:]),
            _mean([week[name] for week in per_week[1:]]),
        )
        for name, label, kind, better in _MEASURES
    )
    this_week = rollup.select(cells, merchant_id, *spans[0])  # type: ignore[arg-type]
    return Digest(merchant_id, tuple(spans), measures, worst_lanes(this_week))


def worst_lanes(
    cells: Mapping[rollup.CellKey, rollup.Cell], count: int = WORST_LANES
) -> tuple[WorstLane, ...]:
    """The ``count`` lanes of these cells with the lowest on-time rate against the promise,
    among those with enough deliveries judged and at least one late (see the module's rules)."""
    by_lane: dict[lanes.LaneKey, rollup.Cell] = {}
    for key, cell in cells.items():
        rollup.absorb(by_lane.setdefault(key.lane, rollup.Cell()), cell)
    found = []
    for lane, cell in by_lane.items():
        figures = rollup.figures_of(cell)
        on_time = figures.on_time_promise
        if on_time.denominator >= LEAST_LANE_DELIVERIES and on_time.numerator < on_time.denominator:
            found.append(WorstLane(lane, on_time, figures.transit.p90_hours))
    found.sort(key=lambda w: (w.on_time.numerator / w.on_time.denominator, -w.late, str(w.lane)))
    return tuple(found[:count])


# -- words and numbers as shown (the email and the dashboard's preview say the same) ----------


def shown(kind: str, value: float | None) -> str:
    """A value as the digest prints it: 93.5%, 52 h, 1,204; "—" without a value."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "hours":
        return f"{round(value):,} h"
    return f"{round(value):,}"


def shown_change(measure: Measure) -> str:
    """The change against the mean as printed: +2.5 pts, −6 h, +14; "—" when there is none."""
    change = measure.change
    if change is None:
        return "—"
    unit = {"rate": " pts", "hours": " h", "count": ""}[measure.kind]
    number = f"{abs(change):.1f}" if measure.kind == "rate" else f"{abs(change):,.0f}"
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{number}{unit}"


ARROWS = {"up": "▲", "down": "▼", "same": "=", "none": ""}


def lane_words(lane: lanes.LaneKey) -> str:
    """``ups: US → BR (SP)``."""
    carrier, origin, country, region = lane
    where = f"{country or '?'} ({region})" if region else (country or "?")
    return f"{carrier}: {origin or '?'} → {where}"


def week_words(first: date, last: date) -> str:
    """``Mon 30 Nov – Sun 6 Dec 2026``."""
    return f"{first:%a} {first.day} {first:%b} – {last:%a} {last.day} {last:%b %Y}"
