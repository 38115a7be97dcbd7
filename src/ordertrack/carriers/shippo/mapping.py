"""Shippo payloads -> what they say: pure, never raises.

Reads a Track object (``carrier``, ``tracking_number``, ``tracking_status``,
``tracking_history[]``, ``eta``, ``servicelevel``; https://docs.goshippo.com/shippoapi/public-api/tracks)
and the webhook body ``{"event": "track_updated", "data": {Track}}``
(https://docs.goshippo.com/docs/tracking/webhooks). Shippo's error bodies (Django REST style
``{"detail": ...}`` or ``{"<field>": ["..."]}``, or an HTML "Not Found" page) become messages.

Times: ``status_date`` is ISO 8601 with ``Z``. As with EasyPost we keep the instant and show
it in the scan place's zone when ``location()`` infers one; otherwise it stays UTC. A
``status_date`` without its ``Z`` or any offset is kept, read on the scan place's clock
(``scan_times.place_scan_times``), and marked approximate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from ordertrack.carriers.codes import Meaning
from ordertrack.carriers.reading import (
    CarrierEvent,
    CarrierTracking,
    EstimatedDelivery,
    Location,
    Message,
    Notes,
    Reading,
    dig,
    location,
    sorted_events,
    text,
    tracking_number,
)
from ordertrack.carriers.scan_times import UnplacedScan, parse_day, parse_scan_time, place_scan_times, scan_at
from ordertrack.carriers.shippo.codes import STATUSES, SUBSTATUSES, carrier_slug
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES
from ordertrack.tracking.schemas import zone


def read(payload: bytes) -> Reading:
    """Everything one Shippo payload says; a broken one gives messages, never an exception."""
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError, TypeError) as error:
        if _looks_like_not_found(payload):
            return Reading(messages=(Message("not_found", "Shippo answered with a Not Found page"),))
        return Reading(messages=(Message("unreadable_payload", f"Shippo payload is not JSON: {error}"),))
    notes = Notes()
    tracking = _read_document(document, notes)
    return Reading(trackings=(tracking,) if tracking else (), messages=notes.freeze())


def _looks_like_not_found(payload: bytes) -> bool:
    head = payload[:2000].decode("utf-8", "replace").lower()
    return head.lstrip().startswith("<") and "not found" in head


def _read_document(document: object, notes: Notes) -> CarrierTracking | None:
    if not isinstance(document, Mapping):
        notes.add("unsupported_object", f"expected a JSON object, got {type(document).__name__}")
        return None
    if "event" in document and "data" in document:
        event = text(document.get("event"))
        if event != "track_updated":
            notes.add("unsupported_object", f"Shippo webhook event {event!r} is not track_updated", "event")
            return None
        return _read_track(document.get("data"), "data", notes)
    if "tracking_number" in document and ("tracking_status" in document or "tracking_history" in document):
        return _read_track(document, "$", notes)
    if "detail" in document:
        _read_detail_error(text(document.get("detail")) or "Shippo answered with an error", notes)
        return None
    if document and all(isinstance(v, list) for v in document.values()):
        said = "; ".join(f"{k}: {' '.join(filter(None, map(text, v)))}" for k, v in document.items())
        notes.add("carrier_error", said)
        return None
    notes.add("unsupported_object", "not a Shippo Track or track_updated webhook body")
    return None


def _read_detail_error(said: str, notes: Notes) -> None:
    lowered = said.lower()
    if "not found" in lowered:
        notes.add("not_found", said, "detail")
    elif "credential" in lowered or "authenticat" in lowered or "token" in lowered:
        notes.add("auth_error", said, "detail")
    else:
        notes.add("carrier_error", said, "detail")


def _read_track(track: object, where: str, notes: Notes) -> CarrierTracking | None:
    if not isinstance(track, Mapping):
        notes.add("unsupported_object", "the Track is not an object", where)
        return None
    number = tracking_number(track.get("tracking_number"))
    if number is None:
        notes.add(
            "missing_tracking_number", f"no usable tracking_number in {track.get('tracking_number')!r}", where
        )
        return None
    own = Notes()
    history = track.get("tracking_history")
    if history is not None and not isinstance(history, list):
        own.add("unsupported_object", "tracking_history is not a list", f"{where}.tracking_history")
        history = []
    scans: list[CarrierEvent | UnplacedScan] = []
    for index, entry in enumerate(history or []):
        scan = _read_status(entry, f"{where}.tracking_history[{index}]", own)
        if scan is not None:
            scans.append(scan)
    # tracking_status is the newest status; it repeats the last history entry (under another
    # object_id), so it only adds an event when the history does not already hold it.
    current = track.get("tracking_status")
    latest = _read_status(current, f"{where}.tracking_status", own) if isinstance(current, Mapping) else None
    # A status's offset is UTC's unless _shown_at put it in its place's zone.
    placed = place_scan_times([*scans, latest] if latest is not None else scans, offsets_are_local=False)
    events = placed[: len(scans)]
    if latest is not None and not any(_same(placed[-1], known) for known in events):
        events.append(placed[-1])
    return CarrierTracking(
        tracking_number=number,
        carrier=carrier_slug(text(track.get("carrier"))),
        events=sorted_events(events),
        estimated_delivery=_estimated_delivery(track.get("eta"), f"{where}.eta", own),
        service=text(dig(track, "servicelevel", "name")),
        messages=own.freeze(),
    )


def _same(a: CarrierEvent, b: CarrierEvent) -> bool:
    return (a.occurred_at, a.code, a.description) == (b.occurred_at, b.code, b.description)


def _read_status(entry: object, where: str, notes: Notes) -> CarrierEvent | UnplacedScan | None:
    if not isinstance(entry, Mapping):
        notes.add("unsupported_object", "a tracking status is not an object", where)
        return None
    instant = parse_scan_time(notes, f"{where}.status_date", entry.get("status_date"))
    if instant is None:
        return None
    code = text(entry.get("status"))
    substatus = text(dig(entry, "substatus", "code"))
    details = text(entry.get("status_details"))
    status, reason = _meaning(code, substatus, where, details, notes)
    place = _location(entry.get("location"))
    return scan_at(
        _shown_at(instant, place) if isinstance(instant, datetime) else instant,
        status=status,
        reason=reason,
        code=f"{code}/{substatus}" if code and substatus else code,
        description=details or text(dig(entry, "substatus", "text")),
        location=place,
        event_id=text(entry.get("object_id")),
    )


def _meaning(
    code: str | None, substatus: str | None, where: str, details: str | None, notes: Notes
) -> Meaning:
    status, reason = STATUSES.lookup(code, notes, f"{where}.status", details)
    if substatus is None:
        return status, reason
    if SUBSTATUSES.meaning(substatus) is None:
        SUBSTATUSES.lookup(substatus, notes, f"{where}.substatus.code", details)  # notes unknown_code
        return status, reason
    refined_status, refined_reason = SUBSTATUSES.lookup(substatus, notes, f"{where}.substatus.code")
    if status in FINISHED_SHIPMENT_STATUSES:
        return status, refined_reason or reason
    return refined_status, refined_reason or reason


def _location(value: object) -> Location | None:
    if not isinstance(value, Mapping):
        return None
    return location(
        city=value.get("city"),
        region=value.get("state"),
        postal_code=value.get("zip"),
        country=value.get("country"),
    )


def _shown_at(instant: datetime, place: Location | None) -> datetime:
    if place is None or place.timezone is None:
        return instant
    return instant.astimezone(zone(place.timezone))


def _estimated_delivery(eta: object, where: str, notes: Notes) -> EstimatedDelivery | None:
    # eta: "2016-12-08T00:00:00Z", a day written as midnight UTC; its day is the estimate.
    day = parse_day(notes, where, eta)
    return EstimatedDelivery(earliest=day, latest=day) if day else None
