"""FedEx Track API responses read into ordertrack's unified events: pure, never raises.

Shape (https://developer.fedex.com/api/en-us/catalog/track/v1/docs.html): results are
``output.completeTrackResults[].trackResults[]`` with ``scanEvents[]``; a refused request is
``errors[]``; a number FedEx does not know is a track result holding only ``error``.
Scan times are ISO 8601 with the scan's own UTC offset. One without it is read on the scan
location's clock; when the location names no zone it is kept, placed by
``scan_times.place_scan_times`` and marked approximate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ordertrack.carriers.fedex import codes
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
    parse_day,
    parse_local_time,
    parse_scan_time,
    place_scan_times,
    scan_at,
)
from ordertrack.statuses import EventStatus

CARRIER = "fedex"
EXPLAINED = frozenset({EventStatus.exception, EventStatus.failed_attempt, EventStatus.returning})


def read(payload: bytes) -> Reading:
    """Everything one FedEx Track API response says."""
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        return Reading(messages=(Message("unreadable_payload", f"not JSON: {error}"),))
    if not isinstance(document, Mapping):
        return Reading(messages=(Message("unreadable_payload", "the document is not a JSON object"),))
    notes = Notes()
    if document.get("errors") is not None:
        for e, refusal in enumerate(items(document.get("errors"))):
            _error(notes, refusal, f"errors[{e}]")
        return Reading(messages=notes.freeze())
    results = dig(document, "output", "completeTrackResults")
    if not isinstance(results, list):
        return Reading(messages=(Message("unreadable_payload", "no output.completeTrackResults[]"),))
    trackings: list[CarrierTracking] = []
    for c, complete in enumerate(results):
        for r, result in enumerate(items(dig(complete, "trackResults"))):
            where = f"output.completeTrackResults[{c}].trackResults[{r}]"
            tracking = _read_result(notes, result, dig(complete, "trackingNumber"), where)
            if tracking is not None:
                trackings.append(tracking)
    return Reading(trackings=tuple(trackings), messages=notes.freeze())


def _read_result(notes: Notes, result: object, asked: object, where: str) -> CarrierTracking | None:
    if not isinstance(result, Mapping):
        notes.add("bad_value", "a track result is not an object", where)
        return None
    scans = items(result.get("scanEvents"))
    if result.get("error") is not None and not scans:
        _error(notes, result.get("error"), f"{where}.error")
        return None
    number = tracking_number(dig(result, "trackingNumberInfo", "trackingNumber")) or tracking_number(asked)
    if number is None:
        notes.add("missing_field", "a track result without a tracking number", where)
        return None
    own = Notes()
    if result.get("error") is not None:
        _error(own, result.get("error"), f"{where}.error")
    read_scans = [
        event for s, scan in enumerate(scans) if (event := _read_scan(own, scan, f"{where}.scanEvents[{s}]"))
    ]
    events = place_scan_times(read_scans)
    details = result.get("deliveryDetails")
    destination = _address(dig(result, "destinationLocation", "locationContactAndAddress", "address"))
    images = {text(dig(image, "type")) for image in items(result.get("availableImages"))}
    return CarrierTracking(
        tracking_number=number,
        carrier=CARRIER,
        events=sorted_events(events),
        estimated_delivery=_estimated_delivery(own, result, destination, where),
        signed_by=text(dig(details, "signedByName")) or text(dig(details, "receivedByName")),
        # FedEx serves a signature proof of delivery (SPOD) on request when it has one.
        proof_of_delivery="fedex:SIGNATURE_PROOF_OF_DELIVERY"
        if "SIGNATURE_PROOF_OF_DELIVERY" in images
        else None,
        service=text(dig(result, "serviceDetail", "description")),
        messages=own.freeze(),
    )


def _read_scan(notes: Notes, scan: object, where: str) -> CarrierEvent | UnplacedScan | None:
    if not isinstance(scan, Mapping):
        notes.add("bad_value", "a scan event is not an object", where)
        return None
    place = _address(scan.get("scanLocation"))
    occurred_at = parse_scan_time(notes, f"{where}.date", scan.get("date"), place=place)
    if occurred_at is None:
        return None
    code = text(scan.get("eventType")) or text(scan.get("derivedStatusCode"))
    description = text(scan.get("eventDescription")) or text(scan.get("derivedStatus"))
    status, reason = codes.EVENT_CODES.lookup(code, notes, f"{where}.eventType", description)
    if status in EXPLAINED and reason in (None, "delayed"):
        # delayDetail says why FedEx is late; it refines a bare "delay" code.
        reason = codes.DELAY_REASONS.get((text(dig(scan, "delayDetail", "type")) or "").upper(), reason)
    return scan_at(
        occurred_at,
        status=status,
        reason=reason,
        code=code,
        description=description,
        location=place,
    )


def _address(address: object) -> Location | None:
    return location(
        city=dig(address, "city"),
        region=dig(address, "stateOrProvinceCode"),
        postal_code=dig(address, "postalCode"),
        country=dig(address, "countryCode"),
    )


def _estimated_delivery(
    notes: Notes, result: Mapping[str, Any], destination: Location | None, where: str
) -> EstimatedDelivery | None:
    """The estimate window, else an ESTIMATED_DELIVERY date, else the standard transit window."""
    for key in ("estimatedDeliveryTimeWindow", "standardTransitTimeWindow"):
        window = dig(result, key, "window")
        begins, ends = dig(window, "begins"), dig(window, "ends")
        first = parse_day(notes, f"{where}.{key}.window.begins", begins)
        last = parse_day(notes, f"{where}.{key}.window.ends", ends)
        if first is None and last is None:
            continue
        earliest, latest = first or last, last or first
        assert earliest is not None and latest is not None
        if latest < earliest:
            notes.add("bad_date", f"{key} ends before it begins", f"{where}.{key}")
            continue
        return EstimatedDelivery(
            earliest=earliest,
            latest=latest,
            earliest_time=parse_local_time(notes, f"{where}.{key}.window.begins", begins, place=destination)
            if begins
            else None,
            latest_time=parse_local_time(notes, f"{where}.{key}.window.ends", ends, place=destination)
            if ends
            else None,
        )
    for d, entry in enumerate(items(result.get("dateAndTimes"))):
        if text(dig(entry, "type")) == "ESTIMATED_DELIVERY":
            day = parse_day(notes, f"{where}.dateAndTimes[{d}].dateTime", dig(entry, "dateTime"))
            if day is not None:
                return EstimatedDelivery(earliest=day, latest=day)
    return None


def _error(notes: Notes, error: object, where: str) -> None:
    code = text(dig(error, "code")) or ""
    said = text(dig(error, "message")) or "no message"
    if "NOTFOUND" in code.replace(".", "").upper():
        kind = "not_found"
    elif "AUTH" in code.upper() or "LOGIN" in code.upper():
        # NOT.AUTHORIZED.ERROR, LOGIN.REAUTHENTICATE.ERROR (Track API error codes).
        kind = "auth_error"
    else:
        kind = "carrier_error"
    notes.add(kind, f"FedEx {code or 'error'}: {said}", where)
