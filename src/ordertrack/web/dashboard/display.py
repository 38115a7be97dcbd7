"""How the dashboard writes values: instants in a named zone, statuses in words, sizes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

STATUS_WORDS = {
    "pending": "Pending",
    "processing": "Processing",
    "partially_shipped": "Partially shipped",
    "shipped": "Shipped",
    "partially_delivered": "Partially delivered",
    "delivered": "Delivered",
    "partially_returned": "Partially returned",
    "returned": "Returned",
    "cancelled": "Cancelled",
    "info_received": "Label created",
    "in_transit": "In transit",
    "out_for_delivery": "Out for delivery",
    "available_for_pickup": "Ready for pickup",
    "failed_attempt": "Delivery attempt failed",
    "exception": "Exception",
    "returning": "Returning to sender",
}
# Statuses that want a look, for the badge colour (the word says it too, never colour alone).
BAD = frozenset({"exception", "failed_attempt", "returning", "returned", "cancelled"})
GOOD = frozenset({"delivered"})


def status_words(status: str | None) -> str:
    if not status:
        return ""
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def status_tone(status: str | None) -> str:
    return "bad" if status in BAD else "good" if status in GOOD else "neutral"


def zone_label(value: datetime) -> str:
    """The zone of an aware datetime: its IANA name when it has one, else its UTC offset."""
    key = getattr(value.tzinfo, "key", None)
    if key:
        return str(key)
    offset = value.utcoffset()
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def in_zone(value: datetime, zone: str | None) -> datetime:
    try:
        return value.astimezone(ZoneInfo(zone)) if zone else value.astimezone(UTC)
    except (KeyError, ValueError):
        return value.astimezone(UTC)


def helpers(locale: str) -> dict[str, Callable[..., Any]]:
    def when(value: datetime | None, zone: str | None = None, format: str = "medium") -> str:
        """``value`` in ``zone`` (or the zone it carries), written for the locale, with the zone."""
        if value is None:
            return ""
        shown = in_zone(value, zone) if zone else value
        if shown.tzinfo is None:
            shown = shown.replace(tzinfo=UTC)
        return f"{format_datetime(shown, format=format, locale=locale)} ({zone_label(shown)})"

    def iso(value: datetime | None) -> str:
        return value.isoformat() if value else ""

    return {"when": when, "iso": iso, "status_words": status_words, "status_tone": status_tone}
