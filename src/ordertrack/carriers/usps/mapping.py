"""USPS Tracking API v3 JSON (``GET /tracking/v3/tracking/{number}``) read into a :class:`Reading`.

The response is one tracking object (a list of them from the batch endpoint) with its scans in
``trackingEvents``, newest first. Each scan has ``eventTimestamp`` as the local wall-clock time
without an offset, and ``GMTOffset`` beside it (plus ``GMTTimestamp`` in UTC): the offset is the
one USPS measured at the scan, so it is preferred to any zone we could infer from the state.
A scan with neither (``GMTOffset`` left out, a foreign or placeless scan) is kept, placed by
``scan_times.place_scan_times`` (the parcel's other scans, else the country's principal zone) and
marked approximate.
Field names: USPS Tracking 3.0 OpenAPI (https://developers.usps.com/trackingv3).

Errors come in two shapes: the API's ``{"error": {"code", "message", "errors": [...]}}`` and the
OAuth server's RFC 6749 ``{"error": "invalid_client", "error_description": ...}``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ordertrack.carriers.reading import (
    CarrierEvent,
    CarrierTracking,
    EstimatedDelivery,
    Location,
    Message,
    Notes,
    Reading,
    dig,
    items,
    location,
    sorted_events,
    text,
    tracking_number,
)
from ordertrack.carriers.scan_times import (
    UnplacedScan,
    UnplacedTime,
    parse_day,
    parse_local_time,
    parse_offset,
    parse_scan_time,
    place_scan_times,
    scan_at,
)
from ordertrack.carriers.usps.codes import USPS_CODES

CARRIER = "usps"

# USPS names its plants "<CITY> <ST> DISTRIBUTION CENTER" (or "NETWORK DISTRIBUTION CENTER")
# and leaves eventState empty on those scans; the state in the name still places them.
_FACILITY = re.compile(
    r"^(?P<city>.+?)\s+(?P<state>[A-Z]{2})\s+(?:NETWORK\s+|REGIONAL\s+)?(?:DISTRIBUTION|PROCESSING)\b.*$"
)
_TAG = re.compile(r"<[^>]*>")


def read(payload: bytes) -> Reading:
    """Everything one USPS tracking response says; never raises."""
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        return Reading(messages=(Message("unreadable_payload", f"not JSON: {error}"),))
    notes = Notes()
    refusal = _error_message(document)
    if refusal is not None:
        return Reading(messages=(refusal,))
    trackings = []
    for index, entry in enumerate(items(document)):
        where = f"[{index}]" if isinstance(document, list) else "$"
        found = _tracking(entry, where, notes)
        if found is not None:
            trackings.append(found)
    if not trackings and not notes.messages:
        notes.add("unreadable_payload", "no USPS tracking object in the payload")
    return Reading(trackings=tuple(trackings), messages=notes.freeze())


def _error_message(document: Any) -> Message | None:
    """The error a USPS error body reports, or None for a tracking response."""
    if not isinstance(document, Mapping) or "error" not in document:
        return None
    error = document["error"]
    if isinstance(error, str) or "error_description" in document:
        # RFC 6749 section 5.2: only the OAuth server answers with a bare error code.
        said = text(document.get("error_description")) or text(error) or "authorisation refused"
        return Message("auth_error", f"USPS refused the credentials: {said}", "error")
    details = [d for d in items(dig(error, "errors")) if isinstance(d, Mapping)]
    statuses = {text(d.get("status")) for d in details} | {text(dig(error, "code"))}
    words = [text(dig(error, "message")), *(text(d.get("detail")) or text(d.get("title")) for d in details)]
    said = "; ".join(w for w in words if w) or "USPS answered with an error and no detail"
    if statuses & {"404"} or "not found" in said.lower():
        return Message("not_found", said, "error")
    if statuses & {"401", "403"}:
        return Message("auth_error", said, "error")
    return Message("carrier_error", said, "error")


def _tracking(entry: Any, where: str, reading_notes: Notes) -> CarrierTracking | None:
    number = tracking_number(dig(entry, "trackingNumber"))
    if number is None:
        reading_notes.add(
            "missing_tracking_number", "a tracking object without a usable trackingNumber", where
        )
        return None
    notes = Notes()
    scans: list[CarrierEvent | UnplacedScan] = []
    signed_by = None
    raw_events = dig(entry, "trackingEvents")
    if raw_events is not None and not isinstance(raw_events, list):
        notes.add("bad_field", "trackingEvents is not a list", f"{where}.trackingEvents")
    for index, raw in enumerate(items(raw_events)):
        scan = _event(raw, f"{where}.trackingEvents[{index}]", notes)
        if scan is None:
            continue
        scans.append(scan)
        if (scan.event if isinstance(scan, UnplacedScan) else scan).status == "delivered":
            signed_by = (
                signed_by or text(dig(raw, "name")) or text(dig(raw, "firm")) or text(dig(raw, "firmName"))
            )
    return CarrierTracking(
        tracking_number=number,
        carrier=CARRIER,
        events=sorted_events(place_scan_times(scans)),
        estimated_delivery=_estimated_delivery(entry, where, notes),
        signed_by=signed_by,
        service=_plain(dig(entry, "mailClass")),
        messages=notes.freeze(),
    )


def _event(raw: Any, where: str, notes: Notes) -> CarrierEvent | UnplacedScan | None:
    if not isinstance(raw, Mapping):
        notes.add("bad_event", "a tracking event that is not an object", where)
        return None
    place = _place(raw)
    occurred_at = _occurred_at(raw, where, notes, place)
    if occurred_at is None:
        return None
    code = text(raw.get("eventCode"))
    description = text(raw.get("eventType"))
    status, reason = USPS_CODES.lookup(code, notes, where, description)
    return scan_at(occurred_at, status, reason, code, description, place)


def _occurred_at(
    raw: Mapping[str, Any], where: str, notes: Notes, place: Location | None
) -> datetime | UnplacedTime | None:
    """Local time at the offset USPS gives; from the UTC stamp when only that is readable."""
    if text(raw.get("eventTimestamp")) is None and text(raw.get("GMTTimestamp")) is not None:
        instant = parse_local_time(notes, f"{where}.GMTTimestamp", raw.get("GMTTimestamp"), offset="+00:00")
        if instant is None:
            return None
        offset = parse_offset(raw.get("GMTOffset"))
        if offset is not None:
            return instant.astimezone(offset)
        return instant.astimezone(ZoneInfo(place.timezone)) if place and place.timezone else instant
    return parse_scan_time(
        notes, f"{where}.eventTimestamp", raw.get("eventTimestamp"), offset=raw.get("GMTOffset"), place=place
    )


def _place(raw: Mapping[str, Any]) -> Location | None:
    city, state = text(raw.get("eventCity")), text(raw.get("eventState"))
    if city is not None and state is None:
        facility = _FACILITY.match(city.upper())
        if facility is not None:
            city, state = facility["city"], facility["state"]
    country = text(raw.get("eventCountry"))
    if country is None and (state is not None or text(raw.get("eventZIP")) is not None):
        country = "US"  # a domestic scan: USPS fills eventCountry only abroad
    return location(city=city, region=state, postal_code=raw.get("eventZIP"), country=country)


def _estimated_delivery(entry: Any, where: str, notes: Notes) -> EstimatedDelivery | None:
    """The promise USPS makes: expected (service standard) before predicted, as USPS.com shows."""
    for field in ("expectedDeliveryTimeStamp", "expectedDeliveryDate", "guaranteedDeliveryDate"):
        day = parse_day(notes, f"{where}.{field}", dig(entry, field))
        if day is not None:
            return EstimatedDelivery(day, day)
    day = parse_day(notes, f"{where}.predictedDeliveryDate", dig(entry, "predictedDeliveryDate"))
    if day is None:
        return None
    start = _window_time(day.isoformat(), dig(entry, "predictedDeliveryWindowStartTime"))
    end = _window_time(day.isoformat(), dig(entry, "predictedDeliveryWindowEndTime"))
    return EstimatedDelivery(day, day, start, end)


def _window_time(day: str, value: object) -> datetime | None:
    """A window bound; only kept when it carries its own offset (no zone is given for it)."""
    raw = text(value)
    if raw is None:
        return None
    for candidate in (raw, f"{day}T{raw}"):
        try:
            parsed = datetime.fromisoformat(candidate.replace("Z", "+00:00"))
        except ValueError:
            continue
        return parsed if parsed.tzinfo is not None else None
    return None


def _plain(value: object) -> str | None:
    """USPS marks up its product names (``Priority Mail<SUP>&#174;</SUP>``); keep the words and marks."""
    raw = text(value)
    if raw is None:
        return None
    return text(html.unescape(_TAG.sub("", raw)))
