"""When a carrier's scan happened: its time text made an aware instant in the right zone.

A scan is never dropped for want of a time zone. A mapping reads scan times with
:func:`parse_scan_time` (the text's own offset, else the one the payload gives, else the zone
of the scan's place), builds each scan with :func:`scan_at`, and hands a parcel's scans to
:func:`place_scan_times`, which places the ones no zone could be found for and marks them
``approximate``. Times that are not scans (a delivery window) go through
:func:`parse_local_time`, which refuses what it cannot place; days (an EDD) through
:func:`parse_day`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone

from ordertrack.carriers.reading import CarrierEvent, Location, Notes, text
from ordertrack.carriers.zones import principal_zone, zone_showing
from ordertrack.statuses import EventStatus
from ordertrack.tracking.schemas import zone

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
