"""The "where is my order" figures read from the database: orders, attention items, the outbox and
contacts become the same deflection a hand count gives, and one merchant's facts never count
for another (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ordertrack.analytics import contacts, wismo
from ordertrack.analytics.wismo import Demand, Period
from ordertrack.attention.model import AttentionItem
from ordertrack.db.uow import Database
from ordertrack.kit.ids import new_id
from ordertrack.notifications.model import Notification
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn
from tests.integration.scenario import order_payload, ship

MONDAY = datetime(2026, 11, 2, 12, tzinfo=UTC)
WEEKS = Period(date(2026, 11, 2), date(2026, 11, 15))


def place(db: Database, merchant_id: str, number: str, placed_at: datetime) -> str:
    data = OrderIn.model_validate(order_payload(number, placed_at=placed_at.isoformat()))
    with db.uow() as uow:
        order = orders_service.place_order(uow, merchant_id, data)
        uow.commit()
        return order.id


def sent(
    db: Database, merchant_id: str, order_id: str, trigger: str, at: datetime, state: str = "sent"
) -> str:
    with db.uow() as uow:
        row = Notification(
            id=new_id("ntf"),
            merchant_id=merchant_id,
            order_id=order_id,
            trigger=trigger,
            channel="email",
            recipient="ann@example.com",
            locale="en",
            dedupe_key=new_id("ddk"),
            state=state,
            next_attempt_at=at,
            created_at=at,
            sent_at=at if state == "sent" else None,
        )
        uow.session.add(row)
        uow.commit()
        return row.id


def asked(
    db: Database, merchant_id: str, order_id: str, at: datetime, reason: str = "where_is_my_order"
) -> None:
    with db.uow() as uow:
        contacts.record_contact(
            uow,
            merchant_id,
            order_id=order_id,
            channel="email",
            reason=reason,
            occurred_at=at,
            source="api",
            external_id=None,
            reference=None,
            now=at,
        )
        uow.commit()


def trouble(db: Database, merchant_id: str, order_id: str, kind: str, number: str) -> None:
    shipment_id = ship(db, merchant_id, order_id, number)
    with db.uow() as uow:
        uow.session.add(
            AttentionItem(
                id=new_id("att"),
                merchant_id=merchant_id,
                shipment_id=shipment_id,
                order_id=order_id,
                kind=kind,
                detail="",
                opened_at=MONDAY,
            )
        )
        uow.commit()


def test_deflection_from_the_database_matches_the_hand_count(db: Database, make_merchant) -> None:
    merchant = make_merchant("Northwind").merchant_id
    a = place(db, merchant, "A-1", MONDAY)
    b = place(db, merchant, "B-1", MONDAY + timedelta(days=1))
    place(db, merchant, "C-1", MONDAY + timedelta(days=2))
    d = place(db, merchant, "D-1", MONDAY + timedelta(days=8))
    trouble(db, merchant, a, "late", "ACME000000001")
    trouble(db, merchant, b, "exception", "ACME000000002")
    trouble(db, merchant, d, "low_rating", "ACME000000003")  # not a delivery problem
    sent(db, merchant, a, "delivery_revised", MONDAY + timedelta(days=2))
    asked(db, merchant, a, MONDAY + timedelta(days=3))
    asked(db, merchant, b, MONDAY + timedelta(days=2))
    asked(db, merchant, b, MONDAY + timedelta(days=5), reason="delay")
    asked(db, merchant, b, MONDAY + timedelta(days=6), reason="damaged")  # not WISMO
    sent(db, merchant, b, "exception", MONDAY + timedelta(days=4))
    sent(db, merchant, d, "shipped", MONDAY + timedelta(days=8))  # not proactive
    sent(db, merchant, d, "out_for_delivery", MONDAY + timedelta(days=9), state="dead")  # never reached
    asked(db, merchant, d, MONDAY + timedelta(days=10))
    other = make_merchant("Other").merchant_id
    place(db, other, "A-1", MONDAY)

    with db.uow(write=False) as uow:
        first, second = wismo.weekly_deflection(uow, merchant, WEEKS)
        theirs = wismo.weekly_deflection(uow, other, WEEKS)
    assert first.week == date(2026, 11, 2) and second.week == date(2026, 11, 9)
    assert (first.orders.all.contacts, first.orders.all.orders) == (3, 3)
    assert (first.orders.informed.contacts, first.orders.informed.orders) == (1, 1)  # A
    assert (first.orders.not_informed.contacts, first.orders.not_informed.orders) == (2, 2)  # B, C
    assert (first.with_problem.all.contacts, first.with_problem.all.orders) == (3, 2)
    assert (first.without_problem.all.contacts, first.without_problem.all.orders) == (0, 1)
    assert (second.without_problem.not_informed.contacts, second.without_problem.not_informed.orders) == (
        1,
        1,
    )
    assert [(w.orders.all.contacts, w.orders.all.orders) for w in theirs] == [(0, 1)]


def test_demand_and_message_figures_are_per_merchant(db: Database, make_merchant) -> None:
    merchant = make_merchant("Northwind").merchant_id
    other = make_merchant("Other").merchant_id
    order = place(db, merchant, "A-1", MONDAY)
    theirs = place(db, other, "A-1", MONDAY)
    day = MONDAY + timedelta(days=1)
    with db.uow() as uow:
        for kind in (Demand.page_view, Demand.page_view, Demand.lookup):
            wismo.count_demand(uow, merchant, order, kind, now=day)
        wismo.count_demand(uow, merchant, order, Demand.page_view, now=day + timedelta(days=1))
        wismo.count_demand(uow, other, theirs, Demand.page_view, now=day)
        uow.commit()
    sent(db, merchant, order, "shipped", day)
    sent(db, merchant, order, "delivered", day, state="dead")
    sent(db, other, theirs, "shipped", day)
    with db.uow(write=False) as uow:
        totals = wismo.demand_totals(uow, merchant, WEEKS)
        busiest = wismo.busiest_orders(uow, merchant, WEEKS)
        messages = wismo.message_figures(uow, merchant, WEEKS)
    assert totals == wismo.DemandTotals(page_views=3, lookups=1, clicks=0, orders=1)
    assert [(r.number, r.page_views, r.lookups) for r in busiest] == [("A-1", 3, 1)]
    assert messages == wismo.MessageFigures(written=2, sent=1, clicked=0, clicks=0)
