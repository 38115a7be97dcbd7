"""The rules of taking in a tracking event, over plain data: is its time believable, what is
its identity, what row stores it, and which parcel it belongs to.

Both the ingest service and the simulator's bulk loader call these, so the two store the
same rows. No database and no clock: the time the event was received is passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from ordertrack.tracking.schemas import UnifiedEventIn

# Carrier clocks drift, but a scan a day ahead of us or before 1990 is a broken payload.
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

# A parcel's timeline is read from one index that carries its texts (migration 0012), and
# PostgreSQL refuses an index entry over 2,704 bytes. The schema caps every text in characters;
# in UTF-8 all but the description take at most 1,808 bytes together. The description is
# shortened, with an ellipsis, when the event's texts would pass TEXT_BYTES: never in ASCII,
# only for a long description in a script of 2 to 4 bytes per character.
TEXT_BYTES = 2000
ELLIPSIS = "\u2026"


def implausible_time(occurred_at: datetime, received_at: datetime) -> str | None:
    """Why the event's time cannot be right (then it is rejected), or None."""
    if occurred_at > received_at + FUTURE_TOLERANCE:
        return "is more than a day in the future"
    if occurred_at < EARLIEST:
        return "is before 1990"
    return None


def _identity_time(event: UnifiedEventIn) -> str:
    """The instant, or for an approximate time the carrier's wall clock: a later poll may place
    the same scan in another zone (the parcel's new scans suggest one), and it is the same scan."""
    if event.time_precision == "approximate":
        return "wall " + event.occurred_at.replace(tzinfo=None).isoformat()
    return event.occurred_at.astimezone(UTC).isoformat()


def dedupe_key(event: UnifiedEventIn) -> str:
    """The event's identity: the carrier's own id, else a hash of what makes it this event."""
    basis: tuple[str, ...]
    if event.event_id is not None:
        basis = ("id", event.carrier, event.tracking_number, event.event_id)
    else:
        loc = event.location
        place = (
            (loc.city or "", loc.region or "", loc.postal_code or "", loc.country or "")
            if loc
            else ("", "", "", "")
        )
        basis = (
            "content",
            event.carrier,
            event.tracking_number,
            _identity_time(event),
            event.code or event.status,
            *(part.casefold() for part in place),
        )
    return hashlib.sha256("\x1f".join(basis).encode()).hexdigest()


def fitted_description(event: UnifiedEventIn) -> str | None:
    """The event's description, shortened if needed so that its texts fit TEXT_BYTES in UTF-8."""
    if event.description is None:
        return None
    loc = event.location
    texts = (event.event_id, event.code) + ((loc.city, loc.region, loc.postal_code) if loc else ())
    room = TEXT_BYTES - sum(len(text.encode()) for text in texts if text)
    encoded = event.description.encode()
    if len(encoded) <= room:
        return event.description
    return encoded[: room - len(ELLIPSIS.encode())].decode(errors="ignore") + ELLIPSIS


def event_row(merchant_id: str, event: UnifiedEventIn, raw: Any, received_at: datetime) -> dict[str, Any]:
    """The ``tracking_events`` columns that store this event (no parcel yet), keeping ``raw`` as sent."""
    offset = event.occurred_at.utcoffset() or timedelta(0)
    loc = event.location
    return {
        "merchant_id": merchant_id,
        "parcel_id": None,
        "tracking_number": event.tracking_number,
        "carrier": event.carrier,
        "source": event.source,
        "event_id": event.event_id,
        "dedupe_key": dedupe_key(event),
        "occurred_at": event.occurred_at.astimezone(UTC),
        "utc_offset_minutes": int(offset.total_seconds() // 60),
        "timezone": loc.timezone if loc else None,
        "time_precision": event.time_precision,
        "status": str(event.status),
        "reason": event.reason,
        "code": event.code,
        "description": fitted_description(event),
        "city": loc.city if loc else None,
        "region": loc.region if loc else None,
        "postal_code": loc.postal_code if loc else None,
        "country": loc.country if loc else None,
        "latitude": loc.latitude if loc else None,
        "longitude": loc.longitude if loc else None,
        "received_at": received_at,
        "raw": raw,
    }


class Registered(Protocol):
    """A parcel as matching sees it: when the merchant registered it."""

    @property
    def id(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


P = TypeVar("P", bound=Registered)


def newest_first(parcels: Iterable[P]) -> list[P]:
    """Parcels with one number in the order matching reads them: the newest registered first."""
    return sorted(parcels, key=lambda p: (p.created_at, p.id), reverse=True)


def match_parcel(candidates: Sequence[P], occurred_at: datetime, recycle_window: timedelta) -> P | None:
    """The newest parcel (candidates come newest first) this event can belong to.

    Carriers recycle numbers, so an event far older than a parcel belongs to an earlier
    parcel with the same number, or to none we know.
    """
    for parcel in candidates:
        if occurred_at >= parcel.created_at - recycle_window:
            return parcel
    return None


def claim_since(created_at: datetime, recycle_window: timedelta) -> datetime:
    """The earliest event a parcel registered at ``created_at`` can claim."""
    return created_at - recycle_window


def claims(owner: str | None, occurred_at: datetime, *, since: datetime, older: Collection[str]) -> bool:
    """Does a newly registered parcel take this event of its number?

    It takes what its window covers (``since``, from :func:`claim_since`) and what nobody
    owns or an older parcel with the same number owns: the rule of :func:`match_parcel`
    applied after the fact, so the outcome does not depend on whether scans or the
    shipment came first.
    """
    return occurred_at >= since and (owner is None or owner in older)
