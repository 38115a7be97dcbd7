"""UPS Track API responses read into ordertrack's unified events: pure, never raises.

Shape (https://developer.ups.com/api/reference/tracking/business-rules): a successful
answer is ``trackResponse.shipment[].package[].activity[]``; a refused request is
``response.errors[]``; a number UPS has no data for is a shipment holding only ``warnings``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from ordertrack.carriers.codes import CodeTable, Meaning
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
from ordertrack.carriers.ups import codes
from ordertrack.statuses import EventStatus

CARRIER = "ups"

# Track API warning TW0001 "Tracking Information Not Found"; error TV1002 is an inquiry
# number UPS does not accept. Errors 2500xx are OAuth / access-licence failures
# (https://developer.ups.com/api/reference/oauth/errors).
NOT_FOUND_CODES = frozenset({"TW0001", "TV1002"})
AUTH_ERROR_PREFIX = "2500"

# ``deliveryDate[].type``: SDD scheduled, RDD rescheduled, DEL the day it was delivered.
ESTIMATE_TYPES = ("RDD", "SDD")

# ``status.code`` is read in the table of its activity type, first table first.
TABLES_BY_TYPE: dict[str, tuple[CodeTable, ...]] = {
    "X": (codes.PACKAGE_EXCEPTIONS, codes.DELIVERY_CODES),
    "D": (codes.DELIVERY_CODES,),
    "M": (codes.MANIFEST_CODES,),
    "MV": (codes.MANIFEST_CODES,),
    "U": (codes.UPDATES,),
    "DO": (codes.FREIGHT_ACTIVITY,),
    "DD": (codes.FREIGHT_ACTIVITY,),
    "W": (codes.FREIGHT_ACTIVITY, codes.FREIGHT_EXCEPTIONS),
}
DEFAULT_TABLES = (codes.MOVEMENT_SCANS, codes.DELIVERY_CODES, codes.MAIL_INNOVATIONS)

# Statuses that need a "why"; a reason from the activity code fills one the status lacks.
EXPLAINED = frozenset({EventStatus.exception, EventStatus.failed_attempt, EventStatus.returning})


def read(payload: bytes) -> Reading:
    """Everything one UPS Track API response says."""
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        return _unreadable(f"not JSON: {error}")
    if not isinstance(document, Mapping):
        return _unreadable("the document is not a JSON object")
    notes = Notes()
    errors = dig(document, "response", "errors")
    if errors is not None:
        _read_errors(notes, errors)
        return Reading(messages=notes.freeze())
    shipments = dig(document, "trackResponse", "shipment")
    if not isinstance(shipments, list):
        return _unreadable("neither trackResponse.shipment[] nor response.errors[]")
    trackings: list[CarrierTracking] = []
    for s, shipment in enumerate(shipments):
        where = f"trackResponse.shipment[{s}]"
        if not isinstance(shipment, Mapping):
            notes.add("bad_value", "a shipment is not an object", where)
            continue
        _read_warnings(notes, shipment.get("warnings"), where)
        for p, package in enumerate(items(shipment.get("package"))):
            tracking = _read_package(package, shipment, f"{where}.package[{p}]")
            if tracking is None:
                notes.add("missing_field", "a package without a tracking number", f"{where}.package[{p}]")
            else:
                trackings.append(tracking)
    if not trackings and not notes.messages:
        notes.add("not_found", "UPS answered with no package", "trackResponse.shipment")
    return Reading(trackings=tuple(trackings), messages=notes.freeze())


def meaning_of(status: object, notes: Notes, where: str) -> Meaning:
    """One activity's status: the status/description code, else the activity code, else its type.

    ``statusCode`` is UPS's own customer-facing status and the most specific; the 2-letter
    ``code`` is read in the table of the activity ``type`` and, for a problem, supplies the
    reason the status code lacks (statusCode "048 Delay" + code "2A" = delayed by weather).
    """
    activity_type = (text(dig(status, "type")) or "").upper()
    code = text(dig(status, "code"))
    status_code = text(dig(status, "statusCode"))
    description = text(dig(status, "description"))
    by_status = codes.STATUS_CODES.meaning(status_code.lstrip("0") or "0") if status_code else None
    by_code = None
    if code is not None:
        for table in TABLES_BY_TYPE.get(activity_type, DEFAULT_TABLES):
            by_code = table.meaning(code)
            if by_code is not None:
                break
    by_type = codes.ACTIVITY_TYPES.meaning(activity_type)
    # The event's raw code ("type/code/statusCode"), so intake can count what was unknown.
    raw = "/".join(part or "" for part in (text(dig(status, "type")), code, status_code))
    for given, found in ((status_code, by_status), (code, by_code)):
        if given is not None and found is None:
            notes.add(
                "unknown_code",
                f"ups code {given!r} ({description}) is not in the code table",
                where,
                subject=raw,
            )
    chosen = by_status or by_code or by_type
    if chosen is None:
        if status_code is None and code is None:
            return codes.STATUS_CODES.lookup(None, notes, where, description)
        return (codes.STATUS_CODES.fallback, None)  # the unknown codes were noted above
    # A generic "delay" is refined by the activity code's own reason (weather, customs...).
    refinable = chosen[1] in (None, "delayed") and chosen[0] in EXPLAINED
    if refinable and by_code is not None and by_code[0] in EXPLAINED and by_code[1] is not None:
        return (chosen[0], by_code[1])
    return chosen


def _read_package(package: object, shipment: Mapping[str, Any], where: str) -> CarrierTracking | None:
    if not isinstance(package, Mapping):
        return None
    notes = Notes()
    number = tracking_number(package.get("trackingNumber"))
    if number is None:
        _placeholder(notes, package.get("trackingNumber"), f"{where}.trackingNumber")
        number = tracking_number(shipment.get("inquiryNumber"))
    if number is None:
        return None
    scans = [
        scan
        for a, activity in enumerate(items(package.get("activity")))
        if (scan := _read_activity(notes, activity, f"{where}.activity[{a}]")) is not None
    ]
    # A scan with only a country ("label created", US) takes a zone from the package's others.
    events = place_scan_times(scans)
    destination = _destination(package)
    info = package.get("deliveryInformation")
    return CarrierTracking(
        tracking_number=number,
        carrier=CARRIER,
        events=sorted_events(events),
        estimated_delivery=_estimated_delivery(notes, package, destination, where),
        signed_by=_signed_by(notes, info, f"{where}.deliveryInformation.receivedBy"),
        proof_of_delivery=_proof_of_delivery(notes, info, f"{where}.deliveryInformation"),
        service=text(dig(package, "service", "description")),
        messages=notes.freeze(),
    )


def _read_activity(notes: Notes, activity: object, where: str) -> CarrierEvent | UnplacedScan | None:
    if not isinstance(activity, Mapping):
        notes.add("bad_value", "an activity is not an object", where)
        return None
    address = dig(activity, "location", "address")
    place = location(
        city=dig(address, "city"),
        region=dig(address, "stateProvince"),
        postal_code=dig(address, "postalCode"),
        country=dig(address, "countryCode") or dig(address, "country"),
    )
    occurred_at = parse_scan_time(
        notes,
        f"{where}.date",
        _joined(activity.get("date"), activity.get("time")),
        formats=("%Y%m%d%H%M%S", "%Y%m%d"),
        # Newer responses carry the scan's UTC offset ("-05:00"); older ones only the place.
        offset=activity.get("gmtOffset"),
        place=place,
    )
    if occurred_at is None:
        return None
    status = activity.get("status")
    meaning = meaning_of(status, notes, f"{where}.status")
    raw_code = "/".join(
        part or ""
        for part in (text(dig(status, "type")), text(dig(status, "code")), text(dig(status, "statusCode")))
    )
    return scan_at(
        occurred_at,
        status=meaning[0],
        reason=meaning[1],
        code=raw_code if raw_code.strip("/") else None,
        description=text(dig(status, "description")),
        location=place,
    )


def _joined(day: object, clock: object) -> str | None:
    day_text, clock_text = text(day), text(clock)
    if day_text is None:
        return None
    return day_text + (clock_text or "")


def _destination(package: Mapping[str, Any]) -> Location | None:
    for entry in items(package.get("packageAddress")):
        if "DESTINATION" in (text(dig(entry, "type")) or "").upper():
            address = dig(entry, "address")
            return location(
                city=dig(address, "city"),
                region=dig(address, "stateProvince"),
                postal_code=dig(address, "postalCode"),
                country=dig(address, "countryCode") or dig(address, "country"),
            )
    return None


def _estimated_delivery(
    notes: Notes, package: Mapping[str, Any], destination: Location | None, where: str
) -> EstimatedDelivery | None:
    days: dict[str, date] = {}
    for d, entry in enumerate(items(package.get("deliveryDate"))):
        kind = (text(dig(entry, "type")) or "").upper()
        _placeholder(notes, dig(entry, "date"), f"{where}.deliveryDate[{d}].date")
        day = parse_day(notes, f"{where}.deliveryDate[{d}].date", dig(entry, "date"))
        if day is not None and kind:
            days[kind] = day
    day = next((days[kind] for kind in ESTIMATE_TYPES if kind in days), None)
    if day is None:
        return None
    window = package.get("deliveryTime")
    start, end = text(dig(window, "startTime")), text(dig(window, "endTime"))
    if start is None or end is None or destination is None:
        return EstimatedDelivery(earliest=day, latest=day)
    stamp = day.strftime("%Y%m%d")
    earliest = parse_local_time(
        notes, f"{where}.deliveryTime.startTime", stamp + start, formats=("%Y%m%d%H%M%S",), place=destination
    )
    latest = parse_local_time(
        notes, f"{where}.deliveryTime.endTime", stamp + end, formats=("%Y%m%d%H%M%S",), place=destination
    )
    return EstimatedDelivery(earliest=day, latest=day, earliest_time=earliest, latest_time=latest)


def _signed_by(notes: Notes, info: object, where: str) -> str | None:
    raw = dig(info, "receivedBy")
    name = text(raw)
    if name is None:
        _placeholder(notes, raw, where)
        return None
    if not re.search(r"[^\W\d_]", name):
        # A name has letters; "163000" (the vendor example) is a time, not a person.
        notes.add("bad_value", f"receivedBy {name!r} is not a name", where)
        return None
    return name


def _proof_of_delivery(notes: Notes, info: object, where: str) -> str | None:
    """A reference to the image UPS sent (the image itself belongs to the raw payload)."""
    for key, field in (("signature", "image"), ("deliveryPhoto", "photo")):
        raw = dig(info, key, field)
        if raw is None:
            continue
        if isinstance(raw, str) and _is_base64(raw):
            return f"ups:{key}"
        notes.add("bad_value", f"{key}.{field} is not a base64 image", f"{where}.{key}.{field}")
    return None


def _is_base64(value: str) -> bool:
    try:
        return bool(value) and bool(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return False


def _placeholder(notes: Notes, raw: object, where: str) -> None:
    """Say so when a field holds a vendor placeholder ("string") instead of data."""
    if isinstance(raw, str) and raw.strip() and text(raw) is None:
        notes.add("placeholder", f"{raw!r} is a placeholder, not data", where)


def _read_errors(notes: Notes, errors: object) -> None:
    found = False
    for e, error in enumerate(items(errors)):
        code = text(dig(error, "code")) or ""
        said = text(dig(error, "message")) or "no message"
        where = f"response.errors[{e}]"
        if code.startswith(AUTH_ERROR_PREFIX):
            notes.add("auth_error", f"UPS {code}: {said}", where)
        elif code in NOT_FOUND_CODES:
            notes.add("not_found", f"UPS {code}: {said}", where)
        else:
            notes.add("carrier_error", f"UPS {code or 'error'}: {said}", where)
        found = True
    if not found:
        notes.add("carrier_error", "UPS answered with an empty error list", "response.errors")


def _read_warnings(notes: Notes, warnings: object, where: str) -> None:
    for w, warning in enumerate(items(warnings)):
        code, said = text(dig(warning, "code")), text(dig(warning, "message"))
        if code is None and said is None:
            continue
        kind = "not_found" if code in NOT_FOUND_CODES else "carrier_warning"
        notes.add(kind, f"UPS {code or 'warning'}: {said or 'no message'}", f"{where}.warnings[{w}]")


def _unreadable(why: str) -> Reading:
    return Reading(messages=(Message("unreadable_payload", why),))
