"""The tracking page's view model, built from plain facts: no session, no request, no clock.

:mod:`ordertrack.web.track.reading` gathers the facts through the features' services; this
module decides what the shopper sees: the stepper, the sentences, the scans newest first,
the route map and the structured data. Sentences are message ids, translated when rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES
from ordertrack.web.track import jsonld
from ordertrack.web.track.routemap import GeoPoint, RouteMap, project
from ordertrack.web.track.words import (
    ORDER_WORDS,
    PARCEL_STEP,
    REASON_WORDS,
    SCAN_WORDS,
    STEP_INDEX,
    STEPS,
    Plainly,
    parcel_words,
)

# --- facts in (a *Card* is what one block of the page is drawn from) ------------------------


@dataclass(frozen=True)
class ScanFacts:
    """One scan as the tracking service reports it (see ``tracking.schemas.EventOut``)."""

    occurred_at: datetime  # UTC
    local_time: datetime  # the same instant with the scan location's offset
    zone: str  # IANA zone, or "UTC-05:00" when only the offset is known
    status: str
    reason: str | None = None
    description: str | None = None
    # The carrier gave a wall clock without its zone: local_time reads as written, the instant
    # behind it is a likely one (tracking.schemas.EventOut.time_precision).
    approximate: bool = False
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class ItemFacts:
    name: str
    sku: str
    quantity: int


@dataclass(frozen=True)
class ParcelCard:
    """One parcel of a shipment on the page: its number, carrier, derived status and scans."""

    tracking_number: str
    carrier: str
    status: str
    reason: str | None
    scans: Sequence[ScanFacts]  # oldest first
    carrier_url: str | None = None  # the carrier's own tracking page for this number


@dataclass(frozen=True)
class ShipmentCard:
    """One shipment on the page: its carrier, derived status, parcels and items."""

    carrier: str
    status: str
    reason: str | None
    parcels: Sequence[ParcelCard]
    items: Sequence[ItemFacts] | None  # None in the limited view


@dataclass(frozen=True)
class EstimateChange:
    earliest: date
    latest: date
    recorded_at: datetime


@dataclass(frozen=True)
class DeliveryCard:
    """The "Estimated delivery" card: our promise, else the carrier's estimate (docs/glossary.md),
    as a day (earliest == latest) or a window, and how it moved over time."""

    earliest: date
    latest: date
    history: tuple[EstimateChange, ...] = ()

    @property
    def is_range(self) -> bool:
        return self.earliest != self.latest


@dataclass(frozen=True)
class StoreFacts:
    merchant_id: str
    name: str
    logo_data_uri: str | None


@dataclass(frozen=True)
class OrderCard:
    """The order at the top of the page (None in the limited view)."""

    number: str
    status: str
    placed_at: datetime
    city: str | None
    country: str | None
    shopper_name: str | None  # only when the lookup proved the email
    # A shipment needs the store's attention (late, silent, lost: attention.rules).
    needs_attention: bool = False


# --- view out -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str  # "done", "current" or "upcoming"

    @property
    def current(self) -> bool:
        return self.state == "current"


@dataclass(frozen=True)
class ScanView:
    local_time: datetime
    zone: str
    status: str
    text: str  # the carrier's description, shown as text
    fallback: str  # a message id, used when the carrier gave no description
    place: str | None
    approximate: bool = False  # shown as "about" the carrier's local time, with no zone


@dataclass(frozen=True)
class ParcelView:
    tracking_number: str
    carrier: str
    carrier_name: str
    carrier_url: str | None
    words: Plainly
    scans: tuple[ScanView, ...]  # newest first
    route: RouteMap | None
    jsonld: str


@dataclass(frozen=True)
class ShipmentView:
    number: int
    carrier_name: str
    words: Plainly
    parcels: tuple[ParcelView, ...]
    items: tuple[ItemFacts, ...] | None


@dataclass(frozen=True)
class TrackingPage:
    store: StoreFacts
    limited: bool  # looked up by tracking number: no order, items or name
    order_number: str | None
    shopper_name: str | None
    placed_at: datetime | None
    destination: str | None
    headline: Plainly
    alert: Plainly | None
    steps: tuple[Step, ...]
    shipments: tuple[ShipmentView, ...]
    estimated_delivery: DeliveryCard | None = None

    @property
    def latest_scan(self) -> ScanView | None:
        scans = [scan for s in self.shipments for p in s.parcels for scan in p.scans]
        return max(scans, key=lambda scan: scan.local_time, default=None)


# --- building -------------------------------------------------------------------------------

_SEVERITY = {"ok": 0, "warn": 1, "bad": 2}


def place_text(
    city: str | None, region: str | None, country: str | None, postal_code: str | None = None
) -> str | None:
    """ "Austin, TX, US": the scan's place as far as it is known (postal code only without a city)."""
    parts = [city or postal_code, region, country]
    text = ", ".join(p for p in parts if p)
    return text or None


def steps_at(current: str) -> tuple[Step, ...]:
    at = STEP_INDEX[current]
    return tuple(
        Step(key, label, "done" if index < at else "current" if index == at else "upcoming")
        for index, (key, label) in enumerate(STEPS)
    )


def order_step(order_status: str, shipment_statuses: Sequence[str]) -> str:
    """Where the order stands on the stepper; a split order stands where its slowest part is."""
    if order_status in ("pending", "cancelled"):
        return "ordered"
    if order_status == "processing":
        return "processing"
    if order_status == "delivered":
        return "delivered"
    if order_status in ("returned", "partially_returned", "partially_shipped"):
        return "shipped"
    travelling = [s for s in shipment_statuses if s not in FINISHED_SHIPMENT_STATUSES]
    if not travelling:
        return "shipped"
    slowest = min(STEP_INDEX[PARCEL_STEP.get(s, "shipped")] for s in travelling)
    return STEPS[max(slowest, STEP_INDEX["shipped"])][0]


def scan_view(scan: ScanFacts) -> ScanView:
    return ScanView(
        local_time=scan.local_time,
        zone=scan.zone,
        status=scan.status,
        text=(scan.description or "").strip(),
        fallback=SCAN_WORDS.get(scan.status, SCAN_WORDS["in_transit"]),
        place=place_text(scan.city, scan.region, scan.country, scan.postal_code),
        approximate=scan.approximate,
    )


def newest_first(scans: Sequence[ScanFacts]) -> list[ScanFacts]:
    """The timeline reversed: the service gives scans oldest first in the canonical order."""
    return list(reversed(scans))


def parcel_view(
    parcel: ParcelCard,
    *,
    carrier_names: dict[str, str],
    store_name: str,
    order_number: str | None,
    city: str | None,
    country: str | None,
    items: Sequence[ItemFacts] | None,
    estimate: DeliveryCard | None,
) -> ParcelView:
    carrier_name = carrier_names.get(parcel.carrier, parcel.carrier.upper())
    located = [
        GeoPoint(s.latitude, s.longitude, place_text(s.city, s.region, s.country, s.postal_code) or "")
        for s in parcel.scans
        if s.latitude is not None and s.longitude is not None
    ]
    latest = parcel.scans[-1] if parcel.scans else None
    words = parcel_words(parcel.status, parcel.reason)
    structured = jsonld.parcel_delivery(
        tracking_number=parcel.tracking_number,
        carrier_name=carrier_name,
        tracking_url=parcel.carrier_url,
        order_number=order_number,
        store_name=store_name,
        city=city,
        country=country,
        items=[item.name for item in items] if items else None,
        latest_status=(latest.description or SCAN_WORDS.get(latest.status)) if latest else None,
        latest_at=latest.local_time if latest else None,
        latest_place=place_text(latest.city, latest.region, latest.country) if latest else None,
        expected_from=estimate.earliest if estimate else None,
        expected_until=estimate.latest if estimate else None,
    )
    return ParcelView(
        tracking_number=parcel.tracking_number,
        carrier=parcel.carrier,
        carrier_name=carrier_name,
        carrier_url=parcel.carrier_url,
        words=words,
        scans=tuple(scan_view(s) for s in newest_first(parcel.scans)),
        route=project(located),
        jsonld=jsonld.script_text(structured),
    )


def most_severe(candidates: Sequence[Plainly]) -> Plainly | None:
    worst = max(candidates, key=lambda p: _SEVERITY[p.tone], default=None)
    return worst if worst is not None and worst.tone != "ok" else None


def build_page(
    *,
    store: StoreFacts,
    order: OrderCard | None,
    shipments: Sequence[ShipmentCard],
    carrier_names: dict[str, str],
    estimated_delivery: DeliveryCard | None = None,
) -> TrackingPage:
    """The whole page. ``order`` is None for a lookup by tracking number (the limited view)."""
    limited = order is None
    shipment_views = []
    for index, shipment in enumerate(shipments, start=1):
        parcels = tuple(
            parcel_view(
                parcel,
                carrier_names=carrier_names,
                store_name=store.name,
                order_number=None if limited else order.number if order else None,
                city=None if order is None else order.city,
                country=None if order is None else order.country,
                items=None if limited else shipment.items,
                estimate=estimated_delivery,
            )
            for parcel in shipment.parcels
        )
        shipment_views.append(
            ShipmentView(
                number=index,
                carrier_name=carrier_names.get(shipment.carrier, shipment.carrier.upper()),
                words=parcel_words(shipment.status, shipment.reason),
                parcels=parcels,
                items=None if limited or shipment.items is None else tuple(shipment.items),
            )
        )
    problems = [view.words for view in shipment_views]
    if order is not None and order.needs_attention:
        problems.append(REASON_WORDS["delayed"])
    if order is None:
        parcel = shipments[0].parcels[0] if shipments and shipments[0].parcels else None
        status = parcel.status if parcel else "pending"
        headline = parcel_words(status, parcel.reason if parcel else None)
        steps = steps_at(PARCEL_STEP.get(status, "shipped"))
        alert = None
    else:
        headline = ORDER_WORDS.get(order.status, ORDER_WORDS["processing"])
        steps = steps_at(order_step(order.status, [s.status for s in shipments]))
        alert = most_severe(problems) if order.status != "cancelled" else None
    return TrackingPage(
        store=store,
        limited=limited,
        order_number=None if order is None else order.number,
        shopper_name=None if order is None else order.shopper_name,
        placed_at=None if order is None else order.placed_at,
        destination=None if order is None else place_text(order.city, None, order.country),
        headline=headline,
        alert=alert,
        steps=steps,
        shipments=tuple(shipment_views),
        estimated_delivery=estimated_delivery,
    )
