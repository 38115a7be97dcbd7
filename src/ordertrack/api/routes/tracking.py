"""Tracking endpoints: ingest unified events, look a tracking number up, list events."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.transactions import idempotent_write, json_response
from ordertrack.db.uow import Database
from ordertrack.fulfilment import lookup
from ordertrack.kit.clock import utcnow
from ordertrack.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, NumberCursor, decode_cursor
from ordertrack.kit.schema import error_responses, normalise_tracking_number
from ordertrack.statuses import EventStatus
from ordertrack.tracking import service
from ordertrack.tracking import timeline as tracking_timeline
from ordertrack.tracking.schemas import EventBatchIn, EventPage, IngestResultOut, TrackingOut

router = APIRouter(prefix="/api/v1/tracking", tags=["tracking"])


@router.post(
    "/events",
    response_model=IngestResultOut,
    responses=error_responses(409),
    summary="Ingest a batch of unified tracking events",
)
def ingest_events(
    batch: EventBatchIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """Stores each valid event once (replays count as duplicates) and reports bad ones by
    index. When no event at all can be read the answer is 422 ``events_rejected``."""
    settings = request.app.state.settings
    window = timedelta(days=settings.recycle_window_days)

    def produce(uow):  # type: ignore[no-untyped-def]
        result = service.ingest_events(
            uow,
            merchant_id,
            batch.events,
            received_at=utcnow(),
            recycle_window=window,
            max_batch=settings.max_batch_events,
        )
        return 200, IngestResultOut(
            accepted=result.accepted, duplicates=result.duplicates, rejected=result.rejected
        )

    return idempotent_write(request, db, merchant_id, batch, produce)


@router.get("/events", response_model=EventPage)
def list_events(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    tracking_number: Annotated[str | None, Query(max_length=80)] = None,
    status: EventStatus | None = None,
    unmatched: Annotated[bool | None, Query(description="only events no shipment claims yet")] = None,
    cursor: NumberCursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    decode_cursor(cursor, numbered=True)  # a malformed cursor is refused whatever the filter
    number = _number_or_none(tracking_number)
    if tracking_number is not None and number is None:
        return json_response(EventPage(items=[], next_cursor=None))  # no such number can exist
    with db.uow(write=False) as uow:
        page = tracking_timeline.list_events(
            uow,
            merchant_id,
            tracking_number=number,
            status=status,
            unmatched=unmatched,
            cursor=cursor,
            limit=limit,
        )
        return json_response(EventPage(items=page.items, next_cursor=page.next_cursor))


@router.get("/{tracking_number}", response_model=TrackingOut, responses=error_responses(404))
async def lookup_tracking(
    tracking_number: Annotated[str, Path(min_length=1, max_length=80)],
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    carrier: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """The parcel with this number, spaces, case and a leading ``#`` ignored; a number typed with
    dashes that carriers do not print (``1Z-999-AA1``) is also tried without them."""
    number = _number_or_none(tracking_number.strip().lstrip("#"))
    if number is None:
        raise tracking_timeline.TrackingNotFound(f"no tracking for {tracking_number!r}")
    try:
        return json_response(await lookup.lookup_tracking(db.reader, merchant_id, number, carrier))
    except tracking_timeline.TrackingNotFound:
        dashless = number.replace("-", "")
        if dashless == number or len(dashless) < 3:
            raise
        return json_response(await lookup.lookup_tracking(db.reader, merchant_id, dashless, carrier))


def _number_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalise_tracking_number(value)
    except ValueError:
        return None
