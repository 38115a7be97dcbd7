"""The tracking page's view model, built from plain facts: no session, no request, no clock.

:mod:`ordertrack.web.track.reading` gathers the facts through the features' services; this
module decides what the shopper sees: the stepper, the sentences, the scans newest first,
the route map and the structured data. Sentences are message ids, translated when rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ordertrack.merchants.contact import StoreContact
from ordertrack.orders.status import FINISHED_ORDER_STATUSES
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES
from ordertrack.web.track import jsonld
from ordertrack.web.track.estimate_words import EstimateBasis
from ordertrack.web.track.readable import ShownPlace
from ordertrack.web.track.routemap import GeoPoint, RouteMap, TileSource, parcel_map, position
from ordertrack.web.track.words import (
    FINISHED_STEPS,
    HANDED_OVER,
    ORDER_WORDS,
    PARCEL_STEP,
    REASON_WORDS,
    SCAN_REASON_WORDS,
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
    handed_over: bool = False  # the store gave it to the carrier


@dataclass(frozen=True)
class EstimateChange:
    earliest: date
    latest: date
    recorded_at: datetime
    why: str | None = None  # why it changed, in eta's words (estimate_words.why)


@dataclass(frozen=True)
class DeliveryCard:
    """The "Estimated delivery" card: our promise, else the carrier's estimate (docs/glossary.md),
    as a day (earliest == latest) or a window, and how it moved over time."""

    earliest: date
    latest: date
    history: tuple[EstimateChange, ...] = ()
    basis: EstimateBasis | None = None  # what the promise now is based on

    @property
    def is_range(self) -> bool:
        return self.earliest != self.latest


@dataclass(frozen=True)
class StoreFacts:
    merchant_id: str
    name: str
    logo_data_uri: str | None
    contact: StoreContact = StoreContact()
    map_tiles: TileSource | None = None  # the merchant's tiles for the route map, else outlines


@dataclass(frozen=True)
class LineFacts:
    """One line of the order and where its units are: shipped (in any shipment), delivered,
    back at the store."""

    name: str
    sku: str
    quantity: int
    unit_price: Decimal
    shipped: int = 0
    delivered: int = 0
    returned: int = 0
    # Units waiting for stock (backordered), and the day they should leave the warehouse once
    # the inbound filling them is put away (None: no purchase order brings them yet).
    waiting_for_stock: int = 0
    ships_on: date | None = None


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
    region: str | None = None
    currency: str = "USD"
    lines: Sequence[LineFacts] = ()
    delivered_at: datetime | None = None  # when its last parcel arrived (UTC)


# --- view out -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str  # "done", "current", "upcoming", or "ended" (cancelled, returned)
    final: bool = False  # the order stands here for good: done, and where it is

    @property
    def current(self) -> bool:
        return self.state in ("current", "ended") or self.final


@dataclass(frozen=True)
class LineView:
    """One order line on the page: how many, what they cost, and where they are."""

    name: str
    quantity: int
    amount: Decimal  # quantity × unit price, in the order's currency
    on_the_way: int  # shipped, not yet delivered or returned
    delivered: int
    returned: int
    to_come: int  # not shipped yet (0 once the order is cancelled)
    cancelled: bool
    waiting_for_stock: int = 0  # of those, units waiting for stock to arrive
    ships_on: date | None = None  # when they should leave the warehouse (None: not known yet)


@dataclass(frozen=True)
class OrderLinesSummary:
    """The whole order: every line, the total, and when what is still to come should arrive."""

    lines: tuple[LineView, ...]
    total: Decimal
    currency: str
    to_come_by: DeliveryCard | None  # the order's promise, while something is still to ship

    @property
    def to_come(self) -> int:
        return sum(line.to_come for line in self.lines)


@dataclass(frozen=True)
class ScanView:
    local_time: datetime
    zone: str
    status: str
    text: str  # the carrier's description, shown as text
    fallback: str  # a message id, used when the carrier gave no description
    place: str | None
    approximate: bool = False  # shown as "about" the carrier's local time, with no zone
    line: str = ""  # the unified status in the shopper's words (a message id)
    reason_line: str | None = None  # and its reason, when it has one (a message id)
    where: ShownPlace | None = None  # the place, named in the page's language when rendered


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
    status: str | None = None  # the order's status (None in the limited view)
    summary: OrderLinesSummary | None = None  # None in the limited view
    home_country: str | None = None  # scans elsewhere name their country
    destination_place: ShownPlace | None = None
    needs_contact: bool = False  # something on the page asks the shopper to contact the store
    delivered_on: date | None = None  # a delivered order: the day it arrived, where it arrived

    @property
    def contact(self) -> StoreContact:
        return self.store.contact

    @property
    def show_rating(self) -> bool:
        """Where the delivery can be rated (the ``track/_rate_delivery.html`` hook): delivered orders."""
        return self.status == "delivered"

    @property
    def latest_scan(self) -> ScanView | None:
        scans = [scan for s in self.shipments for p in s.parcels for scan in p.scans]
        return max(scans, key=lambda scan: scan.local_time, default=None)


# --- building -------------------------------------------------------------------------------

_SEVERITY = {"ok": 0, "warn": 1, "bad": 2}
# A shipment in one of these may need the shopper to reach the store (the contact is shown).
_STORE_HELPS = frozenset({"failed_attempt", "exception", "returning", "returned"})


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


def order_steps(order_status: str, shipment_statuses: Sequence[str]) -> tuple[Step, ...]:
    """The stepper of a whole order. A finished order looks finished: a cancelled one ends at
    "Cancelled" after "Ordered", a returned one at "Returned to the store" after "Shipped",
    and a delivered one has every step done."""
    if order_status == "cancelled":
        return (Step("ordered", STEPS[0][1], "done"), Step("cancelled", FINISHED_STEPS["cancelled"], "ended"))
    if order_status in ("returned", "partially_returned"):
        done = tuple(Step(key, label, "done") for key, label in STEPS[: STEP_INDEX["shipped"] + 1])
        return (*done, Step("returned", FINISHED_STEPS["returned"], "ended"))
    if order_status == "delivered":
        last = len(STEPS) - 1
        return tuple(
            Step(key, label, "done", final=index == last) for index, (key, label) in enumerate(STEPS)
        )
    return steps_at(order_step(order_status, shipment_statuses))


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
    line = SCAN_WORDS.get(scan.status, SCAN_WORDS["in_transit"])
    known = any((scan.city, scan.region, scan.country, scan.postal_code))
    return ScanView(
        local_time=scan.local_time,
        zone=scan.zone,
        status=scan.status,
        text=(scan.description or "").strip(),
        fallback=line,
        place=place_text(scan.city, scan.region, scan.country, scan.postal_code),
        approximate=scan.approximate,
        line=line,
        reason_line=SCAN_REASON_WORDS.get(scan.reason) if scan.reason else None,
        where=ShownPlace(scan.city, scan.region, scan.country, scan.postal_code) if known else None,
    )


def shipment_words(shipment: ShipmentCard) -> Plainly:
    """The shipment's sentence; once the store handed it over, it is with the carrier even
    before the first scan (never "the store is preparing this parcel" again)."""
    if shipment.handed_over and shipment.status in ("pending", "info_received"):
        return HANDED_OVER
    return parcel_words(shipment.status, shipment.reason)


def order_summary(order: OrderCard, estimate: DeliveryCard | None) -> OrderLinesSummary:
    """Every line with what has shipped, arrived or gone back and what is still to come."""
    cancelled = order.status == "cancelled"
    lines = []
    for line in order.lines:
        shipped = min(line.shipped, line.quantity)
        delivered = min(line.delivered, shipped)
        returned = min(line.returned, shipped - delivered)
        lines.append(
            LineView(
                name=line.name,
                quantity=line.quantity,
                amount=line.unit_price * line.quantity,
                on_the_way=shipped - delivered - returned,
                delivered=delivered,
                returned=returned,
                to_come=0 if cancelled else line.quantity - shipped,
                cancelled=cancelled,
                waiting_for_stock=0 if cancelled else min(line.waiting_for_stock, line.quantity - shipped),
                ships_on=None if cancelled else line.ships_on,
            )
        )
    waiting = any(line.to_come for line in lines)
    return OrderLinesSummary(
        lines=tuple(lines),
        total=sum((line.amount for line in lines), Decimal(0)),
        currency=order.currency,
        to_come_by=estimate if waiting else None,
    )


def delivered_day(order: OrderCard, shipments: Sequence[ShipmentCard]) -> date | None:
    """The day a delivered order arrived, on the clock where it arrived (its newest delivery
    scan), else the UTC day recorded."""
    scans = [scan for s in shipments for p in s.parcels for scan in p.scans if scan.status == "delivered"]
    if scans:
        return max(scans, key=lambda scan: scan.occurred_at).local_time.date()
    return order.delivered_at.date() if order.delivered_at else None


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
    destination: GeoPoint | None = None,
    map_tiles: TileSource | None = None,
) -> ParcelView:
    carrier_name = carrier_names.get(parcel.carrier, parcel.carrier.upper())
    # A scan the carrier placed by name only is put at the shipped city of that name.
    located = [
        GeoPoint(
            *at,
            place_text(s.city, s.region, s.country, s.postal_code) or "",
            ShownPlace(s.city, s.region, s.country, s.postal_code),
        )
        for s in parcel.scans
        if (at := position(s.latitude, s.longitude, s.city, s.region, s.country)) is not None
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
        route=parcel_map(located, status=parcel.status, destination=destination, tiles=map_tiles),
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
    destination = None
    if order is not None and (at := position(None, None, order.city, order.region, order.country)):
        destination = GeoPoint(
            *at,
            place_text(order.city, order.region, order.country) or "",
            ShownPlace(order.city, order.region, order.country),
        )
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
                destination=destination,
                map_tiles=store.map_tiles,
            )
            for parcel in shipment.parcels
        )
        shipment_views.append(
            ShipmentView(
                number=index,
                carrier_name=carrier_names.get(shipment.carrier, shipment.carrier.upper()),
                words=shipment_words(shipment),
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
        steps = order_steps(order.status, [s.status for s in shipments])
        alert = most_severe(problems) if order.status != "cancelled" else None
    finished = order is not None and order.status in FINISHED_ORDER_STATUSES
    if finished:
        estimated_delivery = None  # nothing more is coming: no estimate on a finished order
    said = [headline, *([alert] if alert else []), *(view.words for view in shipment_views)]
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
        status=None if order is None else order.status,
        summary=None if order is None else order_summary(order, estimated_delivery),
        home_country=_home_country(order, shipments),
        destination_place=None if order is None else ShownPlace(order.city, order.region, order.country),
        needs_contact=any(words.contact for words in said)
        or any(s.status in _STORE_HELPS for s in shipments),
        delivered_on=delivered_day(order, shipments)
        if order is not None and order.status == "delivered"
        else None,
    )


def _home_country(order: OrderCard | None, shipments: Sequence[ShipmentCard]) -> str | None:
    """The country scans need not name: the order's destination, else (the limited view)
    the country of the parcel's newest scan."""
    if order is not None:
        return order.country
    scans = [scan for s in shipments for p in s.parcels for scan in p.scans if scan.country]
    return scans[-1].country if scans else None
