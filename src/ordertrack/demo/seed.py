"""Seed a demo merchant with a catalogue, shoppers, orders in every status, shipments and
three weeks of carrier scans, so a newcomer sees something real at once.

Everything goes through the same services the API uses; nothing writes a table directly.
The data is the same on every run (a fixed random seed); only the dates follow ``now``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from ordertrack.catalog import service as catalog_service
from ordertrack.catalog.schemas import ProductIn
from ordertrack.db.uow import UnitOfWork
from ordertrack.demo import history
from ordertrack.demo.catalog_data import (
    BULKY_SKUS,
    CURRENCY,
    CUSTOMERS,
    HUBS,
    LANES,
    MERCHANT_NAME,
    PRODUCTS,
    SHIPS_FROM,
    USD_RATE,
    WAREHOUSES,
    DemoCustomer,
    DemoLane,
    DemoPlace,
    DemoProduct,
)
from ordertrack.demo.order_plans import ORDER_PLANS, OrderPlan
from ordertrack.demo.purchasing import seed_purchasing
from ordertrack.demo.ratings import seed_ratings
from ordertrack.demo.scans import IN_FLIGHT, DemoScan, parcel_journey, tracking_number
from ordertrack.demo.wismo import seed_demand
from ordertrack.fulfilment import shipping
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.clock import ensure_aware, utcnow
from ordertrack.kit.schema import AddressIn
from ordertrack.merchants import contact as merchants_contact
from ordertrack.merchants import service as merchants_service
from ordertrack.merchants.model import Merchant
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn
from ordertrack.orders.status import OrderStatus
from ordertrack.shipments.schemas import ParcelIn, ShipmentIn, ShipmentLineIn
from ordertrack.tracking import service as tracking_service
from ordertrack.tracking.schemas import zone

SEED = 20_240_611
# How the demo store's shoppers reach it (shown on the tracking page where help is needed).
DEMO_CONTACT = {
    "email": "help@northwind.example",
    "phone": "+1 502-555-0142",
    "help_url": "https://northwind.example/help",
}
# The same window the API uses by default (Settings.recycle_window_days).
RECYCLE_WINDOW = timedelta(days=60)
# How far back the demo's orders reach.
HISTORY = timedelta(days=21)
FIRST_ORDER_NUMBER = 10_421
INGEST_BATCH = 200
LOW_STOCK_THRESHOLD = 12
LOW_STOCK_SHARE = 0.08  # of the levels, counted around their threshold
DAY = timedelta(days=1)
# When the demo shop acts on an order, after the fact before it.
CONFIRMED_AFTER = timedelta(minutes=12)
CANCELLED_AFTER = timedelta(hours=2)
REGISTERED_BEFORE_LABEL = timedelta(minutes=4)


@dataclass(frozen=True)
class SeededDemo:
    """The demo merchant and its API key; the counts are what this call created."""

    merchant_id: str
    merchant_name: str
    api_key: str
    created: bool  # False: the demo merchant existed already and only got a new key
    products: int = 0
    customers: int = 0
    orders: int = 0
    shipments: int = 0
    parcels: int = 0
    events: int = 0
    unmatched_events: int = 0
    warehouses: int = 0
    stock_levels: int = 0
    suppliers: int = 0
    purchase_orders: int = 0
    inbound_shipments: int = 0
    waiting_orders: int = 0  # of ``orders``: backordered, waiting for stock on its way
    history_orders: int = 0  # besides ``orders``: three months delivered (demo.history)


@dataclass
class _ParcelDraft:
    tracking_number: str
    weight_grams: int
    scans: list[DemoScan]


@dataclass
class _ShipmentDraft:
    warehouse: str
    lane: DemoLane
    lines: list[ShipmentLineIn] | None
    parcels: list[_ParcelDraft]

    def registered_at(self) -> datetime:
        """When the shop registered the shipment: minutes before its first label scan."""
        return min(scan.at for parcel in self.parcels for scan in parcel.scans) - REGISTERED_BEFORE_LABEL


@dataclass
class _OrderDraft:
    plan: OrderPlan
    customer: DemoCustomer
    lines: list[tuple[str, int, Decimal]]  # sku, quantity, unit price
    placed_at: datetime
    source: str
    shipments: list[_ShipmentDraft] = field(default_factory=list)

    def scans(self) -> list[DemoScan]:
        return [scan for s in self.shipments for p in s.parcels for scan in p.scans]

    def confirmed_at(self) -> datetime:
        """Minutes after placing (the order's number picks how many, so reruns agree), and
        before its first shipment; the placing time is never in the future, nor is this."""
        after = self.placed_at + CONFIRMED_AFTER + timedelta(minutes=len(self.lines) * 7)
        first = min((s.registered_at() for s in self.shipments), default=None)
        return min(after, first - timedelta(minutes=1)) if first is not None else after

    def cancelled_at(self) -> datetime:
        """A few hours after confirming: the shopper changed their mind."""
        return self.confirmed_at() + CANCELLED_AFTER

    def shift(self, delta: timedelta) -> None:
        """Move the whole story ``delta`` along local wall clocks (whole days keep the hours)."""
        self.placed_at += delta
        for shipment in self.shipments:
            for parcel in shipment.parcels:
                parcel.scans = [scan.shifted(delta) for scan in parcel.scans]


def demo_api_key(secret: str) -> str:
    """The demo merchant's API key, derived from the server's secret: every start of the same
    demo prints the same key instead of minting another live one."""
    digest = hmac.new(secret.encode(), b"ordertrack demo merchant api key", hashlib.sha256).digest()
    return merchants_service.KEY_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def seed_demo(uow: UnitOfWork, now: datetime | None = None, api_key: str | None = None) -> SeededDemo:
    """Create the demo merchant and its data, or, when it exists, give back its API key.

    ``api_key`` (see :func:`demo_api_key`) is the key to give the demo merchant; it is reused
    while it works. Without one, or once it was revoked, a new random key is issued.

    ``now`` (default: the clock) dates the data; it should be within a few weeks of the
    real time, because shipments are registered at the real time and scans more than the
    recycle window older than a shipment would not attach to it.
    """
    now = ensure_aware(now if now is not None else utcnow(), "now")
    existing = uow.session.scalar(
        select(Merchant.id)
        .where(Merchant.name == MERCHANT_NAME)
        .order_by(Merchant.created_at, Merchant.id)
        .limit(1)
    )
    if existing is not None:
        works = merchants_service.api_key_works(uow, existing, api_key) if api_key else False
        if api_key is None or not works:
            api_key = merchants_service.issue_api_key(
                uow, existing, label="demo", api_key=api_key if works is None else None
            )
        return SeededDemo(existing, MERCHANT_NAME, api_key, created=False)

    rng = random.Random(SEED)
    merchant = merchants_service.create_merchant(uow, MERCHANT_NAME, api_key=api_key)
    merchant_id = merchant.merchant_id
    merchants_contact.set_store_contact(uow, merchant_id, **DEMO_CONTACT)
    for product in PRODUCTS:
        catalog_service.create_product(uow, merchant_id, _product_in(product))
    stock_levels = _stock_warehouses(uow, merchant_id)

    taken: set[str] = set()
    drafts = [_draft_order(rng, plan, now, taken) for plan in ORDER_PLANS]
    drafts.sort(key=lambda d: d.placed_at)
    events: list[dict[str, object]] = []
    for number, draft in enumerate(drafts, start=FIRST_ORDER_NUMBER):
        _record_order(uow, merchant_id, f"NW-{number}", draft)
        for shipment in draft.shipments:
            for parcel in shipment.parcels:
                events.extend(s.as_event(parcel.tracking_number, shipment.lane.carrier) for s in parcel.scans)
    unmatched = _unmatched_scans(rng, now, taken)
    events.extend(unmatched)

    # Carriers report late and out of order; the timeline must not care.
    rng.shuffle(events)
    accepted = 0
    for start in range(0, len(events), INGEST_BATCH):
        result = tracking_service.ingest_events(
            uow,
            merchant_id,
            events[start : start + INGEST_BATCH],
            received_at=now,
            recycle_window=RECYCLE_WINDOW,
        )
        if result.rejected:
            raise ValueError(f"demo event refused: {result.rejected[0].error}")
        accepted += result.accepted
    buying = seed_purchasing(uow, merchant_id, now, RECYCLE_WINDOW)
    seed_ratings(uow, merchant_id, now)
    seed_demand(uow, merchant_id, now)
    history_orders = history.add_history(uow, merchant_id, now)  # three months settled, for analytics

    shipments = [s for d in drafts for s in d.shipments]
    return SeededDemo(
        merchant_id=merchant_id,
        merchant_name=MERCHANT_NAME,
        api_key=merchant.api_key,
        created=True,
        products=len(PRODUCTS),
        customers=len({d.customer.email for d in drafts}),
        orders=len(drafts) + buying.waiting_orders,
        shipments=len(shipments),
        parcels=sum(len(s.parcels) for s in shipments),
        events=accepted + buying.events,
        unmatched_events=len(unmatched),
        warehouses=len(WAREHOUSES),
        stock_levels=stock_levels,
        suppliers=buying.suppliers,
        purchase_orders=buying.purchase_orders,
        inbound_shipments=buying.inbound_shipments,
        waiting_orders=buying.waiting_orders,
        history_orders=history_orders,
    )


def _stock_warehouses(uow: UnitOfWork, merchant_id: str) -> int:
    """The shop's three fulfilment centres, each holding every product.

    Counts are drawn from their own random stream, so the orders stay the same. A few
    products run close to their low-stock threshold, so the demo orders raise alerts.
    """
    rng = random.Random(SEED + 1)
    levels = 0
    for priority, (code, place) in enumerate(WAREHOUSES.items(), start=1):
        inventory_service.create_warehouse(
            uow,
            merchant_id,
            WarehouseIn(
                code=code,
                name=f"{MERCHANT_NAME} {place.city}",
                address=AddressIn(
                    line1=f"{rng.randint(10, 990)} Distribution Way",
                    city=place.city,
                    region=place.region,
                    postal_code=place.postal_code,
                    country=place.country,
                ),
                timezone=place.timezone,
                cutoff_time="15:00" if place.country == "US" else "14:00",
                priority=priority * 10,
                latitude=place.latitude,
                longitude=place.longitude,
            ),
        )
        for index, product in enumerate(PRODUCTS):
            running_low = rng.random() < LOW_STOCK_SHARE
            inventory_service.set_stock(
                uow,
                merchant_id,
                code,
                product.sku,
                LOW_STOCK_THRESHOLD + rng.randint(-3, 1) if running_low else rng.randint(40, 160),
                threshold=LOW_STOCK_THRESHOLD,
                location=f"{chr(ord('A') + index // 12)}-{index % 12 + 1:02d}-{rng.randint(1, 4)}",
                actor="demo",
                reason="opening count",
            )
            levels += 1
    return levels


def _product_in(product: DemoProduct) -> ProductIn:
    return ProductIn(
        sku=product.sku,
        name=product.name,
        weight_grams=product.weight_grams,
        hs_code=product.hs_code,
        origin_country=product.origin_country,
        price=product.price_usd,
        currency="USD",
    )


def _price(product: DemoProduct, currency: str) -> Decimal:
    """The shop's list price in ``currency``: converted, then rounded to a .99 price point."""
    if currency == "USD":
        return product.price_usd
    converted = (product.price_usd * USD_RATE[currency]).quantize(Decimal("1"), ROUND_HALF_UP)
    return converted - Decimal("0.01")


def _pick_lines(rng: random.Random, plan: OrderPlan) -> list[tuple[DemoProduct, int]]:
    most_parcels = max((len(s.parcels) for s in plan.shipments), default=1)
    split = any(s.lines == "first" for s in plan.shipments)
    count = max(rng.choice((1, 1, 2, 2, 2, 3, 4)), 2 if split else 1, most_parcels)
    products = rng.sample(PRODUCTS, count)
    if most_parcels > 1 and not any(p.sku in BULKY_SKUS for p in products):
        products[0] = rng.choice([p for p in PRODUCTS if p.sku in BULKY_SKUS])
    picked = []
    for product in products:
        light = product.weight_grams < 200
        picked.append((product, rng.choice((1, 2, 2, 3)) if light and rng.random() < 0.4 else 1))
    return picked


def _draft_order(rng: random.Random, plan: OrderPlan, now: datetime, taken: set[str]) -> _OrderDraft:
    customer = rng.choice(
        [c for c in CUSTOMERS if plan.countries is None or c.home.country in plan.countries]
    )
    country = customer.home.country
    currency = CURRENCY[country]
    picked = _pick_lines(rng, plan)
    lines = [(p.sku, q, _price(p, currency)) for p, q in picked]
    source = "shopify" if rng.random() < 0.8 else "api"
    home_zone = zone(customer.home.timezone)

    if not plan.shipments:
        hours_ago = {OrderStatus.pending: (0.5, 20), OrderStatus.processing: (3, 44)}.get(
            plan.expect, (30, 330)
        )
        placed_at = (now - timedelta(hours=rng.uniform(*hours_ago))).astimezone(home_zone)
        return _OrderDraft(plan, customer, lines, placed_at.replace(microsecond=0), source)

    # Tell the story a month early, then move it along whole days to end just before now.
    warehouse = SHIPS_FROM[country]
    origin = WAREHOUSES[warehouse]
    lanes = LANES[country]
    if any("customs" in outcome for s in plan.shipments for outcome in s.parcels):
        lanes = tuple(lane for lane in lanes if any(HUBS[h].customs for h in lane.hubs))
    first_handover = now - 30 * DAY + timedelta(hours=rng.uniform(0, 24))
    draft = _OrderDraft(plan, customer, lines, first_handover, source)
    left = list(picked)
    for shipment_plan in plan.shipments:
        lane = rng.choice(lanes)
        hubs = tuple(HUBS[h] for h in lane.hubs)
        if shipment_plan.lines == "first":
            carried, left = left[:1], left[1:]
            shipment_lines = [ShipmentLineIn(sku=p.sku, quantity=q) for p, q in carried]
        else:
            carried, left, shipment_lines = left, [], None
        handover = first_handover + shipment_plan.delay_days * DAY
        weights = _parcel_weights(rng, carried, len(shipment_plan.parcels))
        parcels = [
            _ParcelDraft(
                tracking_number(rng, lane.carrier, taken),
                weight,
                parcel_journey(rng, outcome, origin, hubs, customer.home, handover),
            )
            for outcome, weight in zip(shipment_plan.parcels, weights, strict=True)
        ]
        draft.shipments.append(_ShipmentDraft(warehouse, lane, shipment_lines, parcels))

    first_label = min(scan.at for scan in draft.scans())
    draft.placed_at = (
        (first_label - timedelta(hours=rng.uniform(3, 30)))
        .astimezone(home_zone)
        .replace(second=0, microsecond=0)
    )
    settled = not any(o in IN_FLIGHT for s in plan.shipments for o in s.parcels)
    _end_before(draft, now, rng, settled)
    return draft


def _parcel_weights(rng: random.Random, carried: list[tuple[DemoProduct, int]], parcels: int) -> list[int]:
    """The shipment's weight plus packaging, split between its parcels."""
    goods = sum(p.weight_grams * q for p, q in carried)
    shares = [rng.uniform(0.6, 1.4) for _ in range(parcels)]
    return [round(goods * share / sum(shares)) + 180 for share in shares]


def _end_before(draft: _OrderDraft, now: datetime, rng: random.Random, settled: bool) -> None:
    """Shift the order by whole days so its last scan lies just before ``now``; a settled
    order (nothing still moving) is aged further, as far as the demo's history reaches."""
    latest = max(scan.at for scan in draft.scans())
    draft.shift(((now - timedelta(minutes=20) - latest) // DAY) * DAY)
    # Wall-clock shifts move by an hour across a DST change: step back a day if needed.
    while max(scan.at for scan in draft.scans()) > now - timedelta(minutes=5):
        draft.shift(-DAY)
    if settled:
        spare_days = (draft.placed_at - (now - HISTORY)) // DAY
        if spare_days > 0:
            draft.shift(-rng.randint(0, spare_days) * DAY)


def order_payload(draft: _OrderDraft, number: str) -> dict[str, object]:
    """A drafted order in the shape the API receives (also the bulk loader's order record)."""
    customer, home = draft.customer, draft.customer.home
    return {
        "number": number,
        "customer": {
            "email": customer.email,
            "name": customer.name,
            "phone": customer.phone,
            "locale": customer.locale,
        },
        "shipping_address": {
            "name": customer.name,
            "line1": customer.line1,
            "city": home.city,
            "region": home.region,
            "postal_code": home.postal_code,
            "country": home.country,
        },
        "lines": [
            {"sku": sku, "quantity": quantity, "unit_price": str(price)}
            for sku, quantity, price in draft.lines
        ],
        "currency": CURRENCY[home.country],
        "placed_at": draft.placed_at.isoformat(),
        "source": draft.source,
    }


def _record_order(uow: UnitOfWork, merchant_id: str, number: str, draft: _OrderDraft) -> None:
    order = orders_service.place_order(
        uow,
        merchant_id,
        # Validated from the shape the API receives, so the demo obeys the API's input rules.
        OrderIn.model_validate(order_payload(draft, number)),
        # Its first promise is made when it was placed, before its shipments' (not after them).
        now=draft.placed_at,
    )
    # Every fact carries the time it happened in the story, never the time the demo was seeded:
    # confirmed soon after placing, cancelled later that day, each shipment registered just
    # before its label's first scan.
    if draft.plan.confirmed:
        orders_service.confirm_order(uow, merchant_id, order.id, now=draft.confirmed_at())
    if draft.plan.cancelled:
        orders_service.cancel_order(uow, merchant_id, order.id, now=draft.cancelled_at())
    for shipment in draft.shipments:
        single = len(shipment.parcels) == 1
        shipping.create_shipment(
            uow,
            merchant_id,
            order.id,
            ShipmentIn(
                warehouse=shipment.warehouse,
                lines=shipment.lines,
                carrier=shipment.lane.carrier,
                service=shipment.lane.service,
                tracking_number=shipment.parcels[0].tracking_number if single else None,
                parcels=None
                if single
                else [
                    ParcelIn(tracking_number=p.tracking_number, weight_grams=p.weight_grams)
                    for p in shipment.parcels
                ],
            ),
            recycle_window=RECYCLE_WINDOW,
            now=shipment.registered_at(),
        )


def _unmatched_scans(rng: random.Random, now: datetime, taken: set[str]) -> list[dict[str, object]]:
    """Scans for labels bought outside ordertrack: no shipment carries their numbers yet."""
    events: list[dict[str, object]] = []
    for country, outcome in (("US", "label"), ("GB", "in_transit"), ("DE", "in_transit")):
        lane = LANES[country][0]
        home = rng.choice([c.home for c in CUSTOMERS if c.home.country == country])
        origin: DemoPlace = WAREHOUSES[SHIPS_FROM[country]]
        scans = parcel_journey(rng, outcome, origin, tuple(HUBS[h] for h in lane.hubs), home, now - 30 * DAY)
        shift = ((now - timedelta(minutes=20) - scans[-1].at) // DAY) * DAY
        scans = [s.shifted(shift) for s in scans]
        while scans[-1].at > now - timedelta(minutes=5):
            scans = [s.shifted(-DAY) for s in scans]
        number = tracking_number(rng, lane.carrier, taken)
        events.extend(s.as_event(number, lane.carrier) for s in scans)
    return events
