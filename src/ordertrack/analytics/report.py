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
from datetime import date, datetime, timedelta
from typing import Any

from ordertrack.analytics import lane_judgements, lanes, rollup, store
from ordertrack.analytics.figures import DeliveryFigures
from ordertrack.db.uow import Database, UnitOfWork
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
    # How many lanes there are in all when ``by_lane`` holds one page of them (``lane_page``).
    lanes_total: int = 0


def _sorted(found: Mapping[Hashable, DeliveryFigures]) -> tuple:
    """Most shipments first, then by name (a lane by its parts, as ``store.top_lanes`` orders)."""
    return tuple(sorted(found.items(), key=lambda item: (-item[1].shipments, _name_order(item[0]))))


def _name_order(key: Hashable) -> Hashable:
    if isinstance(key, tuple):
        return tuple(part or "" for part in key)
    return str(key)


_PICK: dict[str, Callable[[Any], Hashable]] = {
    "warehouse": lambda key: key.warehouse,
    "carrier": lambda key: key.carrier,
    "lane": lambda key: key.lane,
}


def _groups(
    name: str,
    cells: Mapping[Any, rollup.Cell],
    overall: DeliveryFigures,
    pick: Callable[[Any], Hashable] | None = None,
) -> tuple:
    """One split's figures, sorted, from cells added up without their places. "Where parcels wait"
    is per carrier by its definition, so a carrier's places are the overall answer's places of that
    carrier (the same figures as adding up its cells with their places); a warehouse's or a lane's
    split carries none (docs/analytics.md: ask with that warehouse or lane as the filter)."""
    if pick is None:  # the cells are the groups' sums already
        found = {group: rollup.figures_of(cell) for group, cell in cells.items()}
    else:
        found = rollup.figures_by(cells, pick)
    if name == "carrier":
        places = overall.where_parcels_wait
        found = {
            carrier: replace(figures, where_parcels_wait=tuple(p for p in places if p.carrier == carrier))
            for carrier, figures in found.items()
        }
    return _sorted(found)


def _grouped(name: str, rows: store.Texts, overall: DeliveryFigures) -> tuple:
    """One split's figures from cells' stored texts, added up per group without decoding each."""
    pick = _PICK[name]
    per_group = store.merge_encoded_by((pick(key), counts, "") for key, counts, _ in rows)
    return _groups(name, per_group, overall)


def report_of(
    cells: Mapping[rollup.CellKey, rollup.Cell], query: DeliveryQuery, groups: tuple[str, ...] = GROUPS
) -> AnalyticsReport:
    """The report of cells already chosen by the query's merchant, period and filters. Weeks are
    7-day spans ending on the period's last day (the first may be shorter), oldest first.

    Cost: the cells are added up once into the overall figures, and once, without their places,
    into (week, warehouse, lane) partials that the weeks, warehouses, carriers and lanes are
    read from (``_groups`` says what a split's "where parcels wait" holds)."""
    partial: dict[Hashable, rollup.Cell] = {}
    for key, cell in cells.items():
        part = partial.setdefault(_part_of(query, key), rollup.Cell())
        rollup.absorb(part, store.without_places(cell))
    return _report(query, rollup.figures_of(rollup.merge_all(cells.values())), partial, groups)


def _part_of(query: DeliveryQuery, key: rollup.CellKey) -> tuple[int, str | None, lanes.LaneKey]:
    return ((query.last - key.day).days // 7, key.warehouse, key.lane)


def _report_of_texts(
    rows: list[tuple[rollup.CellKey, str, str]], query: DeliveryQuery, groups: tuple[str, ...]
) -> AnalyticsReport:
    """``report_of`` over fine cells' stored texts (``store.fine_texts``): the same report, added
    up on the texts rather than on decoded cells."""
    total, partial = store.merge_encoded_twice(
        (_part_of(query, key), counts, places) for key, counts, places in rows
    )
    return _report(query, rollup.figures_of(total), partial, groups)


def _report(
    query: DeliveryQuery,
    overall: DeliveryFigures,
    partial: Mapping[Hashable, rollup.Cell],
    groups: tuple[str, ...],
) -> AnalyticsReport:
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
        weeks=_weeks(query, rollup.figures_by(partial, lambda part: part[0])),
        by_warehouse=found["warehouse"],
        by_carrier=found["carrier"],
        by_lane=found["lane"],
        lanes_total=len(found["lane"]),
    )


def delivery_report(
    uow: UnitOfWork,
    merchant_id: str,
    query: DeliveryQuery,
    groups: tuple[str, ...] = GROUPS,
    lane_page: tuple[int, int] | None = None,
) -> AnalyticsReport:
    """The report of one merchant's cells (never another's) for the query; the splits not named in
    ``groups`` are left empty (the API's answer names one at most). ``lane_page`` (offset, limit):
    only those lanes of the lanes ordered by shipments (a large shop ships on thousands of lanes;
    the database picks the page, and only its lanes' cells are read), with ``lanes_total``.

    With two filters or more the fine cells are read (few, then) and added up by ``report_of``.
    With one or none, every part comes from the coarse cells: the figures from the totals, the
    weeks from the daily totals, a warehouse's or carrier's figures from the cells of that
    dimension or of a pair (warehouse × carrier, service or destination country: ``store.PAIRS``),
    a lane's from the lane cells (a page of lanes chosen by the database; with a service or an
    origin region chosen, that page's fine cells); only a split the filter cuts across and no
    coarse level names (by warehouse with an origin region chosen) reads every fine cell of the
    filter, without their places. The same figures either way."""
    first, last, filters = query.first, query.last, dict(query.filters)
    if len(filters) > 1:
        rows = store.fine_texts(uow, merchant_id, first, last, **filters)
        return _lane_page(_report_of_texts(rows, query, groups), lane_page)
    overall = store.figures(uow, merchant_id, first, last, **filters)
    lanes_total = 0

    def split(name: str) -> tuple:
        nonlocal lanes_total
        if name == "lane":
            # For a filter the lane cells name, the page's lanes are chosen by the database and
            # only their cells read; else (a service or origin region chosen) the filter's fine
            # cells are read once and the page chosen from them.
            if set(filters) <= set(store.LANE_CELL_DIMENSIONS):
                chosen = None
                if lane_page is not None:
                    chosen, lanes_total = store.top_lanes(
                        uow, merchant_id, first, last, *lane_page, **filters
                    )
                sums = store.lane_sums(uow, merchant_id, first, last, only_lanes=chosen, **filters)
            elif lane_page is not None:
                sums, lanes_total = store.fine_lane_page(uow, merchant_id, first, last, *lane_page, **filters)
            else:
                sums = store.fine_sums(uow, merchant_id, first, last, store.LANE_DIMENSIONS, **filters)
            found = _groups(name, sums, overall)
            if lane_page is None:
                lanes_total = len(found)
            return found
        if set(filters) <= {name}:
            rows = store.grouped_texts(uow, merchant_id, first, last, name, **filters)
            return _grouped(name, rows, overall)
        pair = store.pair_of({name, *filters})
        if pair is not None:
            return _grouped(name, store.pair_texts(uow, merchant_id, first, last, pair, **filters), overall)
        if set(filters) <= set(store.LANE_CELL_DIMENSIONS):
            # A warehouse's or carrier's split with a destination (or origin country) chosen: the
            # lane cells of that filter name both.
            return _groups(name, store.lane_sums(uow, merchant_id, first, last, (name,), **filters), overall)
        return _groups(name, store.fine_sums(uow, merchant_id, first, last, (name,), **filters), overall)

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
        lanes_total=lanes_total,
    )


def _lane_page(found: AnalyticsReport, lane_page: tuple[int, int] | None) -> AnalyticsReport:
    """The report with its lanes counted and cut to the page asked for."""
    page = found.by_lane
    if lane_page is not None:
        page = page[lane_page[0] : lane_page[0] + lane_page[1]]
    return replace(found, by_lane=page, lanes_total=len(found.by_lane))


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
    db: Database,
    merchant_id: str,
    as_of: date,
    window: int,
    now: datetime,
    filters: Mapping[str, str] | None = None,
) -> tuple[list[lanes.LaneAlert], datetime]:
    """Lanes whose on-time rate or transit p90 over the window left their usual range, and when
    that was judged. Without filters the judgement the worker keeps (``lane_judgements``), or
    when none is fresh enough counted now and kept; with filters counted now from the cells."""
    if not filters:
        return lane_judgements.kept_or_counted(db, merchant_id, as_of, window, now)
    first, last = lanes_span(as_of, window)
    with db.uow(write=False) as uow:
        cells = store.read_cells(uow, merchant_id, first, last, **filters)
    return worse_lanes_of(cells, as_of, (window,))[window], now


def shipments_behind(
    uow: UnitOfWork, merchant_id: str, lane: lanes.LaneKey, as_of: date, window: int, *, late_only: bool
) -> list[str]:
    """The shipments behind a lane over the window (the late ones only when ``late_only``)."""
    first = as_of - timedelta(days=window - 1)
    return store.lane_shipments(uow, merchant_id, lane, first, as_of, late_only=late_only)
