"""Reading a parcel's events back: the timeline the tracking API, the pages and the checks
show, and the lookup of scans no parcel claimed yet. Read-only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select

from ordertrack.db.reader import Reader
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import NotFound
from ordertrack.kit.localtime import local_moment
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.tracking.model import TrackingEvent
from ordertrack.tracking.schemas import (
    EventOut,
    LocationOut,
    StoredEventOut,
    TrackingOut,
)
from ordertrack.tracking.status import (
    EventFact,
    ShipmentStatus,
    derive_tracking_state,
    timeline,
)


class TrackingNotFound(NotFound):
    code = "tracking_not_found"


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
    local, label = local_moment(event.occurred_at, event.timezone, event.utc_offset_minutes)
    place = (event.city, event.region, event.postal_code, event.country, event.latitude, event.longitude)
    return dict(
        occurred_at=event.occurred_at,
        local_time=local.isoformat(),
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
