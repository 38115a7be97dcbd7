"""The demo tells each order's story in the order it happened: every seeded fact carries the
time it happened in the story (not the time the demo was seeded), and attention items date
from when the problem began, not from when the first check ran."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ordertrack.attention.model import AttentionItem
from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.demo.seed import seed_demo
from ordertrack.kit.clock import utcnow
from ordertrack.orders.model import Order
from ordertrack.shipments.model import Shipment
from ordertrack.tracking.model import Parcel, TrackingEvent


def _seeded(db: Database) -> datetime:
    now = utcnow().replace(microsecond=0)
    with db.uow() as uow:
        seed_demo(uow, now=now)
        uow.commit()
    return now


def test_demo_orders_are_confirmed_after_placing_and_before_they_ship_and_their_first_scan(
    db: Database,
) -> None:
    now = _seeded(db)
    with db.uow(write=False) as uow:
        orders = {o.id: o for o in uow.session.scalars(select(Order))}
        shipments = list(uow.session.scalars(select(Shipment)))
        first_scan = dict(
            uow.session.execute(
                select(Parcel.shipment_id, func.min(TrackingEvent.occurred_at))
                .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
                .group_by(Parcel.shipment_id)
            ).all()
        )
    by_order: dict[str, list[Shipment]] = defaultdict(list)
    for shipment in shipments:
        by_order[shipment.order_id].append(shipment)
    confirmed = [o for o in orders.values() if o.confirmed_at is not None]
    assert len(confirmed) > 20
    for order in confirmed:
        assert order.placed_at < order.confirmed_at < now - timedelta(minutes=5), order.number
        for shipment in by_order[order.id]:
            assert order.confirmed_at < shipment.created_at, order.number
            # Registered a few minutes before the carrier's first scan of the label, days ago.
            assert shipment.created_at <= first_scan[shipment.id] <= shipment.created_at + timedelta(hours=1)
    for order in orders.values():
        if order.cancelled_at is not None:
            assert (order.confirmed_at or order.placed_at) < order.cancelled_at < now, order.number
    # Settled orders lie days back: not one shipment is stamped with the day of seeding.
    assert sum(1 for s in shipments if s.created_at > now - timedelta(hours=12)) < len(shipments) / 4


def test_demo_attention_items_date_from_when_the_trouble_began(db: Database) -> None:
    now = _seeded(db)
    checked_at = now + timedelta(minutes=1)
    shipment_checks.run_checks(db, checked_at, limit=1000)
    with db.uow(write=False) as uow:
        items = list(uow.session.scalars(select(AttentionItem).where(AttentionItem.closed_at.is_(None))))
        last_scan = dict(
            uow.session.execute(
                select(Parcel.shipment_id, func.max(TrackingEvent.occurred_at))
                .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
                .group_by(Parcel.shipment_id)
            ).all()
        )
    assert items, "the demo shows orders that need attention"
    assert all(item.opened_at <= checked_at for item in items)
    assert any(item.opened_at < checked_at - timedelta(hours=12) for item in items)
    for item in items:
        if item.kind in ("stalled", "likely_lost", "exception"):
            assert item.opened_at == last_scan[item.shipment_id], item.kind
