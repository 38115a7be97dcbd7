"""Canada Post "Get Tracking Details" XML (track-v2) read into ordertrack's reading model.

API reference: Canada Post Developer Program, Tracking > Get Tracking Details
(https://www.canadapost-postescanada.ca/info/mc/business/productsservices/developers/services/tracking/trackingdetails.jsf).
A reply is either a ``tracking-detail`` document or a ``messages`` document (errors). Both
come in a default namespace that has changed between versions (``.../ws/track``,
``.../ws/track-v2``, ``.../ws/messages``) and recorded samples wrap them in other elements, so
elements are matched on their local name wherever they are.

A scan's time is ``event-date`` and ``event-time`` on the clock ``event-time-zone`` names; a
scan without that abbreviation is read in its province's zone, and one with neither (a scan
abroad, "INTERNATIONAL") is kept, placed by ``scan_times.place_scan_times`` (the parcel's other
scans) and marked approximate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

from ordertrack.carriers.canadapost.codes import CODES, table_code
from ordertrack.carriers.reading import (
    CarrierEvent,
    CarrierTracking,
    EstimatedDelivery,
    Location,
    Message,
    Notes,
    Reading,
    location,
    sorted_events,
    text,
    tracking_number,
)
from ordertrack.carriers.scan_times import (
    UnplacedScan,
    UnplacedTime,
    parse_day,
    parse_scan_time,
    place_scan_times,
    scan_at,
)
from ordertrack.statuses import EventStatus
from ordertrack.tracking.schemas import zone

CARRIER = "canadapost"

# The proof of delivery is the signature image, fetched from "Get Signature Image" when
# ``signature-image-exists`` is true (same Tracking section of the API reference).
SIGNATURE_IMAGE_URL = "https://soa-gw.canadapost.ca/vis/track/pin/{pin}/signature"

PROVINCES = frozenset({"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"})

# ``event-time-zone`` is a Canadian zone abbreviation naming the offset the scan's wall time was
# in, daylight time included (EDT = -04:00); French replies (Accept-language fr-CA) use the
# French abbreviations (HAE = heure avancée de l'Est). The carrier's stated offset wins; it is
# cross-checked against the province's IANA zone and a disagreement is noted, not "fixed".
_ZONE_OFFSETS = {
    ("NST", "HNT"): "-03:30",
    ("NDT", "HAT"): "-02:30",
    ("AST", "HNA"): "-04:00",
    ("ADT", "HAA"): "-03:00",
    ("EST", "HNE"): "-05:00",
    ("EDT", "HAE"): "-04:00",
    ("CST", "HNC"): "-06:00",
    ("CDT", "HAC"): "-05:00",
    ("MST", "HNR"): "-07:00",
    ("MDT", "HAR"): "-06:00",
    ("PST", "HNP"): "-08:00",
    ("PDT", "HAP"): "-07:00",
}
ZONE_OFFSETS = {name: offset for names, offset in _ZONE_OFFSETS.items() for name in names}

# The same event identifier (1496 "Delivered", 174 "Out for delivery") is used when a parcel
# comes back to its sender; only the description tells ("L'article a été renvoyé avec succès
# à l'expéditeur", "Item returned to sender out for delivery").
_BACK_TO_SENDER = re.compile(r"returned to (the )?sender|renvoy[ée]", re.IGNORECASE)

# Canada Post's error codes (Messages and Code Tables > Error messages): 004 "No Pin History";
# E002 "AAA Authentication Failure" and the AA0xx family are key/permission problems.
NOT_FOUND_CODES = frozenset({"004"})
AUTH_CODES = frozenset({"E002"})


def read(payload: bytes) -> Reading:
    """What one Canada Post tracking reply says; never raises."""
    try:
        root = SafeTree.fromstring(payload)
    except (ParseError, DefusedXmlException, ValueError, TypeError) as error:
        return Reading(messages=(Message("unreadable_payload", f"not a readable XML document: {error}"),))
    details = list(_all(root, "tracking-detail"))
    errors = [message for element in _all(root, "messages") for message in _carrier_messages(element)]
    notes = Notes(errors)
    trackings = []
    for index, detail in enumerate(details):
        tracking = _tracking(detail, f"tracking-detail[{index}]", notes)
        if tracking is not None:
            trackings.append(tracking)
    if not details and not errors:
        notes.add("unreadable_payload", "neither a tracking-detail nor a messages document")
    return Reading(trackings=tuple(trackings), messages=notes.freeze())


def _carrier_messages(element: Element) -> Iterator[Message]:
    for index, message in enumerate(_children(element, "message")):
        code = _text(message, "code")
        description = _text(message, "description") or "no description"
        kind = "carrier_error"
        if code in NOT_FOUND_CODES:
            kind = "not_found"
        elif code is not None and (code in AUTH_CODES or code.startswith("AA")):
            kind = "auth_error"
        yield Message(kind, f"Canada Post {code or 'error'}: {description}", f"messages.message[{index}]")


def _tracking(detail: Element, where: str, reading_notes: Notes) -> CarrierTracking | None:
    number = tracking_number(_text(detail, "pin"))
    if number is None:
        reading_notes.add("missing_tracking_number", "tracking-detail without a usable pin", f"{where}.pin")
        return None
    notes = Notes()
    scans: list[CarrierEvent | UnplacedScan] = []
    occurrences = _child(detail, "significant-events")
    found = _children(occurrences, "occurrence") if occurrences is not None else []
    for index, occurrence in enumerate(found):
        scan = _event(occurrence, f"{where}.significant-events.occurrence[{index}]", notes)
        if scan is not None:
            scans.append(scan)
    return CarrierTracking(
        tracking_number=number,
        carrier=CARRIER,
        events=sorted_events(place_scan_times(scans)),
        estimated_delivery=_estimated_delivery(detail, where, notes),
        signed_by=_signed_by(found),
        proof_of_delivery=SIGNATURE_IMAGE_URL.format(pin=number)
        if (_text(detail, "signature-image-exists") or "").lower() == "true"
        else None,
        service=_text(detail, "service-name"),
        messages=notes.freeze(),
    )


def _event(occurrence: Element, where: str, notes: Notes) -> CarrierEvent | UnplacedScan | None:
    code = _text(occurrence, "event-identifier")
    description = _text(occurrence, "event-description")
    place = _place(occurrence)
    occurred_at = _occurred_at(occurrence, where, place, notes)
    if occurred_at is None:
        return None
    status, reason = CODES.lookup(table_code(code), notes, f"{where}.event-identifier", description)
    if description and _BACK_TO_SENDER.search(description):
        if status is EventStatus.delivered:
            status, reason = EventStatus.returned, "returned_to_sender"
        elif status is EventStatus.out_for_delivery:
            status, reason = EventStatus.returning, "returned_to_sender"
    return scan_at(
        occurred_at,
        status=status,
        reason=reason,
        code=code,
        description=description,
        location=place,
    )


def _occurred_at(
    occurrence: Element, where: str, place: Location | None, notes: Notes
) -> datetime | UnplacedTime | None:
    day, clock = _text(occurrence, "event-date"), _text(occurrence, "event-time")
    abbreviation = (_text(occurrence, "event-time-zone") or "").upper()
    offset = ZONE_OFFSETS.get(abbreviation)
    value = f"{day}T{clock}" if day and clock else None
    occurred_at = parse_scan_time(notes, f"{where}.event-date", value, offset=offset, place=place)
    if isinstance(occurred_at, datetime) and offset is not None and place is not None and place.timezone:
        local = occurred_at.replace(tzinfo=None).replace(tzinfo=zone(place.timezone))
        if local.utcoffset() != occurred_at.utcoffset():
            notes.add(
                "time_zone_mismatch",
                f"{abbreviation} ({offset}) disagrees with {place.timezone} on {day}; kept {abbreviation}",
                f"{where}.event-time-zone",
            )
    return occurred_at


def _place(occurrence: Element) -> Location | None:
    province = (_text(occurrence, "event-province") or "").upper() or None
    return location(
        city=_city(_text(occurrence, "event-site")),
        region=province,
        country="CA" if province in PROVINCES else None,
    )


def _city(site: str | None) -> str | None:
    """``SAINTE-FOY`` -> ``Sainte-Foy``: Canada Post shouts place names, hyphenated ones included.

    After an apostrophe a word starts a capital only behind an elided article (``L'Assomption``,
    ``D'Youville``), not a possessive (``St. John's``).
    """
    if site is None or not site.isupper():
        return site
    return _WORD.sub(lambda word: word[0].lower() if word["possessive"] else word[0].capitalize(), site)


_WORD = re.compile(r"(?P<possessive>(?<=[^\W\d_]{2}')[^\W\d_]+)|[^\W\d_]+")


def _estimated_delivery(detail: Element, where: str, notes: Notes) -> EstimatedDelivery | None:
    # A changed expected date replaces the original promise (API reference: changed-expected-date).
    for field in ("changed-expected-date", "expected-delivery-date"):
        day = parse_day(notes, f"{where}.{field}", _text(detail, field))
        if day is not None:
            return EstimatedDelivery(earliest=day, latest=day)
    return None


def _signed_by(occurrences: list[Element]) -> str | None:
    """The newest ``signatory-name``: a parcel signed for twice (redelivered) names its last signer."""
    newest_first = sorted(
        occurrences,
        key=lambda o: (_text(o, "event-date") or "", _text(o, "event-time") or ""),
        reverse=True,
    )
    return next((name for o in newest_first if (name := _text(o, "signatory-name"))), None)


# --- namespace-blind element access -------------------------------------------------------------


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _all(root: Element, name: str) -> Iterator[Element]:
    return (element for element in root.iter() if _local(element.tag) == name)


def _children(parent: Element, name: str) -> list[Element]:
    return [child for child in parent if _local(child.tag) == name]


def _child(parent: Element, name: str) -> Element | None:
    return next(iter(_children(parent, name)), None)


def _text(parent: Element, name: str) -> str | None:
    child = _child(parent, name)
    return text(child.text) if child is not None else None
