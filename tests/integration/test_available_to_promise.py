"""Available to promise from the database, on SQLite and PostgreSQL: one order's place in its
SKU's queue (a sum of the units ahead) gives the same answer as reading the whole queue, ties
in placement time included; the promise of a backordered order counts from its inbound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ordertrack.db.uow import Database
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn
from ordertrack.suppliers import atp
from ordertrack.suppliers import purchase_orders as pos
from tests.integration.test_inventory import TENT
from tests.integration.test_purchase_orders import draft, setup

TODAY = datetime.now(UTC).date()


def backordered(db: Database, merchant_id: str, number: str, quantity: int, placed_at: datetime) -> str:
    with db.uow() as uow:
        order = orders_service.place_order(
            uow,
            merchant_id,
            OrderIn.model_validate(
                {
                    "number": number,
                    "customer": {"email": "ann@example.com", "name": "Ann"},
                    "shipping_address": {"line1": "1 Main St", "city": "Boston", "country": "US"},
                    "lines": [{"sku": TENT, "quantity": quantity, "unit_price": "10"}],
                    "currency": "USD",
                    "placed_at": placed_at.isoformat(),
                }
            ),
        )
        orders_service.confirm_order(uow, merchant_id, order.id)
        uow.commit()
        return order.id


def test_one_orders_place_in_the_queue_matches_the_whole_queue(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = draft(db, m, setup(db, m))  # 100 tents
    with db.uow() as uow:
        pos.send_purchase_order(uow, m, po_id)
        uow.commit()
    base = datetime.now(UTC) - timedelta(days=1)
    orders = [
        backordered(db, m, "Q-1", 30, base),
        backordered(db, m, "Q-2", 25, base + timedelta(hours=1)),
        backordered(db, m, "Q-3", 25, base + timedelta(hours=1)),  # the same moment as Q-2
        backordered(db, m, "Q-4", 30, base + timedelta(hours=2)),  # 10 of it have no inbound
        backordered(db, m, "Q-5", 5, base + timedelta(hours=3)),  # none of it has
    ]
    with db.uow(write=False) as uow:
        whole = atp.covers(uow, m, [TENT], today=TODAY)
        assert sum(c.uncovered for c in whole.values()) == 15
        for order_id in orders:
            alone = atp.covers_of_orders(uow, m, [order_id], today=TODAY)
            assert alone == {k: v for k, v in whole.items() if v.waiting.order_id == order_id}
            assert len(alone) == 1
        numbers = atp.sku_availability(uow, m, TENT, today=TODAY)
    assert (numbers.on_hand, numbers.backordered, numbers.inbound_total) == (0, 115, 100)
    assert numbers.ready_on(1) is None  # every inbound unit is owed to a waiting order
