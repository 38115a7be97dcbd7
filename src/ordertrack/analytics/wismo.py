"""Demand for tracking, counted: page views, lookups and message clicks per order and day, and
the merchant's "where is my order" figures read from them, the outbox and the contacts.

Counting is one upsert per visit (``INSERT ... ON CONFLICT DO UPDATE``) on a narrow table keyed
by (merchant, order, day), so a busy order's page costs one short write and no read. Messages
sent are read from the notifications outbox, never copied.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.dialects import postgresql, sqlite

from ordertrack.analytics import deflection
from ordertrack.analytics.wismo_model import MessageClick, SupportContact, TrackingDemandDay
from ordertrack.attention.model import AttentionItem
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.signing import SigningKeys
from ordertrack.links import read_message_click_token
from ordertrack.notifications.model import Notification
from ordertrack.orders.model import Order


class Demand(StrEnum):
    """What a visit was: the order's page opened, found by number, or reached from a message."""

    page_view = "page_views"
    lookup = "lookups"
    click = "clicks"


def _insert(uow: UnitOfWork) -> Any:
    return postgresql.insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite.insert


def count_demand(uow: UnitOfWork, merchant_id: str, order_id: str, kind: Demand, *, now: datetime) -> None:
    """Add one to the order's counter of ``kind`` for the UTC day of ``now``."""
    column = kind.value
    statement = _insert(uow)(TrackingDemandDay).values(
        merchant_id=merchant_id,
        order_id=order_id,
        day=now.astimezone(UTC).date(),
        page_views=int(kind is Demand.page_view),
        lookups=int(kind is Demand.lookup),
        clicks=int(kind is Demand.click),
    )
    statement = statement.on_conflict_do_update(
        index_elements=["merchant_id", "order_id", "day"],
        set_={column: getattr(TrackingDemandDay, column) + 1},
    )
    uow.session.execute(statement)


def follow_click(uow: UnitOfWork, keys: SigningKeys, token: str, *, now: datetime) -> tuple[str, str] | None:
    """Count a click through a message's link; (order id, target) to open, or None when the
    link was altered or expired, or its message is gone or about no order."""
    opened = read_message_click_token(keys, token, now=now)
    if opened is None:
        return None
    message_id, target = opened
    message = uow.session.get(Notification, message_id)
    if message is None or message.order_id is None:
        return None
    order_id = message.order_id
    statement = _insert(uow)(MessageClick).values(
        notification_id=message_id,
        merchant_id=message.merchant_id,
        order_id=order_id,
        first_at=now,
        last_at=now,
        clicks=1,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["notification_id"],
        set_={"last_at": now, "clicks": MessageClick.clicks + 1},
    )
    uow.session.execute(statement)
    count_demand(uow, message.merchant_id, order_id, Demand.click, now=now)
    return order_id, target


# --- reading the figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole UTC days, first and last included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=UTC)


@dataclass(frozen=True)
class OrderDemandRow:
    order_id: str
    number: str
    page_views: int
    lookups: int
    clicks: int


@dataclass(frozen=True)
class MessageFigures:
    """Shopper messages (email and SMS) of the period: written, sent, clicked (at least once)."""

    written: int
    sent: int
    clicked: int
    clicks: int


SHOPPER_CHANNELS = ("email", "sms")


def message_figures(uow: UnitOfWork, merchant_id: str, period: Period) -> MessageFigures:
    in_period = (
        Notification.merchant_id == merchant_id,
        Notification.created_at >= period.start,
        Notification.created_at < period.end,
        Notification.channel.in_(SHOPPER_CHANNELS),
    )
    written, sent = uow.session.execute(
        select(
            func.count(), func.coalesce(func.sum(case((Notification.state == "sent", 1), else_=0)), 0)
        ).where(*in_period)
    ).one()
    clicked, clicks = uow.session.execute(
        select(func.count(), func.coalesce(func.sum(MessageClick.clicks), 0))
        .join(Notification, Notification.id == MessageClick.notification_id)
        .where(MessageClick.merchant_id == merchant_id, *in_period)
    ).one()
    return MessageFigures(int(written), int(sent), int(clicked), int(clicks))


def busiest_orders(
    uow: UnitOfWork, merchant_id: str, period: Period, *, limit: int = 20
) -> list[OrderDemandRow]:
    """The orders whose tracking was asked for most in the period (views + lookups + clicks)."""
    views = func.sum(TrackingDemandDay.page_views)
    lookups = func.sum(TrackingDemandDay.lookups)
    clicks = func.sum(TrackingDemandDay.clicks)
    rows = uow.session.execute(
        select(TrackingDemandDay.order_id, Order.number, views, lookups, clicks)
        .join(Order, Order.id == TrackingDemandDay.order_id)
        .where(
            TrackingDemandDay.merchant_id == merchant_id,
            Order.merchant_id == merchant_id,
            TrackingDemandDay.day >= period.first,
            TrackingDemandDay.day <= period.last,
        )
        .group_by(TrackingDemandDay.order_id, Order.number)
        .order_by((views + lookups + clicks).desc(), TrackingDemandDay.order_id)
        .limit(limit)
    ).all()
    return [OrderDemandRow(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]


@dataclass(frozen=True)
class DemandTotals:
    page_views: int
    lookups: int
    clicks: int
    orders: int  # orders with any demand


def demand_totals(uow: UnitOfWork, merchant_id: str, period: Period) -> DemandTotals:
    row = uow.session.execute(
        select(
            func.coalesce(func.sum(TrackingDemandDay.page_views), 0),
            func.coalesce(func.sum(TrackingDemandDay.lookups), 0),
            func.coalesce(func.sum(TrackingDemandDay.clicks), 0),
            func.count(func.distinct(TrackingDemandDay.order_id)),
        ).where(
            TrackingDemandDay.merchant_id == merchant_id,
            TrackingDemandDay.day >= period.first,
            TrackingDemandDay.day <= period.last,
        )
    ).one()
    return DemandTotals(*(int(v) for v in row))


def order_demand(uow: UnitOfWork, merchant_id: str, period: Period) -> list[deflection.OrderDemand]:
    """The facts deflection needs about every order placed in the period (four queries)."""
    orders = uow.session.execute(
        select(Order.id, Order.placed_at).where(
            Order.merchant_id == merchant_id,
            Order.placed_at >= period.start,
            Order.placed_at < period.end,
            Order.cancelled_at.is_(None),
        )
    ).all()
    placed = {order_id: placed_at for order_id, placed_at in orders}
    if not placed:
        return []
    in_period = Order.placed_at >= period.start, Order.placed_at < period.end
    problems = set(
        uow.session.scalars(
            select(AttentionItem.order_id)
            .join(Order, Order.id == AttentionItem.order_id)
            .where(
                AttentionItem.merchant_id == merchant_id,
                Order.merchant_id == merchant_id,
                AttentionItem.kind.in_(deflection.PROBLEM_KINDS),
                *in_period,
            )
            .distinct()
        )
    )
    proactive: dict[str, list[datetime]] = defaultdict(list)
    for order_id, sent_at in uow.session.execute(
        select(Notification.order_id, Notification.sent_at)
        .join(Order, Order.id == Notification.order_id)
        .where(
            Notification.merchant_id == merchant_id,
            Order.merchant_id == merchant_id,
            Notification.state == "sent",
            Notification.sent_at.is_not(None),
            Notification.channel.in_(SHOPPER_CHANNELS),
            Notification.trigger.in_(deflection.PROACTIVE_TRIGGERS),
            *in_period,
        )
    ):
        proactive[order_id].append(sent_at)
    contacts: dict[str, list[datetime]] = defaultdict(list)
    for order_id, occurred_at in uow.session.execute(
        select(SupportContact.order_id, SupportContact.occurred_at)
        .join(Order, Order.id == SupportContact.order_id)
        .where(
            SupportContact.merchant_id == merchant_id,
            Order.merchant_id == merchant_id,
            SupportContact.reason.in_(deflection.WISMO_REASONS),
            *in_period,
        )
    ):
        contacts[order_id].append(occurred_at)
    return [
        deflection.OrderDemand(
            order_id=order_id,
            placed_at=placed_at,
            had_problem=order_id in problems,
            proactive_at=tuple(proactive.get(order_id, ())),
            contacts_at=tuple(contacts.get(order_id, ())),
        )
        for order_id, placed_at in placed.items()
    ]


def weekly_deflection(uow: UnitOfWork, merchant_id: str, period: Period) -> list[deflection.DeflectionWeek]:
    return deflection.deflection_by_week(order_demand(uow, merchant_id, period))
