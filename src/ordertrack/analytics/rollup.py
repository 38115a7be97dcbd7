"""The daily rollup cell: counts and sums that add, so figures are kept as facts arrive: pure.

One cell holds the shipments of one merchant, day (``figures.analytics_day``), carrier, service,
warehouse and lane (origin and destination country and region). Everything in it is a count or
a histogram of counts, so cells ``add`` a shipment, ``remove`` it again (when its facts change:
remove the old, add the new), and ``merge`` in any order and grouping with the same result.
Durations are kept as histograms at one-hour resolution (whole hours rounded down, capped at
``figures.LONGEST_HOURS``), the resolution the figures are defined at, so p50/p90 read from
merged cells equal those computed from the raw facts exactly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ordertrack.analytics import figures as f
from ordertrack.analytics import lanes


@dataclass(frozen=True)
class CellKey:
    """Where a shipment's counts go: one cell per merchant, day and the filters' values."""

    merchant_id: int
    day: date
    carrier: str
    service: str | None
    warehouse: str | None
    origin_country: str | None
    origin_region: str | None
    destination_country: str | None
    destination_region: str | None

    @property
    def lane(self) -> lanes.LaneKey:
        return (self.carrier, self.origin_country, self.destination_country, self.destination_region)


def cell_key(fact: f.DeliveryFacts) -> CellKey | None:
    """The cell a shipment counts in, or None when it is in no figure."""
    day = f.analytics_day(fact)
    if day is None:
        return None
    return CellKey(
        fact.merchant_id,
        day,
        fact.carrier,
        fact.service,
        fact.warehouse,
        fact.origin_country,
        fact.origin_region,
        fact.destination_country,
        fact.destination_region,
    )


DwellKey = tuple[str, str | None, str | None, str | None]


@dataclass
class Cell:
    """The counts of one cell. Every field adds; none is an average or a percentile."""

    shipments: int = 0
    # Delivered with a hand-off promise, by days outside the window (negative early, 0 inside).
    promise_offsets: Counter[int] = field(default_factory=Counter)
    carrier_judged: int = 0
    carrier_on_time: int = 0
    processing_hours: Counter[int] = field(default_factory=Counter)
    transit_hours: Counter[int] = field(default_factory=Counter)
    first_attempt: int = 0
    exceptions: Counter[str] = field(default_factory=Counter)
    returned: int = 0
    promised: int = 0
    revised: int = 0
    revision_causes: Counter[str] = field(default_factory=Counter)
    dwell_hours: dict[DwellKey, Counter[int]] = field(default_factory=dict)


def add(cell: Cell, fact: f.DeliveryFacts) -> None:
    """Count ``fact`` in ``cell`` (a shipment in no figure changes nothing)."""
    _count(cell, fact, 1)


def remove(cell: Cell, fact: f.DeliveryFacts) -> None:
    """Take back an earlier ``add`` of the same facts."""
    _count(cell, fact, -1)


def _count(cell: Cell, fact: f.DeliveryFacts, sign: int) -> None:
    if not fact.counted:
        return
    cell.shipments += sign
    _bump(cell.processing_hours, f.whole_hours(fact.handed_off_at - fact.ordered_at), sign)  # type: ignore[operator]
    offset = f.promise_offset(fact)
    if offset is not None:
        _bump(cell.promise_offsets, offset, sign)
    if fact.delivered:
        _bump(cell.transit_hours, f.whole_hours(fact.delivered_at - fact.handed_off_at), sign)  # type: ignore[operator]
        cell.first_attempt += sign * (fact.failed_attempts == 0)
        if fact.carrier_estimate is not None:
            cell.carrier_judged += sign
            cell.carrier_on_time += sign * (fact.delivery_day <= fact.carrier_estimate)  # type: ignore[operator]
    for reason in fact.exception_reasons:
        _bump(cell.exceptions, reason, sign)
    cell.returned += sign * fact.returned_to_sender
    if fact.promise_latest is not None:
        cell.promised += sign
        cell.revised += sign * bool(fact.revisions)
        for revision in fact.revisions:
            _bump(cell.revision_causes, revision.cause, sign)
    for place, hours in f.stays(fact.scans):
        key = (fact.carrier, *place)
        _bump(cell.dwell_hours.setdefault(key, Counter()), hours, sign)
        if not cell.dwell_hours[key]:
            del cell.dwell_hours[key]


def _bump(counter: Counter, key: object, by: int) -> None:
    """Change one count, dropping it at zero so equal counts compare equal."""
    counter[key] += by
    if counter[key] == 0:
        del counter[key]


def merge(a: Cell, b: Cell) -> Cell:
    """A new cell counting everything in ``a`` and ``b``."""
    total = Cell()
    absorb(total, a)
    absorb(total, b)
    return total


def merge_all(cells: Iterable[Cell]) -> Cell:
    total = Cell()
    for cell in cells:
        absorb(total, cell)
    return total


def absorb(total: Cell, cell: Cell) -> None:
    """Add ``cell``'s counts into ``total`` in place (what ``merge`` does without the copy: a
    90-day answer merges thousands of cells). ``Counter.update`` adds, and keeps a count that a
    ``remove`` took below zero rather than hiding it."""
    total.shipments += cell.shipments
    total.promise_offsets.update(cell.promise_offsets)
    total.carrier_judged += cell.carrier_judged
    total.carrier_on_time += cell.carrier_on_time
    total.processing_hours.update(cell.processing_hours)
    total.transit_hours.update(cell.transit_hours)
    total.first_attempt += cell.first_attempt
    total.exceptions.update(cell.exceptions)
    total.returned += cell.returned
    total.promised += cell.promised
    total.revised += cell.revised
    total.revision_causes.update(cell.revision_causes)
    for key, hours in cell.dwell_hours.items():
        total.dwell_hours.setdefault(key, Counter()).update(hours)


def build(facts: Iterable[f.DeliveryFacts]) -> dict[CellKey, Cell]:
    """The cells of ``facts`` from scratch (what the rebuild command computes)."""
    cells: dict[CellKey, Cell] = {}
    for fact in facts:
        key = cell_key(fact)
        if key is not None:
            add(cells.setdefault(key, Cell()), fact)
    return cells


def select(
    cells: Mapping[CellKey, Cell], merchant_id: int, first: date, last: date, **filters: object
) -> dict[CellKey, Cell]:
    """One merchant's cells of the days ``first`` to ``last`` (inclusive) whose fields equal
    ``filters`` (``carrier="ups"``, ``warehouse="east"``, ``destination_country="BR"``...).
    Never another merchant's: every figure is per merchant."""
    unknown = set(filters) - set(CellKey.__dataclass_fields__)
    if unknown:
        raise ValueError(f"cells cannot be chosen by {sorted(unknown)}")
    return {
        key: cell
        for key, cell in cells.items()
        if key.merchant_id == merchant_id
        and first <= key.day <= last
        and all(getattr(key, name) == value for name, value in filters.items())
    }


def figures_by(
    cells: Mapping[Any, Cell], group: Callable[[Any], Hashable]
) -> dict[Hashable, f.DeliveryFigures]:
    """The figures per group of cells: ``lambda key: key.warehouse`` for processing time per
    warehouse, ``lambda key: key.lane`` for transit per carrier and lane. Each group's cells are
    added in place (``absorb``): merging by copies cost a copy of the growing total per cell."""
    grouped: dict[Hashable, Cell] = {}
    for key, cell in cells.items():
        absorb(grouped.setdefault(group(key), Cell()), cell)
    return {name: figures_of(cell) for name, cell in grouped.items()}


def figures_of(cell: Cell) -> f.DeliveryFigures:
    """The delivery figures of a (merged) cell: the same as ``figures.delivery_figures`` over
    the shipments counted in it."""
    delivered = sum(cell.transit_hours.values())
    return f.DeliveryFigures(
        shipments=cell.shipments,
        on_time_promise=_on_time(cell.promise_offsets),
        on_time_carrier=f.Share(cell.carrier_on_time, cell.carrier_judged),
        processing=f.durations(cell.processing_hours),
        transit=f.durations(cell.transit_hours),
        first_attempt=f.Share(cell.first_attempt, delivered),
        exceptions_by_reason=tuple(
            (reason, f.Share(n, cell.shipments)) for reason, n in f.by_count(cell.exceptions)
        ),
        returned_to_sender=f.Share(cell.returned, cell.shipments),
        promise_accuracy=f.accuracy_of(cell.promise_offsets),
        revisions=f.Revisions(f.Share(cell.revised, cell.promised), f.by_count(cell.revision_causes)),
        where_parcels_wait=f.where_parcels_wait(cell.dwell_hours),
    )


def _on_time(offsets: Mapping[int, int]) -> f.Share:
    return f.Share(sum(n for offset, n in offsets.items() if offset <= 0), sum(offsets.values()))


def lanes_that_got_worse(
    cells: Mapping[CellKey, Cell], as_of: date, window_days: int = 7
) -> list[lanes.LaneAlert]:
    """``lanes.lanes_that_got_worse`` read from daily cells (without the shipment ids: the
    caller looks up the window's shipments of an alerted lane when asked)."""
    spans = lanes.lane_spans(as_of, window_days)
    first, last = spans[-1][0], spans[0][1]
    by_lane: dict[lanes.LaneKey, list[tuple[date, Cell]]] = {}
    for key, cell in cells.items():
        if first <= key.day <= last:
            by_lane.setdefault(key.lane, []).append((key.day, cell))
    alerts: list[lanes.LaneAlert] = []
    for lane in sorted(by_lane, key=str):
        values = []
        for start, end in spans:
            span = merge_all(cell for day, cell in by_lane[lane] if start <= day <= end)
            values.append(lanes.LaneValue(_on_time(span.promise_offsets), span.transit_hours))
        alerts.extend(lanes.judge_lane(lane, window_days, values[0], values[1:]))
    return alerts
