"""The demo shop's three months of delivered history (demo.history): settled orders spread over
the quarter, each shipment with a promise made when it was registered, the stock ledger agreeing
with what they shipped, and analytics cells the worker folds from them that equal a from-scratch
rollup and give figures worth looking at."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from ordertrack.analytics import facts as facts_loader
from ordertrack.analytics import rollup, store
from ordertrack.db.uow import Database
from ordertrack.demo.history import DAYS, ORDERS
from ordertrack.eta.model import EddRevision
from ordertrack.orders.model import Order
from ordertrack.shipments.model import Shipment
from tests.integration.test_demo import _now, seed


class TestDemoHistory:
    def test_a_quarter_of_settled_orders_whose_cells_give_meaningful_figures(self, db: Database) -> None:
        now = _now()
        seeded = seed(db, now)
        assert seeded.history_orders == ORDERS
        merchant = seeded.merchant_id
        with db.uow(write=False) as uow:
            statuses = Counter(
                uow.session.scalars(
                    select(Order.status).where(Order.merchant_id == merchant, Order.number.like("NW-H%"))
                )
            )
            promised = uow.session.scalar(
                select(func.count(func.distinct(EddRevision.shipment_id)))
                .join(Shipment, Shipment.id == EddRevision.shipment_id)
                .join(Order, Order.id == Shipment.order_id)
                .where(
                    Order.merchant_id == merchant, Order.number.like("NW-H%"), EddRevision.stage == "shipped"
                )
            )
        assert set(statuses) == {"delivered", "returned"} and sum(statuses.values()) == ORDERS
        assert statuses["returned"] < ORDERS * 0.1
        assert promised == ORDERS
        while store.refresh_due(db, 500):  # the worker's fold_analytics
            pass
        today = now.date()
        with db.uow(write=False) as uow:
            cells = store.read_cells(uow, merchant, today - timedelta(days=DAYS + 30), today)
            facts = [fact for batch in facts_loader.merchant_facts(uow, merchant) for fact in batch]
        assert cells == rollup.build(facts)
        figures = rollup.figures_of(
            rollup.merge_all(rollup.select(cells, merchant, today - timedelta(days=DAYS), today).values())
        )
        assert figures.shipments >= ORDERS * 0.9
        # Some late, most on time: a figure with something to say.
        assert 0.8 <= figures.on_time_promise.value <= 0.98  # type: ignore[operator]
        assert figures.returned_to_sender.numerator > 0 and figures.exceptions_by_reason
        weeks_with_deliveries = {
            key.day.isocalendar()[:2] for key, cell in cells.items() if cell.transit_hours
        }
        assert len(weeks_with_deliveries) >= 12
