"""What a carrier mapping reads out of one raw payload: plain, frozen data, no I/O.

Every carrier folder has a pure ``read(payload: bytes) -> Reading``. A mapping never
raises on bad input: what it cannot read becomes a :class:`Message` beside whatever it
could read (a payload with one broken event still yields the other events).

The helpers here are what mappings share: text that is really there (not a vendor's
placeholder like ``"string"``), local times made aware with the right zone, and a
:class:`Notes` collector for messages. A scan is never dropped for want of a time zone: a
mapping reads scan times with :func:`parse_scan_time`, builds each scan with :func:`scan_at`
and hands a parcel's scans to :func:`place_scan_times`, which marks the ones it had to place
``approximate``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal

from ordertrack.carriers.zones import principal_zone, zone_for, zone_showing
from ordertrack.kit.schema import normalise_tracking_number
from ordertrack.tracking.schemas import zone
from ordertrack.tracking.status import EventFact, EventStatus, ShipmentStatus, derive_tracking_state

# How sure a scan's instant is. "approximate": the carrier wrote a local time with no offset at a
# place whose zone is unknown; the wall clock is the carrier's, the instant may be off by hours.
TimePrecision = Literal["exact", "approximate"]

# Vendor documentation examples fill fields with these; they are not data.
PLACEHOLDERS = frozenset({"string", "null", "none", "n/a", "na", "undefined", "tbd", "-", "--"})


@dataclass(frozen=True, slots=True)
class Location:
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    latitude: float | None = None
    longitude: float | None = None
    timezone: str | None = None  # IANA zone, when known or inferred

    def is_empty(self) -> bool:
        return all(
            value is None
            for value in (
                self.city,
                self.region,
                self.postal_code,
                self.country,
                self.latitude,
                self.longitude,
            )
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "region": self.region,
            "postal_code": self.postal_code,
            "country": self.country,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "timezone": self.timezone,
        }


@dataclass(frozen=True, slots=True)
class CarrierEvent:
    """One scan, in the unified vocabulary, with the carrier's own words kept."""

    occurred_at: datetime  # aware, with the offset the scan happened at
    status: EventStatus
    reason: str | None = None
    code: str | None = None  # the carrier's raw code
    description: str | None = None  # the carrier's own text
    location: Location | None = None
    event_id: str | None = None  # the carrier's id of this event, when it has one
    time_precision: TimePrecision = "exact"

    def as_dict(self) -> dict[str, Any]:
        return {
            "occurred_at": self.occurred_at.isoformat(),
            "time_precision": self.time_precision,
            "status": str(self.status),
            "reason": self.reason,
            "code": self.code,
            "description": self.description,
            "location": self.location.as_dict() if self.location else None,
        }


@dataclass(frozen=True, slots=True)
class EstimatedDelivery:
    """The carrier's estimate (not our promise: docs/glossary.md): a day, or a window (both ends
    the same for a single day)."""

    earliest: date
    latest: date
    earliest_time: datetime | None = None  # a time window on the day, when given
    latest_time: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
            "earliest_time": self.earliest_time.isoformat() if self.earliest_time else None,
            "latest_time": self.latest_time.isoformat() if self.latest_time else None,
        }


@dataclass(frozen=True, slots=True)
class Message:
    """Something the mapping could not read, or the carrier said instead of tracking data."""

    code: str  # e.g. unreadable_payload, bad_time, unknown_code, carrier_error, not_found
    text: str
    where: str | None = None  # a path into the payload, e.g. "trackResponse.shipment[0]"
    subject: str | None = None  # what it is about, e.g. the raw code an unknown_code names

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "where": self.where}


@dataclass(frozen=True)
class CarrierTracking:
    """One tracking number as one payload tells it."""

    tracking_number: str
    carrier: str  # ordertrack's slug of the carrier that moves the parcel
    events: tuple[CarrierEvent, ...] = ()  # oldest first
    estimated_delivery: EstimatedDelivery | None = None
    signed_by: str | None = None
    proof_of_delivery: str | None = None  # a URL or a reference to the carrier's proof
    service: str | None = None
    messages: tuple[Message, ...] = ()

    @property
    def status(self) -> ShipmentStatus:
        """The status ordertrack derives from these events (not the carrier's summary)."""
        facts = [EventFact(e.occurred_at, e.status, e.reason, f"{i:08d}") for i, e in enumerate(self.events)]
        return ShipmentStatus(derive_tracking_state(facts).status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tracking_number": self.tracking_number,
            "carrier": self.carrier,
            "status": str(self.status),
            "estimated_delivery": self.estimated_delivery.as_dict() if self.estimated_delivery else None,
            "signed_by": self.signed_by,
            "proof_of_delivery": self.proof_of_delivery,
            "service": self.service,
            "events": [event.as_dict() for event in self.events],
            "messages": [message.as_dict() for message in self.messages],
        }


@dataclass(frozen=True)
class Reading:
    """Everything read from one payload: its trackings, and messages about the payload as a whole."""

    trackings: tuple[CarrierTracking, ...] = ()
    messages: tuple[Message, ...] = ()

    @property
    def readable(self) -> bool:
        """False when nothing usable came out (the payload belongs in quarantine)."""
        return bool(self.trackings)

    def all_messages(self) -> list[Message]:
        return [*self.messages, *(m for t in self.trackings for m in t.messages)]


# --- helpers for mappings ---------------------------------------------------------------------


@dataclass
class Notes:
    """Collects messages while a mapping reads; never raises."""

    messages: list[Message] = field(default_factory=list)

    def add(self, code: str, text: str, where: str | None = None, *, subject: str | None = None) -> None:
        self.messages.append(Message(code, text, where, subject))

    def freeze(self) -> tuple[Message, ...]:
        return tuple(self.messages)


def text(value: object) -> str | None:
    """A real string value stripped, or None for missing, empty, non-text and placeholders."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    if not cleaned or cleaned.lower() in PLACEHOLDERS:
        return None
    return cleaned


def dig(value: object, *path: str | int) -> Any:
    """``value[path[0]][path[1]]...`` or None as soon as a step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return None
            value = value[step]
        else:
            if not isinstance(value, Mapping):
                return None
            value = value.get(step)
    return value


def items(value: object) -> list[Any]:
    """A list as a list, a single object as a one-item list (XML-ish JSON does both), else []."""
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    return []


# Notes carriers write where a signer's name belongs ("Signature not required", "N/A",
# "Released", "Left at front door"), matched as whole words without case.
_NOT_A_NAME = re.compile(
    r"\b(?:signature|not required|not requested|no signature|required|waived|released|unknown|"
    r"n/?a|none|unsigned|left at|front door|mailbox|porch)\b",
    re.IGNORECASE,
)


def signer(value: object) -> str | None:
    """Who signed for a parcel, or None when the field holds a note instead of a name.

    Taking "Signature not required" (FedEx through AfterShip does write it) as a name would
    tell the shopper that someone of that name signed for their parcel.
    """
    name = text(value)
    if name is None or _NOT_A_NAME.search(name) or not re.search(r"[^\W\d_]", name):
        return None
    return name


def number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    cleaned = text(value)
    if cleaned is None:
        return None
    try:
        return float(cleaned)
    except ValueError:
        return None


def tracking_number(value: object) -> str | None:
    cleaned = text(value)
    if cleaned is None:
        return None
    try:
        return normalise_tracking_number(cleaned)
    except ValueError:
        return None


def country_code(value: object) -> str | None:
    """An ISO alpha-2 code as given by the carrier, upper-cased; anything else is dropped."""
    cleaned = text(value)
    if cleaned is None or not re.fullmatch(r"[A-Za-z]{2}", cleaned):
        return None
    return cleaned.upper()


def location(
    *,
    city: object = None,
    region: object = None,
    postal_code: object = None,
    country: object = None,
    latitude: object = None,
    longitude: object = None,
    timezone_name: object = None,
) -> Location | None:
    """A location from loose carrier fields, with its IANA zone inferred when it can be."""
    lat, lon = number(latitude), number(longitude)
    if lat is not None and not -90 <= lat <= 90:
        lat = None
    if lon is not None and not -180 <= lon <= 180:
        lon = None
    if lat is None or lon is None:
        lat = lon = None
    place = Location(
        city=_title(text(city)),
        region=text(region),
        postal_code=text(postal_code),
        country=country_code(country),
        latitude=lat,
        longitude=lon,
    )
    if place.is_empty():
        return None
    given = text(timezone_name)
    zone_name = given if given and _is_zone(given) else zone_for(place.country, place.region, lat, lon)
    return Location(**{**place.as_dict(), "timezone": zone_name})


def _title(city: str | None) -> str | None:
    """Carriers shout city names (``LOUISVILLE``); show them as people write them."""
    if city is None or not city.isupper():
        return city
    return " ".join(word.capitalize() if len(word) > 2 else word for word in city.split(" "))


def _is_zone(name: str) -> bool:
    try:
        zone(name)
    except Exception:  # noqa: BLE001 - zoneinfo raises several kinds for a bad key
        return False
    return True


_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*(?P<sign>[+-])(?P<h>\d{1,2}):?(?P<m>\d{2})?$")


def parse_offset(value: object) -> timezone | None:
    """``-05:00``, ``-0500``, ``-5``, ``GMT-05:00``, ``Z`` as a fixed offset; else None."""
    cleaned = text(value)
    if cleaned is None:
        return None
    if cleaned.upper() in ("Z", "UTC", "GMT"):
        return UTC
    match = _OFFSET.match(cleaned.upper())
    if match is None:
        return None
    hours, minutes = int(match["h"]), int(match["m"] or 0)
    if hours > 14 or minutes >= 60:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if match["sign"] == "-" else delta)


def parse_local_time(
    notes: Notes,
    where: str,
    value: object,
    *,
    formats: Iterable[str] = (),
    offset: object = None,
    place: Location | None = None,
) -> datetime | None:
    """An aware instant from a carrier's time text.

    ISO 8601 is always tried; ``formats`` adds the carrier's own ``strptime`` formats. The
    zone comes from, in order: the text's own offset, ``offset``, the IANA zone of ``place``.
    A time with none of them is refused (a message, no guess), as is a placeholder: for times
    that are not scans (a delivery window). A scan's time goes through :func:`parse_scan_time`.
    """
    found = parse_scan_time(notes, where, value, formats=formats, offset=offset, place=place)
    if isinstance(found, UnplacedTime):
        notes.add("bad_time", f"{found.raw!r} has no offset and its location has no known time zone", where)
        return None
    return found


@dataclass(frozen=True, slots=True)
class UnplacedTime:
    """A scan's wall-clock time that neither the payload nor the scan's place puts in a zone."""

    wall: datetime  # naive: what the carrier's clock showed
    raw: str


def parse_scan_time(
    notes: Notes,
    where: str,
    value: object,
    *,
    formats: Iterable[str] = (),
    offset: object = None,
    place: Location | None = None,
) -> datetime | UnplacedTime | None:
    """As :func:`parse_local_time`, but a time no zone can be found for is kept as an
    :class:`UnplacedTime` for :func:`place_scan_times` to place once the parcel's other scans
    are read: a scan is never dropped for lacking a zone (UPS writes "label created" with only
    a country)."""
    raw = text(value)
    if raw is None:
        notes.add("bad_time", f"no usable time in {value!r}", where)
        return None
    parsed = _parse(raw, formats)
    if parsed is None:
        notes.add("bad_time", f"{raw!r} is not a time this carrier writes", where)
        return None
    if parsed.tzinfo is not None:
        return parsed
    fixed = parse_offset(offset)
    if fixed is not None:
        return parsed.replace(tzinfo=fixed)
    if place is not None and place.timezone is not None:
        return _on_local_clock(parsed, place.timezone)
    return UnplacedTime(parsed, raw)


def _on_local_clock(wall: datetime, zone_name: str) -> datetime:
    local = zone(zone_name)
    # fold=0: an ambiguous wall time (autumn change) is read as the first occurrence.
    return wall.replace(tzinfo=local).astimezone(local)


@dataclass(frozen=True, slots=True)
class UnplacedScan:
    """A scan read in full but for its instant: the event to be, with its wall-clock time."""

    time: UnplacedTime
    event: CarrierEvent  # its occurred_at is a stand-in until placed


# The instant of a scan not placed yet; place_scan_times replaces it.
_STAND_IN = datetime(1970, 1, 1, tzinfo=UTC)


def scan_at(
    when: datetime | UnplacedTime,
    status: EventStatus,
    reason: str | None = None,
    code: str | None = None,
    description: str | None = None,
    location: Location | None = None,
    event_id: str | None = None,
) -> CarrierEvent | UnplacedScan:
    """The scan read at ``when``: an event, or one that waits for :func:`place_scan_times`."""
    if isinstance(when, UnplacedTime):
        return UnplacedScan(
            when, CarrierEvent(_STAND_IN, status, reason, code, description, location, event_id)
        )
    return CarrierEvent(when, status, reason, code, description, location, event_id)


def place_scan_times(
    scans: Sequence[CarrierEvent | UnplacedScan], *, offsets_are_local: bool = True
) -> list[CarrierEvent]:
    """Every scan of one parcel with an instant; those without a zone marked approximate.

    A scan whose local time has no zone takes, in order: the zone of its own place, when the
    place has one but the payload does not say the time is that place's (an aggregator that
    writes UTC and lost the ``Z``); the zone of the parcel's scan in the same country (any
    country when the scan has none) nearest to it on the clock; else its country's most
    populous zone (:func:`zones.principal_zone`); else UTC. Its wall clock stays the carrier's,
    so it reads as written; only the instant is uncertain, by the span of the country's zones
    (a few hours in the US, ten in Russia) or, with no country at all, up to half a day.

    A scan the carrier gave an offset for, at a place that names no zone, keeps its instant and
    takes the zone of its country that showed that offset then (:func:`zones.zone_showing`), so
    it is shown on its own clock and its neighbours can borrow it; not when ``offsets_are_local``
    is false (an aggregator's instants in UTC say nothing of the place's clock).
    """
    if offsets_are_local:
        scans = [_with_zone_of_offset(scan) if isinstance(scan, CarrierEvent) else scan for scan in scans]
    placed = [scan for scan in scans if isinstance(scan, CarrierEvent)]
    result: list[CarrierEvent] = []
    for scan in scans:
        if isinstance(scan, CarrierEvent):
            result.append(scan)
            continue
        place = scan.event.location
        country = place.country if place else None
        zone_name = (
            (place.timezone if place else None)
            or _nearest_zone(scan.time.wall, country, placed)
            or principal_zone(country)
        )
        if zone_name is None:
            occurred_at = scan.time.wall.replace(tzinfo=UTC)
        else:
            occurred_at = _on_local_clock(scan.time.wall, zone_name)
            place = replace(place or Location(), timezone=zone_name)
        result.append(
            replace(scan.event, occurred_at=occurred_at, location=place, time_precision="approximate")
        )
    return result


def _with_zone_of_offset(event: CarrierEvent) -> CarrierEvent:
    """A scan with an offset but a place of no known zone takes a zone of its country showing it."""
    place = event.location
    if place is None or place.timezone is not None or place.country is None:
        return event
    zone_name = zone_showing(place.country, event.occurred_at)
    return replace(event, location=replace(place, timezone=zone_name)) if zone_name else event


def _nearest_zone(wall: datetime, country: str | None, placed: Sequence[CarrierEvent]) -> str | None:
    """The zone of the placed scan in ``country`` whose local clock is nearest ``wall``."""
    candidates = [
        (abs(event.occurred_at.replace(tzinfo=None) - wall), event.location.timezone)
        for event in placed
        if event.location is not None
        and event.location.timezone is not None
        and event.time_precision == "exact"
        and (country is None or event.location.country == country)
    ]
    return min(candidates)[1] if candidates else None


def _parse(raw: str, formats: Iterable[str]) -> datetime | None:
    iso = raw.replace("Z", "+00:00") if raw.endswith("Z") else raw
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    for fmt in formats:
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    return None


def parse_day(notes: Notes, where: str, value: object, *, formats: Iterable[str] = ()) -> date | None:
    """A calendar day (an EDD); a full timestamp gives its own local day."""
    raw = text(value)
    if raw is None:
        return None
    parsed = _parse(raw, (*formats, "%Y%m%d", "%Y-%m-%d"))
    if parsed is None:
        notes.add("bad_date", f"{raw!r} is not a date this carrier writes", where)
        return None
    return parsed.date()


def sorted_events(events: Iterable[CarrierEvent]) -> tuple[CarrierEvent, ...]:
    """Oldest first; carriers send newest first, or in no order at all."""
    return tuple(sorted(events, key=lambda e: e.occurred_at))
