"""Royal Mail Tracking API v2 JSON read into ordertrack's reading model.

API reference: Royal Mail Tracking API v2 (developer.royalmail.net), operations "events"
(``GET /mailpieces/v2/{mailPieceId}/events``: one ``mailPieces`` object with its full event
history) and "summary" (``GET /mailpieces/v2/summary``: a ``mailPieces`` list, each with only
its last event in ``summary`` and possibly its own ``error``). Failures come back as
``{httpCode, httpMessage, errors: [{errorCode, errorDescription, errorCause, errorResolution}]}``.
"""

from __future__ import annotations

import json
import re
from typing import Any

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
from ordertrack.carriers.royalmail.codes import CODES
from ordertrack.carriers.scan_times import parse_day, parse_local_time

CARRIER = "royalmail"

# Links in a reply are relative to the API's host (Tracking API v2 reference, "links").
API_ROOT = "https://api.royalmail.net"

# Royal Mail carries inside the UK; a location name without a country is British, and a time
# without an offset is UK local time.
HOME_COUNTRY = "GB"

_NOT_FOUND = re.compile(r"not (been )?(found|recognised|recognized)|no (tracking|information)", re.IGNORECASE)


def read(payload: bytes) -> Reading:
    """What one Royal Mail tracking reply says; never raises."""
    try:
        document = json.loads(payload)
    except (ValueError, TypeError, RecursionError) as problem:
        return Reading(messages=(Message("unreadable_payload", f"not a JSON document: {problem}"),))
    if not isinstance(document, dict):
        return Reading(messages=(Message("unreadable_payload", "the reply is not a JSON object"),))
    notes = Notes()
    for index, fault in enumerate(items(document.get("errors"))):
        notes.add(*_error_message(fault, document.get("httpCode"), f"errors[{index}]"))
    if "errors" in document and not notes.messages:
        notes.add(_kind(document.get("httpCode"), None), _said(document), "errors")
    trackings = []
    for index, piece in enumerate(items(document.get("mailPieces"))):
        where = f"mailPieces[{index}]" if isinstance(document.get("mailPieces"), list) else "mailPieces"
        if not isinstance(piece, dict):
            notes.add(
                "bad_mail_piece", f"a mail piece should be an object, not {type(piece).__name__}", where
            )
            continue
        tracking = _tracking(piece, where, notes)
        if tracking is not None:
            trackings.append(tracking)
    if "mailPieces" not in document and "errors" not in document:
        notes.add("unreadable_payload", "neither mailPieces nor errors in the reply")
    return Reading(trackings=tuple(trackings), messages=notes.freeze())


def _tracking(piece: dict[str, Any], where: str, reading_notes: Notes) -> CarrierTracking | None:
    summary = piece.get("summary")
    number = next(
        filter(
            None,
            (
                tracking_number(piece.get("mailPieceId")),
                tracking_number(dig(summary, "uniqueItemId")),
                tracking_number(dig(summary, "oneDBarcode")),
            ),
        ),
        None,
    )
    error = piece.get("error")
    if isinstance(error, dict):
        # A summary reply reports a bad number beside the good ones, on the piece itself.
        code, said, _ = _error_message(error, None, f"{where}.error")
        reading_notes.add(code, f"{number or 'mail piece'}: {said}", f"{where}.error")
    if number is None:
        if not isinstance(error, dict):
            reading_notes.add(
                "missing_tracking_number", "mail piece without a usable id", f"{where}.mailPieceId"
            )
        return None
    if isinstance(error, dict) and "events" not in piece and not isinstance(summary, dict):
        return None
    notes = Notes()
    if "events" in piece:
        events = [
            _event(raw, f"{where}.events[{i}]", notes)
            for i, raw in enumerate(items(piece.get("events")))
            if isinstance(raw, dict)
        ]
    else:
        # The summary operation gives no history, only the last event, in ``summary``.
        events = [_summary_event(summary, f"{where}.summary", notes)] if isinstance(summary, dict) else []
    signature = piece.get("signature")
    return CarrierTracking(
        tracking_number=number,
        carrier=CARRIER,
        events=sorted_events(e for e in events if e is not None),
        estimated_delivery=_estimated_delivery(
            piece.get("estimatedDelivery"), f"{where}.estimatedDelivery", notes
        ),
        signed_by=text(dig(signature, "recipientName")),
        proof_of_delivery=_proof_of_delivery(piece, number) if _has_signature(signature) else None,
        service=text(dig(summary, "productName")),
        messages=notes.freeze(),
    )


def _event(raw: dict[str, Any], where: str, notes: Notes) -> CarrierEvent | None:
    return _scan(
        code=text(raw.get("eventCode")),
        name=text(raw.get("eventName")),
        when=raw.get("eventDateTime"),
        place=raw.get("locationName"),
        where=where,
        notes=notes,
    )


def _summary_event(summary: dict[str, Any], where: str, notes: Notes) -> CarrierEvent | None:
    if not any(summary.get(key) for key in ("lastEventCode", "lastEventDateTime")):
        return None
    return _scan(
        code=text(summary.get("lastEventCode")),
        name=text(summary.get("lastEventName")),
        when=summary.get("lastEventDateTime"),
        place=summary.get("lastEventLocationName"),
        where=where,
        notes=notes,
    )


def _scan(
    *, code: str | None, name: str | None, when: object, place: object, where: str, notes: Notes
) -> CarrierEvent | None:
    scan_place = _location(place)
    occurred_at = parse_local_time(notes, f"{where}.eventDateTime", when, place=scan_place or _home())
    if occurred_at is None:
        return None
    status, reason = CODES.lookup(code, notes, f"{where}.eventCode", name)
    return CarrierEvent(
        occurred_at=occurred_at,
        status=status,
        reason=reason,
        code=code,
        description=name,
        location=scan_place,
    )


def _location(name: object) -> Location | None:
    """Royal Mail names the office (``Stafford DO``, ``Chester MC``), kept whole as the place name."""
    place = text(name)
    return location(city=place, country=HOME_COUNTRY) if place else None


def _home() -> Location | None:
    return location(country=HOME_COUNTRY)


def _estimated_delivery(raw: object, where: str, notes: Notes) -> EstimatedDelivery | None:
    if not isinstance(raw, dict):
        return None
    day = parse_day(notes, f"{where}.date", raw.get("date"))
    if day is None:
        return None
    # The window is a time of day with its offset ("08:00:00+01:00") on the estimated date.
    times = []
    for field in ("startOfEstimatedWindow", "endOfEstimatedWindow"):
        clock = text(raw.get(field))
        times.append(
            parse_local_time(notes, f"{where}.{field}", f"{day.isoformat()}T{clock}", place=_home())
            if clock
            else None
        )
    return EstimatedDelivery(earliest=day, latest=day, earliest_time=times[0], latest_time=times[1])


def _has_signature(signature: object) -> bool:
    return isinstance(signature, dict) and any(
        text(signature.get(key)) for key in ("recipientName", "signatureDateTime", "imageId")
    )


def _proof_of_delivery(piece: dict[str, Any], number: str) -> str:
    """The signature operation's address: the reply's own link when it gives one."""
    href = text(dig(piece, "links", "signature", "href"))
    if href is None or not href.startswith("/"):
        href = f"/mailpieces/v2/{number}/signature"
    return f"{API_ROOT}{href}"


def _error_message(error: object, http_code: object, where: str) -> tuple[str, str, str]:
    return _kind(http_code, text(dig(error, "errorDescription"))), _said(error), where


def _kind(http_code: object, description: str | None) -> str:
    """not_found / auth_error / carrier_error, from the HTTP status the body repeats, else the text."""
    status = text(http_code)
    if status in ("401", "403"):
        return "auth_error"
    if status == "404" or (description is not None and _NOT_FOUND.search(description)):
        return "not_found"
    return "carrier_error"


def _said(error: object) -> str:
    if not isinstance(error, dict):
        return "Royal Mail reported an error without details"
    code = text(error.get("errorCode")) or text(error.get("httpCode"))
    parts = [
        text(error.get(key))
        for key in ("errorDescription", "errorCause", "errorResolution", "httpMessage", "moreInformation")
    ]
    said = " — ".join(part for part in parts if part) or "no description"
    return f"Royal Mail {code}: {said}" if code else f"Royal Mail: {said}"
