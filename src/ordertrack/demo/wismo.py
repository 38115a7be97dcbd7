"""The demo shop's "where is my order" history: tracking page views and lookups over the past
weeks, clicks through its emails, and help-desk contacts, some after a proactive message and
some before, so the Contacts page has figures to show.

The shop's messages are written by its own order and shipment events during seeding; the
proactive ones and a share of the shipping ones are marked as sent a day or two after the order
(the demo has no mail server), and the rest are left to the worker.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from ordertrack.analytics import contacts
from ordertrack.analytics.deflection import PROACTIVE_TRIGGERS
from ordertrack.analytics.wismo_model import MessageClick, TrackingDemandDay
from ordertrack.db.uow import UnitOfWork
from ordertrack.notifications.model import Notification
from ordertrack.orders.model import Order

SEED = 2207
CHANNELS = ("email", "email", "email", "chat", "phone", "social")
REASONS = (
    "where_is_my_order",
    "where_is_my_order",
    "where_is_my_order",
    "delay",
    "damaged",
    "return",
    "address",
)
SOURCES = ("api", "zendesk", "csv")


def seed_demand(uow: UnitOfWork, merchant_id: str, now: datetime) -> int:
    """Write the demo's views, clicks and contacts; how many contacts."""
    uow.settle()  # the shop's messages, written by the handlers of its events
    rng = random.Random(SEED)
    orders = list(
        uow.session.scalars(
            select(Order).where(Order.merchant_id == merchant_id).order_by(Order.placed_at, Order.id)
        )
    )
    messages = list(
        uow.session.scalars(
            select(Notification)
            .where(Notification.merchant_id == merchant_id, Notification.order_id.is_not(None))
            .order_by(Notification.id)
        )
    )
    placed = {order.id: order.placed_at for order in orders}
    told: dict[str, datetime] = {}
    clicked: list[MessageClick] = []
    for message in messages:
        if message.order_id not in placed or message.channel != "email":
            continue
        proactive = message.trigger in PROACTIVE_TRIGGERS
        if not proactive and (message.trigger != "shipped" or rng.random() < 0.4):
            continue
        at = min(
            placed[message.order_id] + timedelta(days=2 if proactive else 1, hours=rng.randint(0, 20)), now
        )
        message.state, message.sent_at, message.created_at = "sent", at, at
        if proactive:
            told[message.order_id] = min(at, told.get(message.order_id, at))
        if rng.random() < 0.55:
            clicks = rng.randint(1, 3)
            clicked.append(
                MessageClick(
                    notification_id=message.id,
                    merchant_id=merchant_id,
                    order_id=message.order_id,
                    first_at=min(at + timedelta(hours=1), now),
                    last_at=min(at + timedelta(hours=clicks), now),
                    clicks=clicks,
                )
            )
    days: dict[tuple[str, date], TrackingDemandDay] = {}

    def day_of(order_id: str, day: date) -> TrackingDemandDay:
        row = days.get((order_id, day))
        if row is None:
            row = days[(order_id, day)] = TrackingDemandDay(
                merchant_id=merchant_id, order_id=order_id, day=day, page_views=0, lookups=0, clicks=0
            )
        return row

    for click in clicked:
        day_of(click.order_id, click.first_at.date()).clicks += click.clicks
    for order in orders:
        for _ in range(rng.randint(0, 9)):
            row = day_of(order.id, min(order.placed_at + timedelta(days=rng.randint(0, 10)), now).date())
            row.page_views += 1
            row.lookups += int(rng.random() < 0.25)
    uow.session.add_all(clicked)
    uow.session.add_all(days.values())
    count = 0
    for index, order in enumerate(orders):
        # Shoppers told first ask less often than those left to wonder.
        chance = 0.15 if order.id in told else 0.35
        if rng.random() >= chance:
            continue
        waited = min(timedelta(days=7), now - order.placed_at)
        if waited < timedelta(days=1):
            continue  # too new to be asked about
        asked = order.placed_at + timedelta(days=1) + (waited - timedelta(days=1)) * rng.random()
        if order.id in told and rng.random() < 0.7:
            asked = max(asked, min(told[order.id] + timedelta(hours=6), now))
        source = SOURCES[index % len(SOURCES)]
        contacts.record_contact(
            uow,
            merchant_id,
            order_id=order.id,
            channel=rng.choice(CHANNELS),
            reason=rng.choice(REASONS),
            occurred_at=asked,
            source=source,
            external_id=None if source == "api" else f"{10400 + index}",
            reference=order.number,
            now=now,
        )
        count += 1
    uow.session.flush()
    return count
