"""Available to promise from the database, on SQLite and PostgreSQL: one order's place in its
SKU's queue (a sum of the units ahead) gives the same answer as reading the whole queue, ties
in placement time included; the promise of a backordered order counts from its inbound."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ordertrack.checks import restocking
from ordertrack.db.uow import Database
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn
from ordertrack.suppliers import atp
from ordertrack.suppliers import purchase_orders as pos
from ordertrack.suppliers.model import PromiseRevisionDue
from tests.integration.test_inventory import MUG, TENT
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


def test_the_worker_revises_waiting_orders_in_small_transactions_and_forgets_what_it_did(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    po_id = draft(db, m, setup(db, m))
    with db.uow() as uow:
        pos.send_purchase_order(uow, m, po_id)
        uow.commit()
    base = datetime.now(UTC) - timedelta(days=1)
    for i in range(5):
        backordered(db, m, f"R-{i}", 10, base + timedelta(minutes=i))
    with db.uow() as uow:
        # Only SKUs some order waits for are noted; the mug has no backorders.
        assert restocking.mark_due(uow, m, [TENT, MUG], "supplier_delay", datetime.now(UTC)) == 1
        uow.commit()
    pauses: list[float] = []
    done = restocking.revise_due_promises(db, datetime.now(UTC), per_transaction=2, sleep=pauses.append)
    assert (done.skus, done.orders, done.transactions) == (1, 5, 3)
    assert len(pauses) == 2 and all(p >= 0 for p in pauses)  # rested between transactions, not after
    with db.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(PromiseRevisionDue)) == 0
    # Nothing due: nothing done.
    assert restocking.revise_due_promises(db, datetime.now(UTC)).orders == 0
