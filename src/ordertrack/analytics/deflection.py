"""Deflection: how many "where is my order" contacts a merchant gets per 100 orders, and whether
the shoppers who heard from the merchant first asked less.

Pure: plain facts about each order in, weekly figures out (definitions in docs/analytics.md,
"Where is my order contacts"). An order belongs to the week (Monday to Sunday, UTC) it was
placed in, and brings all its WISMO contacts with it, whenever they came.

An order is *informed* when a proactive message (delay, exception, out for delivery...) reached
the shopper before their first WISMO contact, or, for an order nobody asked about, when one
reached them at all. Every order is informed or not, so each week's orders split in two with
no order counted twice; the same split is made again among orders that had a problem (an
attention item of a kind in PROBLEM_KINDS) and orders that did not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

# Messages that tell the shopper news before they ask (trigger names of the outbox).
PROACTIVE_TRIGGERS = frozenset(
    {"delivery_revised", "exception", "failed_attempt", "out_for_delivery", "shopper_message"}
)
# Attention kinds that are a delivery problem (delay or exception); a low rating or a parcel
# waiting at a pickup point is not one.
PROBLEM_KINDS = frozenset({"late", "stalled", "likely_lost", "exception"})
# Contact reasons that are "where is my order": asking where it is, or why it is late.
WISMO_REASONS = frozenset({"where_is_my_order", "delay"})


@dataclass(frozen=True)
class OrderDemand:
    """What deflection needs to know about one order."""

    order_id: str
    placed_at: datetime
    had_problem: bool
    proactive_at: tuple[datetime, ...] = ()  # when each proactive message was sent
    contacts_at: tuple[datetime, ...] = ()  # when each WISMO contact came

    @property
    def informed(self) -> bool:
        if not self.proactive_at:
            return False
        if not self.contacts_at:
            return True
        return min(self.proactive_at) < min(self.contacts_at)


@dataclass
class ContactRate:
    """WISMO contacts and the orders they came from; per 100 orders, or None without orders."""

    contacts: int = 0
    orders: int = 0

    @property
    def per_100(self) -> float | None:
        return None if self.orders == 0 else 100 * self.contacts / self.orders

    def add(self, order: OrderDemand) -> None:
        self.orders += 1
        self.contacts += len(order.contacts_at)


@dataclass
class Split:
    """One group of orders, all of it and split by whether the shopper heard from us first."""

    all: ContactRate = field(default_factory=ContactRate)
    informed: ContactRate = field(default_factory=ContactRate)
    not_informed: ContactRate = field(default_factory=ContactRate)

    def add(self, order: OrderDemand) -> None:
        self.all.add(order)
        (self.informed if order.informed else self.not_informed).add(order)


@dataclass
class DeflectionWeek:
    """The week's orders: all of them, those that had a problem, those that did not."""

    week: date  # its Monday
    orders: Split = field(default_factory=Split)
    with_problem: Split = field(default_factory=Split)
    without_problem: Split = field(default_factory=Split)

    def add(self, order: OrderDemand) -> None:
        self.orders.add(order)
        (self.with_problem if order.had_problem else self.without_problem).add(order)


def week_of(moment: datetime) -> date:
    """The Monday (UTC) of the week an instant falls in."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def deflection_by_week(orders: Iterable[OrderDemand]) -> list[DeflectionWeek]:
    """Each week that placed an order, oldest first."""
    weeks: dict[date, DeflectionWeek] = {}
    for order in orders:
        week = week_of(order.placed_at)
        weeks.setdefault(week, DeflectionWeek(week)).add(order)
    return [weeks[week] for week in sorted(weeks)]


def total(weeks: Iterable[DeflectionWeek]) -> DeflectionWeek:
    """All the weeks together (``week`` is the first one's Monday)."""
    summed: DeflectionWeek | None = None
    for week in weeks:
        if summed is None:
            summed = DeflectionWeek(week.week)
        for name in ("orders", "with_problem", "without_problem"):
            mine, theirs = getattr(summed, name), getattr(week, name)
            for part in ("all", "informed", "not_informed"):
                rate, other = getattr(mine, part), getattr(theirs, part)
                rate.contacts += other.contacts
                rate.orders += other.orders
    return summed or DeflectionWeek(date(1970, 1, 5))
