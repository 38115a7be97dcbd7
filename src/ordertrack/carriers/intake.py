"""Receiving carrier payloads: verify, read with the carrier's pure mapping, ingest what was
read through the tracking core, and keep every payload so nothing is ever lost.

Every payload is stored as received (``carrier_payloads``). One that yields no tracking at
all is *quarantined* with the reason; one that was read only in part (an event with a time
that cannot be placed, say) is stored as *partial*; both can be replayed once the mapping
is fixed, and a replay stores nothing twice because ingest is idempotent.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ordertrack.carriers import repository
from ordertrack.carriers.model import CarrierPayload, CarrierWebhook, UnknownCarrierCode
from ordertrack.carriers.reading import CarrierTracking, Message, Reading
from ordertrack.carriers.registry import Connector
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import service as eta_service
from ordertrack.events import CarrierEstimateChanged
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound, Unauthorized
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking import service as tracking_service
from ordertrack.tracking.schemas import RejectedEvent

# Messages that say a part of the payload could not be read (as opposed to the carrier
# telling us something, e.g. "not found", or a code we do not know yet).
_UNREAD = frozenset({"unreadable_payload", "unreadable_event", "bad_time", "bad_date", "mapping_failed"})
# A replay with this many events would not fit one ingest call; payloads are far smaller.
_INGEST_CHUNK = 500


class PayloadNotFound(NotFound):
    code = "payload_not_found"


class StillUnreadable(Conflict):
    code = "still_unreadable"


class UnknownWebhookToken(Unauthorized):
    code = "unknown_webhook_token"


@dataclass
class IntakeResult:
    payload_id: str
    state: str  # ingested | partial | quarantined | replayed
    accepted: int = 0
    duplicates: int = 0
    rejected: list[RejectedEvent] = field(default_factory=list)
    trackings: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


# --- webhook settings ---------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def configure_webhook(uow: UnitOfWork, merchant_id: str, carrier: str, signing_secret: str | None) -> str:
    """Set the signing secret for a carrier's pushes and issue a fresh URL token (shown once).

    Configuring again rotates the token: the old webhook URL stops working at once.
    """
    token = "cwh_" + secrets.token_urlsafe(24)
    now = utcnow()
    row = repository.webhook(uow, merchant_id, carrier)
    if row is None:
        row = CarrierWebhook(merchant_id=merchant_id, carrier=carrier, created_at=now)
        repository.add(uow, row)
    row.token_hash = _token_hash(token)
    row.signing_secret = signing_secret
    row.updated_at = now
    uow.flush()
    return token


def webhook_for_token(uow: UnitOfWork, carrier: str, token: str) -> CarrierWebhook:
    row = repository.webhook_by_token_hash(uow, carrier, _token_hash(token))
    if row is None:
        raise UnknownWebhookToken(f"no {carrier} webhook is set up with this token")
    return row


def webhook_settings(uow: UnitOfWork, merchant_id: str, carrier: str) -> CarrierWebhook | None:
    return repository.webhook(uow, merchant_id, carrier)


def verify_push(
    connector: Connector, settings: CarrierWebhook | None, body: bytes, headers: Mapping[str, str]
) -> None:
    """Check the sender's signature when it signs and the merchant gave the secret."""
    if connector.verify_webhook is None or settings is None or not settings.signing_secret:
        return
    connector.verify_webhook(
        body, {k.lower(): v for k, v in headers.items()}, settings.signing_secret, now=utcnow().timestamp()
    )


# --- reading and ingesting ----------------------------------------------------------------------


def read_safely(connector: Connector, body: bytes) -> Reading:
    """The connector's reading; a mapping bug becomes a message, never a 500."""
    try:
        return connector.read(body)
    except Exception as error:  # noqa: BLE001 - a mapping must never take the request down
        return Reading(messages=(Message("mapping_failed", f"{type(error).__name__}: {error}"),))


def unified_events(tracking: CarrierTracking, source: str) -> list[dict[str, Any]]:
    """The tracking's events in the shape ``POST /api/v1/tracking/events`` takes."""
    events = []
    for event in tracking.events:
        location = None
        if event.location is not None:
            place = event.location
            location = {
                key: value
                for key, value in (
                    ("city", _cut(place.city, 120)),
                    ("region", _cut(place.region, 120)),
                    ("postal_code", _cut(place.postal_code, 20)),
                    ("country", place.country),
                    ("latitude", place.latitude),
                    ("longitude", place.longitude),
                    ("timezone", place.timezone),
                )
                if value is not None
            } or None
        events.append(
            {
                key: value
                for key, value in (
                    ("tracking_number", tracking.tracking_number),
                    ("carrier", tracking.carrier),
                    ("event_id", _cut(event.event_id, 128)),
                    ("occurred_at", event.occurred_at.isoformat()),
                    ("time_precision", event.time_precision if event.time_precision != "exact" else None),
                    ("status", str(event.status)),
                    ("reason", event.reason),
                    ("code", _cut(event.code, 64)),
                    ("description", _cut(event.description, 500)),
                    ("location", location),
                    ("source", source),
                )
                if value is not None
            }
        )
    return events


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value is not None else None


def receive_payload(
    uow: UnitOfWork,
    merchant_id: str,
    connector: Connector,
    body: bytes,
    *,
    channel: str,
    content_type: str | None,
    recycle_window: timedelta,
    received_at: datetime | None = None,
) -> IntakeResult:
    """Store the payload, read it, ingest its events; quarantine it when nothing can be read."""
    now = received_at or utcnow()
    payload = CarrierPayload(
        id=new_id("cpl"),
        merchant_id=merchant_id,
        carrier=connector.slug,
        channel=channel,
        content_type=(content_type or "")[:100] or None,
        body=body,
        state="quarantined",
        events_accepted=0,
        received_at=now,
    )
    repository.add(uow, payload)
    result = _ingest_reading(
        uow, merchant_id, connector, read_safely(connector, body), payload, now, recycle_window
    )
    uow.flush()
    return result


def _ingest_reading(
    uow: UnitOfWork,
    merchant_id: str,
    connector: Connector,
    reading: Reading,
    payload: CarrierPayload,
    now: datetime,
    recycle_window: timedelta,
) -> IntakeResult:
    messages = reading.all_messages()
    result = IntakeResult(payload_id=payload.id, state="quarantined", messages=messages)
    payload.messages = [m.as_dict() for m in messages]
    if not reading.readable:
        payload.state = "quarantined"
        payload.reason = _reason(messages) or "no tracking data could be read from the payload"
        return result
    events = [e for t in reading.trackings for e in unified_events(t, connector.slug)]
    for start in range(0, len(events), _INGEST_CHUNK):
        chunk = events[start : start + _INGEST_CHUNK]
        try:
            ingested = tracking_service.ingest_events(
                uow,
                merchant_id,
                chunk,
                received_at=now,
                recycle_window=recycle_window,
                max_batch=_INGEST_CHUNK,
            )
        except tracking_service.AllEventsRejected as error:
            result.rejected += [
                RejectedEvent.model_validate({**r, "index": start + r["index"]}) for r in error.details
            ]
            continue
        result.accepted += ingested.accepted
        result.duplicates += ingested.duplicates
        result.rejected += [r.model_copy(update={"index": start + r.index}) for r in ingested.rejected]
    result.trackings = [t.tracking_number for t in reading.trackings]
    _count_unknown_codes(uow, merchant_id, reading, now)
    _record_carrier_estimates(uow, merchant_id, reading, now)
    unread = [m for m in messages if m.code in _UNREAD]
    if unread or result.rejected:
        payload.state = "partial"
        parts = [_reason(unread)] if unread else []
        if result.rejected:
            parts.append(f"{len(result.rejected)} event(s) refused by ingest: {result.rejected[0].message}")
        payload.reason = "; ".join(p for p in parts if p)
    else:
        payload.state = "ingested"
        payload.reason = None
    payload.events_accepted += result.accepted
    result.state = payload.state
    return result


def _reason(messages: Sequence[Message]) -> str | None:
    if not messages:
        return None
    first = messages[0]
    more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    return f"{first.code}: {first.text}{more}"


def _record_carrier_estimates(uow: UnitOfWork, merchant_id: str, reading: Reading, now: datetime) -> None:
    """Keep the carriers' delivery estimates on the parcels they are for (each change once)."""
    promised = [t for t in reading.trackings if t.estimated_delivery is not None]
    if not promised:
        return
    parcels = tracking_parcels.parcels_for_tracking_numbers(
        uow, merchant_id, [t.tracking_number for t in promised]
    )
    # parcel -> (shipment, inbound shipment), for parcels whose carrier estimate changed
    moved: dict[str, tuple[str | None, str | None]] = {}
    for tracking in promised:
        estimate = tracking.estimated_delivery
        # The newest parcel with the number is the one travelling now (numbers are recycled).
        parcel = next(
            (
                p
                for p in parcels
                if p.tracking_number == tracking.tracking_number and p.carrier == tracking.carrier
            ),
            None,
        )
        if parcel is None or estimate is None:
            continue
        change = eta_service.record_estimate(
            uow,
            merchant_id,
            parcel.id,
            earliest=estimate.earliest,
            latest=estimate.latest,
            source=f"carrier:{tracking.carrier}",
            reason="the carrier's estimate",
            recorded_at=now,
        )
        if change is not None and parcel.state.status not in FINISHED_SHIPMENT_STATUSES:
            moved[parcel.id] = (parcel.shipment_id, parcel.inbound_shipment_id)
    # The carrier's word is one input of the promise: revise it now, and the shopper hears when it
    # moves later (each new window once); the first promise rode with "shipped".
    uow.record(
        *(CarrierEstimateChanged(merchant_id, pid, sid, now, iid) for pid, (sid, iid) in moved.items())
    )


def _count_unknown_codes(uow: UnitOfWork, merchant_id: str, reading: Reading, now: datetime) -> None:
    """Count each unknown carrier code, per merchant and carrier, with an example of its words."""
    seen: dict[tuple[str, str], tuple[int, str | None]] = {}
    for tracking in reading.trackings:
        unknown = {m.subject for m in tracking.messages if m.code == "unknown_code" and m.subject}
        for event in tracking.events:
            if event.code in unknown:
                count, example = seen.get((tracking.carrier, event.code), (0, None))
                seen[(tracking.carrier, event.code)] = (count + 1, example or event.description)
    for (carrier, code), (count, example) in sorted(seen.items()):
        row = repository.unknown_code(uow, merchant_id, carrier, code[:64])
        if row is None:
            repository.add(
                uow,
                UnknownCarrierCode(
                    merchant_id=merchant_id,
                    carrier=carrier,
                    code=code[:64],
                    example=_cut(example, 500),
                    seen=count,
                    first_seen_at=now,
                    last_seen_at=now,
                ),
            )
        else:
            row.seen += count
            row.last_seen_at = now


# --- the quarantine -----------------------------------------------------------------------------


def get_payload(uow: UnitOfWork, merchant_id: str, payload_id: str) -> CarrierPayload:
    row = repository.payload(uow, merchant_id, payload_id)
    if row is None:
        raise PayloadNotFound(f"no carrier payload {payload_id!r}")
    return row


def list_payloads(
    uow: UnitOfWork, merchant_id: str, *, states: Sequence[str], cursor: str | None, limit: int
) -> Page[CarrierPayload]:
    return repository.payload_page(uow, merchant_id, states=states, cursor=cursor, limit=limit)


def replay_payload(
    uow: UnitOfWork, merchant_id: str, payload_id: str, connector: Connector, *, recycle_window: timedelta
) -> IntakeResult:
    """Read a stored payload again with today's mapping and ingest what it now yields."""
    payload = get_payload(uow, merchant_id, payload_id)
    reading = read_safely(connector, payload.body)
    if not reading.readable:
        messages = reading.all_messages()
        raise StillUnreadable(
            f"payload {payload_id} still cannot be read: {_reason(messages) or 'no tracking data'}",
            details=[m.as_dict() for m in messages],
        )
    now = utcnow()
    result = _ingest_reading(uow, merchant_id, connector, reading, payload, now, recycle_window)
    if payload.state == "ingested":
        payload.state = result.state = "replayed"
    payload.replayed_at = now
    uow.flush()
    return result


def unknown_code_page(
    uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int
) -> Page[UnknownCarrierCode]:
    """Unknown codes by carrier, then code, a page at a time."""
    return repository.unknown_code_page(uow, merchant_id, cursor, limit)
