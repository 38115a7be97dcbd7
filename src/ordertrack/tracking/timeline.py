"""Reading a parcel's events back: the timeline the tracking API, the pages and the checks
show, and the lookup of scans no parcel claimed yet. Read-only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ordertrack.db.reader import Reader
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import NotFound
from ordertrack.kit.localtime import local_moment
from ordertrack.kit.pagination import Page
from ordertrack.statuses import ShipmentStatus
from ordertrack.tracking import repository
from ordertrack.tracking.model import TrackingEvent
from ordertrack.tracking.repository import EventRow
from ordertrack.tracking.schemas import (
    EventOut,
    LocationOut,
    StoredEventOut,
    TrackingOut,
)
from ordertrack.tracking.status import EventFact, derive_tracking_state, timeline


class TrackingNotFound(NotFound):
    code = "tracking_not_found"


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
    return _timeline_out(await repository.parcel_event_rows(reader, merchant_id, parcel_id))


async def unclaimed_tracking(
    reader: Reader, merchant_id: str, tracking_number: str, carrier: str | None = None
) -> TrackingOut:
    """The tracking of a number no parcel of the merchant carries: the scans nobody claimed yet."""
    events = await repository.unclaimed_event_rows(reader, merchant_id, tracking_number, carrier)
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
    return repository.event_rows_of_parcels(uow, merchant_id, parcel_ids, oldest_first=True)


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
    page = repository.event_page(
        uow,
        merchant_id,
        tracking_number=tracking_number,
        status=status,
        unmatched=unmatched,
        cursor=cursor,
        limit=limit,
    )
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
    grouped: dict[str, list[EventRow]] = defaultdict(list)
    for parcel_id, event in repository.event_rows_of_parcels(uow, merchant_id, ids, oldest_first=False):
        grouped[parcel_id].append(event)
    return {parcel_id: _timeline_out(events) for parcel_id, events in grouped.items()}


def change_marker(uow: UnitOfWork, merchant_id: str, parcel_ids: Iterable[str]) -> tuple[int, int]:
    """(event count, newest event key) of these parcels: it changes whenever an event lands."""
    ids = sorted(set(parcel_ids))
    if not ids:
        return (0, 0)
    return repository.event_count_and_newest_id(uow, merchant_id, ids)
