"""Queries of the tracking events table: the ingest's insert, claiming early scans, and reading
events back (timelines, the stored-events list, scan times through their parcels).

The parcels table's queries are in :mod:`ordertrack.tracking.parcel_rows`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import sqlite

from ordertrack.db.reader import Reader
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.tracking.model import Parcel, TrackingEvent

# --- ingest ----------------------------------------------------------------------------------------


def insert_new_events(uow: UnitOfWork, rows: list[dict[str, Any]]) -> set[str]:
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


def event_facts_of_parcels(
    uow: UnitOfWork, merchant_id: str, parcel_ids: list[str]
) -> list[tuple[str | None, datetime, str, str | None, str]]:
    """(parcel, occurred at, status, reason, dedupe key) of every event of these parcels."""
    return [
        (parcel_id, occurred_at, status, reason, key)
        for parcel_id, occurred_at, status, reason, key in uow.session.execute(
            select(
                TrackingEvent.parcel_id,
                TrackingEvent.occurred_at,
                TrackingEvent.status,
                TrackingEvent.reason,
                TrackingEvent.dedupe_key,
            ).where(TrackingEvent.merchant_id == merchant_id, TrackingEvent.parcel_id.in_(parcel_ids))
        )
    ]


def claim_events(
    uow: UnitOfWork,
    merchant_id: str,
    parcel_id: str,
    *,
    tracking_number: str,
    carrier: str,
    since: datetime,
    from_parcels: Sequence[str],
) -> int:
    """Give ``parcel_id`` the events of this number and carrier from ``since`` on that no parcel
    holds or that ``from_parcels`` hold; how many moved."""
    owner: ColumnElement[bool] = TrackingEvent.parcel_id.is_(None)
    if from_parcels:
        owner = or_(owner, TrackingEvent.parcel_id.in_(from_parcels))
    moved = (
        uow.session.connection()
        .execute(
            update(TrackingEvent)
            .where(
                and_(
                    TrackingEvent.merchant_id == merchant_id,
                    TrackingEvent.tracking_number == tracking_number,
                    TrackingEvent.carrier == carrier,
                    TrackingEvent.occurred_at >= since,
                    owner,
                )
            )
            .values(parcel_id=parcel_id)
            .returning(TrackingEvent.id)
        )
        .all()
    )
    return len(moved)


# --- reading events back ---------------------------------------------------------------------------


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


async def parcel_event_rows(reader: Reader, merchant_id: str, parcel_id: str) -> list[EventRow]:
    """A parcel's events, in no particular order."""
    rows = await reader.fetch(_PARCEL_EVENTS, {"merchant_id": merchant_id, "parcel_id": parcel_id})
    return [EventRow(*row) for row in rows]


async def unclaimed_event_rows(
    reader: Reader, merchant_id: str, tracking_number: str, carrier: str | None
) -> list[EventRow]:
    """The merchant's events of this number no parcel claimed, of one carrier when given."""
    params = {"merchant_id": merchant_id, "tracking_number": tracking_number}
    statement = _UNMATCHED_EVENTS
    if carrier:
        statement = _UNMATCHED_EVENTS_OF_CARRIER
        params["carrier"] = carrier.lower()
    return [EventRow(*row) for row in await reader.fetch(statement, params)]


def event_rows_of_parcels(
    uow: UnitOfWork, merchant_id: str, parcel_ids: Sequence[str], *, oldest_first: bool
) -> list[tuple[str, EventRow]]:
    """(parcel id, event) for every event of these parcels; ``oldest_first`` orders them by time."""
    query = select(TrackingEvent.parcel_id, *_EVENT_COLUMNS).where(
        TrackingEvent.merchant_id == merchant_id, TrackingEvent.parcel_id.in_(list(parcel_ids))
    )
    if oldest_first:
        query = query.order_by(TrackingEvent.occurred_at, TrackingEvent.id)
    return [(str(row[0]), EventRow(*row[1:])) for row in uow.session.execute(query)]


def event_page(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    tracking_number: str | None,
    status: str | None,
    unmatched: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[TrackingEvent]:
    """The merchant's stored events matching these filters, a page at a time in id order."""
    query = select(TrackingEvent).where(TrackingEvent.merchant_id == merchant_id)
    if tracking_number:
        query = query.where(TrackingEvent.tracking_number == tracking_number)
    if status:
        query = query.where(TrackingEvent.status == status)
    if unmatched is True:
        query = query.where(TrackingEvent.parcel_id.is_(None))
    elif unmatched is False:
        query = query.where(TrackingEvent.parcel_id.is_not(None))
    return keyset_page(uow.session, query, TrackingEvent.id, cursor, limit)


def event_count_and_newest_id(uow: UnitOfWork, merchant_id: str, parcel_ids: list[str]) -> tuple[int, int]:
    """How many events these parcels have, and the newest event's id (0 when none)."""
    count, newest = uow.session.execute(
        select(func.count(TrackingEvent.id), func.max(TrackingEvent.id)).where(
            TrackingEvent.merchant_id == merchant_id, TrackingEvent.parcel_id.in_(parcel_ids)
        )
    ).one()
    return (int(count or 0), int(newest or 0))


# --- scans of shipments, through their parcels -----------------------------------------------------


def first_scan_and_last_heard(
    uow: UnitOfWork, merchant_id: str, shipment_ids: list[str]
) -> list[tuple[str, datetime | None, datetime]]:
    """(shipment, its first scan that is not "label created", when its newest-received scan
    reached us) of these shipments that have scans."""
    carrier_scan = case((TrackingEvent.status != "info_received", TrackingEvent.occurred_at))
    return [
        (shipment_id, first_at, heard_at)
        for shipment_id, first_at, heard_at in uow.session.execute(
            select(Parcel.shipment_id, func.min(carrier_scan), func.max(TrackingEvent.received_at))
            .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
            .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(shipment_ids))
            .group_by(Parcel.shipment_id)
        )
    ]


def first_carrier_scans(uow: UnitOfWork, merchant_id: str, shipment_ids: list[str]) -> dict[str, datetime]:
    """Each shipment's first scan that is not "label created"."""
    return {
        shipment_id: first_at
        for shipment_id, first_at in uow.session.execute(
            select(Parcel.shipment_id, func.min(TrackingEvent.occurred_at))
            .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
            .where(
                Parcel.merchant_id == merchant_id,
                Parcel.shipment_id.in_(shipment_ids),
                TrackingEvent.status != "info_received",
            )
            .group_by(Parcel.shipment_id)
        )
    }


def scans_of_shipments(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]
) -> list[tuple[str, str, datetime, str]]:
    """(parcel id, carrier, occurred at, status) of every scan of these shipments' parcels, by
    parcel, oldest first."""
    return [
        (parcel_id, carrier, occurred_at, status)
        for parcel_id, carrier, occurred_at, status in uow.session.execute(
            select(Parcel.id, Parcel.carrier, TrackingEvent.occurred_at, TrackingEvent.status)
            .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
            .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(list(shipment_ids)))
            .order_by(Parcel.id, TrackingEvent.occurred_at)
        )
    ]
