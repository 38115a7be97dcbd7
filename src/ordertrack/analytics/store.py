"""The rollup cells kept in the database: read, kept up to date as facts change, rebuilt from
scratch (issue 22; docs/analytics.md, "Rollups in the database").

- Handlers call :func:`mark_due` with the shipments whose facts an event changed: one
  ``INSERT ... ON CONFLICT`` per batch, nothing else on the ingest path.
- The worker runs :func:`refresh_due`: for each due shipment it loads the facts, takes back what
  the shipment added to its old cell (``analytics_shipments.contribution``), adds what it adds
  now, and writes only the cells whose counts moved.
- :func:`rebuild` recomputes a merchant's cells from the raw facts and replaces them in one
  transaction.
- Readers: :func:`read_cells`, :func:`figures`, :func:`coarse_cells`, :func:`lane_shipments`,
  :func:`lanes_that_got_worse`.

Besides the fine cells (every dimension a value) the table keeps *coarse* cells per day: the
day's total, and one per value of each single dimension, with ``ALL`` (``'*'``) in the dimensions
they merge. With a large merchant most fine cells hold a shipment or two (a day of 8,000 orders to
117 regions by 12 services from 3 warehouses), so a 90-day answer from fine cells reads about as
many cells as shipments; from coarse cells it reads 90 (or 90 per value when grouped). Lane cells
(carrier, warehouse, origin country, destination country and region; per day and per Monday
week) answer the per-lane table, the weekly digest and the splits of a lane-cell filter.

Two workers at once (PostgreSQL): each takes its due rows ``FOR UPDATE SKIP LOCKED`` and deletes
them in a short transaction of its own; the handler's upsert touches the due row, so a worker
skips a shipment whose new facts are not committed yet, and a shipment queued again while it is
being folded is queued anew. The fold takes an advisory lock per shipment (in id order) before
reading the facts, so two workers never fold one shipment at once. Cells two workers both change
are created with ``ON CONFLICT DO NOTHING`` and then locked ``FOR UPDATE`` in key order.
A rebuild holds its merchant's advisory lock exclusively, workers hold it shared. SQLite has one
writer at a time, which serialises all of this.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import and_, bindparam, delete, func, insert, literal, or_, select, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ordertrack.analytics import facts as facts_loader
from ordertrack.analytics import figures as f
from ordertrack.analytics import lanes, rollup
from ordertrack.analytics.model import (
    DIMENSION_NAMES,
    AnalyticsCell,
    AnalyticsDue,
    AnalyticsFold,
    AnalyticsShipment,
)
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.ids import new_ids
from ordertrack.merchants.model import Merchant
from ordertrack.shipments.model import Shipment

# A lock key of its own for pg_advisory_xact_lock(key, hashtext(merchant_id)).
_LOCK_SPACE = 22022
REFRESH_BATCH = 1000

# --- the counts of a cell as JSON text ----------------------------------------------------------------

_SCALARS = tuple(
    field.name
    for field in fields(rollup.Cell)
    if field.name
    in {"shipments", "carrier_judged", "carrier_on_time", "first_attempt", "returned", "promised", "revised"}
)
_INT_COUNTERS = ("promise_offsets", "processing_hours", "transit_hours")
_STR_COUNTERS = ("exceptions", "revision_causes")


def encode_cell(cell: rollup.Cell) -> str:
    """A cell's counts as compact JSON text (zeros and empty histograms left out)."""
    data: dict[str, Any] = {name: getattr(cell, name) for name in _SCALARS if getattr(cell, name)}
    for name in (*_INT_COUNTERS, *_STR_COUNTERS):
        counts = getattr(cell, name)
        if counts:
            data[name] = {str(key): n for key, n in sorted(counts.items(), key=lambda item: str(item[0]))}
    if cell.dwell_hours:
        data["dwell_hours"] = _dwell(cell)
    return orjson.dumps(data).decode()


def _dwell(cell: rollup.Cell) -> list[list[Any]]:
    return [
        [*place, {str(hours): n for hours, n in sorted(counts.items())}]
        for place, counts in sorted(cell.dwell_hours.items(), key=lambda item: str(item[0]))
    ]


def encode_places(cell: rollup.Cell) -> str:
    """A cell's dwell counts alone as JSON text (the ``places`` column), ``''`` for none."""
    if not cell.dwell_hours:
        return ""
    return orjson.dumps(_dwell(cell)).decode()


def decode_cell(raw: str, places: str = "") -> rollup.Cell:
    """A cell from its JSON text, and from its ``places`` text when stored apart."""
    data = orjson.loads(raw)
    cell = rollup.Cell()
    for name in _SCALARS:
        setattr(cell, name, data.get(name, 0))
    for name in _INT_COUNTERS:
        setattr(cell, name, Counter({int(key): n for key, n in data.get(name, {}).items()}))
    for name in _STR_COUNTERS:
        setattr(cell, name, Counter(data.get(name, {})))
    dwell = orjson.loads(places) if places else data.get("dwell_hours", [])
    for carrier, facility, city, country, counts in dwell:
        cell.dwell_hours[(carrier, facility, city, country)] = Counter(
            {int(hours): n for hours, n in counts.items()}
        )
    return cell


class _Sum:
    """Cells' stored texts added up on the text's own keys, turned into a cell once."""

    __slots__ = ("counters", "dwell", "scalars")

    def __init__(self) -> None:
        self.scalars = dict.fromkeys(_SCALARS, 0)
        self.counters: dict[str, dict[str, int]] = {name: {} for name in (*_INT_COUNTERS, *_STR_COUNTERS)}
        self.dwell: dict[tuple[Any, ...], dict[str, int]] = {}

    def add(self, raw: str, places: str) -> None:
        self.add_parsed(orjson.loads(raw), places)

    def add_parsed(self, data: Mapping[str, Any], places: str = "") -> None:
        self.add_all((data,))
        if places:
            self.add_places(places)

    def add_all(self, parsed: Iterable[Mapping[str, Any]]) -> None:
        """Add many parsed texts (no places): the loop written out once for them all, since a
        lane export adds up 38,000 cells of ~31 counts each."""
        scalars, counters = self.scalars, self.counters
        for data in parsed:
            for name, value in data.items():
                into = counters.get(name)
                if into is None:
                    scalars[name] += value
                    continue
                get = into.get
                for key, n in value.items():
                    into[key] = get(key, 0) + n

    def add_places(self, places: str) -> None:
        """Add a ``places`` text's dwell counts."""
        for *place, counts in orjson.loads(places):
            _add_into(self.dwell.setdefault(tuple(place), {}), counts)

    def absorb(self, other: _Sum) -> None:
        """Add another sum's counts into this one."""
        self.add_parsed(other.scalars | other.counters)
        for place, counts in other.dwell.items():
            _add_into(self.dwell.setdefault(place, {}), counts)

    def cell(self) -> rollup.Cell:
        cell = rollup.Cell(**self.scalars)
        for name in _INT_COUNTERS:
            setattr(cell, name, Counter({int(key): n for key, n in self.counters[name].items() if n}))
        for name in _STR_COUNTERS:
            setattr(cell, name, Counter({key: n for key, n in self.counters[name].items() if n}))
        for place, counts in self.dwell.items():
            hours = Counter({int(h): n for h, n in counts.items() if n})
            if hours:
                cell.dwell_hours[place] = hours  # type: ignore[index]
        return cell


def _add_into(into: dict[str, int], counts: Mapping[str, int]) -> None:
    for key, n in counts.items():
        into[key] = into.get(key, 0) + n


def merge_encoded(rows: Iterable[tuple[str, str]]) -> rollup.Cell:
    """The merge of many cells given as their stored texts (counts, places): what
    ``rollup.merge_all`` of the decoded cells gives, summed on the text's own keys and turned into
    a cell once (a 90-day answer)."""
    total = _Sum()
    for raw, places in rows:
        total.add(raw, places)
    return total.cell()


def sum_texts(texts: list[str]) -> rollup.Cell:
    """The merge of cells given as their counts' texts (no places), parsed as one JSON array."""
    total = _Sum()
    total.add_all(orjson.loads("[" + ",".join(texts) + "]"))
    return total.cell()


def merge_encoded_by(rows: Iterable[tuple[Hashable, str, str]]) -> dict[Hashable, rollup.Cell]:
    """``merge_encoded`` per group: rows of (group, counts, places)."""
    sums: dict[Hashable, _Sum] = {}
    for group, raw, places in rows:
        found = sums.get(group)
        if found is None:
            found = sums[group] = _Sum()
        found.add(raw, places)
    return {group: total.cell() for group, total in sums.items()}


def merge_encoded_twice(
    rows: Iterable[tuple[Hashable, str, str]],
) -> tuple[rollup.Cell, dict[Hashable, rollup.Cell]]:
    """Rows of (group, counts, places) added up per group (without the places) and in all (with
    them). Each text is parsed and added once: the total is the groups' sums added up, with every
    row's places (fewer groups than rows: two filters' 8,000 fine cells make ~1,200 groups)."""
    places = _Sum()
    sums: dict[Hashable, _Sum] = {}
    for group, raw, row_places in rows:
        found = sums.get(group)
        if found is None:
            found = sums[group] = _Sum()
        found.add(raw, "")
        if row_places:
            places.add_places(row_places)
    total = places
    for part in sums.values():
        total.absorb(part)
    return total.cell(), {group: part.cell() for group, part in sums.items()}


def fold(total: rollup.Cell, cell: rollup.Cell, sign: int = 1) -> None:
    """Add (``sign`` 1) or take back (-1) ``cell``'s counts in ``total``, in place, dropping counts
    that reach zero so that equal counts compare equal."""
    for name in _SCALARS:
        setattr(total, name, getattr(total, name) + sign * getattr(cell, name))
    for name in (*_INT_COUNTERS, *_STR_COUNTERS):
        _add_counts(getattr(total, name), getattr(cell, name), sign)
    for place, hours in cell.dwell_hours.items():
        into = total.dwell_hours.setdefault(place, Counter())
        _add_counts(into, hours, sign)
        if not into:
            del total.dwell_hours[place]


def _add_counts(total: Counter, counts: Mapping[Any, int], sign: int) -> None:
    for key, n in counts.items():
        total[key] += sign * n
        if total[key] == 0:
            del total[key]


def is_empty(cell: rollup.Cell) -> bool:
    return cell == rollup.Cell()


# --- cell keys and rows ---------------------------------------------------------------------------------

# In a coarse cell's dimension: every value (never a real carrier, service, warehouse or place).
ALL = "*"
# In a weekly total's service (every other dimension ALL) and a weekly lane cell's origin region;
# their day is the Monday.
WEEK = "*week"
# A lane's coarse cells (daily, and weekly with WEEK in the origin region) name these.
LANE_DIMENSIONS = ("carrier", "origin_country", "destination_country", "destination_region")
# A lane cell also names the warehouse, so the lanes of one warehouse, and the warehouses or
# carriers of one destination, are read from lane cells too; the service and the origin region are
# merged (ALL; the weekly ones have WEEK in the origin region).
LANE_CELL_DIMENSIONS = ("carrier", "warehouse", "origin_country", "destination_country", "destination_region")


def coarse_keys(key: rollup.CellKey) -> list[rollup.CellKey]:
    """The coarse cells a fine cell's counts also go to: the day's total, each dimension's, the
    total of the week (Monday to Sunday) the day is in, the pairs', and the lane's of the day and
    the week."""
    everything = dict.fromkeys(DIMENSION_NAMES, ALL)
    keys = [rollup.CellKey(key.merchant_id, key.day, **everything)]
    for name in DIMENSION_NAMES:
        keys.append(rollup.CellKey(key.merchant_id, key.day, **{**everything, name: getattr(key, name)}))
    monday = key.day - timedelta(days=key.day.weekday())
    keys.append(rollup.CellKey(key.merchant_id, monday, **{**everything, "service": WEEK}))
    for pair in PAIRS:
        keys.append(rollup.CellKey(key.merchant_id, key.day, **{**everything, **_pair(key, pair)}))
    lane = {name: getattr(key, name) for name in LANE_CELL_DIMENSIONS}
    keys.append(rollup.CellKey(key.merchant_id, key.day, **{**everything, **lane}))
    keys.append(rollup.CellKey(key.merchant_id, monday, **{**everything, **lane, "origin_region": WEEK}))
    return keys


# A day's cells per warehouse and carrier (the warehouses split with a carrier chosen, and back),
# per warehouse and service (a service's fine cells are about as many as its shipments) and per
# warehouse and destination country (else the lane cells of the country, one per region).
PAIRS = (("warehouse", "carrier"), ("warehouse", "service"), ("warehouse", "destination_country"))


def _pair(key: rollup.CellKey, pair: tuple[str, str]) -> dict[str, str | None]:
    return {name: getattr(key, name) for name in pair}


_PAIR_NAMES = frozenset(frozenset(pair) for pair in PAIRS)


def pair_of(names: Iterable[str]) -> tuple[str, str] | None:
    """The pair of dimensions whose cells name every one of ``names`` (a split and its filter)."""
    wanted = set(names)
    return next((pair for pair in PAIRS if wanted <= set(pair)), None)


def is_lane_key(key: rollup.CellKey) -> bool:
    """A lane's coarse cell (daily or weekly; per warehouse)."""
    return key.carrier != ALL and key.destination_country != ALL and key.origin_region in (ALL, WEEK)


def is_pair_key(key: rollup.CellKey) -> bool:
    """A pair's cell (``PAIRS``): both of its dimensions named, every other one ``ALL``."""
    return frozenset(name for name in DIMENSION_NAMES if getattr(key, name) != ALL) in _PAIR_NAMES


def keeps_places(key: rollup.CellKey) -> bool:
    """Lane and pair cells keep no dwell counts: they serve splits, and a split's
    "where parcels wait" is taken from the overall answer per carrier (``report._groups``)."""
    return not (is_lane_key(key) or is_pair_key(key))


def without_places(cell: rollup.Cell) -> rollup.Cell:
    """The cell without its dwell counts, sharing the rest (most of a large cell's text is its
    places, which only "where parcels wait" reads)."""
    light = copy.copy(cell)
    light.dwell_hours = {}
    return light


def with_coarse(cells: Mapping[rollup.CellKey, rollup.Cell]) -> dict[rollup.CellKey, rollup.Cell]:
    """Fine cells (or deltas of them) together with the coarse cells they add up to. Lane cells
    take everything but the dwell counts: a lane's figures and lanes that got worse never read
    them, and a merchant with a thousand lanes would carry every place a thousand times."""
    found = dict(cells)
    for key, cell in cells.items():
        light = without_places(cell)
        for coarse in coarse_keys(key):
            fold(found.setdefault(coarse, rollup.Cell()), cell if keeps_places(coarse) else light)
    return found


def _stored(value: str | None) -> str:
    return "" if value is None else value


def _dimensions(key: rollup.CellKey) -> dict[str, str]:
    return {name: _stored(getattr(key, name)) for name in DIMENSION_NAMES}


def _key_of(merchant_id: str, day: date, row: Any) -> rollup.CellKey:
    values = [getattr(row, name) for name in DIMENSION_NAMES]
    return rollup.CellKey(
        merchant_id,  # type: ignore[arg-type]
        day,
        values[0],
        *(value or None for value in values[1:]),
    )


def _key_tuple(key: rollup.CellKey) -> tuple[Any, ...]:
    return (key.merchant_id, key.day, *(_stored(getattr(key, name)) for name in DIMENSION_NAMES))


_KEY_COLUMNS = (
    AnalyticsCell.merchant_id,
    AnalyticsCell.day,
    *(getattr(AnalyticsCell, n) for n in DIMENSION_NAMES),
)


# --- reading -----------------------------------------------------------------------------------------------

FILTERS = frozenset(DIMENSION_NAMES)


def read_cells(
    uow: UnitOfWork, merchant_id: str, first: date, last: date, **filters: str | None
) -> dict[rollup.CellKey, rollup.Cell]:
    """One merchant's fine cells of the days ``first`` to ``last`` (inclusive, destination-local
    days) whose dimensions equal ``filters`` (``carrier="ups"``, ``warehouse=None`` for "no
    warehouse"). A filter that is not a dimension is refused (ValueError)."""
    _check(filters)
    return _decoded(uow, merchant_id, _fine_query(merchant_id, first, last, filters))


def fine_texts(
    uow: UnitOfWork,
    merchant_id: str,
    first: date,
    last: date,
    *,
    places: bool = True,
    **filters: str | None,
) -> Texts:
    """``read_cells`` as the stored texts, not decoded: (key, counts, places) per fine cell, for
    ``merge_encoded_by`` and ``merge_encoded_twice``."""
    _check(filters)
    return _texts_of(uow, merchant_id, _fine_query(merchant_id, first, last, filters, places=places))


def _fine_query(
    merchant_id: str, first: date, last: date, filters: Mapping[str, str | None], *, places: bool = True
) -> Any:
    return _cells(merchant_id, first, last, places=places).where(*_fine_level(filters))


def _fine_cells(merchant_id: str, first: date, last: date, filters: Mapping[str, str | None]) -> list[Any]:
    """Conditions choosing one merchant's fine cells of those days with ``filters``."""
    return [
        AnalyticsCell.merchant_id == merchant_id,
        AnalyticsCell.day >= first,
        AnalyticsCell.day <= last,
        *_fine_level(filters),
    ]


def _fine_level(filters: Mapping[str, str | None]) -> list[Any]:
    """Conditions choosing the fine cells (every dimension a value) with ``filters``."""
    return [
        AnalyticsCell.carrier != ALL,
        AnalyticsCell.service != ALL,
        AnalyticsCell.service != WEEK,
        AnalyticsCell.origin_region != ALL,
        AnalyticsCell.origin_region != WEEK,
        *(getattr(AnalyticsCell, name) == _stored(value) for name, value in filters.items()),
    ]


def coarse_cells(
    uow: UnitOfWork, merchant_id: str, first: date, last: date, by: str | None = None, **filters: str | None
) -> dict[rollup.CellKey, rollup.Cell]:
    """The coarse cells of those days: each day's total (``by`` None), or one per value of the
    dimension ``by`` (``by="warehouse"``: keys name the warehouse, ``ALL`` elsewhere); one filter at
    most, on ``by`` itself. ``rollup.figures_by(cells, lambda key: key.warehouse)`` or by week."""
    _check(filters)
    if by is not None and by not in FILTERS:
        raise ValueError(f"cells cannot be grouped by {by!r}")
    if len(filters) > 1 or (filters and by is not None and set(filters) != {by}):
        raise ValueError("coarse cells take one filter at most, on the dimension they are grouped by")
    return _decoded(uow, merchant_id, _coarse_query(merchant_id, first, last, by, filters))


def _coarse_query(
    merchant_id: str,
    first: date,
    last: date,
    by: str | None,
    filters: Mapping[str, str | None],
    *,
    places: bool = True,
) -> Any:
    name = by or next(iter(filters), None)
    query = _cells(merchant_id, first, last, places=places).where(AnalyticsCell.service != WEEK)
    for other in DIMENSION_NAMES:
        if other != name:
            query = query.where(getattr(AnalyticsCell, other) == ALL)
    if name is not None:
        query = query.where(getattr(AnalyticsCell, name) != ALL)
        if name in filters:
            query = query.where(getattr(AnalyticsCell, name) == _stored(filters[name]))
    return query


def day_totals(
    uow: UnitOfWork, merchant_id: str, first: date, last: date, *, places: bool = True, **filters: str | None
) -> dict[rollup.CellKey, rollup.Cell]:
    """Each day's total of those days (one filter at most): what ``coarse_cells`` gives, but
    without the dwell counts (``where_parcels_wait``) unless ``places``: most of a total's text."""
    _check(filters)
    if len(filters) > 1:
        raise ValueError("day totals take one filter at most")
    return _decoded(uow, merchant_id, _coarse_query(merchant_id, first, last, None, filters, places=places))


def grouped_texts(
    uow: UnitOfWork, merchant_id: str, first: date, last: date, by: str, **filters: str | None
) -> Texts:
    """The daily cells of the dimension ``by`` (one filter at most, on ``by`` itself), without
    places, as stored texts (``merge_encoded_by``)."""
    _check(filters)
    if by not in FILTERS or len(filters) > 1 or (filters and set(filters) != {by}):
        raise ValueError("grouped cells take one filter at most, on the dimension they are grouped by")
    return _texts_of(uow, merchant_id, _coarse_query(merchant_id, first, last, by, filters, places=False))


def dimension_values(uow: UnitOfWork, merchant_id: str, first: date, last: date, name: str) -> list[str]:
    """The values one dimension took on those days (``''`` for none), from its coarse cells'
    keys alone: what a filter can be set to."""
    if name not in FILTERS:
        raise ValueError(f"cells cannot be grouped by {name!r}")
    column = getattr(AnalyticsCell, name)
    query = (
        select(column)
        .where(
            AnalyticsCell.merchant_id == merchant_id,
            AnalyticsCell.day >= first,
            AnalyticsCell.day <= last,
            column != ALL,
            column != WEEK,
            *(getattr(AnalyticsCell, other) == ALL for other in DIMENSION_NAMES if other != name),
        )
        .distinct()
    )
    return sorted(uow.session.scalars(query))


Texts = list[tuple[rollup.CellKey, str, str]]


def pair_texts(
    uow: UnitOfWork, merchant_id: str, first: date, last: date, pair: tuple[str, str], **filters: str | None
) -> Texts:
    """The cells of one pair of dimensions (``PAIRS``) of those days (one filter at most, on either
    of the two), without dwell counts, as stored texts: add them up by either dimension."""
    return _texts_of(uow, merchant_id, _pair_query(merchant_id, first, last, pair, filters))


def _pair_query(
    merchant_id: str, first: date, last: date, pair: tuple[str, str], filters: Mapping[str, str | None]
) -> Any:
    _check(filters)
    if pair not in PAIRS or set(filters) - set(pair) or len(filters) > 1:
        raise ValueError(f"pair cells are of {PAIRS}, with one filter at most, on the pair's own")
    query = _cells(merchant_id, first, last, places=False).where(
        *(getattr(AnalyticsCell, name) != ALL for name in pair),
        *(getattr(AnalyticsCell, name) == ALL for name in DIMENSION_NAMES if name not in pair),
    )
    for name, value in filters.items():
        query = query.where(getattr(AnalyticsCell, name) == _stored(value))
    return query


def _lane_level(merchant_id: str, first: date, last: date, filters: Mapping[str, str | None]) -> list[Any]:
    """Conditions choosing the lane cells of those days (weekly ones for whole weeks, daily ones
    for the days around them), with filters on the lane's dimensions."""
    if set(filters) - set(LANE_CELL_DIMENSIONS):
        raise ValueError(f"lane cells can be chosen by {', '.join(LANE_CELL_DIMENSIONS)} only")
    spans = [
        and_(
            AnalyticsCell.day >= start,
            AnalyticsCell.day <= stop,
            AnalyticsCell.origin_region == (WEEK if weekly else ALL),
        )
        for start, stop, weekly in _week_spans(first, last)
    ]
    return [
        AnalyticsCell.merchant_id == merchant_id,
        or_(*spans),
        *(getattr(AnalyticsCell, name) != ALL for name in LANE_CELL_DIMENSIONS),
        *(getattr(AnalyticsCell, name) == _stored(value) for name, value in filters.items()),
    ]


_LANE_COLUMNS = tuple(getattr(AnalyticsCell, name) for name in LANE_DIMENSIONS)


def lane_cells(
    uow: UnitOfWork,
    merchant_id: str,
    first: date,
    last: date,
    *,
    only_lanes: Iterable[lanes.LaneKey] | None = None,
    **filters: str | None,
) -> dict[rollup.CellKey, rollup.Cell]:
    """One merchant's shipments of those days per lane (carrier, origin country, destination
    country and region) and warehouse (``ALL`` in the other dimensions, days merged into weeks
    where whole weeks fit: a key's day is its day or its week's Monday): add them up by
    ``key.lane``. Filters only on those five dimensions; ``only_lanes``: only those lanes. Lane
    cells keep no dwell counts (``with_coarse``)."""
    _check(filters)
    query = select(
        AnalyticsCell.day, *_texts(places=False), *(getattr(AnalyticsCell, n) for n in DIMENSION_NAMES)
    ).where(*_lane_level(merchant_id, first, last, filters))
    return _decoded(uow, merchant_id, _only_lanes(query, only_lanes))


def lane_sums(
    uow: UnitOfWork,
    merchant_id: str,
    first: date,
    last: date,
    by: tuple[str, ...] = LANE_DIMENSIONS,
    *,
    only_lanes: Iterable[lanes.LaneKey] | None = None,
    **filters: str | None,
) -> dict[Hashable, rollup.Cell]:
    """``lane_cells`` added up per value of ``by`` (a lane key by default; ``("warehouse",)`` or
    ``("carrier",)`` for one dimension's split), without places (``_sums``). The CSV of every lane
    at a million shipments adds up 38,000 cells: read as keyed cells, parsed and added one by
    one, they took 850 ms; this way, about 600 ms."""
    _check(filters)
    query = select(*(getattr(AnalyticsCell, name) for name in by), AnalyticsCell.counts).where(
        *_lane_level(merchant_id, first, last, filters)
    )
    return _sums(uow, _only_lanes(query, only_lanes))


def fine_sums(
    uow: UnitOfWork,
    merchant_id: str,
    first: date,
    last: date,
    by: tuple[str, ...],
    **filters: str | None,
) -> dict[Hashable, rollup.Cell]:
    """The fine cells of those days with ``filters`` added up per value of ``by`` (as
    ``lane_sums``), without places: a split no coarse level names (a service's lanes, all of
    them; a page of them is ``fine_lane_page``)."""
    _check(filters)
    query = select(*(getattr(AnalyticsCell, name) for name in by), AnalyticsCell.counts).where(
        *_fine_cells(merchant_id, first, last, filters),
    )
    return _sums(uow, query)


def _sums(uow: UnitOfWork, query: Any) -> dict[Hashable, rollup.Cell]:
    """Rows of (the group's columns..., counts) added up per group: only those columns are read
    (no cell key is built per row), and each group's texts are parsed as one JSON array."""
    texts: dict[tuple[str, ...], list[str]] = {}
    for *group, counts in uow.session.execute(query):
        found = texts.get(tuple(group))
        if found is None:
            found = texts[tuple(group)] = []
        found.append(counts)
    return {_group_key(group): sum_texts(found) for group, found in texts.items()}


def fine_lane_page(
    uow: UnitOfWork, merchant_id: str, first: date, last: date, offset: int, limit: int, **filters: str | None
) -> tuple[dict[Hashable, rollup.Cell], int]:
    """One page of the lanes of the fine cells with ``filters`` (a service's, an origin region's:
    filters the lane cells do not name), ordered as ``top_lanes`` orders them and added up, and
    how many lanes there are. The filter's fine cells are read once, with their lane, shipments
    and counts, and ranked here: ranking them in the database and then reading the page's cells
    took two scans of the table (a service's 35,000 fine cells at a million shipments)."""
    _check(filters)
    query = select(*_LANE_COLUMNS, AnalyticsCell.shipments, AnalyticsCell.counts).where(
        *_fine_cells(merchant_id, first, last, filters),
    )
    texts: dict[tuple[str, ...], list[str]] = {}
    shipments: dict[tuple[str, ...], int] = {}
    for carrier, origin, destination, region, count, counts in uow.session.execute(query):
        lane = (carrier, origin, destination, region)
        found = texts.get(lane)
        if found is None:
            found = texts[lane] = []
            shipments[lane] = 0
        found.append(counts)
        shipments[lane] += count
    # Stored parts ('' for none) compared as str: the code points' order, which is the UTF-8
    # bytes' order that top_lanes sorts by.
    ranked = sorted(
        (lane for lane, count in shipments.items() if count), key=lambda lane: (-shipments[lane], lane)
    )
    page = ranked[offset : offset + limit]
    return {_group_key(lane): sum_texts(texts[lane]) for lane in page}, len(ranked)


def _group_key(group: tuple[str, ...]) -> Hashable:
    """A group's stored values as the key a reader names it by: ``''`` is None (no warehouse, no
    region), one dimension is its value alone."""
    key = tuple(value or None for value in group)
    return key[0] if len(key) == 1 else key


def _only_lanes(query: Any, only_lanes: Iterable[lanes.LaneKey] | None) -> Any:
    """The query cut to those lanes' cells (``None``: every lane)."""
    if only_lanes is None:
        return query
    return query.where(_lane_column().in_([_lane_name(lane) for lane in only_lanes]))


# Between a lane's parts in its one-text name: no carrier code, country or region holds it.
_LANE_SEPARATOR = "\x1f"


def _lane_column() -> Any:
    """A lane cell's lane as one text, so that choosing a page of lanes is one ``IN`` list the
    database looks up in a hash; PostgreSQL plans ``(a, b, c, d) IN (...)`` as an OR of every
    lane's conditions, tried cell by cell (a page of 100 lanes: 68 ms against 33 ms)."""
    joined = _LANE_COLUMNS[0]
    for part in _LANE_COLUMNS[1:]:
        joined = joined + literal(_LANE_SEPARATOR) + part
    return joined


def _lane_name(lane: lanes.LaneKey) -> str:
    """A lane key as the text ``_lane_column`` makes of its cells."""
    return _LANE_SEPARATOR.join(_stored(part) for part in lane)


def top_lanes(
    uow: UnitOfWork, merchant_id: str, first: date, last: date, offset: int, limit: int, **filters: str | None
) -> tuple[list[lanes.LaneKey], int]:
    """One page of the merchant's lanes of those days, most shipments first (then by carrier,
    origin, destination country and region, compared as bytes), and how many lanes there are.
    Filters on the lane cells' dimensions only (a service's lanes: ``fine_lane_page``); read the
    page's cells with ``lane_sums(only_lanes=...)``."""
    _check(filters)
    shipments = func.sum(AnalyticsCell.shipments)
    ordered = [column.collate("C") if _is_postgres(uow.session) else column for column in _LANE_COLUMNS]
    query = (
        select(*_LANE_COLUMNS, func.count().over().label("lanes"))
        .where(*_lane_level(merchant_id, first, last, filters))
        .group_by(*_LANE_COLUMNS)
        .having(shipments != 0)
        .order_by(shipments.desc(), *ordered)
        .offset(offset)
        .limit(limit)
    )
    rows = uow.session.execute(query).all()
    total = rows[0].lanes if rows else _count_lanes(uow, merchant_id, first, last, filters)
    return [(row[0], row[1] or None, row[2] or None, row[3] or None) for row in rows], total


def _count_lanes(
    uow: UnitOfWork, merchant_id: str, first: date, last: date, filters: Mapping[str, str | None]
) -> int:
    """How many lanes there are (a page past the last one names none)."""
    grouped = (
        select(*_LANE_COLUMNS)
        .where(*_lane_level(merchant_id, first, last, filters))
        .group_by(*_LANE_COLUMNS)
        .having(func.sum(AnalyticsCell.shipments) != 0)
        .subquery()
    )
    return uow.session.scalar(select(func.count()).select_from(grouped)) or 0


def _week_spans(first: date, last: date) -> list[tuple[date, date, bool]]:
    """The days as spans read from weekly cells (whole Monday-to-Sunday weeks, ``True``) and from
    daily ones (the days around them)."""
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    weeks = ((last - monday).days + 1) // 7 if monday <= last else 0
    if weeks <= 0:
        return [(first, last, False)]
    end = monday + timedelta(days=7 * weeks - 1)
    spans = [(monday, end, True)]
    for start, stop in ((first, monday - timedelta(days=1)), (end + timedelta(days=1), last)):
        if start <= stop:
            spans.append((start, stop, False))
    return spans


def _check(filters: Mapping[str, object]) -> None:
    unknown = set(filters) - FILTERS
    if unknown:
        raise ValueError(f"cells cannot be chosen by {sorted(unknown)}")


def _texts(*, places: bool = True) -> tuple[Any, Any]:
    """The stored texts of a cell: its counts, and its places (or ``''`` when not asked for, so the
    database never reads them)."""
    return AnalyticsCell.counts, (AnalyticsCell.places if places else literal("").label("places"))


def _cells(merchant_id: str, first: date, last: date, *, places: bool = True) -> Any:
    return select(
        AnalyticsCell.day, *_texts(places=places), *(getattr(AnalyticsCell, n) for n in DIMENSION_NAMES)
    ).where(AnalyticsCell.merchant_id == merchant_id, AnalyticsCell.day >= first, AnalyticsCell.day <= last)


def _texts_of(uow: UnitOfWork, merchant_id: str, query: Any) -> Texts:
    rows = uow.session.execute(query)
    return [(_key_of(merchant_id, row.day, row), row.counts, row.places) for row in rows]


def _decoded(uow: UnitOfWork, merchant_id: str, query: Any) -> dict[rollup.CellKey, rollup.Cell]:
    return {
        _key_of(merchant_id, row.day, row): decode_cell(row.counts, row.places)
        for row in uow.session.execute(query)
    }


def figures(
    uow: UnitOfWork, merchant_id: str, first: date, last: date, **filters: str | None
) -> f.DeliveryFigures:
    """Every delivery figure of the merchant's shipments of those days (and filters): from the
    coarse cells with one filter or none, else from the fine cells."""
    _check(filters)
    if not filters:
        return rollup.figures_of(merge_encoded(_totals(uow, merchant_id, first, last)))
    if len(filters) == 1:
        query = _coarse_query(merchant_id, first, last, None, filters)
    else:
        query = _fine_query(merchant_id, first, last, filters)
    return rollup.figures_of(merge_encoded((row.counts, row.places) for row in uow.session.execute(query)))


def _totals(uow: UnitOfWork, merchant_id: str, first: date, last: date) -> list[tuple[str, str]]:
    """The stored texts of every shipment of those days: the weekly totals of the whole weeks
    inside, the daily totals of the days around them (90 days: 12 or 13 weeks and a few days)."""
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    weeks = ((last - monday).days + 1) // 7 if monday <= last else 0
    if weeks <= 0:
        query = _coarse_query(merchant_id, first, last, None, {})
        return [(row.counts, row.places) for row in uow.session.execute(query)]
    end = monday + timedelta(days=7 * weeks - 1)
    weekly = select(*_texts()).where(
        AnalyticsCell.merchant_id == merchant_id,
        AnalyticsCell.service == WEEK,
        *(getattr(AnalyticsCell, name) == ALL for name in DIMENSION_NAMES if name != "service"),
        AnalyticsCell.day >= monday,
        AnalyticsCell.day <= end,
    )
    found = [(row.counts, row.places) for row in uow.session.execute(weekly)]
    for start, stop in ((first, monday - timedelta(days=1)), (end + timedelta(days=1), last)):
        if start <= stop:
            query = _coarse_query(merchant_id, start, stop, None, {})
            found.extend((row.counts, row.places) for row in uow.session.execute(query))
    return found


def lanes_that_got_worse(
    uow: UnitOfWork, merchant_id: str, as_of: date, window_days: int = 7
) -> list[lanes.LaneAlert]:
    """``rollup.lanes_that_got_worse`` over the window and the weeks before; the shipments behind
    an alert are :func:`lane_shipments`. On PostgreSQL each lane's spans are counted by the database
    from ``analytics_shipments`` (delivered, on time, judged, transit p90 by ``percentile_disc``,
    which is the nearest rank): a large merchant has about as many fine cells as shipments."""
    spans = lanes.lane_spans(as_of, window_days)
    if not _is_postgres(uow.session):
        cells = read_cells(uow, merchant_id, spans[-1][0], spans[0][1])
        return rollup.lanes_that_got_worse(cells, as_of, window_days)
    rows = uow.session.execute(
        text(
            """
            SELECT carrier, origin_country, destination_country, destination_region,
                   CASE WHEN day >= :start THEN 0 ELSE 1 + (CAST(:start AS date) - day - 1) / 7 END AS span,
                   count(*) AS delivered,
                   count(promise_offset_days) AS judged,
                   count(*) FILTER (WHERE promise_offset_days <= 0) AS on_time,
                   percentile_disc(0.9) WITHIN GROUP (ORDER BY transit_hours) AS p90
            FROM analytics_shipments
            WHERE merchant_id = :merchant AND delivered AND day >= :first AND day <= :last
            GROUP BY 1, 2, 3, 4, 5
            """
        ),
        {"merchant": merchant_id, "start": spans[0][0], "first": spans[-1][0], "last": spans[0][1]},
    ).all()
    empty = lanes.LaneValue(f.Share(0, 0), {})
    by_lane: dict[lanes.LaneKey, list[lanes.LaneValue]] = {}
    for carrier, origin, country, region, span, delivered, judged, on_time, p90 in rows:
        lane = (carrier, origin or None, country or None, region or None)
        values = by_lane.setdefault(lane, [empty] * len(spans))
        # judge_lane reads a span's delivered count and transit p90: a one-value histogram holds both.
        values[span] = lanes.LaneValue(f.Share(on_time, judged), {p90: delivered})
    alerts: list[lanes.LaneAlert] = []
    for lane in sorted(by_lane, key=str):
        values = by_lane[lane]
        alerts.extend(lanes.judge_lane(lane, window_days, values[0], values[1:]))
    return alerts


def lane_shipments(
    uow: UnitOfWork, merchant_id: str, lane: lanes.LaneKey, first: date, last: date, *, late_only: bool
) -> list[str]:
    """The delivered shipments of one lane delivered on those days (destination-local), by id;
    ``late_only``: only those delivered after their hand-off promise window."""
    carrier, origin_country, destination_country, destination_region = lane
    query = select(AnalyticsShipment.shipment_id).where(
        AnalyticsShipment.merchant_id == merchant_id,
        AnalyticsShipment.day >= first,
        AnalyticsShipment.day <= last,
        AnalyticsShipment.delivered.is_(True),
        AnalyticsShipment.carrier == carrier,
        AnalyticsShipment.origin_country == _stored(origin_country),
        AnalyticsShipment.destination_country == _stored(destination_country),
        AnalyticsShipment.destination_region == _stored(destination_region),
    )
    if late_only:
        query = query.where(AnalyticsShipment.promise_offset_days > 0)
    return list(uow.session.scalars(query.order_by(AnalyticsShipment.shipment_id)))


# --- keeping them up to date ------------------------------------------------------------------------------


def _is_postgres(session: Session) -> bool:
    return session.connection().dialect.name == "postgresql"


def mark_due(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str], now: datetime | None = None
) -> None:
    """These shipments' facts changed: the worker folds them in soon. One statement. On a row
    already queued it rewrites the row unchanged, which on PostgreSQL holds it until this
    transaction ends: a worker skips it (``SKIP LOCKED``) rather than fold the shipment before
    these facts are committed. A worker holds a queued row only for the instant it takes it."""
    ids = sorted({i for i in shipment_ids if i})
    if not ids:
        return
    at = now or utcnow()
    rows = [{"shipment_id": i, "merchant_id": merchant_id, "due_at": at} for i in ids]
    statement = _MARK_DUE[_is_postgres(uow.session)]
    uow.session.connection().execute(statement, rows)


def _mark_due_statement(dialect: Any) -> Any:
    """One row's upsert, executed for many rows: compiled once and cached, where a statement with
    the rows' values written in was compiled afresh for every batch of events (a tenth of batched
    ingest's time, before)."""
    statement = dialect.insert(AnalyticsDue.__table__)
    return statement.on_conflict_do_update(
        index_elements=[AnalyticsDue.shipment_id], set_={"due_at": statement.table.c.due_at}
    )


_MARK_DUE = {True: _mark_due_statement(postgresql), False: _mark_due_statement(sqlite)}


def mark_orders_due(uow: UnitOfWork, merchant_id: str, order_ids: Iterable[str]) -> None:
    """The shipments of these orders (an order cancelled, say) are due."""
    ids = sorted(set(order_ids))
    if ids:
        shipments = uow.session.scalars(
            select(Shipment.id).where(Shipment.merchant_id == merchant_id, Shipment.order_id.in_(ids))
        )
        mark_due(uow, merchant_id, list(shipments))


def _lock_merchants(session: Session, merchant_ids: Iterable[str], *, shared: bool) -> None:
    if not _is_postgres(session):
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    for merchant_id in sorted(set(merchant_ids)):
        session.execute(
            text(f"SELECT {function}(:space, hashtext(:merchant))"),
            {"space": _LOCK_SPACE, "merchant": merchant_id},
        )


def refresh_due(db: Database, limit: int = REFRESH_BATCH, now: datetime | None = None) -> int:
    """Fold up to ``limit`` due shipments (longest due first) into their cells; how many were
    folded. What the worker runs. Two transactions: a short one takes the shipments off the queue
    (so ingest never waits for a fold), then one folds them under a per-shipment lock."""
    at = now or utcnow()
    with db.uow() as uow:
        session = uow.session
        query = select(AnalyticsDue.shipment_id, AnalyticsDue.merchant_id).order_by(
            AnalyticsDue.due_at, AnalyticsDue.shipment_id
        )
        if _is_postgres(session):
            query = query.with_for_update(skip_locked=True)
        due = session.execute(query.limit(limit)).all()
        if not due:
            return 0
        ids = sorted(sid for sid, _ in due)
        session.execute(delete(AnalyticsDue).where(AnalyticsDue.shipment_id.in_(ids)))
        uow.commit()
    try:
        with db.uow() as uow:
            session = uow.session
            _lock_shipments(session, ids)
            _lock_merchants(session, {merchant for _, merchant in due}, shared=True)
            _fold_shipments(session, uow, ids, at)
            mark_folded(session, {merchant for _, merchant in due}, at)
            uow.commit()
    except Exception:
        # Not folded: back on the queue for the next round.
        with db.uow() as uow:
            for merchant_id in sorted({merchant for _, merchant in due}):
                mark_due(uow, merchant_id, [sid for sid, m in due if m == merchant_id], at)
            uow.commit()
        raise
    return len(ids)


def mark_folded(session: Session, merchant_ids: Iterable[str], at: datetime) -> None:
    """These merchants' cells changed at ``at`` (``AnalyticsFold``): one upsert, last in the
    transaction so the row is held for an instant."""
    rows = [{"merchant_id": m, "folded_at": at} for m in sorted(set(merchant_ids))]
    if not rows:
        return
    dialect = postgresql if _is_postgres(session) else sqlite
    statement = dialect.insert(AnalyticsFold).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[AnalyticsFold.merchant_id], set_={"folded_at": statement.excluded.folded_at}
        )
    )


def _lock_shipments(session: Session, ids: list[str]) -> None:
    """PostgreSQL: one worker at a time per shipment (a shipment queued again while one worker
    folds it may be taken by another), in id order; the facts are read after."""
    if _is_postgres(session):
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(:space, hashtext(id))"
                " FROM (SELECT unnest(CAST(:ids AS text[])) AS id ORDER BY 1) AS chosen"
            ),
            {"space": _LOCK_SPACE + 1, "ids": ids},
        )


def _fold_shipments(session: Session, uow: UnitOfWork, ids: list[str], at: datetime) -> None:
    facts = facts_loader.load_facts(uow, ids)
    old = {
        row.shipment_id: row
        for row in session.execute(
            select(
                AnalyticsShipment.shipment_id,
                AnalyticsShipment.merchant_id,
                AnalyticsShipment.day,
                AnalyticsShipment.contribution,
                *(getattr(AnalyticsShipment, name) for name in DIMENSION_NAMES),
            ).where(AnalyticsShipment.shipment_id.in_(ids))
        )
    }
    deltas: dict[rollup.CellKey, rollup.Cell] = {}
    upserts: list[dict[str, Any]] = []
    gone: list[str] = []
    for sid in ids:
        before = old.get(sid)
        fact = facts.get(sid)
        key = rollup.cell_key(fact) if fact is not None else None
        row = _shipment_row(fact, key, at) if fact is not None and key is not None else None
        if before is not None and row is not None and _same(before, row):
            continue  # nothing this shipment adds has changed
        if before is not None:
            fold(
                deltas.setdefault(_key_of(before.merchant_id, before.day, before), rollup.Cell()),
                decode_cell(before.contribution),
                -1,
            )
        if row is not None:
            fold(deltas.setdefault(key, rollup.Cell()), decode_cell(row["contribution"]))  # type: ignore[arg-type]
            upserts.append(row)
        elif before is not None:
            gone.append(sid)
    if gone:
        session.execute(delete(AnalyticsShipment).where(AnalyticsShipment.shipment_id.in_(gone)))
    if upserts:
        session.execute(
            delete(AnalyticsShipment).where(
                AnalyticsShipment.shipment_id.in_([r["shipment_id"] for r in upserts])
            )
        )
        session.execute(insert(AnalyticsShipment), upserts)
    _apply(session, {key: cell for key, cell in with_coarse(deltas).items() if not is_empty(cell)}, at)


def _same(before: Any, row: Mapping[str, Any]) -> bool:
    return before.contribution == row["contribution"] and all(
        getattr(before, name) == row[name] for name in ("day", *DIMENSION_NAMES)
    )


def _shipment_row(fact: f.DeliveryFacts, key: rollup.CellKey, at: datetime) -> dict[str, Any]:
    cell = rollup.Cell()
    rollup.add(cell, fact)
    transit = (
        f.whole_hours(fact.delivered_at - fact.handed_off_at)  # type: ignore[operator]
        if fact.delivered
        else None
    )
    return {
        "shipment_id": fact.shipment_id,
        "merchant_id": fact.merchant_id,
        "day": key.day,
        **_dimensions(key),
        "delivered": fact.delivered,
        "promise_offset_days": f.promise_offset(fact),
        "transit_hours": transit,
        "contribution": encode_cell(cell),
        "updated_at": at,
    }


_KEY_NAMES = ("merchant_id", "day", *DIMENSION_NAMES)
# PostgreSQL: the cells of the given keys (one array per key column), locked in key order.
_LOCK_CELLS = text(
    f"SELECT id, counts, places, {', '.join(_KEY_NAMES)} FROM analytics_cells"
    f" WHERE ({', '.join(_KEY_NAMES)}) IN (SELECT * FROM unnest("
    + ", ".join(
        f"CAST(:k{index} AS {'date' if name == 'day' else 'text'}[])" for index, name in enumerate(_KEY_NAMES)
    )
    + f")) ORDER BY {', '.join(_KEY_NAMES)} FOR UPDATE"
)


def _apply(session: Session, deltas: Mapping[rollup.CellKey, rollup.Cell], at: datetime) -> None:
    """Add each delta to its cell: create missing cells, lock the cells in key order, rewrite them."""
    if not deltas:
        return
    keys = sorted(deltas, key=_key_tuple)
    postgres = _is_postgres(session)
    found: dict[tuple[Any, ...], tuple[str, str, str]] = {}
    if postgres:
        # One statement each, whatever the number of cells: an executemany insert (its text
        # compiled once) and a lookup by arrays of the key's columns.
        empty = rollup.Cell()
        rows = [_cell_row(key, empty, at) for key in keys]
        for row, cell_id in zip(rows, new_ids("anc", len(rows)), strict=True):
            row["id"] = cell_id
        connection = session.connection()
        connection.execute(postgresql.insert(AnalyticsCell.__table__).on_conflict_do_nothing(), rows)
        columns = list(zip(*(_key_tuple(key) for key in keys), strict=True))
        params = {f"k{index}": list(values) for index, values in enumerate(columns)}
        for row in connection.execute(_LOCK_CELLS, params):
            found[tuple(row[3:])] = (row.id, row.counts, row.places)
    else:
        for start in range(0, len(keys), 200):
            chunk = [_key_tuple(key) for key in keys[start : start + 200]]
            query = select(AnalyticsCell.id, AnalyticsCell.counts, AnalyticsCell.places, *_KEY_COLUMNS).where(
                tuple_(*_KEY_COLUMNS).in_(chunk)
            )
            for row in session.execute(query):
                found[tuple(row[3:])] = (row.id, row.counts, row.places)
    changed: list[dict[str, Any]] = []
    created: list[dict[str, Any]] = []
    emptied: list[str] = []
    for key in keys:
        stored = found.get(_key_tuple(key))
        cell = decode_cell(stored[1], stored[2]) if stored else rollup.Cell()
        fold(cell, deltas[key])
        if stored is None:
            created.append(_cell_row(key, cell, at))
        elif is_empty(cell):
            emptied.append(stored[0])
        else:
            changed.append(
                {
                    "cell_id": stored[0],
                    "b_shipments": cell.shipments,
                    "b_counts": encode_cell(without_places(cell)),
                    "b_places": encode_places(cell),
                    "b_at": at,
                }
            )
    if created:
        for row, cell_id in zip(created, new_ids("anc", len(created)), strict=True):
            row["id"] = cell_id
        session.execute(insert(AnalyticsCell), created)
    if changed:
        session.connection().execute(
            update(AnalyticsCell.__table__)
            .where(AnalyticsCell.__table__.c.id == bindparam("cell_id"))
            .values(
                shipments=bindparam("b_shipments"),
                counts=bindparam("b_counts"),
                places=bindparam("b_places"),
                updated_at=bindparam("b_at"),
            ),
            changed,
        )
    if emptied:
        session.execute(delete(AnalyticsCell).where(AnalyticsCell.id.in_(emptied)))


def _cell_row(key: rollup.CellKey, cell: rollup.Cell, at: datetime) -> dict[str, Any]:
    return {
        "merchant_id": key.merchant_id,
        "day": key.day,
        **_dimensions(key),
        "shipments": cell.shipments,
        "counts": encode_cell(without_places(cell)),
        "places": encode_places(cell),
        "updated_at": at,
    }


# --- from scratch -------------------------------------------------------------------------------------------

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RebuildStats:
    merchants: int
    shipments: int
    counted: int
    cells: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.shipments / self.seconds if self.seconds else 0.0


def rebuild(db: Database, merchant_id: str | None = None, progress: Progress | None = None) -> RebuildStats:
    """Recompute the cells of one merchant (or of every one) from the raw facts; each merchant's
    cells and contributions are replaced in one transaction. ``progress(done, total)`` is told
    after every batch, counting shipments over all the merchants rebuilt."""
    started = time.perf_counter()
    with db.uow(write=False) as uow:
        merchants = (
            [merchant_id]
            if merchant_id
            else list(uow.session.scalars(select(Merchant.id).order_by(Merchant.id)))
        )
        query = select(func.count()).select_from(Shipment)
        if merchant_id:
            query = query.where(Shipment.merchant_id == merchant_id)
        total = uow.session.scalar(query) or 0
    done = counted = cells_written = 0
    for merchant in merchants:
        at = utcnow()
        with db.uow() as uow:
            session = uow.session
            _lock_merchants(session, [merchant], shared=False)
            session.execute(delete(AnalyticsShipment).where(AnalyticsShipment.merchant_id == merchant))
            session.execute(delete(AnalyticsCell).where(AnalyticsCell.merchant_id == merchant))
            cells: dict[rollup.CellKey, rollup.Cell] = {}
            for batch in facts_loader.merchant_facts(uow, merchant):
                rows = []
                for fact in batch:
                    key = rollup.cell_key(fact)
                    if key is None:
                        continue
                    rollup.add(cells.setdefault(key, rollup.Cell()), fact)
                    rows.append(_shipment_row(fact, key, at))
                if rows:
                    session.execute(insert(AnalyticsShipment), rows)
                done += len(batch)
                counted += len(rows)
                if progress is not None:
                    progress(done, total)
            created = [_cell_row(key, cell, at) for key, cell in with_coarse(cells).items()]
            for start in range(0, len(created), 1000):
                chunk = created[start : start + 1000]
                for row, cell_id in zip(chunk, new_ids("anc", len(chunk)), strict=True):
                    row["id"] = cell_id
                session.execute(insert(AnalyticsCell), chunk)
            cells_written += len(created)
            mark_folded(session, [merchant], at)
            uow.commit()
    return RebuildStats(len(merchants), done, counted, cells_written, time.perf_counter() - started)


def due_count(uow: UnitOfWork) -> int:
    return uow.session.scalar(select(func.count()).select_from(AnalyticsDue)) or 0
