"""Purchase orders in the database: the facts each action records, and the status stored as the
facts say it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ordertrack.catalog import service as catalog
from ordertrack.catalog.schemas import ProductIn
from ordertrack.db.uow import Database
from ordertrack.events import (
    PurchaseOrderCancelled,
    PurchaseOrderConfirmed,
    PurchaseOrderCreated,
    PurchaseOrderLineShortClosed,
    PurchaseOrderSent,
    PurchaseOrderStatusChanged,
)
from ordertrack.kit.clock import utcnow
from ordertrack.kit.schema import AddressIn
from ordertrack.suppliers import purchase_orders as pos
from ordertrack.suppliers import service as suppliers
from ordertrack.suppliers.model import Supplier
from ordertrack.suppliers.rules import PromiseInThePast
from ordertrack.suppliers.schemas import (
    ConfirmedLineIn,
    PurchaseOrderConfirmationIn,
    PurchaseOrderIn,
    PurchaseOrderLineIn,
    SupplierIn,
)
from tests.integration.test_inventory import MUG, TENT, warehouse


def setup(db: Database, merchant_id: str) -> str:
    warehouse(db, merchant_id, "EAST")
    with db.uow() as uow:
        for sku in (TENT, MUG):
            catalog.create_product(uow, merchant_id, ProductIn(sku=sku, name=sku))
        supplier = suppliers.create_supplier(
            uow,
            merchant_id,
            SupplierIn(
                name="Kessler",
                address=AddressIn(line1="Industriestr. 4", city="Munich", country="DE"),
                timezone="Europe/Berlin",
            ),
        )
        uow.commit()
        return supplier.id


def draft(db: Database, merchant_id: str, supplier_id: str) -> str:
    with db.uow() as uow:
        po = pos.create_purchase_order(
            uow,
            merchant_id,
            PurchaseOrderIn(
                number="PO-7",
                supplier_id=supplier_id,
                warehouse="EAST",
                currency="EUR",
                lines=[
                    PurchaseOrderLineIn(sku=TENT, quantity=100, unit_cost="40"),
                    PurchaseOrderLineIn(sku=MUG, quantity=10, unit_cost="3"),
                ],
            ),
        )
        assert list(uow.events) == [PurchaseOrderCreated(merchant_id, po.id, supplier_id)]
        uow.commit()
        return po.id


def test_each_action_records_its_fact_and_the_status_change(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    supplier_id = setup(db, m)
    po_id = draft(db, m, supplier_id)

    with db.uow() as uow:
        po = pos.send_purchase_order(uow, m, po_id)
        assert list(uow.events) == [
            PurchaseOrderStatusChanged(m, po_id, "draft", "sent"),
            PurchaseOrderSent(m, po_id, supplier_id, po.sent_at),
        ]
        uow.commit()

    with db.uow() as uow:
        confirmation = PurchaseOrderConfirmationIn(
            lines=[ConfirmedLineIn(line_no=1, quantity=90)], promised_ship_date=date(2099, 1, 5)
        )
        po = pos.confirm_purchase_order(uow, m, "po7", confirmation)
        assert list(uow.events) == [
            PurchaseOrderStatusChanged(m, po_id, "sent", "confirmed"),
            PurchaseOrderConfirmed(m, po_id, supplier_id, date(2099, 1, 5), None, po.confirmed_at),
        ]
        uow.commit()

    with db.uow() as uow:
        pos.short_close_line(uow, m, po_id, 2, "discontinued")
        line = pos.find_purchase_order(uow, m, po_id).lines[1]
        # The line is closed, the order still waits for its tents: no status change.
        assert list(uow.events) == [PurchaseOrderLineShortClosed(m, po_id, line.id, MUG, 10, 0)]
        uow.commit()

    with db.uow() as uow:
        po = pos.cancel_purchase_order(uow, m, po_id)
        assert list(uow.events) == [
            PurchaseOrderStatusChanged(m, po_id, "confirmed", "cancelled"),
            PurchaseOrderCancelled(m, po_id, supplier_id, po.cancelled_at),
        ]
        uow.commit()
    with db.uow(write=False) as uow:
        assert pos.find_purchase_order(uow, m, po_id).status == "cancelled"


def test_the_stored_status_follows_the_quantities_later_work_fills(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = draft(db, m, setup(db, m))
    with db.uow() as uow:
        pos.send_purchase_order(uow, m, po_id)
        uow.commit()
    steps = [
        ((60, 0), (0, 0), "partially_shipped"),
        ((100, 0), (10, 0), "shipped"),
        ((100, 40), (10, 10), "partially_received"),
        ((100, 100), (10, 10), "received"),
    ]
    for (tent_shipped, tent_received), (mug_shipped, mug_received), expected in steps:
        with db.uow() as uow:
            po = pos.find_purchase_order(uow, m, po_id, lock=True)
            tent, mug = po.lines
            tent.shipped_quantity, tent.received_quantity = tent_shipped, tent_received
            mug.shipped_quantity, mug.received_quantity = mug_shipped, mug_received
            pos.refresh_status(uow, po, utcnow())
            uow.commit()
        with db.uow(write=False) as uow:
            assert pos.find_purchase_order(uow, m, po_id).status == expected
            assert [p.id for p in pos.purchase_order_page(uow, m, status=expected).items] == [po_id]


def test_promised_dates_are_measured_against_the_suppliers_own_today() -> None:
    now = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
    ahead = Supplier(timezone="Pacific/Kiritimati")  # UTC+14: already 8 December
    behind = Supplier(timezone="Pacific/Pago_Pago")  # UTC-11: still 7 December
    assert pos.supplier_today(ahead, now) == date(2026, 12, 8)
    assert pos.supplier_today(behind, now) == date(2026, 12, 7)


def test_a_confirmation_is_judged_at_the_callers_moment(db: Database, make_merchant) -> None:
    """The demo picks "ship today" from its own clock reading; when the supplier's day turns over
    before the confirmation runs, that promise must still be judged against the reading it was
    made at, and a promise for the day before that reading is still refused."""
    m = make_merchant().merchant_id
    po_id = draft(db, m, setup(db, m))
    with db.uow() as uow:
        pos.send_purchase_order(uow, m, po_id)
        uow.commit()
    # 23:59:30 in Munich on 7 December 2026: the real clock has long passed this day.
    then = datetime(2026, 12, 7, 22, 59, 30, tzinfo=UTC)
    with db.uow() as uow:
        try:
            pos.confirm_purchase_order(
                uow, m, po_id, PurchaseOrderConfirmationIn(promised_ship_date=date(2026, 12, 6)), now=then
            )
        except PromiseInThePast:
            pass
        else:
            raise AssertionError("a promise for the day before is in the past")
    with db.uow() as uow:
        po = pos.confirm_purchase_order(
            uow, m, po_id, PurchaseOrderConfirmationIn(promised_ship_date=date(2026, 12, 7)), now=then
        )
        assert po.promised_ship_date == date(2026, 12, 7)
        uow.commit()
