"""The demo shop's buying side: three suppliers in three countries with their terms for the
catalog, purchase orders in every status (one short-closed, one with damaged units counted),
inbound shipments whose parcels the carriers scan like any other, and customer orders
waiting for a sold-out tent that is on its way.

Everything goes through the services the API and the supplier's link use (purchase orders,
:mod:`ordertrack.purchasing.declaring`, :mod:`ordertrack.suppliers.receiving`, tracking
ingest); nothing writes a table directly. The purchase orders' own facts (sent, confirmed,
declared, counted) are stamped at seeding time, because the services take the clock; the
carriers' scans of their parcels lie in the days before, as the outbound ones do, and the
parcels claim them as they would claim scans that came before the notice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from ordertrack.db.uow import UnitOfWork
from ordertrack.demo.catalog_data import CUSTOMERS, HUBS, PRODUCTS, USD_RATE, WAREHOUSES, DemoPlace
from ordertrack.demo.purchase_plans import (
    COST_SHARE,
    PLANS,
    SUPPLIERS,
    WAITING_ORDERS,
    WAITING_SKU,
    DemoNotice,
    DemoSupplier,
    PoPlan,
)
from ordertrack.demo.scans import DemoScan, parcel_journey, tracking_number
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.clock import utcnow
from ordertrack.kit.schema import AddressIn
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn
from ordertrack.purchasing import declaring
from ordertrack.suppliers import purchase_orders, receiving
from ordertrack.suppliers import service as suppliers_service
from ordertrack.suppliers.inbound_schemas import InboundLineIn, InboundParcelIn, InboundShipmentIn
from ordertrack.suppliers.schemas import (
    PurchaseOrderConfirmationIn,
    PurchaseOrderIn,
    PurchaseOrderLineIn,
    SupplierIn,
    SupplierSkuIn,
)
from ordertrack.tracking import service as tracking_service

SEED = 20_240_612  # its own stream: the outbound demo stays the same with or without this
DAY = timedelta(days=1)
ACTOR = "demo"
# Who the purchase orders' history says acted.
STAFF = "staff:demo@northwind.example"
SUPPLIER_LINK = "supplier link"


@dataclass(frozen=True)
class SeededPurchasing:
    suppliers: int
    purchase_orders: int
    inbound_shipments: int
    waiting_orders: int
    events: int


def seed_purchasing(
    uow: UnitOfWork, merchant_id: str, now: datetime, recycle_window: timedelta
) -> SeededPurchasing:
    """The demo's suppliers, purchase orders, inbound shipments and the orders waiting on them."""
    rng = random.Random(SEED)
    supplier_ids = [_supplier(uow, merchant_id, supplier) for supplier in SUPPLIERS]
    _wait_for_tents(uow, merchant_id, now)
    taken: set[str] = set()
    events: list[dict[str, object]] = []
    asns = 0
    received: list[tuple[PoPlan, str, DemoNotice]] = []
    for plan in PLANS:
        supplier = SUPPLIERS[plan.supplier]
        po = _purchase_order(uow, merchant_id, plan, supplier_ids[plan.supplier], supplier, now)
        for inbound in plan.inbound:
            number = tracking_number(rng, supplier.carrier, taken)
            shipment = _declare(uow, merchant_id, po, plan, inbound, number, supplier, now)
            asns += 1
            scans = _journey(rng, inbound, supplier, WAREHOUSES[plan.warehouse], now)
            events.extend(scan.as_event(number, supplier.carrier) for scan in scans)
            if inbound.counts:
                received.append((plan, shipment, inbound))
    result = tracking_service.ingest_events(
        uow, merchant_id, events, received_at=now, recycle_window=recycle_window
    )
    if result.rejected:
        raise ValueError(f"demo inbound scan refused: {result.rejected[0].error}")
    for plan, shipment, inbound in received:
        _count(uow, merchant_id, plan, shipment, inbound)
    for plan in PLANS:
        for line_no in plan.short_close:
            purchase_orders.short_close_line(
                uow,
                merchant_id,
                plan.number,
                line_no,
                "the supplier has no more of this size this season",
                actor=STAFF,
            )
    return SeededPurchasing(len(SUPPLIERS), len(PLANS), asns, len(WAITING_ORDERS), result.accepted)


def _supplier(uow: UnitOfWork, merchant_id: str, supplier: DemoSupplier) -> str:
    place = supplier.place
    created = suppliers_service.create_supplier(
        uow,
        merchant_id,
        SupplierIn(
            name=supplier.name,
            email=supplier.email,
            phone=supplier.phone,
            address=AddressIn(
                line1=supplier.line1,
                city=place.city,
                region=place.region,
                postal_code=place.postal_code,
                country=place.country,
            ),
            timezone=place.timezone,
            lead_time_days=supplier.lead_time_days,
            holiday_subdivision=supplier.holiday_subdivision,
        ),
    )
    prices = {product.sku: product.price_usd for product in PRODUCTS}
    for sku in supplier.skus:
        cost = (prices[sku] * COST_SHARE * USD_RATE[supplier.currency]).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        suppliers_service.set_supplier_sku(
            uow,
            merchant_id,
            created.id,
            sku,
            SupplierSkuIn(
                supplier_sku=f"{supplier.name[:2].upper()}-{sku[3:]}",
                unit_cost=cost,
                currency=supplier.currency,
            ),
        )
    return created.id


def _wait_for_tents(uow: UnitOfWork, merchant_id: str, now: datetime) -> None:
    """The tent sells out everywhere; three shoppers order it anyway and wait (backorders)."""
    for level, code in inventory_service.list_stock(
        uow, merchant_id, sku=WAITING_SKU, warehouse=None, low=None
    ):
        inventory_service.set_stock(
            uow, merchant_id, code, WAITING_SKU, level.reserved, actor=ACTOR, reason="sold out: count"
        )
    shoppers = [c for c in CUSTOMERS if c.home.country == "US"]
    for hours, (number, which, quantity) in zip((50, 30, 7), WAITING_ORDERS, strict=True):
        customer = shoppers[which % len(shoppers)]
        home = customer.home
        placed_at = (now - timedelta(hours=hours)).replace(second=0, microsecond=0)
        order = orders_service.place_order(
            uow,
            merchant_id,
            OrderIn.model_validate(
                {
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
                    "lines": [{"sku": WAITING_SKU, "quantity": quantity, "unit_price": "379.00"}],
                    "currency": "USD",
                    "placed_at": placed_at.isoformat(),
                    "source": "shopify",
                }
            ),
            now=placed_at,
        )
        orders_service.confirm_order(
            uow, merchant_id, order.id, actor=ACTOR, now=placed_at + timedelta(minutes=12)
        )


def _purchase_order(
    uow: UnitOfWork, merchant_id: str, plan: PoPlan, supplier_id: str, supplier: DemoSupplier, now: datetime
) -> str:
    po = purchase_orders.create_purchase_order(
        uow,
        merchant_id,
        PurchaseOrderIn(
            number=plan.number,
            supplier_id=supplier_id,
            warehouse=plan.warehouse,
            currency=supplier.currency,
            lines=[PurchaseOrderLineIn(sku=sku, quantity=quantity) for sku, quantity in plan.lines],
            notes=plan.notes,
        ),
        actor=STAFF,
    )
    if plan.send:
        purchase_orders.send_purchase_order(uow, merchant_id, po.id, actor=STAFF)
    if plan.confirm:
        ship, arrival = (
            (_day(now, supplier, plan.promise_in_days[0]), _day(now, supplier, plan.promise_in_days[1]))
            if plan.promise_in_days
            else (None, None)
        )
        purchase_orders.confirm_purchase_order(
            uow,
            merchant_id,
            po.id,
            PurchaseOrderConfirmationIn(
                promised_ship_date=ship,
                promised_arrival_date=arrival,
            ),
            actor=SUPPLIER_LINK,
            now=now,
        )
    if plan.cancel:
        purchase_orders.cancel_purchase_order(uow, merchant_id, po.id, actor=STAFF)
    return po.id


def _declare(
    uow: UnitOfWork,
    merchant_id: str,
    po_id: str,
    plan: PoPlan,
    inbound: DemoNotice,
    number: str,
    supplier: DemoSupplier,
    now: datetime,
) -> str:
    declared = declaring.declare_inbound_shipment(
        uow,
        merchant_id,
        po_id,
        InboundShipmentIn(
            carrier=supplier.carrier,
            expected_arrival_date=_day(now, supplier, inbound.expected_in_days)
            if inbound.expected_in_days is not None
            else None,
            parcels=[InboundParcelIn(tracking_number=number, carrier=supplier.carrier)],
            lines=[
                InboundLineIn(sku=plan.lines[index][0], quantity=quantity, parcel=1)
                for index, quantity in inbound.lines
            ],
        ),
        actor=SUPPLIER_LINK,
        now=utcnow(),  # after the order's own facts, which the services stamp with the clock
    )
    return declared.shipment.id


def _journey(
    rng: random.Random, inbound: DemoNotice, supplier: DemoSupplier, warehouse: DemoPlace, now: datetime
) -> list[DemoScan]:
    """The parcel's scans from the supplier to the warehouse, ending ``days_ago`` days before now
    (just before now while it still moves)."""
    hubs = tuple(HUBS[hub] for hub in supplier.hubs)
    scans = parcel_journey(rng, inbound.outcome, supplier.place, hubs, warehouse, now - 30 * DAY)
    shift = ((now - timedelta(minutes=20) - scans[-1].at) // DAY - inbound.days_ago) * DAY
    scans = [scan.shifted(shift) for scan in scans]
    # Wall-clock shifts move by an hour across a DST change: step back a day if needed.
    while scans[-1].at > now - timedelta(minutes=5):
        scans = [scan.shifted(-DAY) for scan in scans]
    return scans


def _count(uow: UnitOfWork, merchant_id: str, plan: PoPlan, shipment_id: str, inbound: DemoNotice) -> None:
    receiving.receive(
        uow,
        merchant_id,
        inbound_shipment_ref=shipment_id,
        counts=[
            receiving.LineCount(
                good=good,
                damaged=damaged,
                sku=plan.lines[index][0],
                note=inbound.note if damaged else None,
                count_id=f"demo-{plan.number}-{index}",
            )
            for index, good, damaged in inbound.counts
        ],
        actor=STAFF,
        now=utcnow(),
    )


def _day(now: datetime, supplier: DemoSupplier, days: int) -> date:
    """``days`` after today where the supplier is."""
    return now.astimezone(ZoneInfo(supplier.place.timezone)).date() + days * DAY
