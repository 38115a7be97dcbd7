"""One timeline of an order: what the shop did and what the carriers scanned, in time order.

Pure: plain data in, plain data out. Each entry keeps the zone it is shown in: a scan in
its location's zone (or the offset it was reported with), a shipment's steps in its
warehouse's zone when known, the order's own steps in UTC (an order carries no zone).
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
_RANK = {"placed": 0, "confirmed": 1, "shipment": 2, "handed_over": 3, "scan": 4, "cancelled": 5}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # the instant, aware; shown in its own zone
    kind: str  # placed | confirmed | cancelled | shipment | handed_over | scan
    title: str
    detail: str | None = None
    status: str | None = None
    tracking_number: str | None = None
    place: str | None = None
    approximate: bool = False  # a carrier's local time without a zone: the zone shown is a likely one


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


def order_timeline(
    order: OrderOut,
    scans: Iterable[tuple[str, EventRow]],
    warehouse_zones: Mapping[str, str],
    carrier_names: Mapping[str, str],
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
    entries.sort(key=lambda e: (e.at, _RANK[e.kind]))
    return entries
