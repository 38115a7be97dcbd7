"""The delivery figures, defined once: pure functions over the facts of shipments (issue 22).

Every figure here is the definition the dashboard, the API, the CSV, the rollups and the docs
(docs/analytics.md, "Definitions") agree on. The caller chooses which shipments count (period,
carrier, warehouse...); a shipment's day for that choice is ``analytics_day``.

Shared rules, said once:
- A cancelled shipment, or one the carrier never scanned (no hand-off), is in no figure.
- Days are the destination's local calendar days (``DeliveryFacts.destination_zone``): a parcel
  delivered at 23:30 in São Paulo was delivered that day there, whatever UTC says.
- Durations are whole hours, rounded down, and capped at ``LONGEST_HOURS`` (longer ones count
  as ``LONGEST_HOURS``); at that resolution the rollups' histograms give the same answers.
- Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank
  ceil(p/100 × n). It is always a value that occurred, and the same from a histogram.
- A rate is kept as numerator and denominator (``Share``); with no denominator it has no value.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

# 120 days: beyond this a parcel is lost, not slow; it still counts, in the top hour.
LONGEST_HOURS = 24 * 120
# The distribution is shown by whole days 0..13 and "14 days or more".
HISTOGRAM_DAYS = 14


@dataclass(frozen=True)
class PromiseRevision:
    """A later promise window replacing the one before it, and why (``delay``, ``exception``,
    ``carrier_estimate``, ``weather``...)."""

    at: datetime
    earliest: date
    latest: date
    cause: str


@dataclass(frozen=True)
class ScanStop:
    """One carrier scan as "where parcels wait" needs it."""

    occurred_at: datetime
    city: str | None
    country: str | None
    facility: str | None = None


@dataclass(frozen=True)
class DeliveryFacts:
    """One outbound shipment as analytics sees it: what happened, with the promise made."""

    shipment_id: int
    merchant_id: int
    carrier: str
    ordered_at: datetime
    destination_zone: str
    service: str | None = None
    warehouse: str | None = None
    origin_country: str | None = None
    origin_region: str | None = None
    destination_country: str | None = None
    destination_region: str | None = None
    handed_off_at: datetime | None = None
    delivered_at: datetime | None = None
    # The promise window in force at hand-off, in the destination's local dates.
    promise_earliest: date | None = None
    promise_latest: date | None = None
    revisions: tuple[PromiseRevision, ...] = ()
    # The carrier's own estimated delivery date, the first one it gave.
    carrier_estimate: date | None = None
    failed_attempts: int = 0
    exception_reasons: frozenset[str] = frozenset()
    returned_to_sender: bool = False
    cancelled: bool = False
    scans: tuple[ScanStop, ...] = ()

    @property
    def counted(self) -> bool:
        """In the figures at all: handed to the carrier and not cancelled."""
        return self.handed_off_at is not None and not self.cancelled

    @property
    def delivered(self) -> bool:
        """Delivered to the shopper (a parcel returned to the sender was not)."""
        return self.counted and self.delivered_at is not None and not self.returned_to_sender

    @property
    def delivery_day(self) -> date | None:
        if not self.delivered:
            return None
        return local_day(self.delivered_at, self.destination_zone)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Share:
    """A share as its two counts, so rates add across days and cells."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Durations:
    """Count, p50 and p90 (nearest-rank, whole hours) and the distribution by whole days."""

    count: int
    p50_hours: int | None
    p90_hours: int | None
    by_day: tuple[int, ...] = field(default=(0,) * (HISTOGRAM_DAYS + 1))


@dataclass(frozen=True)
class PromiseAccuracy:
    """Delivered shipments with a promise: inside the window, early or late, by days."""

    delivered: int
    inside: int
    early_by_days: tuple[tuple[int, int], ...]
    late_by_days: tuple[tuple[int, int], ...]

    @property
    def early(self) -> int:
        return sum(n for _, n in self.early_by_days)

    @property
    def late(self) -> int:
        return sum(n for _, n in self.late_by_days)


@dataclass(frozen=True)
class Revisions:
    """How often promises were revised, and why."""

    shipments: Share
    by_cause: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PlaceDwell:
    """How long parcels of one carrier stayed at one place before their next scan elsewhere."""

    carrier: str
    facility: str | None
    city: str | None
    country: str | None
    stays: int
    p50_hours: int | None
    p90_hours: int | None


@dataclass(frozen=True)
class DeliveryFigures:
    """Every delivery figure over one chosen set of shipments."""

    shipments: int
    on_time_promise: Share
    on_time_carrier: Share
    processing: Durations
    transit: Durations
    first_attempt: Share
    exceptions_by_reason: tuple[tuple[str, Share], ...]
    returned_to_sender: Share
    promise_accuracy: PromiseAccuracy
    revisions: Revisions
    where_parcels_wait: tuple[PlaceDwell, ...]


# -- the shared pieces -------------------------------------------------------------------------


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(at: datetime, zone: str) -> date:
    """The calendar day ``at`` falls on in ``zone``."""
    return at.astimezone(_zone(zone)).date()


def analytics_day(fact: DeliveryFacts) -> date | None:
    """The day a shipment counts on when figures are chosen by period (and its rollup cell):
    the destination's local day of delivery; while not delivered (or returned), of hand-off.
    None when it is in no figure (cancelled or never handed off)."""
    if not fact.counted:
        return None
    if fact.delivered:
        return fact.delivery_day
    return local_day(fact.handed_off_at, fact.destination_zone)  # type: ignore[arg-type]


def whole_hours(span: timedelta) -> int:
    """A duration as figures count it: whole hours rounded down, 0 if negative, capped."""
    return max(0, min(LONGEST_HOURS, math.floor(span.total_seconds() / 3600)))


def nearest_rank(histogram: Mapping[int, int], percent: int) -> int | None:
    """The nearest-rank percentile of values given as value -> how many times."""
    return nearest_ranks(histogram, sum(histogram.values()), (percent,))[0]


def nearest_ranks(histogram: Mapping[int, int], total: int, percents: Sequence[int]) -> list[int | None]:
    """``nearest_rank`` of each of ``percents`` (ascending) in one walk of the sorted values;
    ``total`` is the histogram's sum."""
    if total == 0:
        return [None] * len(percents)
    ranks = [math.ceil(percent * total / 100) for percent in percents]
    found: list[int | None] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while seen >= ranks[len(found)]:
            found.append(value)
            if len(found) == len(ranks):
                return found
    raise AssertionError("unreachable: ranks are within the total")


def durations(histogram: Mapping[int, int]) -> Durations:
    """Count, p50, p90 and days-distribution of hours given as hour -> how many."""
    by_day = [0] * (HISTOGRAM_DAYS + 1)
    total = 0
    for hours, count in histogram.items():
        by_day[min(hours // 24, HISTOGRAM_DAYS)] += count
        total += count
    p50, p90 = nearest_ranks(histogram, total, (50, 90))
    return Durations(count=total, p50_hours=p50, p90_hours=p90, by_day=tuple(by_day))


def stays(scans: Sequence[ScanStop]) -> list[tuple[tuple[str | None, str | None, str | None], int]]:
    """Where a parcel waited: each stay at a place (facility, else city, with its country) and
    its whole hours until the first scan at a different place. Scans at the same place in a row
    are one stay, scans naming no place are passed over; the last place (no scan after it) has no
    dwell yet and is left out."""
    ordered = sorted(scans, key=lambda scan: scan.occurred_at)
    result: list[tuple[tuple[str | None, str | None, str | None], int]] = []
    place: tuple[str | None, str | None, str | None] | None = None
    arrived: datetime | None = None
    for scan in ordered:
        here = _place(scan)
        if here == place or here == (None, None, None):  # a scan that names no place moves nothing
            continue
        if place is not None and arrived is not None:
            result.append((place, whole_hours(scan.occurred_at - arrived)))
        place, arrived = here, scan.occurred_at
    return result


def _place(scan: ScanStop) -> tuple[str | None, str | None, str | None]:
    """A place is the facility when the carrier names one, else the city; both with the country.
    Names are compared trimmed and case-folded (carriers spell 'MEMPHIS' and 'Memphis')."""
    facility = (scan.facility or "").strip().upper() or None
    city = (scan.city or "").strip().upper() or None
    country = (scan.country or "").strip().upper() or None
    if facility is not None:
        return (facility, None, country)
    return (None, city, country)


def promise_offset(fact: DeliveryFacts) -> int | None:
    """Days outside the hand-off promise window: negative early, positive late, 0 inside; None
    when not delivered or without a promise."""
    day = fact.delivery_day
    if day is None or fact.promise_latest is None:
        return None
    earliest = fact.promise_earliest or fact.promise_latest
    if day < earliest:
        return (day - earliest).days
    if day > fact.promise_latest:
        return (day - fact.promise_latest).days
    return 0


# -- the figures -------------------------------------------------------------------------------


def on_time_promise(facts: Iterable[DeliveryFacts]) -> Share:
    """Delivered on or before the last day of the promise window in force at hand-off.
    Numerator: those; denominator: delivered shipments that had a promise at hand-off.
    Excluded: not (yet) delivered, returned to sender, cancelled, no promise. Day: destination
    local. A later revision does not move the goal: a revised promise kept is still late."""
    offsets = [promise_offset(fact) for fact in facts]
    kept = [offset for offset in offsets if offset is not None]
    return Share(sum(1 for offset in kept if offset <= 0), len(kept))


def on_time_carrier(facts: Iterable[DeliveryFacts]) -> Share:
    """Delivered on or before the carrier's first estimated date. Numerator: those;
    denominator: delivered shipments with a carrier estimate. Same exclusions and day."""
    judged = [f for f in facts if f.delivered and f.carrier_estimate is not None]
    return Share(sum(1 for f in judged if f.delivery_day <= f.carrier_estimate), len(judged))  # type: ignore[operator]


def processing_hours(facts: Iterable[DeliveryFacts]) -> Counter[int]:
    """Order placed -> first carrier scan, in whole hours, of every counted shipment."""
    return Counter(whole_hours(f.handed_off_at - f.ordered_at) for f in facts if f.counted)  # type: ignore[operator]


def transit_hours(facts: Iterable[DeliveryFacts]) -> Counter[int]:
    """First carrier scan -> delivery, in whole hours, of delivered shipments."""
    return Counter(whole_hours(f.delivered_at - f.handed_off_at) for f in facts if f.delivered)  # type: ignore[operator]


def first_attempt(facts: Iterable[DeliveryFacts]) -> Share:
    """Delivered with no failed attempt before. Denominator: delivered shipments."""
    delivered = [f for f in facts if f.delivered]
    return Share(sum(1 for f in delivered if f.failed_attempts == 0), len(delivered))


def exceptions_by_reason(facts: Iterable[DeliveryFacts]) -> tuple[tuple[str, Share], ...]:
    """Per reason: shipments that met that exception at least once, over all counted shipments
    (delivered or not). A shipment with two reasons counts under both; most common first."""
    counted = [f for f in facts if f.counted]
    reasons = Counter(reason for f in counted for reason in f.exception_reasons)
    return tuple((reason, Share(n, len(counted))) for reason, n in by_count(reasons))


def returned_to_sender(facts: Iterable[DeliveryFacts]) -> Share:
    """Returned to the sender, over all counted shipments (delivered or not)."""
    counted = [f for f in facts if f.counted]
    return Share(sum(1 for f in counted if f.returned_to_sender), len(counted))


def promise_accuracy(facts: Iterable[DeliveryFacts]) -> PromiseAccuracy:
    """Delivered shipments with a hand-off promise, by where delivery fell against the window
    (destination local day): inside, or early/late by so many days."""
    offsets = Counter(o for o in (promise_offset(f) for f in facts) if o is not None)
    return accuracy_of(offsets)


def accuracy_of(offsets: Mapping[int, int]) -> PromiseAccuracy:
    return PromiseAccuracy(
        delivered=sum(offsets.values()),
        inside=offsets.get(0, 0),
        early_by_days=tuple(sorted((-o, n) for o, n in offsets.items() if o < 0 and n)),
        late_by_days=tuple(sorted((o, n) for o, n in offsets.items() if o > 0 and n)),
    )


def revisions(facts: Iterable[DeliveryFacts]) -> Revisions:
    """Share of counted shipments with a hand-off promise that had it revised at least once;
    and every revision counted by its cause (a shipment revised twice for delay counts 2)."""
    promised = [f for f in facts if f.counted and f.promise_latest is not None]
    causes = Counter(revision.cause for f in promised for revision in f.revisions)
    return Revisions(
        shipments=Share(sum(1 for f in promised if f.revisions), len(promised)),
        by_cause=by_count(causes),
    )


def by_count(counts: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(((k, n) for k, n in counts.items() if n), key=lambda item: (-item[1], item[0])))


def dwell_hours(
    facts: Iterable[DeliveryFacts],
) -> dict[tuple[str, str | None, str | None, str | None], Counter[int]]:
    """Per (carrier, facility, city, country): the hours of every stay there (see ``stays``),
    of counted shipments, delivered or not."""
    result: dict[tuple[str, str | None, str | None, str | None], Counter[int]] = {}
    for fact in facts:
        if not fact.counted:
            continue
        for place, hours in stays(fact.scans):
            result.setdefault((fact.carrier, *place), Counter())[hours] += 1
    return result


def where_parcels_wait(
    dwell: Mapping[tuple[str, str | None, str | None, str | None], Mapping[int, int]], least: int = 1
) -> tuple[PlaceDwell, ...]:
    """The places with at least ``least`` stays, longest median dwell first (then p90)."""
    places = []
    for (carrier, facility, city, country), hours in dwell.items():
        count = sum(hours.values())
        if count < least:
            continue
        places.append(
            PlaceDwell(
                carrier, facility, city, country, count, nearest_rank(hours, 50), nearest_rank(hours, 90)
            )
        )
    places.sort(
        key=lambda p: (-(p.p50_hours or 0), -(p.p90_hours or 0), p.carrier, str(p.facility), str(p.city))
    )
    return tuple(places)


def delivery_figures(facts: Iterable[DeliveryFacts]) -> DeliveryFigures:
    """Every figure over ``facts`` (already chosen by the caller's period and filters)."""
    chosen = [f for f in facts if f.counted]
    return DeliveryFigures(
        shipments=len(chosen),
        on_time_promise=on_time_promise(chosen),
        on_time_carrier=on_time_carrier(chosen),
        processing=durations(processing_hours(chosen)),
        transit=durations(transit_hours(chosen)),
        first_attempt=first_attempt(chosen),
        exceptions_by_reason=exceptions_by_reason(chosen),
        returned_to_sender=returned_to_sender(chosen),
        promise_accuracy=promise_accuracy(chosen),
        revisions=revisions(chosen),
        where_parcels_wait=where_parcels_wait(dwell_hours(chosen)),
    )
