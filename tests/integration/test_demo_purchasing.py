"""The demo's buying side on a real database: purchase orders in every status, inbound parcels
the carriers scanned, counts with their discrepancies, and shoppers waiting for stock."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from ordertrack.db.uow import Database
from ordertrack.demo.purchasing import PLANS, SUPPLIERS, WAITING_ORDERS, WAITING_SKU
from ordertrack.demo.seed import seed_demo
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.model import Backorder, StockLevel
from ordertrack.kit.clock import utcnow
from ordertrack.orders.model import Order
from ordertrack.suppliers.model import (
    InboundShipment,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    Supplier,
    SupplierSku,
)
from ordertrack.suppliers.rules import PurchaseOrderStatus
from ordertrack.tracking.model import Parcel, TrackingEvent


def seed(db: Database) -> str:
    with db.uow() as uow:
        seeded = seed_demo(uow, now=utcnow().replace(microsecond=0))
        uow.commit()
    assert (seeded.suppliers, seeded.purchase_orders, seeded.waiting_orders) == (3, len(PLANS), 3)
    return seeded.merchant_id


def test_the_demo_shows_a_purchase_order_in_every_status_its_plan_names(db: Database) -> None:
    merchant = seed(db)
    with db.uow(write=False) as uow:
        statuses = dict(
            uow.session.execute(
                select(PurchaseOrder.number, PurchaseOrder.status).where(
                    PurchaseOrder.merchant_id == merchant
                )
            ).all()
        )
        countries = set(uow.session.scalars(select(Supplier.country).where(Supplier.merchant_id == merchant)))
        terms = uow.session.scalar(
            select(func.count()).select_from(SupplierSku).where(SupplierSku.merchant_id == merchant)
        )
    assert statuses == {plan.number: plan.expect for plan in PLANS}
    assert set(statuses.values()) == set(PurchaseOrderStatus)
    assert len(countries) == 3 and terms == sum(len(s.skus) for s in SUPPLIERS)


def test_demo_inbound_parcels_are_scanned_and_counts_leave_their_discrepancies(db: Database) -> None:
    merchant = seed(db)
    with db.uow(write=False) as uow:
        session = uow.session
        parcels = session.execute(
            select(Parcel.id, Parcel.status, func.count(TrackingEvent.id))
            .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
            .where(Parcel.merchant_id == merchant, Parcel.inbound_shipment_id.is_not(None))
            .group_by(Parcel.id, Parcel.status)
        ).all()
        asns = session.scalar(
            select(func.count()).select_from(InboundShipment).where(InboundShipment.merchant_id == merchant)
        )
        lines = session.scalars(
            select(PurchaseOrderLine).where(PurchaseOrderLine.merchant_id == merchant)
        ).all()
        receipts = session.scalars(select(Receipt).where(Receipt.merchant_id == merchant)).all()
    assert len(parcels) == asns == sum(len(plan.inbound) for plan in PLANS)
    assert all(events >= 2 for _, _, events in parcels)
    assert Counter(status for _, status, _ in parcels) >= Counter({"delivered": 3, "exception": 1})
    # The received quantity of each line is the sum of its receipts' good units.
    for line in lines:
        mine = [r for r in receipts if r.purchase_order_line_id == line.id]
        assert line.received_quantity == sum(r.good_quantity for r in mine)
        assert line.damaged_quantity == sum(r.damaged_quantity for r in mine)
    assert sum(line.damaged_quantity for line in lines) == 2
    assert [line.sku for line in lines if line.short_closed_at is not None] == ["NW-SK601-GRY-L"]


def test_demo_shoppers_wait_for_the_sold_out_tent_that_is_on_its_way(db: Database) -> None:
    merchant = seed(db)
    with db.uow(write=False) as uow:
        session = uow.session
        waiting = session.execute(
            select(Order.number, Order.status, func.sum(Backorder.quantity))
            .join(Backorder, Backorder.order_id == Order.id)
            .where(Order.merchant_id == merchant, Backorder.sku == WAITING_SKU)
            .group_by(Order.number, Order.status)
        ).all()
        on_the_way = session.scalar(
            select(func.sum(PurchaseOrderLine.shipped_quantity - PurchaseOrderLine.received_quantity)).where(
                PurchaseOrderLine.merchant_id == merchant, PurchaseOrderLine.sku == WAITING_SKU
            )
        )
        sums = inventory_service.ledger_sums(uow, merchant)
        levels = session.scalars(select(StockLevel).where(StockLevel.merchant_id == merchant)).all()
    assert {(number, status, qty) for number, status, qty in waiting} == {
        (number, "processing", qty) for number, _, qty in WAITING_ORDERS
    }
    assert on_the_way >= sum(qty for _, _, qty in WAITING_ORDERS)
    for level in levels:
        assert 0 <= level.reserved <= level.on_hand
        assert sums[(level.warehouse_id, level.sku)] == (level.on_hand, level.reserved)
