"""A simulated parcel's unified events written as the carrier's own tracking payload.

``encode(carrier, number, events, estimate)`` gives the body a carrier (or AfterShip) would
send or answer for one parcel, carrying every event given, in the carrier's own order, each
with a code of that carrier's connector table (``ordertrack.carriers.<slug>.codes``) that reads
back as the same unified status, and the same reason where the table has one. The body can be
pushed to ``POST /api/v1/carriers/{slug}/webhook`` to exercise the real connector.

Where a table has no code for a status or reason, the closest code is written and
:func:`reads_back` says what the connector makes of it. What is lost, by format:

- ``ups``: ``failed_attempt/no_safe_place`` (read without a reason); a return's own reason
  survives only as the activity code (UPS's return status codes all say
  ``returned_to_sender``, which the reader does not refine), so return activities go without
  ``statusCode``, and ``returning/address_issue`` and ``returned`` read as
  ``returned_to_sender``.
- ``fedex``: the table has no failed-attempt code (FedEx's ``DE`` is an exception) and no
  return-completed code, so ``failed_attempt`` reads as ``exception``, and ``returned`` is
  ``DL`` at the sender, which ordertrack folds into ``returned`` only after a ``returning``
  event (when the carrier's return-to-sender scan is missed, a returned parcel reads as
  delivered); exception reasons other than ``customs_hold`` and every return reason are lost.
- ``usps``: no damaged, customs or return-completed code: ``exception`` without ``refused`` or
  ``address_issue`` reads as ``undeliverable``; ``failed_attempt/business_closed`` as
  ``recipient_unavailable`` and ``no_safe_place`` as ``no_access``; ``returned`` as
  ``delivered`` (folded as for FedEx); return reasons read as ``returned_to_sender``.
- ``dhl``: the Unified API has five codes and no reasons: out for delivery and ready for
  pickup read as ``in_transit``; failed attempts, exceptions and returns as ``exception``
  (``returned`` is written as ``failure`` rather than ``delivered``, which would tell the
  shopper the parcel arrived). No reason survives.
- ``royalmail``: no return codes and one exception code (``EVNRT``, ``held_at_carrier``):
  every exception, ``returning`` and ``returned`` reads as ``exception/held_at_carrier``;
  failed attempts other than ``recipient_unavailable`` lose their reason. The payload names a
  place only (``locationName``): region and postal code are lost, and the reader places every
  scan in GB, so a scan abroad (International Tracked) reads with the wrong country.
- ``aftership``: ``failed_attempt/no_safe_place`` loses its reason; return reasons read as
  ``returned_to_sender``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from ordertrack.carriers.aftership.countries import ALPHA3_TO_ALPHA2
from ordertrack.statuses import EventStatus as E

Meaning = tuple[str, str | None]  # (unified status, reason)
T = TypeVar("T")
# A row: the carrier's code for a (status, reason), and what the connector reads back when
# that differs from the key (None: the same).
Table = Mapping[Meaning, tuple[T, Meaning | None]]

_RTS = "returned_to_sender"

# UPS Track API activity ``status``: (type, code, statusCode). The code is read in the table of
# its type (mapping.TABLES_BY_TYPE); a statusCode without a reason is refined by the code's.
_UPS: Table[tuple[str, str | None, str | None]] = {
    (E.info_received, None): (("M", "MP", "003"), None),
    (E.in_transit, None): (("I", "AR", "005"), None),
    (E.out_for_delivery, None): (("I", "OT", "021"), None),
    (E.available_for_pickup, None): (("X", "ZP", "017"), None),
    (E.failed_attempt, None): (("X", "2X", "022"), None),
    (E.failed_attempt, "recipient_unavailable"): (("X", "48", "022"), None),
    (E.failed_attempt, "business_closed"): (("X", "3J", "022"), None),
    (E.delivered, None): (("D", "2Q", "011"), None),
    (E.exception, None): (("X", None, "013"), None),
    (E.exception, "customs_hold"): (("X", "CX", "058"), None),
    (E.exception, "damaged"): (("X", "13", "059"), None),
    (E.exception, "address_issue"): (("X", "A6", "050"), None),
    (E.exception, "refused"): (("X", "AM", "064"), None),
    (E.returning, None): (("X", "3N", "035"), (E.returning, _RTS)),
    (E.returning, "damaged"): (("X", "24", None), None),
    (E.returning, "refused"): (("X", "8H", None), None),
    (E.returning, "customs_hold"): (("X", "7H", None), None),
    (E.returned, None): (("X", "TU", "034"), (E.returned, _RTS)),
}

# FedEx Track API ``scanEvents[].eventType``.
_FEDEX: Table[str] = {
    (E.info_received, None): ("OC", None),
    (E.in_transit, None): ("AR", None),
    (E.out_for_delivery, None): ("OD", None),
    (E.available_for_pickup, None): ("HL", None),
    (E.failed_attempt, None): ("DE", (E.exception, None)),
    (E.delivered, None): ("DL", None),
    (E.exception, None): ("SE", None),
    (E.exception, "customs_hold"): ("CD", None),
    (E.exception, "address_issue"): ("DE", (E.exception, None)),
    (E.exception, "refused"): ("DE", (E.exception, None)),
    (E.exception, "damaged"): ("SE", (E.exception, None)),
    (E.returning, None): ("RS", (E.returning, _RTS)),
    (E.returned, None): ("DL", (E.delivered, None)),
}

# USPS Tracking v3 ``trackingEvents[].eventCode``.
_USPS: Table[str] = {
    (E.info_received, None): ("GX", None),
    (E.in_transit, None): ("10", None),
    (E.out_for_delivery, None): ("OF", None),
    (E.available_for_pickup, None): ("16", None),
    (E.failed_attempt, None): ("02", (E.failed_attempt, "recipient_unavailable")),
    (E.failed_attempt, "recipient_unavailable"): ("02", None),
    (E.failed_attempt, "no_safe_place"): ("53", (E.failed_attempt, "no_access")),
    (E.delivered, None): ("01", None),
    (E.exception, None): ("11", (E.exception, "undeliverable")),
    (E.exception, "refused"): ("04", None),
    (E.exception, "address_issue"): ("05", None),
    (E.returning, None): ("09", (E.returning, _RTS)),
    (E.returned, None): ("01", (E.delivered, None)),
}

# DHL Unified ``events[].statusCode``.
_DHL: Table[str] = {
    (E.info_received, None): ("pre-transit", None),
    (E.in_transit, None): ("transit", None),
    (E.out_for_delivery, None): ("transit", (E.in_transit, None)),
    (E.available_for_pickup, None): ("transit", (E.in_transit, None)),
    (E.failed_attempt, None): ("failure", (E.exception, None)),
    (E.delivered, None): ("delivered", None),
    (E.exception, None): ("failure", None),
    (E.returning, None): ("failure", (E.exception, None)),
    (E.returned, None): ("failure", (E.exception, None)),
}

# Royal Mail Tracking API v2 ``events[].eventCode``.
_HELD = (E.exception, "held_at_carrier")
_ROYALMAIL: Table[str] = {
    (E.info_received, None): ("EVAIE", None),
    (E.in_transit, None): ("EVOCO", None),
    (E.out_for_delivery, None): ("EVGPD", None),
    (E.available_for_pickup, None): ("EVNDA", None),
    (E.failed_attempt, None): ("EVKNR", None),
    (E.failed_attempt, "recipient_unavailable"): ("EVKNA", None),
    (E.delivered, None): ("EVKSP", None),
    (E.exception, None): ("EVNRT", _HELD),
    (E.returning, None): ("EVNRT", _HELD),
    (E.returned, None): ("EVNRT", _HELD),
}

# AfterShip checkpoint (tag, subtag).
_AFTERSHIP: Table[tuple[str, str]] = {
    (E.info_received, None): (("InfoReceived", "InfoReceived_001"), None),
    (E.in_transit, None): (("InTransit", "InTransit_001"), None),
    (E.out_for_delivery, None): (("OutForDelivery", "OutForDelivery_001"), None),
    (E.available_for_pickup, None): (("AvailableForPickup", "AvailableForPickup_001"), None),
    (E.failed_attempt, None): (("AttemptFail", "AttemptFail_001"), None),
    (E.failed_attempt, "recipient_unavailable"): (("AttemptFail", "AttemptFail_002"), None),
    (E.failed_attempt, "business_closed"): (("AttemptFail", "AttemptFail_003"), None),
    (E.delivered, None): (("Delivered", "Delivered_001"), None),
    (E.exception, None): (("Exception", "Exception_001"), None),
    (E.exception, "refused"): (("Exception", "Exception_003"), None),
    (E.exception, "customs_hold"): (("Exception", "Exception_004"), None),
    (E.exception, "address_issue"): (("Exception", "Exception_007"), None),
    (E.exception, "damaged"): (("Exception", "Exception_012"), None),
    (E.returning, None): (("Exception", "Exception_010"), (E.returning, _RTS)),
    (E.returned, None): (("Exception", "Exception_011"), (E.returned, _RTS)),
}

# ordertrack's carrier slugs as AfterShip's courier slugs.
_AFTERSHIP_SLUGS = {"canadapost": "canada-post", "royalmail": "royal-mail", "dhl_express": "dhl"}
_ALPHA3 = {two: three for three, two in ALPHA3_TO_ALPHA2.items()}


def _pick(table: Table[T], status: str, reason: str | None) -> tuple[T, Meaning]:
    """The code for (status, reason), else for the bare status; and what it reads back as."""
    key = (status, reason) if (status, reason) in table else (status, None)
    code, reads = table[key]
    return code, reads or key


def _by_time(events: list[dict[str, Any]]) -> list[tuple[datetime, dict[str, Any]]]:
    """Oldest first (stable, so a scan sent twice stays twice, as carriers do)."""
    timed = [(datetime.fromisoformat(e["occurred_at"]), e) for e in events]
    return sorted(timed, key=lambda pair: pair[0])


def _offset(at: datetime) -> str:
    """``+02:00``: the scan's UTC offset as carriers write it."""
    offset = at.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _place(event: dict[str, Any]) -> dict[str, Any]:
    return event.get("location") or {}


def _ups(number: str, events: list[dict[str, Any]], estimate: date | None) -> dict[str, Any]:
    activities = []
    days: list[dict[str, str]] = []
    for at, event in reversed(_by_time(events)):  # UPS lists the newest activity first
        (kind, code, status_code), _ = _pick(_UPS, event["status"], event.get("reason"))
        place = _place(event)
        address = {
            "city": place.get("city"),
            "stateProvince": place.get("region"),
            "postalCode": place.get("postal_code"),
            "countryCode": place.get("country"),
        }
        status = {"type": kind, "description": event.get("description")}
        if code is not None:
            status["code"] = code
        if status_code is not None:
            status["statusCode"] = status_code
        activities.append(
            {
                "location": {"address": {k: v for k, v in address.items() if v is not None}},
                "status": status,
                "date": at.strftime("%Y%m%d"),
                "time": at.strftime("%H%M%S"),
                "gmtOffset": _offset(at),
            }
        )
        if event["status"] == E.delivered and not days:
            days.append({"type": "DEL", "date": at.strftime("%Y%m%d")})
    if estimate is not None:
        days.append({"type": "SDD", "date": estimate.strftime("%Y%m%d")})
    package: dict[str, Any] = {"trackingNumber": number, "activity": activities}
    if days:
        package["deliveryDate"] = days
    return {
        "trackResponse": {"shipment": [{"inquiryNumber": number, "package": [package]}]},
    }


def _fedex(number: str, events: list[dict[str, Any]], estimate: date | None) -> dict[str, Any]:
    scans = []
    for at, event in reversed(_by_time(events)):  # newest first
        code, _ = _pick(_FEDEX, event["status"], event.get("reason"))
        place = _place(event)
        address = {
            "city": place.get("city"),
            "stateOrProvinceCode": place.get("region"),
            "postalCode": place.get("postal_code"),
            "countryCode": place.get("country"),
        }
        scans.append(
            {
                "date": at.isoformat(),
                "eventType": code,
                "eventDescription": event.get("description"),
                "scanLocation": {k: v for k, v in address.items() if v is not None},
            }
        )
    result: dict[str, Any] = {
        "trackingNumberInfo": {"trackingNumber": number},
        "scanEvents": scans,
    }
    if estimate is not None:
        result["dateAndTimes"] = [
            {"type": "ESTIMATED_DELIVERY", "dateTime": f"{estimate.isoformat()}T00:00:00"}
        ]
    return {"output": {"completeTrackResults": [{"trackingNumber": number, "trackResults": [result]}]}}


def _usps(number: str, events: list[dict[str, Any]], estimate: date | None) -> dict[str, Any]:
    scans = []
    for at, event in reversed(_by_time(events)):  # newest first
        code, _ = _pick(_USPS, event["status"], event.get("reason"))
        place = _place(event)
        scan = {
            "eventType": event.get("description"),
            "eventTimestamp": at.replace(tzinfo=None).isoformat(),
            "GMTTimestamp": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "GMTOffset": _offset(at),
            "eventCity": place.get("city"),
            "eventState": place.get("region"),
            "eventZIP": place.get("postal_code"),
            "eventCode": code,
        }
        # USPS fills eventCountry only abroad; a domestic scan is placed by its state or ZIP.
        if place.get("country") != "US" or not (place.get("region") or place.get("postal_code")):
            scan["eventCountry"] = place.get("country")
        scans.append(scan)
    body: dict[str, Any] = {"trackingNumber": number, "trackingEvents": scans}
    if estimate is not None:
        body["expectedDeliveryDate"] = estimate.isoformat()
    return body


def _dhl(number: str, events: list[dict[str, Any]], estimate: date | None) -> dict[str, Any]:
    listed = []
    for at, event in reversed(_by_time(events)):  # newest first
        code, _ = _pick(_DHL, event["status"], event.get("reason"))
        place = _place(event)
        address = {
            "countryCode": place.get("country"),
            "postalCode": place.get("postal_code"),
            "addressLocality": place.get("city"),
            "addressRegion": place.get("region"),
        }
        listed.append(
            {
                "timestamp": at.isoformat(),
                "location": {"address": {k: v for k, v in address.items() if v is not None}},
                "statusCode": code,
                "status": event.get("description"),
                "description": event.get("description"),
            }
        )
    shipment: dict[str, Any] = {"id": number, "service": "parcel-de", "events": listed}
    if listed:
        shipment["status"] = listed[0]
    if estimate is not None:
        shipment["estimatedTimeOfDelivery"] = estimate.isoformat()
    return {"shipments": [shipment]}


def _royalmail(number: str, events: list[dict[str, Any]], estimate: date | None) -> dict[str, Any]:
    listed = []
    for at, event in reversed(_by_time(events)):  # newest first
        code, _ = _pick(_ROYALMAIL, event["status"], event.get("reason"))
        listed.append(
            {
                "eventCode": code,
                "eventName": event.get("description"),
                "eventDateTime": at.isoformat(),
                "locationName": _place(event).get("city"),
            }
        )
    piece: dict[str, Any] = {"mailPieceId": number, "carrierShortName": "RM", "events": listed}
    if listed:
        last = listed[0]
        piece["summary"] = {
            "uniqueItemId": number,
            "lastEventCode": last["eventCode"],
            "lastEventName": last["eventName"],
            "lastEventDateTime": last["eventDateTime"],
            "lastEventLocationName": last["locationName"],
        }
    if estimate is not None:
        piece["estimatedDelivery"] = {"date": estimate.isoformat()}
    return {"mailPieces": piece}


def _aftership(number: str, events: list[dict[str, Any]], estimate: date | None) -> dict[str, Any]:
    """A ``tracking_update`` webhook: checkpoints oldest first, as AfterShip lists them."""
    carrier = next((e.get("carrier") for e in events if e.get("carrier")), None)
    slug = _AFTERSHIP_SLUGS.get(carrier or "", carrier)
    checkpoints = []
    latest = ("Pending", "Pending_001")
    last_at: datetime | None = None
    for at, event in _by_time(events):
        (tag, subtag), _ = _pick(_AFTERSHIP, event["status"], event.get("reason"))
        place = _place(event)
        checkpoint: dict[str, Any] = {
            "slug": slug,
            "checkpoint_time": at.isoformat(),
            "city": place.get("city"),
            "state": place.get("region"),
            "zip": place.get("postal_code"),
            "country_iso3": _ALPHA3.get(place.get("country") or ""),
            "message": event.get("description"),
            "tag": tag,
            "subtag": subtag,
        }
        if place.get("latitude") is not None and place.get("longitude") is not None:
            checkpoint["coordinate"] = {"latitude": place["latitude"], "longitude": place["longitude"]}
        checkpoints.append(checkpoint)
        latest, last_at = (tag, subtag), at
    origin = _place(events[0]).get("country") if events else None
    tracking: dict[str, Any] = {
        "tracking_number": number,
        "slug": slug,
        "tag": latest[0],
        "subtag": latest[1],
        "origin_country_iso3": _ALPHA3.get(origin or ""),
        "checkpoints": checkpoints,
    }
    if estimate is not None:
        tracking["courier_estimated_delivery_date"] = {"estimated_delivery_date": estimate.isoformat()}
    return {
        "event": "tracking_update",
        "ts": int(last_at.timestamp()) if last_at else 0,
        "msg": tracking,
    }


_ENCODERS: dict[str, Callable[[str, list[dict[str, Any]], date | None], dict[str, Any]]] = {
    "ups": _ups,
    "fedex": _fedex,
    "usps": _usps,
    "dhl": _dhl,
    "royalmail": _royalmail,
    "aftership": _aftership,
}
_TABLES: dict[str, Table[Any]] = {
    "ups": _UPS,
    "fedex": _FEDEX,
    "usps": _USPS,
    "dhl": _DHL,
    "royalmail": _ROYALMAIL,
    "aftership": _AFTERSHIP,
}

NATIVE_FORMATS: frozenset[str] = frozenset(_ENCODERS)


def encode(
    carrier: str, tracking_number: str, events: list[dict[str, Any]], estimate: date | None
) -> dict | str:
    """The body ``carrier``'s connector reads, carrying every one of ``events`` (unified dicts)."""
    try:
        encoder = _ENCODERS[carrier]
    except KeyError:
        raise ValueError(f"no native format for {carrier!r}; known: {', '.join(sorted(_ENCODERS))}") from None
    return encoder(tracking_number, events, estimate)


def reads_back(carrier: str, status: str, reason: str | None) -> Meaning:
    """The (status, reason) ``carrier``'s connector reads from the code written for these."""
    return _pick(_TABLES[carrier], status, reason)[1]
