"""One timeline of an order: what the shop did, what staff noted and what the carriers
scanned, sorted by when each thing happened.

Pure: plain data in, plain data out. Entries carry instants; the page writes every one of
them in the one zone the reader chose (:func:`timeline_zone`), so times can be compared down
the list. A scan keeps the place it happened as its place, not as its clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ordertrack.kit.localtime import local_moment
from ordertrack.orders.schemas import OrderOut
from ordertrack.tracking.repository import EventRow

# Ties at the same instant read in the order things must have happened.
_RANK = {"placed": 0, "confirmed": 1, "shipment": 2, "handed_over": 3, "scan": 4, "cancelled": 5, "note": 6}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # the instant, aware; shown in its own zone
    kind: str  # placed | confirmed | cancelled | shipment | handed_over | scan | note
    title: str
    detail: str | None = None
    status: str | None = None
    tracking_number: str | None = None
    place: str | None = None
    approximate: bool = False  # a carrier's local time without a zone: the zone shown is a likely one
    author: str | None = None  # who wrote a note


def _zone_of(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return None


def scan_time(event: EventRow) -> datetime:
    """A scan's instant on the local clock where it happened (its zone, else its offset)."""
    return local_moment(event.occurred_at, event.timezone, event.utc_offset_minutes)[0]


def _place(event: EventRow) -> str | None:
    parts = [p for p in (event.city, event.region, event.postal_code, event.country) if p]
    return ", ".join(parts) or None


@dataclass(frozen=True)
class NoteFact:
    """A staff note as the timeline needs it."""

    at: datetime
    author: str
    body: str


@dataclass(frozen=True)
class ZoneChoice:
    """The zone a timeline is written in, and the words that say which it is."""

    zone: str  # an IANA name
    label: str  # "the warehouse's time (LEI1)", "your time"...
    kind: str  # warehouse | shopper | utc | chosen


def warehouse_of(order: OrderOut, held_at: str | None) -> str | None:
    """The warehouse whose clock the order's work runs on: its first shipment's, else the one
    holding its reserved stock."""
    for shipment in order.shipments:
        if shipment.warehouse:
            return shipment.warehouse.code
    return held_at


def timeline_zone(
    requested: str | None,
    *,
    warehouse: str | None,
    warehouse_zones: Mapping[str, str],
    shopper_zone: str | None,
) -> ZoneChoice:
    """The zone to write a timeline in. ``requested`` is "warehouse" (the default), "shopper",
    "utc" or an IANA zone (the viewer's own, as their browser names it); anything else is
    ValueError."""
    home = _zone_of(warehouse_zones.get(warehouse or ""))
    if requested in (None, "", "warehouse"):
        if home is not None:
            return ZoneChoice(str(home), f"the warehouse's time ({warehouse})", "warehouse")
        return ZoneChoice("UTC", "UTC (no warehouse is known for this order)", "utc")
    if requested == "utc":
        return ZoneChoice("UTC", "UTC", "utc")
    if requested == "shopper":
        if shopper_zone and _zone_of(shopper_zone) is not None:
            return ZoneChoice(shopper_zone, "the shopper's time", "shopper")
        return ZoneChoice("UTC", "UTC (the shopper's zone is not known)", "utc")
    if requested is not None and _zone_of(requested) is not None:
        return ZoneChoice(requested, f"{requested}, the zone you chose", "chosen")
    raise ValueError(f"there is no time zone {requested!r}")


def order_timeline(
    order: OrderOut,
    scans: Iterable[tuple[str, EventRow]],
    warehouse_zones: Mapping[str, str],
    carrier_names: Mapping[str, str],
    notes: Iterable[NoteFact] = (),
) -> list[TimelineEntry]:
    """Everything that happened to ``order``, oldest first. ``scans`` are (tracking number, event)."""
    entries: list[TimelineEntry] = [
        TimelineEntry(order.placed_at.astimezone(UTC), "placed", "Order placed", f"from {order.source}")
    ]
    if order.confirmed_at is not None:
        entries.append(TimelineEntry(order.confirmed_at.astimezone(UTC), "confirmed", "Order confirmed"))
    if order.cancelled_at is not None:
        entries.append(TimelineEntry(order.cancelled_at.astimezone(UTC), "cancelled", "Order cancelled"))
    for shipment in order.shipments:
        warehouse = shipment.warehouse.code if shipment.warehouse else None
        zone = _zone_of(warehouse_zones.get(warehouse or "")) or UTC
        carrier = carrier_names.get(shipment.carrier, shipment.carrier)
        numbers = ", ".join(p.tracking_number for p in shipment.parcels)
        units = sum(line.quantity for line in shipment.lines)
        entries.append(
            TimelineEntry(
                shipment.created_at.astimezone(zone),
                "shipment",
                "Shipment created",
                f"{units} unit{'s' if units != 1 else ''} with {carrier}"
                + (f" from {warehouse}" if warehouse else ""),
                tracking_number=numbers,
            )
        )
        if shipment.handed_over_at is not None:
            entries.append(
                TimelineEntry(
                    shipment.handed_over_at.astimezone(zone),
                    "handed_over",
                    f"Handed over to {carrier}",
                    tracking_number=numbers,
                )
            )
    for number, event in scans:
        entries.append(
            TimelineEntry(
                scan_time(event),
                "scan",
                event.description or event.status.replace("_", " ").capitalize(),
                f"reason: {event.reason.replace('_', ' ')}" if event.reason else None,
                status=event.status,
                tracking_number=number,
                place=_place(event),
                approximate=event.time_precision == "approximate",
            )
        )
    for note in notes:
        entries.append(
            TimelineEntry(
                note.at.astimezone(UTC), "note", f"Note by {note.author}", note.body, author=note.author
            )
        )
    entries.sort(key=lambda e: (e.at, _RANK[e.kind]))
    return entries
