"""A few delivery ratings in the demo shop: mostly happy, one middling, and two low ones that
opened attention items, one of them already answered by the team."""

from __future__ import annotations

from datetime import datetime, timedelta

from ordertrack.analytics import rating_rules, ratings
from ordertrack.attention.workflow import Actor
from ordertrack.db.uow import UnitOfWork
from ordertrack.orders import service as orders_service
from ordertrack.orders.status import OrderStatus

TEAM = Actor(None, "Northwind support")
# (stars, reasons, comment, the team's reply or "") for the newest delivered orders, in order.
RATINGS = (
    (1, ("late", "courier"), "A week late, and the courier left it in the rain by the gate.", ""),
    (
        2,
        ("damaged", "packaging"),
        "The box was crushed and one mug is chipped.",
        "We are sorry about the mug. A replacement ships today, no need to send the chipped one back.",
    ),
    (5, (), "Quick and well packed, thank you!", ""),
    (4, ("packaging",), "", ""),
    (5, (), "", ""),
    (3, ("late",), "Arrived a day after the date you gave.", ""),
)


def seed_ratings(uow: UnitOfWork, merchant_id: str, now: datetime) -> int:
    """Rate the newest delivered orders (their request was due); how many ratings."""
    delivered = orders_service.list_orders(
        uow, merchant_id, status=OrderStatus.delivered, attention=None, cursor=None, limit=len(RATINGS)
    ).items
    for index, (order, (stars, reasons, comment, reply)) in enumerate(zip(delivered, RATINGS, strict=False)):
        at = now - timedelta(hours=len(RATINGS) - index)
        given = rating_rules.checked_rating(stars, reasons, comment)
        rating, _created = ratings.give_rating(uow, merchant_id, order.id, given, now=at)
        if reply:
            ratings.reply(uow, merchant_id, rating.id, reply, TEAM, now=at + timedelta(minutes=20))
    return min(len(delivered), len(RATINGS))
