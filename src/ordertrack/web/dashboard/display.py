"""How the dashboard writes values: instants in a named zone, statuses in words, sizes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ordertrack.kit.localtime import local_time_text
from ordertrack.kit.money import format_money

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


def helpers(locale: str) -> dict[str, Callable[..., Any]]:
    def when(value: datetime | None, zone: str | None = None) -> str:
        """``value`` in ``zone`` (or the zone it carries), written for the locale, with the zone."""
        if value is None:
            return ""
        return local_time_text(value if value.tzinfo else value.replace(tzinfo=UTC), zone, locale)

    def iso(value: datetime | None) -> str:
        return value.isoformat() if value else ""

    def money(amount: Any, currency: str) -> str:
        return format_money(amount, currency, locale)

    formatting = {"when": when, "iso": iso, "money": money}
    return {**formatting, "status_words": status_words, "status_tone": status_tone}
