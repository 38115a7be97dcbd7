"""The demo seed on a real database (SQLite and PostgreSQL): what a newcomer sees must be
complete, consistent with the status rules, and safe to seed twice."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ordertrack.attention.model import AttentionItem
from ordertrack.catalog.model import Product
from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.demo.history import DAYS
from ordertrack.demo.order_plans import ORDER_PLANS
from ordertrack.demo.purchasing import WAITING_ORDERS
from ordertrack.demo.seed import SeededDemo, seed_demo
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.model import Backorder, Reservation, StockAlert, StockLevel, StockMovement
from ordertrack.kit.clock import utcnow
from ordertrack.merchants import service as merchants_service
from ordertrack.orders.model import Order, OrderLine
from ordertrack.orders.status import (
    OrderFacts,
    OrderStatus,
    ShipmentFacts,
    derive_order_status,
)
from ordertrack.shipments.model import Shipment, ShipmentLine
from ordertrack.tracking.model import Parcel, TrackingEvent
from ordertrack.tracking.schemas import zone
from ordertrack.tracking.status import (
    EventFact,
    ParcelFacts,
    derive_shipment_status,
    derive_tracking_state,
)
from tests.support import wipe

# The parcel states in trouble that the demo shows (on the way back is one of them, though not
# an attention item by itself).
TROUBLE_STATUSES = {"exception", "failed_attempt", "returning"}


def seed(db: Database, now: datetime) -> SeededDemo:
    with db.uow() as uow:
        seeded = seed_demo(uow, now=now)
        uow.commit()
    return seeded


def _now() -> datetime:
    return utcnow().replace(microsecond=0)


def test_demo_covers_every_order_status(db: Database) -> None:
    seeded = seed(db, _now())
    shipment_checks.run_checks(db, _now(), limit=1000)  # what the embedded worker does next
    with db.uow(write=False) as uow:
        rows = uow.session.execute(
            select(Order.status, Order.attention).where(Order.merchant_id == seeded.merchant_id)
        ).all()
    assert {status for status, _ in rows} == set(OrderStatus)
    assert any(attention for _, attention in rows)
    assert 40 <= seeded.orders <= 60 and seeded.orders + seeded.history_orders == len(rows)


def test_every_demo_order_gets_the_status_its_plan_describes(db: Database) -> None:
    seeded = seed(db, _now())
    with db.uow(write=False) as uow:
        rows = uow.session.execute(
            select(Order.status, Order.attention).where(
                Order.merchant_id == seeded.merchant_id, Order.number.not_like("NW-H%")
            )
        ).all()
    planned = Counter(str(plan.expect) for plan in ORDER_PLANS)
    # The buying side's shoppers waiting for the sold-out tent (demo.purchasing) are processing.
    assert Counter(status for status, _ in rows) == planned + Counter({"processing": len(WAITING_ORDERS)})


def test_after_the_checks_the_demo_orders_in_trouble_need_attention_by_the_one_rule(db: Database) -> None:
    seeded = seed(db, _now())
    shipment_checks.run_checks(db, _now(), limit=1000)
    with db.uow(write=False) as uow:
        flagged = set(
            uow.session.scalars(
                select(Order.id).where(Order.merchant_id == seeded.merchant_id, Order.attention.is_(True))
            )
        )
        with_open_items = set(
            uow.session.scalars(
                select(AttentionItem.order_id).where(
                    AttentionItem.merchant_id == seeded.merchant_id, AttentionItem.closed_at.is_(None)
                )
            )
        )
        in_exception = set(
            uow.session.scalars(
                select(Shipment.order_id).where(
                    Shipment.merchant_id == seeded.merchant_id,
                    Shipment.status.in_(["exception", "failed_attempt"]),
                )
            )
        )
    assert in_exception and in_exception <= flagged
    assert flagged == with_open_items


def test_every_demo_shipment_status_is_derived_from_its_events(db: Database) -> None:
    seeded = seed(db, _now())
    with db.uow(write=False) as uow:
        events: dict[str, list[EventFact]] = defaultdict(list)
        for parcel_id, at, status, reason, key in uow.session.execute(
            select(
                TrackingEvent.parcel_id,
                TrackingEvent.occurred_at,
                TrackingEvent.status,
                TrackingEvent.reason,
                TrackingEvent.dedupe_key,
            ).where(TrackingEvent.merchant_id == seeded.merchant_id, TrackingEvent.parcel_id.is_not(None))
        ):
            events[parcel_id].append(EventFact(at, status, reason, key))
        parcels = uow.session.scalars(
            select(Parcel)
            .where(Parcel.merchant_id == seeded.merchant_id)
            .order_by(Parcel.shipment_id, Parcel.seq)
        ).all()
        shipments = uow.session.scalars(
            select(Shipment).where(Shipment.merchant_id == seeded.merchant_id)
        ).all()

    by_shipment: dict[str, list[ParcelFacts]] = defaultdict(list)
    for parcel in parcels:
        derived = derive_tracking_state(events[parcel.id])
        assert events[parcel.id], f"parcel {parcel.tracking_number} has no scans"
        assert (parcel.status, parcel.reason, parcel.delivered_at) == (
            derived.status,
            derived.reason,
            derived.delivered_at,
        ), parcel.tracking_number
        by_shipment[parcel.shipment_id].append(
            ParcelFacts(derived.status, derived.reason, derived.delivered_at)
        )
    assert shipments
    for shipment in shipments:
        derived = derive_shipment_status(by_shipment[shipment.id])
        assert (shipment.status, shipment.reason, shipment.delivered_at) == (
            derived.status,
            derived.reason,
            derived.delivered_at,
        ), shipment.id


def test_every_demo_order_status_is_derived_from_its_shipments(db: Database) -> None:
    seeded = seed(db, _now())
    mid = seeded.merchant_id
    with db.uow(write=False) as uow:
        orders = uow.session.scalars(select(Order).where(Order.merchant_id == mid)).all()
        ordered: dict[str, dict[str, int]] = defaultdict(dict)
        for order_id, line_id, qty in uow.session.execute(
            select(OrderLine.order_id, OrderLine.id, OrderLine.quantity).where(OrderLine.merchant_id == mid)
        ):
            ordered[order_id][line_id] = qty
        carried: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for shipment_id, line_id, qty in uow.session.execute(
            select(ShipmentLine.shipment_id, ShipmentLine.order_line_id, ShipmentLine.quantity).where(
                ShipmentLine.merchant_id == mid
            )
        ):
            carried[shipment_id][line_id] += qty
        shipments = uow.session.execute(
            select(Shipment.id, Shipment.order_id, Shipment.status).where(Shipment.merchant_id == mid)
        ).all()
    facts: dict[str, list[ShipmentFacts]] = defaultdict(list)
    for shipment_id, order_id, status in shipments:
        facts[order_id].append(ShipmentFacts(status, dict(carried[shipment_id])))
    for order in orders:
        derived = derive_order_status(
            OrderFacts(
                ordered=ordered[order.id],
                confirmed=order.confirmed_at is not None,
                cancelled=order.cancelled_at is not None,
                shipments=facts[order.id],
            )
        )
        assert order.status == derived.status, order.number


def test_seeding_twice_adds_nothing_and_returns_a_working_new_key(db: Database) -> None:
    now = _now()
    first = seed(db, now)

    def totals() -> tuple[int, ...]:
        with db.uow(write=False) as uow:
            return tuple(
                uow.session.scalar(select(func.count()).select_from(model))
                for model in (Order, Product, Shipment, Parcel, TrackingEvent)
            )

    before = totals()
    second = seed(db, now + timedelta(hours=1))
    assert totals() == before
    assert (second.created, second.merchant_id, second.merchant_name) == (
        False,
        first.merchant_id,
        first.merchant_name,
    )
    assert second.api_key != first.api_key

    async def owners() -> list[str]:
        try:
            return [
                await merchants_service.merchant_for_key(db.reader, k)
                for k in (second.api_key, first.api_key)
            ]
        finally:
            await db.reader.close()

    assert asyncio.run(owners()) == [first.merchant_id, first.merchant_id]


def test_no_demo_time_lies_in_the_future(db: Database) -> None:
    now = _now()
    seeded = seed(db, now)
    with db.uow(write=False) as uow:
        latest_scan = uow.session.scalar(
            select(func.max(TrackingEvent.occurred_at)).where(TrackingEvent.merchant_id == seeded.merchant_id)
        )
        placed = uow.session.execute(
            select(func.min(Order.placed_at), func.max(Order.placed_at)).where(
                Order.merchant_id == seeded.merchant_id, Order.number.not_like("NW-H%")
            )
        ).one()
        history = uow.session.execute(
            select(func.min(Order.placed_at), func.max(Order.placed_at)).where(
                Order.merchant_id == seeded.merchant_id, Order.number.like("NW-H%")
            )
        ).one()
    assert latest_scan is not None and latest_scan <= now
    assert placed[1] <= now
    assert placed[0] >= now - timedelta(days=22)
    # The delivered history (demo.history) reaches three months back.
    assert now - timedelta(days=DAYS + 2) <= history[0] < history[1] < now


def test_demo_scans_carry_the_local_zone_and_offset_of_where_they_happened(db: Database) -> None:
    seeded = seed(db, _now())
    with db.uow(write=False) as uow:
        events = uow.session.execute(
            select(TrackingEvent.occurred_at, TrackingEvent.utc_offset_minutes, TrackingEvent.timezone).where(
                TrackingEvent.merchant_id == seeded.merchant_id
            )
        ).all()
    assert events
    offsets = set()
    for occurred_at, offset_minutes, zone_name in events:
        assert zone_name is not None
        local_offset = occurred_at.astimezone(zone(zone_name)).utcoffset()
        assert local_offset == timedelta(minutes=offset_minutes), (occurred_at, zone_name)
        offsets.add(offset_minutes)
    assert len(offsets) >= 5  # scans from several continents, not all in UTC


def test_demo_shows_real_carriers_multi_parcel_shipments_and_exception_reasons(db: Database) -> None:
    seeded = seed(db, _now())
    with db.uow(write=False) as uow:
        carriers = set(
            uow.session.scalars(select(Shipment.carrier).where(Shipment.merchant_id == seeded.merchant_id))
        )
        parcels_per_shipment = uow.session.execute(
            select(Parcel.shipment_id, func.count())
            .where(Parcel.merchant_id == seeded.merchant_id)
            .group_by(Parcel.shipment_id)
        ).all()
        reasons = set(
            uow.session.scalars(
                select(TrackingEvent.reason).where(
                    TrackingEvent.merchant_id == seeded.merchant_id, TrackingEvent.status == "exception"
                )
            )
        )
        attention_parcels = set(
            uow.session.scalars(
                select(Parcel.status).where(
                    Parcel.merchant_id == seeded.merchant_id, Parcel.status.in_(TROUBLE_STATUSES)
                )
            )
        )
    assert carriers == {"ups", "fedex", "usps", "dhl", "royalmail", "dpd"}
    assert any(count > 1 for _, count in parcels_per_shipment)
    assert {"address_issue", "damaged", "customs_hold", "weather", "refused"} <= reasons
    assert attention_parcels == TROUBLE_STATUSES


def test_demo_includes_scans_that_no_shipment_claims_yet(db: Database) -> None:
    seeded = seed(db, _now())
    with db.uow(write=False) as uow:
        unmatched = set(
            uow.session.scalars(
                select(TrackingEvent.tracking_number).where(
                    TrackingEvent.merchant_id == seeded.merchant_id, TrackingEvent.parcel_id.is_(None)
                )
            )
        )
        on_parcels = set(uow.session.scalars(select(Parcel.tracking_number)))
    assert seeded.unmatched_events > 0
    assert unmatched and not unmatched & on_parcels


def test_the_demo_is_the_same_for_the_same_now(db: Database) -> None:
    now = _now()

    def snapshot() -> list[tuple[object, ...]]:
        with db.uow(write=False) as uow:
            return sorted(
                uow.session.execute(
                    select(Order.number, Order.status, Order.placed_at, Parcel.tracking_number, Parcel.status)
                    .join(Shipment, Shipment.order_id == Order.id, isouter=True)
                    .join(Parcel, Parcel.shipment_id == Shipment.id, isouter=True)
                ).all(),
                key=repr,
            )

    seed(db, now)
    first = snapshot()
    wipe(db)
    seed(db, now)
    assert snapshot() == first


def test_demo_keeps_stock_that_matches_its_ledger_and_its_orders(db: Database) -> None:
    seeded = seed(db, _now())
    merchant = seeded.merchant_id
    with db.uow(write=False) as uow:
        session = uow.session
        levels = session.scalars(select(StockLevel).where(StockLevel.merchant_id == merchant)).all()
        sums = inventory_service.ledger_sums(uow, merchant)
        shipped_units = session.scalar(
            select(func.sum(ShipmentLine.quantity)).where(ShipmentLine.merchant_id == merchant)
        )
        shipment_moves = session.scalar(
            select(func.sum(StockMovement.on_hand_delta)).where(
                StockMovement.merchant_id == merchant, StockMovement.kind == "shipment"
            )
        )
        held = session.scalar(
            select(func.sum(Reservation.quantity)).where(Reservation.merchant_id == merchant)
        )
        waiting = session.scalar(
            select(func.sum(Backorder.quantity)).where(Backorder.merchant_id == merchant)
        )
        # Units of open orders (confirmed, not cancelled) that no shipment carries yet.
        ordered = session.execute(
            select(OrderLine.id, OrderLine.quantity)
            .join(Order, Order.id == OrderLine.order_id)
            .where(
                Order.merchant_id == merchant, Order.confirmed_at.is_not(None), Order.cancelled_at.is_(None)
            )
        ).all()
        per_line = defaultdict(int)
        for line_id, qty in session.execute(
            select(ShipmentLine.order_line_id, ShipmentLine.quantity).where(
                ShipmentLine.merchant_id == merchant
            )
        ):
            per_line[line_id] += qty
        alerts = session.scalar(
            select(func.count()).select_from(StockAlert).where(StockAlert.merchant_id == merchant)
        )
    assert seeded.warehouses == 3 and seeded.stock_levels == len(levels) > 0
    for level in levels:
        assert 0 <= level.reserved <= level.on_hand
        assert sums[(level.warehouse_id, level.sku)] == (level.on_hand, level.reserved)
    assert shipped_units and shipment_moves == -shipped_units
    open_units = sum(qty - per_line[line_id] for line_id, qty in ordered)
    assert open_units > 0 and (held or 0) + (waiting or 0) == open_units
    assert alerts > 0  # some products were counted close to their threshold
    assert any(level.below_threshold for level in levels)
