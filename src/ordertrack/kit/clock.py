"""The one place that reads the wall clock; everything else takes time as an argument."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def ensure_aware(value: datetime, what: str = "timestamp") -> datetime:
    """Refuse naive datetimes: ordertrack never guesses a time zone."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{what} must carry a time zone offset")
    return value
