"""AfterShip payloads -> what they say: pure, never raises.

Reads the Tracking API envelope (``{"meta": {"code"}, "data": {"tracking": {...}}}`` or
``data.trackings[]``; https://www.aftership.com/docs/tracking/quickstart/api-quick-start) and
the webhook body (``{"event": "tracking_update", "ts", "msg": {tracking}}``;
https://www.aftership.com/docs/tracking/webhook/webhook-specifications). An error envelope
(``meta.code`` >= 400) becomes ``auth_error`` / ``not_found`` / ``carrier_error``; any other
envelope (couriers, notifications, EDD predictions) is ``unsupported_object``.

Times: ``checkpoint_time`` is the carrier's local time, with its offset when the carrier gave
one and without it otherwise (Checkpoint model, "checkpoint_time"). Without an offset the
checkpoint's place decides the zone; a checkpoint that names a region but no country is read
in the shipment's country when origin and destination agree (or only one is known), since a
state code alone cannot name a zone. A checkpoint whose place still names no zone (no place
at all, a country of several clocks) is kept, placed by ``scan_times.place_scan_times`` (the
tracking's other checkpoints, else the country's principal zone) and marked approximate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from ordertrack.carriers.aftership.codes import SUBTAGS, TAGS, carrier_slug
from ordertrack.carriers.aftership.countries import alpha2
from ordertrack.carriers.codes import Meaning
from ordertrack.carriers.reading import (
    CarrierEvent,
    CarrierTracking,
    EstimatedDelivery,
    Location,
    Message,
    Notes,
    Reading,
    location,
    number,
    signer,
    sorted_events,
    text,
    tracking_number,
)
from ordertrack.carriers.scan_times import UnplacedScan, parse_day, parse_scan_time, place_scan_times, scan_at
from ordertrack.carriers.zones import zone_for


def read(payload: bytes) -> Reading:
    """Everything one AfterShip payload says; a broken one gives messages, never an exception."""
    try:
        document = json.loads(payload)
    except (ValueError, UnicodeDecodeError, TypeError) as error:
        return Reading(messages=(Message("unreadable_payload", f"AfterShip payload is not JSON: {error}"),))
    notes = Notes()
    trackings = _read_document(document, notes)
    return Reading(trackings=tuple(trackings), messages=notes.freeze())


def _read_document(document: object, notes: Notes) -> list[CarrierTracking]:
    if not isinstance(document, Mapping):
        notes.add("unsupported_object", f"expected a JSON object, got {type(document).__name__}")
        return []
    if "msg" in document and ("event" in document or "ts" in document):
        return _one(_read_tracking(document.get("msg"), "msg", notes))
    meta, data = document.get("meta"), document.get("data")
    if isinstance(meta, Mapping) and _is_error(meta):
        _read_error(meta, notes)
        return []
    if isinstance(data, Mapping):
        if "tracking" in data:
            return _one(_read_tracking(data.get("tracking"), "data.tracking", notes))
        if "trackings" in data:
            listed = data.get("trackings")
            if not isinstance(listed, list):
                notes.add("unsupported_object", "data.trackings is not a list", "data.trackings")
                return []
            found = [_read_tracking(entry, f"data.trackings[{i}]", notes) for i, entry in enumerate(listed)]
            return [tracking for tracking in found if tracking is not None]
        kinds = ", ".join(sorted(str(key) for key in data)) or "nothing"
        notes.add("unsupported_object", f"AfterShip data holds {kinds}, not trackings", "data")
        return []
    notes.add("unsupported_object", "not an AfterShip tracking result or webhook body")
    return []


def _one(tracking: CarrierTracking | None) -> list[CarrierTracking]:
    return [tracking] if tracking is not None else []


def _is_error(meta: Mapping[str, Any]) -> bool:
    code = number(meta.get("code"))
    return code is not None and code >= 400


def _read_error(meta: Mapping[str, Any], notes: Notes) -> None:
    # Errors: https://www.aftership.com/docs/tracking/quickstart/request-errors
    # (401 Unauthorized, 403 Forbidden, 404 / 4004 "Tracking does not exist", 4xxx request faults).
    code = int(number(meta.get("code")) or 0)
    said = " ".join(filter(None, (text(meta.get("type")), text(meta.get("message"))))) or f"error {code}"
    if code in (401, 403):
        notes.add("auth_error", said, "meta")
    elif code in (404, 4004):
        notes.add("not_found", said, "meta")
    else:
        notes.add("carrier_error", f"{code}: {said}", "meta")


def _read_tracking(value: object, where: str, notes: Notes) -> CarrierTracking | None:
    if not isinstance(value, Mapping):
        notes.add("unsupported_object", "a tracking is not an object", where)
        return None
    number_ = tracking_number(value.get("tracking_number"))
    if number_ is None:
        notes.add(
            "missing_tracking_number", f"no usable tracking_number in {value.get('tracking_number')!r}", where
        )
        return None
    own = Notes()
    home = _shipment_country(value)
    checkpoints = value.get("checkpoints")
    if checkpoints is not None and not isinstance(checkpoints, list):
        own.add("unsupported_object", "checkpoints is not a list", f"{where}.checkpoints")
        checkpoints = []
    scans: list[CarrierEvent | UnplacedScan] = []
    for index, checkpoint in enumerate(checkpoints or []):
        scan = _read_checkpoint(checkpoint, f"{where}.checkpoints[{index}]", home, own)
        if scan is not None:
            scans.append(scan)
    return CarrierTracking(
        tracking_number=number_,
        carrier=carrier_slug(text(value.get("slug"))),
        events=sorted_events(place_scan_times(scans)),
        estimated_delivery=_estimated_delivery(value, where, own),
        signed_by=signer(value.get("signed_by")),
        service=text(value.get("shipment_type")),
        messages=own.freeze(),
    )


def _shipment_country(tracking: Mapping[str, Any]) -> str | None:
    """The one country a shipment stays in, when its origin and destination tell us so."""
    known = {
        code
        for code in (
            alpha2(tracking.get("origin_country_iso3")),
            alpha2(tracking.get("destination_country_iso3")),
            alpha2(tracking.get("courier_destination_country_iso3")),
        )
        if code is not None
    }
    return known.pop() if len(known) == 1 else None


def _read_checkpoint(
    checkpoint: object, where: str, home: str | None, notes: Notes
) -> CarrierEvent | UnplacedScan | None:
    if not isinstance(checkpoint, Mapping):
        notes.add("unsupported_object", "a checkpoint is not an object", where)
        return None
    place = _location(checkpoint, home)
    instant = parse_scan_time(
        notes, f"{where}.checkpoint_time", checkpoint.get("checkpoint_time"), place=place
    )
    if instant is None:
        return None
    tag, subtag = text(checkpoint.get("tag")), text(checkpoint.get("subtag"))
    message = text(checkpoint.get("message"))
    status, reason = _meaning(tag, subtag, where, message, notes)
    return scan_at(
        instant,
        status=status,
        reason=reason,
        code=subtag or tag,
        description=message,
        location=place,
    )


def _meaning(tag: str | None, subtag: str | None, where: str, message: str | None, notes: Notes) -> Meaning:
    """The subtag's meaning when the table knows it, else the tag's (an unknown subtag is noted)."""
    found = SUBTAGS.meaning(subtag)
    if found is not None:
        return found
    if subtag is not None:
        notes.add(
            "unknown_code",
            f"aftership subtag {subtag!r} is not in the code table",
            f"{where}.subtag",
            subject=subtag,  # the event's code, so intake can count it
        )
    return TAGS.lookup(tag, notes, f"{where}.tag", message)


def _location(checkpoint: Mapping[str, Any], home: str | None) -> Location | None:
    # Only the named ``coordinate: {latitude, longitude}`` of the current Checkpoint model
    # (https://www.aftership.com/docs/tracking/model/checkpoint) is read. The legacy
    # ``coordinates`` array is "Deprecated as of March 2013" (AfterShip's aftership-sdk-nodejs
    # Checkpoint model) and no documentation gives the order of its two numbers, so it is not
    # guessed at: a point on the wrong continent would also pick the wrong time zone.
    coordinate = checkpoint.get("coordinate")
    latitude = coordinate.get("latitude") if isinstance(coordinate, Mapping) else None
    longitude = coordinate.get("longitude") if isinstance(coordinate, Mapping) else None
    place = location(
        city=checkpoint.get("city"),
        region=checkpoint.get("state"),
        # 2025+ API versions rename zip / country_iso3 to postal_code / country_region.
        postal_code=checkpoint.get("zip") or checkpoint.get("postal_code"),
        country=alpha2(checkpoint.get("country_iso3")) or alpha2(checkpoint.get("country_region")),
        latitude=latitude,
        longitude=longitude,
    )
    if place is not None and place.timezone is None and place.country is None and home is not None:
        inferred = zone_for(home, place.region, None, None) if place.region else None
        if inferred is not None:
            return replace(place, timezone=inferred)
    return place


def _estimated_delivery(tracking: Mapping[str, Any], where: str, notes: Notes) -> EstimatedDelivery | None:
    """The carrier's own estimate first, then AfterShip's (Tracking model, EDD fields)."""
    courier = tracking.get("courier_estimated_delivery_date")
    if isinstance(courier, Mapping):
        found = _window(
            notes,
            f"{where}.courier_estimated_delivery_date",
            courier.get("estimated_delivery_date"),
            courier.get("estimated_delivery_date_min"),
            courier.get("estimated_delivery_date_max"),
        )
        if found:
            return found
    expected = _window(notes, f"{where}.expected_delivery", tracking.get("expected_delivery"), None, None)
    if expected:
        return expected
    latest = tracking.get("latest_estimated_delivery")
    if isinstance(latest, Mapping):
        found = _window(
            notes,
            f"{where}.latest_estimated_delivery",
            latest.get("datetime"),
            latest.get("datetime_min"),
            latest.get("datetime_max"),
        )
        if found:
            return found
    predicted = tracking.get("aftership_estimated_delivery_date")
    if isinstance(predicted, Mapping):
        return _window(
            notes,
            f"{where}.aftership_estimated_delivery_date",
            predicted.get("estimated_delivery_date"),
            predicted.get("estimated_delivery_date_min"),
            predicted.get("estimated_delivery_date_max"),
        )
    return None


def _window(
    notes: Notes, where: str, day: object, earliest: object, latest: object
) -> EstimatedDelivery | None:
    low: date | None = parse_day(notes, where, earliest)
    high: date | None = parse_day(notes, where, latest)
    if low is not None and high is not None and low <= high:
        return EstimatedDelivery(earliest=low, latest=high)
    single = parse_day(notes, where, day)
    if single is not None:
        return EstimatedDelivery(earliest=single, latest=single)
    return None
