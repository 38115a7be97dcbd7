"""DHL Shipment Tracking - Unified (``GET /track/shipments``) read into a :class:`Reading`.

Field names and meanings: the Unified API reference, https://developer.dhl.com/api-reference/shipment-tracking.
Each of ``shipments[]`` has its events in ``events[]`` (newest first) and the latest one again in
``status``. Event ``timestamp`` is ISO 8601 and, for several DHL businesses, local time without an
offset; the zone then comes from the event's ``location.address`` (country, which for most of
DHL's countries names one zone). An event in a country of several clocks (Russia, Spain with
the Canaries) or without an address is kept, placed by ``scan_times.place_scan_times`` (the
parcel's other scans, else the country's principal zone) and marked approximate. Errors are RFC 7807 problem
documents (``status``, ``title``, ``detail``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ordertrack.carriers.dhl.codes import DHL_CODES
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
    number,
    sorted_events,
    text,
    tracking_number,
)
from ordertrack.carriers.scan_times import (
    UnplacedScan,
    parse_day,
    parse_local_time,
    parse_scan_time,
    place_scan_times,
    scan_at,
)

CARRIER = "dhl"


def read(payload: bytes) -> Reading:
    """Everything one Unified tracking response says; never raises."""
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        return Reading(messages=(Message("unreadable_payload", f"not JSON: {error}"),))
    if not isinstance(document, Mapping):
        return Reading(messages=(Message("unreadable_payload", "not a DHL tracking response object"),))
    if "shipments" not in document:
        problem = _problem(document)
        if problem is not None:
            return Reading(messages=(problem,))
        return Reading(messages=(Message("unreadable_payload", "no shipments in the payload"),))
    notes = Notes()
    shipments = document["shipments"]
    if not isinstance(shipments, list):
        notes.add("bad_field", "shipments is not a list", "shipments")
    trackings = []
    for index, shipment in enumerate(items(shipments)):
        found = _tracking(shipment, f"shipments[{index}]", notes)
        if found is not None:
            trackings.append(found)
    return Reading(trackings=tuple(trackings), messages=notes.freeze())


def _problem(document: Mapping[str, Any]) -> Message | None:
    """An RFC 7807 problem document as a message; None when the body is not one."""
    status = number(document.get("status"))
    said = "; ".join(w for w in (text(document.get("title")), text(document.get("detail"))) if w)
    if status is None and not said:
        return None
    said = said or f"DHL answered with status {status:.0f}"
    if status == 404:
        return Message("not_found", said, "status")
    if status in (401, 403):
        return Message("auth_error", said, "status")
    return Message("carrier_error", said, "status")


def _tracking(shipment: Any, where: str, reading_notes: Notes) -> CarrierTracking | None:
    identifier = tracking_number(dig(shipment, "id"))
    if identifier is None:
        reading_notes.add("missing_tracking_number", "a shipment without a usable id", where)
        return None
    notes = Notes()
    raw_events = dig(shipment, "events")
    if raw_events is not None and not isinstance(raw_events, list):
        notes.add("bad_field", "events is not a list", f"{where}.events")
    listed = [(f"{where}.events[{i}]", raw) for i, raw in enumerate(items(raw_events))]
    if not listed and isinstance(dig(shipment, "status"), Mapping):
        # Some DHL businesses answer with the latest status only; it is then the one event known.
        listed = [(f"{where}.status", shipment["status"])]
    scans = [e for path, raw in listed if (e := _event(raw, path, notes)) is not None]
    pod = dig(shipment, "details", "proofOfDelivery")
    return CarrierTracking(
        tracking_number=identifier,
        carrier=CARRIER,
        events=sorted_events(place_scan_times(scans)),
        estimated_delivery=_estimated_delivery(shipment, where, notes),
        signed_by=_person(dig(pod, "signed")),
        proof_of_delivery=_url(dig(pod, "documentUrl")) or _url(dig(pod, "signatureUrl")),
        service=_service(shipment),
        messages=notes.freeze(),
    )


def _event(raw: Any, where: str, notes: Notes) -> CarrierEvent | UnplacedScan | None:
    if not isinstance(raw, Mapping):
        notes.add("bad_event", "an event that is not an object", where)
        return None
    place = _place(dig(raw, "location", "address"))
    occurred_at = parse_scan_time(notes, f"{where}.timestamp", raw.get("timestamp"), place=place)
    if occurred_at is None:
        return None
    code = text(raw.get("statusCode"))
    description = text(raw.get("description")) or text(raw.get("status"))
    status, reason = DHL_CODES.lookup(code, notes, where, description)
    return scan_at(occurred_at, status, reason, code, description, place)


def _place(address: Any) -> Location | None:
    """``addressLocality`` sometimes carries the street before the town (``Oderweg 2, AMSTERDAM``)."""
    locality = text(dig(address, "addressLocality"))
    city = locality.rsplit(",", 1)[-1] if locality else None
    return location(
        city=city,
        region=dig(address, "addressRegion"),
        postal_code=dig(address, "postalCode"),
        country=dig(address, "countryCode"),
    )


def _estimated_delivery(shipment: Any, where: str, notes: Notes) -> EstimatedDelivery | None:
    """The time frame when DHL gives one, else the single estimated time of delivery."""
    frame = dig(shipment, "estimatedDeliveryTimeFrame")
    start = parse_local_time(Notes(), where, dig(frame, "estimatedFrom"))
    end = parse_local_time(Notes(), where, dig(frame, "estimatedThrough"))
    if start is not None and end is not None and start <= end:
        return EstimatedDelivery(start.date(), end.date(), start, end)
    day = parse_day(notes, f"{where}.estimatedTimeOfDelivery", dig(shipment, "estimatedTimeOfDelivery"))
    return EstimatedDelivery(day, day) if day is not None else None


def _person(person: Any) -> str | None:
    """A schema.org Person: its ``name``, else given and family names together."""
    name = text(dig(person, "name"))
    if name is not None:
        return name
    parts = [text(dig(person, "givenName")), text(dig(person, "familyName"))]
    return " ".join(p for p in parts if p) or None


def _url(value: object) -> str | None:
    raw = text(value)
    return raw if raw is not None and raw.lower().startswith(("https://", "http://")) else None


def _service(shipment: Any) -> str | None:
    """The product name, unless DHL itself says it does not know it; then the DHL business."""
    product = text(dig(shipment, "details", "product", "productName"))
    if product is not None and not product.upper().startswith("UNKNOWN"):
        return product
    return text(dig(shipment, "service"))
