"""Delivery analytics as the dashboard, the API and the CSV ask for it: a period and filters read
from query parameters, and the figures of the chosen cells (overall, per week, per warehouse,
carrier and lane), plus lanes that got worse and the shipments behind them.

The parsing and the grouping are plain functions over cells (``report_of``); only ``delivery_report``,
``worse_lanes`` and ``shipments_behind`` read the database, through ``analytics.store``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from ordertrack.analytics import lanes, rollup, store
from ordertrack.analytics.figures import DeliveryFigures
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import Unprocessable

# A longer range is a different question (a year against the last): refused rather than slow.
LONGEST_RANGE_DAYS = 400
PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
WINDOWS = (7, 30)
GROUPS = ("warehouse", "carrier", "lane")
# The filters a question may name, each a field of the rollup cell.
FILTERS = (
    "carrier",
    "service",
    "warehouse",
    "origin_country",
    "origin_region",
    "destination_country",
    "destination_region",
)
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LONGEST_VALUE = 80


class InvalidDate(Unprocessable):
    code = "invalid_date"


class RangeReversed(Unprocessable):
    code = "range_reversed"


class RangeTooLong(Unprocessable):
    code = "range_too_long"


class InvalidFilter(Unprocessable):
    code = "invalid_filter"


@dataclass(frozen=True)
class DeliveryQuery:
    """A period (inclusive, destination-local days) and the filters, as chosen by the person."""

    first: date
    last: date
    filters: Mapping[str, str] = field(default_factory=dict)
    # "7", "30" or "90" when chosen as the last so many days; "" for an explicit from–to.
    period: str = ""
    group_by: str = ""

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def params(self) -> dict[str, str]:
        """The query as URL parameters (what a shared link carries)."""
        chosen = {"period": self.period} if self.period else {"from": str(self.first), "to": str(self.last)}
        return chosen | {name: value for name, value in self.filters.items() if value}


def parse_day(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidDate(f"{name} must be a date written YYYY-MM-DD, not {text[:20]!r}.") from None


def parse_query(params: Mapping[str, str], today: date, *, group_by: bool = False) -> DeliveryQuery:
    """Read ``period`` (7, 30 or 90: the days ending today) or ``from``/``to``, the filters and
    (for the API) ``group_by``. Every bad value raises an error naming what to send instead."""
    start, end = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    period = (params.get("period") or "").strip()
    if start or end:
        last = parse_day("to", end) if end else today
        first = parse_day("from", start) if start else last - timedelta(days=DEFAULT_PERIOD - 1)
        period = ""
    else:
        if not period:
            period = str(DEFAULT_PERIOD)
        if period not in {str(p) for p in PERIODS}:
            raise InvalidFilter(
                f"period is one of {', '.join(map(str, PERIODS))} (days), or give from and to."
            )
        last, first = today, today - timedelta(days=int(period) - 1)
    if first > last:
        raise RangeReversed(f"from ({first}) is after to ({last}).")
    if (last - first).days + 1 > LONGEST_RANGE_DAYS:
        raise RangeTooLong(f"A period is at most {LONGEST_RANGE_DAYS} days; {first} to {last} is longer.")
    filters: dict[str, str] = {}
    for name in FILTERS:
        value = (params.get(name) or "").strip()
        if not value:
            continue
        if len(value) > _LONGEST_VALUE:
            raise InvalidFilter(f"{name} is at most {_LONGEST_VALUE} characters.")
        if name.endswith("_country"):
            if not _COUNTRY.match(value):
                raise InvalidFilter(f"{name} is a two-letter country code such as US or DE.")
            value = value.upper()
        filters[name] = value
    grouping = (params.get("group_by") or "").strip() if group_by else ""
    if grouping and grouping not in GROUPS:
        raise InvalidFilter(f"group_by is one of {', '.join(GROUPS)}.")
    return DeliveryQuery(first, last, filters, period, grouping)


def parse_window(params: Mapping[str, str], today: date) -> tuple[int, date]:
    """``window`` (7 or 30, default 7) and ``as_of`` (the window's last day, default today)."""
    window = (params.get("window") or "7").strip()
    if window not in {str(w) for w in WINDOWS}:
        raise InvalidFilter("window is 7 or 30 (days).")
    as_of = parse_day("as_of", params["as_of"]) if (params.get("as_of") or "").strip() else today
    return int(window), as_of


def parse_lane(params: Mapping[str, str]) -> lanes.LaneKey:
    """A lane named by ``carrier``, ``origin_country``, ``destination_country`` and
    ``destination_region`` (an empty or missing one is a lane without that value)."""
    carrier = (params.get("carrier") or "").strip()
    if not carrier:
        raise InvalidFilter("A lane needs its carrier.")
    parts = []
    for name in ("origin_country", "destination_country", "destination_region"):
        value = (params.get(name) or "").strip()
        if len(value) > _LONGEST_VALUE or (name.endswith("_country") and value and not _COUNTRY.match(value)):
            raise InvalidFilter(f"{name} is not a value a lane can have.")
        parts.append(value.upper() if name.endswith("_country") and value else value or None)
    return (carrier[:_LONGEST_VALUE], parts[0], parts[1], parts[2])


def lane_params(lane: lanes.LaneKey) -> dict[str, str]:
    carrier, origin, destination, region = lane
    return {
        "carrier": carrier,
        "origin_country": origin or "",
        "destination_country": destination or "",
        "destination_region": region or "",
    }


def lane_words(lane: lanes.LaneKey) -> str:
    """'ups: US → BR (SP)'."""
    carrier, origin, destination, region = lane
    where = f"{origin or '?'} → {destination or '?'}" + (f" ({region})" if region else "")
    return f"{carrier}: {where}"


@dataclass(frozen=True)
class Week:
    first: date
    last: date
    figures: DeliveryFigures


@dataclass(frozen=True)
class AnalyticsReport:
    """Every figure of one question, and the splits the pages and the API show."""

    query: DeliveryQuery
    figures: DeliveryFigures
    weeks: tuple[Week, ...]
    by_warehouse: tuple[tuple[str | None, DeliveryFigures], ...]
    by_carrier: tuple[tuple[str, DeliveryFigures], ...]
    by_lane: tuple[tuple[lanes.LaneKey, DeliveryFigures], ...]


def _sorted(found: Mapping[Hashable, DeliveryFigures]) -> tuple:
    return tuple(sorted(found.items(), key=lambda item: (-item[1].shipments, str(item[0]))))


_PICK: dict[str, Callable[[Any], Hashable]] = {
    "warehouse": lambda key: key.warehouse,
    "carrier": lambda key: key.carrier,
    "lane": lambda key: key.lane,
}


def _groups(
    name: str, cells: Mapping[Any, rollup.Cell], overall: DeliveryFigures, pick: Callable[[Any], Hashable]
) -> tuple:
    """One split's figures, sorted, from cells added up without their places. "Where parcels wait"
    is per carrier by its definition, so a carrier's places are the overall answer's places of that
    carrier (the same figures as adding up its cells with their places); a warehouse's or a lane's
    split carries none (docs/analytics.md: ask with that warehouse or lane as the filter)."""
    found = rollup.figures_by(cells, pick)
    if name == "carrier":
        places = overall.where_parcels_wait
        found = {
            carrier: replace(figures, where_parcels_wait=tuple(p for p in places if p.carrier == carrier))
            for carrier, figures in found.items()
        }
    return _sorted(found)


def report_of(
    cells: Mapping[rollup.CellKey, rollup.Cell], query: DeliveryQuery, groups: tuple[str, ...] = GROUPS
) -> AnalyticsReport:
    """The report of cells already chosen by the query's merchant, period and filters. Weeks are
    7-day spans ending on the period's last day (the first may be shorter), oldest first.

    Cost: the cells are added up once into the overall figures, and once, without their places,
    into (week, warehouse, lane) partials that the weeks, warehouses, carriers and lanes are
    read from (``_groups`` says what a split's "where parcels wait" holds)."""

    def week_of(key: rollup.CellKey) -> int:
        return (query.last - key.day).days // 7

    partial: dict[tuple[int, str | None, lanes.LaneKey], rollup.Cell] = {}
    for key, cell in cells.items():
        part = partial.setdefault((week_of(key), key.warehouse, key.lane), rollup.Cell())
        rollup.absorb(part, store.without_places(cell))
    overall = rollup.figures_of(rollup.merge_all(cells.values()))
    weeks = _weeks(query, rollup.figures_by(partial, lambda part: part[0]))
    by_part: dict[str, Callable[[Any], Hashable]] = {
        "warehouse": lambda part: part[1],
        "carrier": lambda part: part[2][0],
        "lane": lambda part: part[2],
    }
    found = {
        name: _groups(name, partial, overall, by_part[name]) if name in groups else () for name in GROUPS
    }
    return AnalyticsReport(
        query=query,
        figures=overall,
        weeks=weeks,
        by_warehouse=found["warehouse"],
        by_carrier=found["carrier"],
        by_lane=found["lane"],
    )


def delivery_report(
    uow: UnitOfWork, merchant_id: str, query: DeliveryQuery, groups: tuple[str, ...] = GROUPS
) -> AnalyticsReport:
    """The report of one merchant's cells (never another's) for the query; the splits not named in
    ``groups`` are left empty (the API's answer names one at most).

    With two filters or more the fine cells are read (few, then) and added up by ``report_of``.
    With one or none, every part comes from the coarse cells: the figures from the totals, the
    weeks from the daily totals, a warehouse's or carrier's figures from the cells of that
    dimension, a lane's from the lane cells; only a split the filter cuts across (by warehouse
    with a carrier chosen) reads the fine cells of that filter, without their places. The same
    figures either way."""
    first, last, filters = query.first, query.last, dict(query.filters)
    if len(filters) > 1:
        return report_of(store.read_cells(uow, merchant_id, first, last, **filters), query, groups)
    fine: dict[rollup.CellKey, rollup.Cell] | None = None
    overall = store.figures(uow, merchant_id, first, last, **filters)

    def split(name: str) -> tuple:
        nonlocal fine
        if name == "lane" and set(filters) <= set(store.LANE_DIMENSIONS):
            cells = store.lane_cells(uow, merchant_id, first, last, **filters)
        elif name != "lane" and set(filters) <= {name}:
            cells = store.grouped_cells(uow, merchant_id, first, last, name, places=False, **filters)
        else:
            if fine is None:
                fine = store.read_cells(uow, merchant_id, first, last, places=False, **filters)
            cells = fine
        return _groups(name, cells, overall, _PICK[name])

    days = store.day_totals(uow, merchant_id, first, last, places=False, **filters)
    per_week = rollup.figures_by(days, lambda key: (last - key.day).days // 7)
    found = {name: split(name) if name in groups else () for name in GROUPS}
    return AnalyticsReport(
        query=query,
        figures=overall,
        weeks=_weeks(query, per_week),
        by_warehouse=found["warehouse"],
        by_carrier=found["carrier"],
        by_lane=found["lane"],
    )


def _weeks(query: DeliveryQuery, per_week: Mapping[int, DeliveryFigures]) -> tuple[Week, ...]:
    """7-day spans ending on the period's last day (the first may be shorter), oldest first."""
    weeks = []
    for index in range((query.days + 6) // 7 - 1, -1, -1):
        last = query.last - timedelta(days=7 * index)
        first = max(query.first, last - timedelta(days=6))
        weeks.append(Week(first, last, per_week.get(index) or rollup.figures_of(rollup.Cell())))
    return tuple(weeks)


def worse_lanes_of(
    cells: Mapping[rollup.CellKey, rollup.Cell], as_of: date, windows: tuple[int, ...] = WINDOWS
) -> dict[int, list[lanes.LaneAlert]]:
    """``rollup.lanes_that_got_worse`` for each window, over the cells added up first per lane
    and day without their places (it reads on-time and transit only): fewer, lighter cells."""
    per_lane_day: dict[rollup.CellKey, rollup.Cell] = {}
    for key, cell in cells.items():
        lane_day = replace(key, service=None, warehouse=None, origin_region=None)
        rollup.absorb(per_lane_day.setdefault(lane_day, rollup.Cell()), store.without_places(cell))
    return {window: rollup.lanes_that_got_worse(per_lane_day, as_of, window) for window in windows}


def lanes_span(as_of: date, window: int) -> tuple[date, date]:
    """The days lanes that got worse read: the window and the 8 weeks before it."""
    spans = lanes.lane_spans(as_of, window)
    return spans[-1][0], spans[0][1]


def worse_lanes(
    uow: UnitOfWork, merchant_id: str, as_of: date, window: int, filters: Mapping[str, str] | None = None
) -> list[lanes.LaneAlert]:
    """Lanes whose on-time rate or transit p90 over the window left their usual range (without
    filters counted by the database, ``store.lanes_that_got_worse``)."""
    if not filters:
        return store.lanes_that_got_worse(uow, merchant_id, as_of, window)
    first, last = lanes_span(as_of, window)
    cells = store.read_cells(uow, merchant_id, first, last, **(filters or {}))
    return worse_lanes_of(cells, as_of, (window,))[window]


def shipments_behind(
    uow: UnitOfWork, merchant_id: str, lane: lanes.LaneKey, as_of: date, window: int, *, late_only: bool
) -> list[str]:
    """The shipments behind a lane over the window (the late ones only when ``late_only``)."""
    first = as_of - timedelta(days=window - 1)
    return store.lane_shipments(uow, merchant_id, lane, first, as_of, late_only=late_only)
