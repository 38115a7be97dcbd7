"""Scan times as the shopper reads them: the local wall clock of the scan, in their language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_time, get_datetime_format


def scan_time(local: datetime, locale: str) -> str:
    """Date and time (hours and minutes) of ``local``, in ``locale``'s usual pattern."""
    pattern = str(get_datetime_format("medium", locale=locale))
    return (
        pattern.replace("'", "")
        .replace("{1}", format_date(local, "medium", locale=locale))
        .replace("{0}", format_time(local, "short", locale=locale))
    )


def zone_label(local: datetime, zone: str) -> str:
    """ "America/Chicago (CST)", or the offset label ("UTC-05:00") when no zone is known."""
    if "/" not in zone:
        return zone
    try:
        abbreviation = local.astimezone(ZoneInfo(zone)).tzname() or ""
    except (ZoneInfoNotFoundError, ValueError):
        return zone
    if abbreviation and abbreviation[0] not in "+-":
        return f"{zone} ({abbreviation})"
    return zone
