"""EasyPost payloads -> what they say: pure, never raises.

Reads a Tracker (``object: "Tracker"``, or the trimmed tracker the docs show without
``object``), a trackers list (``{"trackers": [...]}``), a ``tracker.*`` Event whose ``result``
is a Tracker (the webhook body), an events list, and EasyPost's error body
(``{"error": {"code", "message"}}``). Anything else is an ``unsupported_object`` message.

Times: EasyPost writes each ``tracking_details[].datetime`` as ISO 8601 with ``Z``
(https://docs.easypost.com/docs/trackers, TrackingDetail). We keep that instant as given and
only *show* it in the scan location's zone (inferred by ``location()``), so the stored instant
is EasyPost's own and the offset on ``occurred_at`` is the place's; a location without a known
zone keeps UTC. A ``datetime`` that comes without its ``Z`` or any offset does not say which
clock it is on: it is kept, read on the scan place's clock (``scan_times.place_scan_times``), and
marked approximate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ordertrack.carriers.easypost.codes import DETAIL_REASONS, STATUSES, carrier_slug
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
    signer,
    sorted_events,
    text,
    tracking_number,
)
from ordertrack.carriers.scan_times import UnplacedScan, parse_day, parse_scan_time, place_scan_times, scan_at
from ordertrack.tracking.schemas import zone


def read(payload: bytes) -> Reading:
    """Everything one EasyPost payload says; a broken one gives messages, never an exception."""
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError, TypeError) as error:
        return Reading(messages=(_unreadable(f"not JSON: {error}"),))
    notes = Notes()
    trackings = _read_document(document, notes)
    return Reading(trackings=tuple(trackings), messages=notes.freeze())


def _unreadable(reason: str) -> Message:
    return Message("unreadable_payload", f"EasyPost payload unreadable: {reason}")


def _read_document(document: object, notes: Notes) -> list[CarrierTracking]:
    if not isinstance(document, Mapping):
        notes.add("unsupported_object", f"expected a JSON object, got {type(document).__name__}")
        return []
    if isinstance(document.get("error"), Mapping):
        _read_error(document["error"], notes)
        return []
    if "trackers" in document:
        return _read_list(document.get("trackers"), "trackers", notes)
    if "events" in document:
        return _read_list(document.get("events"), "events", notes)
    return _read_object(document, "$", notes)


def _read_list(value: object, where: str, notes: Notes) -> list[CarrierTracking]:
    if not isinstance(value, list):
        notes.add("unsupported_object", f"{where} is not a list", where)
        return []
    found: list[CarrierTracking] = []
    for index, entry in enumerate(value):
        found.extend(_read_object(entry, f"{where}[{index}]", notes))
    return found


def _read_object(value: object, where: str, notes: Notes) -> list[CarrierTracking]:
    if not isinstance(value, Mapping):
        notes.add("unsupported_object", "expected an object", where)
        return []
    kind = text(value.get("object"))
    if kind == "Event":
        result = value.get("result")
        if isinstance(result, Mapping) and _is_tracker(result):
            return _one(_read_tracker(result, f"{where}.result", notes))
        said = text(value.get("description")) or "an event"
        notes.add("unsupported_object", f"EasyPost Event {said!r} carries no Tracker result", where)
        return []
    if _is_tracker(value):
        return _one(_read_tracker(value, where, notes))
    notes.add("unsupported_object", f"EasyPost object {kind or '(untyped)'} is not tracking data", where)
    return []


def _is_tracker(value: Mapping[str, Any]) -> bool:
    kind = text(value.get("object"))
    return kind == "Tracker" or (kind is None and "tracking_code" in value)


def _one(tracking: CarrierTracking | None) -> list[CarrierTracking]:
    return [tracking] if tracking is not None else []


def _read_error(error: Mapping[str, Any], notes: Notes) -> None:
    # Error body: https://docs.easypost.com/docs/errors ({"error": {"code", "message", "errors"}}).
    code = (text(error.get("code")) or "").upper()
    said = text(error.get("message")) or code or "EasyPost answered with an error"
    if "NOT_FOUND" in code:
        notes.add("not_found", said, "error")
    elif "UNAUTHORIZED" in code or "FORBIDDEN" in code or code.startswith("APIKEY"):
        notes.add("auth_error", said, "error")
    else:
        notes.add("carrier_error", f"{code}: {said}" if code else said, "error")


def _read_tracker(tracker: Mapping[str, Any], where: str, notes: Notes) -> CarrierTracking | None:
    number = tracking_number(tracker.get("tracking_code"))
    if number is None:
        notes.add(
            "missing_tracking_number", f"no usable tracking_code in {tracker.get('tracking_code')!r}", where
        )
        return None
    own = Notes()
    scans: list[CarrierEvent | UnplacedScan] = []
    details = tracker.get("tracking_details")
    if details is not None and not isinstance(details, list):
        own.add("unsupported_object", "tracking_details is not a list", f"{where}.tracking_details")
    for index, detail in enumerate(items(details) if isinstance(details, list) else []):
        scan = _read_detail(detail, f"{where}.tracking_details[{index}]", own)
        if scan is not None:
            scans.append(scan)
    carrier_detail = tracker.get("carrier_detail")
    return CarrierTracking(
        tracking_number=number,
        carrier=carrier_slug(text(tracker.get("carrier"))),
        # A detail's offset is UTC's unless _shown_at put it in its place's zone.
        events=sorted_events(place_scan_times(scans, offsets_are_local=False)),
        estimated_delivery=_estimated_delivery(tracker, carrier_detail, where, own),
        signed_by=signer(tracker.get("signed_by")),
        service=text(dig(carrier_detail, "service")),
        messages=own.freeze(),
    )


def _read_detail(detail: object, where: str, notes: Notes) -> CarrierEvent | UnplacedScan | None:
    if not isinstance(detail, Mapping):
        notes.add("unsupported_object", "a tracking detail is not an object", where)
        return None
    instant = parse_scan_time(notes, f"{where}.datetime", detail.get("datetime"))
    if instant is None:
        return None
    status_code = text(detail.get("status"))
    status_detail = text(detail.get("status_detail"))
    message = text(detail.get("message")) or text(detail.get("description"))
    status, reason = STATUSES.lookup(status_code, notes, f"{where}.status", message)
    if status_detail is not None:
        if status_detail in DETAIL_REASONS:
            reason = DETAIL_REASONS[status_detail] or reason
        else:
            notes.add(
                "unknown_code",
                f"easypost status_detail {status_detail!r} is not in the code table",
                f"{where}.status_detail",
                # The event's code, so intake can count it.
                subject=f"{status_code}/{status_detail}" if status_code else status_detail,
            )
    place = _location(detail.get("tracking_location"))
    return scan_at(
        _shown_at(instant, place) if isinstance(instant, datetime) else instant,
        status=status,
        reason=reason,
        code=f"{status_code}/{status_detail}" if status_code and status_detail else status_code,
        description=message,
        location=place,
    )


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
    """The same instant, in the scan place's zone when it is known (see the module docstring)."""
    if place is None or place.timezone is None:
        return instant
    return instant.astimezone(zone(place.timezone))


def _estimated_delivery(
    tracker: Mapping[str, Any], carrier_detail: object, where: str, notes: Notes
) -> EstimatedDelivery | None:
    # The carrier's local day (carrier_detail.est_delivery_date_local) beats EasyPost's UTC
    # timestamp (est_delivery_date), whose day can be off by one west of Greenwich.
    day = parse_day(
        notes,
        f"{where}.carrier_detail.est_delivery_date_local",
        dig(carrier_detail, "est_delivery_date_local"),
    )
    if day is None:
        day = parse_day(notes, f"{where}.est_delivery_date", tracker.get("est_delivery_date"))
    if day is None:
        return None
    return EstimatedDelivery(earliest=day, latest=day)
