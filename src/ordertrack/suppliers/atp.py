"""Available to promise from the database: the facts :mod:`ordertrack.suppliers.availability`
counts, read in a few indexed queries per call (PO lines by merchant and SKU, their ASN lines,
stock levels and backorders by merchant and SKU).

An ASN's expected arrival is the one purchasing derives from its parcels' tracking and stores
(``arrival_estimate``, :func:`ordertrack.purchasing.inbound.rederive_inbound_shipments`); before
one is derived, the supplier's declared date, else the PO's promised arrival. ``arrivals`` (ASN
id -> day) overrides it where a caller knows better.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import String, func, literal, select, tuple_, union_all

from ordertrack.catalog.model import Product
from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory.model import Backorder, StockLevel, Warehouse
from ordertrack.suppliers.availability import (
    TRANSIT_DAYS_DOMESTIC,
    TRANSIT_DAYS_INTERNATIONAL,
    Availability,
    Cover,
    Inbound,
    OpenLine,
    ShelfStock,
    ShippedPart,
    Waiting,
    allocate,
    availability,
    inbound_units,
)
from ordertrack.suppliers.calendar import SupplierCalendar
from ordertrack.suppliers.model import (
    InboundShipment,
    InboundShipmentLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
)
from ordertrack.suppliers.rules import PurchaseOrderStatus

# Business days from goods arriving at the dock to being on the shelf, ready to pick: counted,
# checked and put away. The same for every warehouse for now (docs/suppliers.md).
PUT_AWAY_BUSINESS_DAYS = 1

# A purchase order brings units once sent and until it is received or cancelled.
OPEN_STATUSES = (
    PurchaseOrderStatus.sent,
    PurchaseOrderStatus.confirmed,
    PurchaseOrderStatus.partially_shipped,
    PurchaseOrderStatus.shipped,
    PurchaseOrderStatus.partially_received,
)


@lru_cache(maxsize=4096)
def supplier_arrival(
    sent_at: datetime,
    *,
    timezone: str,
    lead_time_days: int,
    holiday_country: str,
    holiday_subdivision: str | None,
    supplier_country: str,
    warehouse_country: str,
) -> date:
    """When a sent PO's goods arrive when the supplier promised nothing: its lead time in its own
    business days from the day it was sent (in its time zone), then transit."""
    calendar = SupplierCalendar(holiday_country, holiday_subdivision)
    sent_on = sent_at.astimezone(ZoneInfo(timezone)).date()
    transit = (
        TRANSIT_DAYS_DOMESTIC
        if supplier_country.upper() == warehouse_country.upper()
        else TRANSIT_DAYS_INTERNATIONAL
    )
    return calendar.add_business_days(sent_on, max(0, lead_time_days) + transit)


def inbound(
    uow: UnitOfWork,
    merchant_id: str,
    skus: Iterable[str],
    *,
    today: date,
    arrivals: Mapping[str, date | None] | None = None,
) -> list[Inbound]:
    """The open inbound units of these SKUs, by PO line, ASN and day: one query (the open PO
    lines by merchant and SKU, with their supplier, warehouse and ASN parts)."""
    wanted = sorted(set(skus))
    if not wanted:
        return []
    rows = uow.session.execute(
        select(
            PurchaseOrderLine.purchase_order_id,
            PurchaseOrderLine.id,
            PurchaseOrder.warehouse_id,
            PurchaseOrderLine.sku,
            PurchaseOrderLine.quantity,
            PurchaseOrderLine.confirmed_quantity,
            PurchaseOrderLine.received_quantity,
            PurchaseOrderLine.damaged_quantity,
            PurchaseOrderLine.short_closed_at,
            PurchaseOrder.promised_arrival_date,
            PurchaseOrder.sent_at,
            Supplier.timezone,
            Supplier.lead_time_days,
            Supplier.holiday_country,
            Supplier.holiday_subdivision,
            Supplier.country,
            Warehouse.country,
            InboundShipmentLine.inbound_shipment_id,
            InboundShipmentLine.quantity,
            InboundShipmentLine.received_quantity,
            InboundShipmentLine.damaged_quantity,
            InboundShipment.expected_arrival_date,
            InboundShipment.arrival_estimate,
            InboundShipment.arrival_basis,
            InboundShipment.arrived_at,
            InboundShipment.cancelled_at,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .join(Warehouse, Warehouse.id == PurchaseOrder.warehouse_id)
        .outerjoin(InboundShipmentLine, InboundShipmentLine.purchase_order_line_id == PurchaseOrderLine.id)
        .outerjoin(InboundShipment, InboundShipment.id == InboundShipmentLine.inbound_shipment_id)
        .where(
            PurchaseOrderLine.merchant_id == merchant_id,
            PurchaseOrderLine.sku.in_(wanted),
            PurchaseOrder.status.in_([str(s) for s in OPEN_STATUSES]),
        )
    ).all()
    lines: dict[str, OpenLine] = {}
    parts: list[ShippedPart] = []
    tracked = arrivals or {}
    for row in rows:
        (po_id, line_id, warehouse_id, sku, quantity, confirmed, received, damaged, short_closed_at) = row[:9]
        (promised_arrival, sent_at, timezone, lead, holiday_country, subdivision) = row[9:15]
        (supplier_country, warehouse_country) = row[15:17]
        (
            asn_id,
            asn_quantity,
            asn_received,
            asn_damaged,
            declared,
            estimate,
            basis,
            arrived_at,
            cancelled_at,
        ) = row[17:]
        line = lines.get(line_id)
        if line is None:
            if promised_arrival is not None:
                day = promised_arrival
            elif sent_at is not None:
                day = supplier_arrival(
                    sent_at,
                    timezone=timezone,
                    lead_time_days=lead,
                    holiday_country=holiday_country,
                    holiday_subdivision=subdivision,
                    supplier_country=supplier_country,
                    warehouse_country=warehouse_country,
                )
            else:
                day = today
            line = lines[line_id] = OpenLine(
                purchase_order_id=po_id,
                purchase_order_line_id=line_id,
                warehouse_id=warehouse_id,
                sku=sku,
                expected=confirmed if confirmed is not None else quantity,
                received=received,
                damaged=damaged,
                short_closed=short_closed_at is not None,
                # A date that has passed without the goods: expected from today, not in the past.
                unshipped_arrive_on=max(day, today),
            )
        if asn_id is None or cancelled_at is not None:
            continue
        # An ASN's day: the day it arrived; else as its tracking revises it (purchasing.inbound
        # derives arrival_estimate), else the supplier's declared day, else the PO's promise.
        arrive_on = (
            arrived_at.date()
            if arrived_at is not None
            else tracked.get(asn_id)
            or (estimate if basis is not None else None)
            or declared
            or promised_arrival
            or line.unshipped_arrive_on
        )
        parts.append(
            ShippedPart(asn_id, line_id, asn_quantity, asn_received, asn_damaged, max(arrive_on, today))
        )
    return inbound_units(lines.values(), parts)


def levels(uow: UnitOfWork, merchant_id: str, skus: Iterable[str]) -> list[ShelfStock]:
    wanted = sorted(set(skus))
    if not wanted:
        return []
    rows = uow.session.execute(
        select(StockLevel.warehouse_id, StockLevel.sku, StockLevel.on_hand, StockLevel.reserved).where(
            StockLevel.merchant_id == merchant_id, StockLevel.sku.in_(wanted)
        )
    ).all()
    return [ShelfStock(w, s, on_hand, reserved) for w, s, on_hand, reserved in rows]


def waiting(uow: UnitOfWork, merchant_id: str, skus: Iterable[str]) -> list[Waiting]:
    """Every backordered line of these SKUs (not locked: a read for promises, not a fill)."""
    wanted = sorted(set(skus))
    if not wanted:
        return []
    rows = uow.session.execute(
        select(
            Backorder.order_id,
            Backorder.order_line_id,
            Backorder.sku,
            Backorder.quantity,
            Backorder.placed_at,
        )
        .where(Backorder.merchant_id == merchant_id, Backorder.sku.in_(wanted), Backorder.quantity > 0)
        .order_by(Backorder.placed_at, Backorder.id)
    ).all()
    return [Waiting(*row) for row in rows]


def backordered_skus_of_orders(uow: UnitOfWork, merchant_id: str, order_ids: Iterable[str]) -> set[str]:
    """The SKUs these orders wait for (one query; usually none)."""
    ids = sorted(set(order_ids))
    if not ids:
        return set()
    return set(
        uow.session.scalars(
            select(Backorder.sku)
            .where(Backorder.merchant_id == merchant_id, Backorder.order_id.in_(ids), Backorder.quantity > 0)
            .distinct()
        )
    )


def warehouse_order(uow: UnitOfWork, merchant_id: str) -> dict[str, int]:
    """The order the inventory tries warehouses in when it fills backorders (its listing order)."""
    rows = uow.session.scalars(
        select(Warehouse.id)
        .where(Warehouse.merchant_id == merchant_id)
        .order_by(Warehouse.priority, Warehouse.code)
    )
    return {warehouse_id: i for i, warehouse_id in enumerate(rows)}


def covers(
    uow: UnitOfWork,
    merchant_id: str,
    skus: Iterable[str],
    *,
    today: date,
    arrivals: Mapping[str, date | None] | None = None,
) -> dict[str, Cover]:
    """Which inbound fills each backordered line of these SKUs (by order line id)."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    return allocate(
        waiting(uow, merchant_id, wanted),
        inbound(uow, merchant_id, wanted, today=today, arrivals=arrivals),
        levels(uow, merchant_id, wanted),
        warehouse_order=warehouse_order(uow, merchant_id),
    )


# Up to this many waiting lines are placed in their queues one aggregate each; more (a worker's
# round) read their SKUs' whole queues once.
_FEW_LINES = 20


def covers_of_orders(
    uow: UnitOfWork, merchant_id: str, order_ids: Iterable[str], *, today: date
) -> dict[str, Cover]:
    """What fills each backordered line of these orders (by order line id), without reading the
    whole queue: a line's place in it is the sum of the units of the lines ahead of it (oldest
    first), which is all the first-in-first-out allocation needs. One order being confirmed
    while ten thousand wait on its SKU reads one sum, not ten thousand rows."""
    ids = sorted(set(order_ids))
    if not ids:
        return {}
    mine = [
        Waiting(*row)
        for row in uow.session.execute(
            select(
                Backorder.order_id,
                Backorder.order_line_id,
                Backorder.sku,
                Backorder.quantity,
                Backorder.placed_at,
            ).where(Backorder.merchant_id == merchant_id, Backorder.order_id.in_(ids), Backorder.quantity > 0)
        )
    ]
    if not mine:
        return {}
    skus = sorted({w.sku for w in mine})
    if len(mine) > _FEW_LINES:
        wanted = {w.order_line_id for w in mine}
        return {k: v for k, v in covers(uow, merchant_id, skus, today=today).items() if k in wanted}
    arriving = inbound(uow, merchant_id, skus, today=today)
    stock = levels(uow, merchant_id, skus)
    preference = warehouse_order(uow, merchant_id)
    found: dict[str, Cover] = {}
    for line in mine:
        ahead = uow.session.scalar(
            select(func.coalesce(func.sum(Backorder.quantity), 0)).where(
                Backorder.merchant_id == merchant_id,
                Backorder.sku == line.sku,
                Backorder.quantity > 0,
                tuple_(Backorder.placed_at, Backorder.order_id, Backorder.order_line_id)
                < tuple_(
                    literal(line.placed_at, Backorder.placed_at.type),
                    literal(line.order_id, Backorder.order_id.type),
                    literal(line.order_line_id, Backorder.order_line_id.type),
                ),
            )
        )
        queue = [line]
        if ahead:
            queue.append(Waiting("", "", line.sku, int(ahead), datetime.min.replace(tzinfo=UTC)))
        found[line.order_line_id] = allocate(queue, arriving, stock, warehouse_order=preference)[
            line.order_line_id
        ]
    return found


def sku_facts(
    uow: UnitOfWork, merchant_id: str, sku: str, *, today: date
) -> tuple[bool, Availability, list[ShelfStock], list[Inbound]]:
    """Everything a storefront's question about one SKU needs, in two queries: whether the
    catalog has it, its levels and backordered units (one ``UNION ALL``), and its inbound."""
    text_null = literal(None, String(32))
    rows = uow.session.execute(
        union_all(
            select(literal("product"), text_null, literal(0), literal(0)).where(
                Product.merchant_id == merchant_id, Product.sku == sku
            ),
            select(literal("level"), StockLevel.warehouse_id, StockLevel.on_hand, StockLevel.reserved).where(
                StockLevel.merchant_id == merchant_id, StockLevel.sku == sku
            ),
            select(
                literal("backordered"), text_null, func.coalesce(func.sum(Backorder.quantity), 0), literal(0)
            ).where(Backorder.merchant_id == merchant_id, Backorder.sku == sku),
        )
    ).all()
    known = any(kind == "product" for kind, *_ in rows)
    shelf = [
        ShelfStock(w, sku, int(on_hand), int(reserved))
        for kind, w, on_hand, reserved in rows
        if kind == "level"
    ]
    backordered = sum(int(q) for kind, _, q, _ in rows if kind == "backordered")
    arriving = inbound(uow, merchant_id, [sku], today=today) if known else []
    return known, availability(sku, shelf, arriving, backordered), shelf, arriving


def sku_availability(
    uow: UnitOfWork,
    merchant_id: str,
    sku: str,
    *,
    today: date,
    warehouse_id: str | None = None,
    arrivals: Mapping[str, date | None] | None = None,
) -> Availability:
    """One SKU's on hand, reserved, backordered and inbound by day, at one warehouse or all."""
    backordered = uow.session.scalar(
        select(func.coalesce(func.sum(Backorder.quantity), 0)).where(
            Backorder.merchant_id == merchant_id, Backorder.sku == sku
        )
    )
    return availability(
        sku,
        levels(uow, merchant_id, [sku]),
        inbound(uow, merchant_id, [sku], today=today, arrivals=arrivals),
        int(backordered or 0),
        warehouse_id,
    )


def put_away(arrives_on: date, warehouse: Warehouse | None) -> datetime:
    """When goods arriving that day are on the shelf: the start of the warehouse's
    ``PUT_AWAY_BUSINESS_DAYS``-th business day after it (its country's public holidays off), in
    its time zone; the warehouse's cut-off then decides the day they leave."""
    country, zone = (warehouse.country, warehouse.timezone) if warehouse is not None else ("US", "UTC")
    day = SupplierCalendar(country).add_business_days(arrives_on, PUT_AWAY_BUSINESS_DAYS)
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone))
