"""A moment on the wall clock where it happened, and its zone written one way for every reader.

A scan keeps its instant (UTC) and where it happened: an IANA zone when the place is known, else
only the UTC offset the carrier wrote. The API, the tracking page, the emails and the dashboard
all show it through these functions, so a shopper, a merchant and an integrator read the same
clock and the same zone:

- the zone's *name* is the IANA zone ("America/Chicago"), else the fixed offset ("UTC-05:00",
  "UTC" for none): :func:`local_moment`, :func:`zone_name_of`;
- its *label* for people adds the abbreviation the zone uses at that moment, when it has a real
  one: "America/Chicago (CST)", "Europe/Berlin (CEST)", but "America/Sao_Paulo" (whose
  abbreviation is only "-03") and "UTC-05:00": :func:`zone_label`;
- the whole text is the date and time in the reader's language, then the label:
  "Nov 24, 2025, 2:05 PM America/Chicago (CST)": :func:`local_time_text`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, get_datetime_format


def offset_name(offset: timedelta) -> str:
    """ "UTC" for no offset, else "UTC-05:00" or "UTC+05:30"."""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_moment(
    instant: datetime, zone: str | None, offset_minutes: int | None = None
) -> tuple[datetime, str]:
    """``instant`` on the clock where it happened, and that clock's zone name: the IANA ``zone``
    when it is one, else the fixed offset (``offset_minutes``, else the instant's own)."""
    found = _zone(zone) if zone else None
    if found is not None:
        return instant.astimezone(found), str(zone)
    offset = timedelta(minutes=offset_minutes) if offset_minutes is not None else instant.utcoffset()
    offset = offset or timedelta(0)
    return instant.astimezone(timezone(offset)), offset_name(offset)


def zone_name_of(local: datetime) -> str:
    """The zone name of an aware datetime: the IANA key of its zone, else its offset's name."""
    key = getattr(local.tzinfo, "key", None)
    if key:
        return str(key)
    return offset_name(local.utcoffset() or timedelta(0))


def zone_label(local: datetime, zone: str) -> str:
    """ "America/Chicago (CST)": the zone name, with the abbreviation it uses at ``local`` when the
    zone has a real one; an offset name ("UTC-05:00", "UTC") or an unknown name as it is."""
    found = _zone(zone) if "/" in zone else None
    if found is None:
        return zone
    abbreviation = local.astimezone(found).tzname() or ""
    if abbreviation and abbreviation[0] not in "+-":
        return f"{zone} ({abbreviation})"
    return zone


def clock_text(local: datetime, locale: str) -> str:
    """Date and time (hours and minutes) of ``local`` as it reads there, in ``locale``'s usual pattern."""
    pattern = str(get_datetime_format("medium", locale=locale))
    return (
        pattern.replace("'", "")
        .replace("{1}", format_date(local, "medium", locale=locale))
        .replace("{0}", format_time(local, "short", locale=locale))
    )


def local_time_text(instant: datetime, zone: str | None, locale: str) -> str:
    """ "Nov 24, 2025, 2:05 PM America/Chicago (CST)": ``instant`` where it happened (``zone``, else
    the offset it carries; a naive one is refused), in ``locale``, with the zone's label."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a local time needs an aware datetime")
    local, name = local_moment(instant, zone) if zone else (instant, zone_name_of(instant))
    return f"{clock_text(local, locale)} {zone_label(local, name)}"


def in_zone(local: datetime, zone: str | None) -> datetime:
    """``local`` on the clock of the IANA ``zone`` when it is one (a stored offset has no name)."""
    if zone and "/" in zone:
        try:
            return local.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            return local
    return local


def short_zone(local: datetime, zone: str | None = None) -> str:
    """ "EST", "CEST", "JST", else the offset as "UTC−3" or "UTC+5:30" ("UTC" for none)."""
    local = in_zone(local, zone)
    abbreviation = local.tzname() or ""
    if abbreviation.isalpha() and abbreviation.isupper():
        return "UTC" if abbreviation == "Z" else abbreviation
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def shopper_time_text(instant: datetime, zone: str | None, locale: str) -> str:
    """ "Nov 24, 2025, 8:05 AM CST": where it happened, with the short zone name a shopper reads
    (the IANA name is for staff, see :func:`local_time_text`)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a local time needs an aware datetime")
    local = local_moment(instant, zone)[0] if zone else instant
    return f"{clock_text(local, locale)} {short_zone(local, zone)}"
