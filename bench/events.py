"""Unified tracking events for the benchmark, and the table rows a bare script would store.

Every event gets a unique carrier id and a strictly later instant than all events the same
stream made before it. One stream serves a whole run (seeding first, then every measured
phase), so ingest always takes the common path: a new scan that extends a parcel's timeline.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from psycopg.types.json import Jsonb

from benchdb import CARRIER

CHICAGO_WINTER = timezone(timedelta(hours=-6))
STEP = timedelta(milliseconds=10)

# The columns of ``tracking_events`` that ingest fills, in insert order (``id`` is serial).
COLUMNS = (
    "merchant_id",
    "parcel_id",
    "tracking_number",
    "carrier",
    "source",
    "event_id",
    "dedupe_key",
    "occurred_at",
    "utc_offset_minutes",
    "timezone",
    "status",
    "reason",
    "code",
    "description",
    "city",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "received_at",
    "raw",
)


class EventStream:
    """An endless supply of in-order ``in_transit`` scans, one call per event."""

    def __init__(self, tag: str, start: datetime | None = None) -> None:
        self._tag = tag
        self._start = start or datetime.now(UTC) - timedelta(days=2)
        self._seq = itertools.count()

    def scan(self, tracking_number: str) -> dict[str, Any]:
        n = next(self._seq)
        return {
            "tracking_number": tracking_number,
            "carrier": CARRIER,
            "event_id": f"{self._tag}-{n}",
            "occurred_at": (self._start + n * STEP).astimezone(CHICAGO_WINTER).isoformat(),
            "status": "in_transit",
            "code": "AR",
            "description": "Arrived at carrier facility",
            "location": {
                "city": "Chicago",
                "region": "IL",
                "postal_code": "60601",
                "country": "US",
                "timezone": "America/Chicago",
            },
            "source": "bench",
        }

    def batch(self, tracking_numbers: Sequence[str], size: int) -> list[dict[str, Any]]:
        """``size`` scans spread round-robin over ``tracking_numbers``."""
        return [self.scan(tracking_numbers[i % len(tracking_numbers)]) for i in range(size)]


def body(events: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps({"events": list(events)}, separators=(",", ":")).encode()


def table_row(
    merchant_id: str, parcel_id: str | None, event: dict[str, Any], received_at: datetime
) -> tuple[Any, ...]:
    """The ``tracking_events`` row for one scan, in :data:`COLUMNS` order."""
    occurred_at = datetime.fromisoformat(event["occurred_at"])
    offset = occurred_at.utcoffset() or timedelta(0)
    identity = "\x1f".join(("id", event["carrier"], event["tracking_number"], event["event_id"]))
    location = event.get("location") or {}
    return (
        merchant_id,
        parcel_id,
        event["tracking_number"],
        event["carrier"],
        event["source"],
        event["event_id"],
        hashlib.sha256(identity.encode()).hexdigest(),
        occurred_at.astimezone(UTC),
        int(offset.total_seconds() // 60),
        location.get("timezone"),
        event["status"],
        event.get("reason"),
        event.get("code"),
        event.get("description"),
        location.get("city"),
        location.get("region"),
        location.get("postal_code"),
        location.get("country"),
        location.get("latitude"),
        location.get("longitude"),
        received_at,
        Jsonb(event),
    )
