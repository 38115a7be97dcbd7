"""Tracking use cases: ingest unified events, attach them to parcels, derive state, look up.

Ingest is the hot path. One batch costs a fixed number of statements whatever the history
of the parcels it touches: one locked read of the parcels, one multi-row INSERT that skips
duplicates, one UPDATE per changed table. A parcel's state is folded forward from its
stored state; only an event landing inside the known timeline reads the full history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import sqlite

from ordertrack.db.reader import Reader
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import NotFound, Unprocessable
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.tracking import parcels as parcels_repo
from ordertrack.tracking import rules
from ordertrack.tracking.model import TrackingEvent
from ordertrack.tracking.parcels import ParcelRef
from ordertrack.tracking.schemas import (
    EventOut,
    LocationOut,
    RejectedEvent,
    StoredEventOut,
    TrackingOut,
    UnifiedEventIn,
    zone,
)
from ordertrack.tracking.status import (
    EventFact,
    ShipmentStatus,
    TrackingState,
    derive_tracking_state,
    extend_tracking_state,
    timeline,
)

_EVENT = TypeAdapter(UnifiedEventIn)


class TrackingNotFound(NotFound):
    code = "tracking_not_found"


class BatchTooLarge(Unprocessable):
    code = "batch_too_large"


class AllEventsRejected(Unprocessable):
    code = "events_rejected"


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[RejectedEvent] = field(default_factory=list)


def describe_validation_error(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "event"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def ingest_events(
    uow: UnitOfWork,
    merchant_id: str,
    raw_events: Sequence[Any],
    *,
    received_at: datetime,
    recycle_window: timedelta,
    max_batch: int = 1000,
) -> IngestResult:
    """Store a batch of unified events: each valid one once, each bad one reported alone."""
    if len(raw_events) > max_batch:
        raise BatchTooLarge(
            f"a batch holds at most {max_batch} events; this one has {len(raw_events)}",
            details={"max": max_batch, "got": len(raw_events)},
        )
    result = IngestResult()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_events):
        try:
            event = _EVENT.validate_python(raw)
        except ValidationError as error:
            result.rejected.append(
                RejectedEvent(index=index, code="invalid_event", message=describe_validation_error(error))
            )
            continue
        problem = rules.implausible_time(event.occurred_at, received_at)
        if problem:
            result.rejected.append(
                RejectedEvent(
                    index=index,
                    field="occurred_at",
                    code="implausible_time",
                    message=f"occurred_at: {problem}",
                )
            )
            continue
        row = rules.event_row(merchant_id, event, raw, received_at)
        if row["dedupe_key"] in seen:
            result.duplicates += 1
            continue
        seen.add(row["dedupe_key"])
        rows.append(row)
    if not rows:
        if result.rejected and not result.duplicates:
            raise AllEventsRejected(
                "no event in the batch could be read",
                details=[r.model_dump(exclude_none=True) for r in result.rejected],
            )
        return result

    parcels = parcels_repo.parcels_for_tracking_numbers(
        uow, merchant_id, {r["tracking_number"] for r in rows}, lock=True
    )
    candidates: dict[tuple[str, str], list[ParcelRef]] = defaultdict(list)
    for parcel in parcels:
        candidates[(parcel.tracking_number, parcel.carrier)].append(parcel)
    for row in rows:
        hit = rules.match_parcel(
            candidates.get((row["tracking_number"], row["carrier"]), ()),
            row["occurred_at"],
            recycle_window,
        )
        row["parcel_id"] = hit.id if hit else None

    inserted = _insert_new(uow, rows)
    result.accepted = len(inserted)
    result.duplicates += len(rows) - len(inserted)

    new_by_parcel: dict[str, list[EventFact]] = defaultdict(list)
    for row in rows:
        if row["parcel_id"] is not None and row["dedupe_key"] in inserted:
            new_by_parcel[row["parcel_id"]].append(
                EventFact(row["occurred_at"], row["status"], row["reason"], row["dedupe_key"])
            )
    by_id = {p.id: p for p in parcels}
    _fold_into_parcels(
        uow, merchant_id, {pid: by_id[pid] for pid in new_by_parcel}, new_by_parcel, received_at
    )
    return result


def _insert_new(uow: UnitOfWork, rows: list[dict[str, Any]]) -> set[str]:
    """Insert, skipping rows whose dedupe key is already stored; the keys actually inserted."""
    connection = uow.session.connection()
    if connection.dialect.name == "postgresql":
        from psycopg.types.json import Jsonb  # noqa: PLC0415 - psycopg is loaded on PostgreSQL only

        params = {column: [row[column] for row in rows] for column in _INSERT_COLUMNS}
        params["raw"] = [Jsonb(value) for value in params["raw"]]
        return set(connection.exec_driver_sql(_INSERT_UNNEST, params).scalars())
    statement = (
        sqlite.insert(TrackingEvent)
        .on_conflict_do_nothing(index_elements=["merchant_id", "dedupe_key"])
        .returning(TrackingEvent.dedupe_key)
    )
    return set(connection.execute(statement, rows).scalars())


# PostgreSQL gets the batch as one array per column through unnest(): a short statement
# whose parsing psycopg caches, where a multi-row VALUES list of 100 x 22 placeholders
# would be parsed again on every batch (it cost two thirds of the server's CPU). The
# arrays travel in binary (%b), which spares escaping every string.
_INSERT_COLUMNS = [column.name for column in TrackingEvent.__table__.columns if column.name != "id"]
_ARRAY_TYPES = {
    "occurred_at": "timestamptz",
    "received_at": "timestamptz",
    "utc_offset_minutes": "int4",
    "latitude": "float8",
    "longitude": "float8",
    "raw": "jsonb",
}
_INSERT_UNNEST = (
    f"INSERT INTO tracking_events ({', '.join(_INSERT_COLUMNS)}) SELECT * FROM unnest("
    + ", ".join(f"%({name})b::{_ARRAY_TYPES.get(name, 'varchar')}[]" for name in _INSERT_COLUMNS)
    + ") ON CONFLICT (merchant_id, dedupe_key) DO NOTHING RETURNING dedupe_key"
)


def _fold_into_parcels(
    uow: UnitOfWork,
    merchant_id: str,
    parcels: dict[str, ParcelRef],
    new_events: dict[str, list[EventFact]],
    received_at: datetime,
) -> None:
    """Advance each parcel's stored state by its new events; re-derive where they interleave."""
    states: dict[str, TrackingState] = {}
    replay: list[str] = []
    for parcel_id, parcel in parcels.items():
        extended = extend_tracking_state(parcel.state, new_events[parcel_id])
        if extended is None:
            replay.append(parcel_id)
        else:
            states[parcel_id] = extended
    states.update(_derive_from_history(uow, merchant_id, replay))
    parcels_repo.save_parcel_states(uow, merchant_id, parcels, states, received_at=received_at)


def _derive_from_history(
    uow: UnitOfWork, merchant_id: str, parcel_ids: Iterable[str]
) -> dict[str, TrackingState]:
    ids = list(parcel_ids)
    if not ids:
        return {}
    facts: dict[str, list[EventFact]] = {pid: [] for pid in ids}
    for parcel_id, occurred_at, status, reason, key in uow.session.execute(
        select(
            TrackingEvent.parcel_id,
            TrackingEvent.occurred_at,
            TrackingEvent.status,
            TrackingEvent.reason,
            TrackingEvent.dedupe_key,
        ).where(TrackingEvent.merchant_id == merchant_id, TrackingEvent.parcel_id.in_(ids))
    ):
        facts[str(parcel_id)].append(EventFact(occurred_at, status, reason, key))
    return {pid: derive_tracking_state(events) for pid, events in facts.items()}


def claim_events_for_new_parcels(
    uow: UnitOfWork,
    merchant_id: str,
    new_parcels: Sequence[tuple[str, str, str, datetime]],
    *,
    recycle_window: timedelta,
) -> None:
    """Attach the events that arrived before these parcels were registered.

    The rule is the one ingest uses (an event belongs to the newest parcel whose window
    covers it), so the outcome does not depend on whether scans or shipment came first.
    """
    new_ids = {pid for pid, *_ in new_parcels}
    touched: set[str] = set(new_ids)
    before: dict[str, ParcelRef] = {}
    for parcel_id, number, carrier, created_at in new_parcels:
        same_number = parcels_repo.parcels_for_tracking_numbers(uow, merchant_id, [number], lock=True)
        before.update((p.id, p) for p in same_number)
        older = [p.id for p in same_number if p.carrier == carrier and p.id not in new_ids]
        owner: ColumnElement[bool] = TrackingEvent.parcel_id.is_(None)
        if older:
            owner = or_(owner, TrackingEvent.parcel_id.in_(older))
        moved = (
            uow.session.connection()
            .execute(
                update(TrackingEvent)
                .where(
                    and_(
                        TrackingEvent.merchant_id == merchant_id,
                        TrackingEvent.tracking_number == number,
                        TrackingEvent.carrier == carrier,
                        TrackingEvent.occurred_at >= created_at - recycle_window,
                        owner,
                    )
                )
                .values(parcel_id=parcel_id)
                .returning(TrackingEvent.id)
            )
            .all()
        )
        if moved:
            touched.update(older)
    parcels_repo.save_parcel_states(
        uow, merchant_id, before, _derive_from_history(uow, merchant_id, touched), received_at=utcnow()
    )


# --- lookup -------------------------------------------------------------------------------


def local_time(occurred_at: datetime, offset_minutes: int, zone_name: str | None) -> tuple[str, str]:
    """(ISO local wall-clock time, zone label) for an event: its IANA zone, else its offset."""
    if zone_name:
        return occurred_at.astimezone(zone(zone_name)).isoformat(), zone_name
    tz = timezone(timedelta(minutes=offset_minutes))
    label = "UTC" if offset_minutes == 0 else f"UTC{tz.tzname(None)[3:]}"
    return occurred_at.astimezone(tz).isoformat(), label


class EventRow(NamedTuple):
    """The columns a tracking view shows of one event, in the order the lookups select them."""

    occurred_at: datetime
    utc_offset_minutes: int
    timezone: str | None
    time_precision: str
    status: str
    reason: str | None
    code: str | None
    description: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    latitude: float | None
    longitude: float | None
    carrier: str
    source: str
    event_id: str | None
    received_at: datetime
    dedupe_key: str


_EVENT_COLUMNS = tuple(getattr(TrackingEvent, name) for name in EventRow._fields)
_PARCEL_EVENTS = select(*_EVENT_COLUMNS).where(
    TrackingEvent.merchant_id == bindparam("merchant_id"),
    TrackingEvent.parcel_id == bindparam("parcel_id"),
)
_UNMATCHED_EVENTS = select(*_EVENT_COLUMNS).where(
    TrackingEvent.merchant_id == bindparam("merchant_id"),
    TrackingEvent.tracking_number == bindparam("tracking_number"),
    TrackingEvent.parcel_id.is_(None),
)
_UNMATCHED_EVENTS_OF_CARRIER = _UNMATCHED_EVENTS.where(TrackingEvent.carrier == bindparam("carrier"))


def _event_out(event: EventRow | TrackingEvent) -> dict[str, Any]:
    local, label = local_time(event.occurred_at, event.utc_offset_minutes, event.timezone)
    place = (event.city, event.region, event.postal_code, event.country, event.latitude, event.longitude)
    return dict(
        occurred_at=event.occurred_at,
        local_time=local,
        timezone=label,
        time_precision=event.time_precision,
        status=event.status,
        reason=event.reason,
        code=event.code,
        description=event.description,
        location=LocationOut(
            city=event.city,
            region=event.region,
            postal_code=event.postal_code,
            country=event.country,
            latitude=event.latitude,
            longitude=event.longitude,
        )
        if any(v is not None for v in place)
        else None,
        carrier=event.carrier,
        source=event.source,
        event_id=event.event_id,
        received_at=event.received_at,
    )


def _facts(events: Sequence[EventRow]) -> list[EventFact]:
    return [EventFact(e.occurred_at, e.status, e.reason, e.dedupe_key) for e in events]


def _timeline_out(events: Sequence[EventRow]) -> list[EventOut]:
    by_key = {e.dedupe_key: e for e in events}
    return [EventOut(**_event_out(by_key[f.key])) for f in timeline(_facts(events))]


async def parcel_timeline(reader: Reader, merchant_id: str, parcel_id: str) -> list[EventOut]:
    """A parcel's events in timeline order, as the tracking lookup shows them."""
    rows = await reader.fetch(_PARCEL_EVENTS, {"merchant_id": merchant_id, "parcel_id": parcel_id})
    return _timeline_out([EventRow(*row) for row in rows])


async def unclaimed_tracking(
    reader: Reader, merchant_id: str, tracking_number: str, carrier: str | None = None
) -> TrackingOut:
    """The tracking of a number no parcel of the merchant carries: the scans nobody claimed yet."""
    params = {"merchant_id": merchant_id, "tracking_number": tracking_number}
    statement = _UNMATCHED_EVENTS
    if carrier:
        statement = _UNMATCHED_EVENTS_OF_CARRIER
        params["carrier"] = carrier.lower()
    events = [EventRow(*row) for row in await reader.fetch(statement, params)]
    if not events:
        raise TrackingNotFound(f"no tracking for {tracking_number!r}")
    # Scans of one number from two carriers are two parcels; show the one heard from last.
    newest_carrier = max(events, key=lambda e: e.received_at).carrier
    events = [e for e in events if e.carrier == newest_carrier]
    state = derive_tracking_state(_facts(events))
    return TrackingOut(
        tracking_number=tracking_number,
        carrier=newest_carrier,
        status=ShipmentStatus(state.status),
        reason=state.reason,
        delivered_at=state.delivered_at,
        matched=False,
        shipment_id=None,
        order=None,
        event_count=len(events),
        events=_timeline_out(events),
    )


def events_for_parcels(
    uow: UnitOfWork, merchant_id: str, parcel_ids: Sequence[str]
) -> list[tuple[str, EventRow]]:
    """(parcel id, event) for every event of these parcels, oldest first. Read-only."""
    if not parcel_ids:
        return []
    rows = uow.session.execute(
        select(TrackingEvent.parcel_id, *_EVENT_COLUMNS)
        .where(TrackingEvent.merchant_id == merchant_id, TrackingEvent.parcel_id.in_(list(parcel_ids)))
        .order_by(TrackingEvent.occurred_at, TrackingEvent.id)
    )
    return [(str(row[0]), EventRow(*row[1:])) for row in rows]


def list_events(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    tracking_number: str | None,
    status: str | None,
    unmatched: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[StoredEventOut]:
    query = select(TrackingEvent).where(TrackingEvent.merchant_id == merchant_id)
    if tracking_number:
        query = query.where(TrackingEvent.tracking_number == tracking_number)
    if status:
        query = query.where(TrackingEvent.status == status)
    if unmatched is True:
        query = query.where(TrackingEvent.parcel_id.is_(None))
    elif unmatched is False:
        query = query.where(TrackingEvent.parcel_id.is_not(None))
    page = keyset_page(uow.session, query, TrackingEvent.id, cursor, limit)
    items = [
        StoredEventOut(
            id=e.id, tracking_number=e.tracking_number, matched=e.parcel_id is not None, **_event_out(e)
        )
        for e in page.items
    ]
    return Page(items, page.next_cursor)


# --- reads for the shopper's tracking page -------------------------------------------------------


def timelines_of_parcels(
    uow: UnitOfWork, merchant_id: str, parcel_ids: Iterable[str]
) -> dict[str, list[EventOut]]:
    """Each parcel's events in timeline order (oldest first), as the tracking API shows them."""
    ids = sorted(set(parcel_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(TrackingEvent.parcel_id, *_EVENT_COLUMNS).where(
            TrackingEvent.merchant_id == merchant_id, TrackingEvent.parcel_id.in_(ids)
        )
    )
    grouped: dict[str, list[EventRow]] = defaultdict(list)
    for parcel_id, *columns in rows:
        grouped[parcel_id].append(EventRow(*columns))
    return {parcel_id: _timeline_out(events) for parcel_id, events in grouped.items()}


def change_marker(uow: UnitOfWork, merchant_id: str, parcel_ids: Iterable[str]) -> tuple[int, int]:
    """(event count, newest event key) of these parcels: it changes whenever an event lands."""
    ids = sorted(set(parcel_ids))
    if not ids:
        return (0, 0)
    count, newest = uow.session.execute(
        select(func.count(TrackingEvent.id), func.max(TrackingEvent.id)).where(
            TrackingEvent.merchant_id == merchant_id, TrackingEvent.parcel_id.in_(ids)
        )
    ).one()
    return (int(count or 0), int(newest or 0))
