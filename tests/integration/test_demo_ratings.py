"""The demo shop has a few delivery ratings: a low one with an open attention item, another low
one the team answered (a message in the outbox), and happy ones."""

from __future__ import annotations

from sqlalchemy import select

from ordertrack.analytics.rating_model import DeliveryRating
from ordertrack.attention.model import AttentionItem
from ordertrack.db.uow import Database
from ordertrack.demo.seed import seed_demo
from ordertrack.notifications.model import Notification


def test_the_demo_shop_has_ratings_a_low_one_open_and_one_answered(db: Database) -> None:
    with db.uow() as uow:
        merchant = seed_demo(uow).merchant_id
        uow.commit()
    with db.uow(write=False) as uow:
        stars = sorted(r.stars for r in uow.session.scalars(select(DeliveryRating)))
        low_items = uow.session.scalars(
            select(AttentionItem).where(AttentionItem.kind == "low_rating", AttentionItem.closed_at.is_(None))
        ).all()
        replies = uow.session.scalars(
            select(Notification).where(
                Notification.merchant_id == merchant, Notification.trigger == "shopper_message"
            )
        ).all()
    assert stars == [1, 2, 3, 4, 5, 5]
    assert len(low_items) == 2
    assert {r.facts["message"] for r in replies} == {
        "We are sorry about the mug. A replacement ships today, no need to send the chipped one back."
    }
