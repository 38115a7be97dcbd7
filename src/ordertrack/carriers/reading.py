"""What a carrier mapping reads out of one raw payload: plain, frozen data, no I/O.

Every carrier folder has a pure ``read(payload: bytes) -> Reading``. A mapping never
raises on bad input: what it cannot read becomes a :class:`Message` beside whatever it
could read (a payload with one broken event still yields the other events).

The helpers here are what mappings share: text that is really there (not a vendor's
placeholder like ``"string"``), places with their zone, and a :class:`Notes` collector for
messages. Scan times are read by :mod:`ordertrack.carriers.scan_times`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from ordertrack.carriers.zones import zone_for
from ordertrack.kit.schema import normalise_tracking_number
from ordertrack.statuses import EventStatus, ShipmentStatus
from ordertrack.tracking.schemas import zone
from ordertrack.tracking.status import EventFact, derive_tracking_state

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


def sorted_events(events: Iterable[CarrierEvent]) -> tuple[CarrierEvent, ...]:
    """Oldest first; carriers send newest first, or in no order at all."""
    return tuple(sorted(events, key=lambda e: e.occurred_at))
