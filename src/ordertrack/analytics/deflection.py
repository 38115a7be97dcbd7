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

import csv
import io
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


# --- as data: JSON and CSV ------------------------------------------------------------------------

GROUPS = (("orders", "all orders"), ("with_problem", "had a problem"), ("without_problem", "no problem"))
PARTS = (("all", "all"), ("informed", "told first"), ("not_informed", "not told"))


def rate_json(rate: ContactRate) -> dict[str, int | float | None]:
    per_100 = rate.per_100
    return {
        "contacts": rate.contacts,
        "orders": rate.orders,
        "per_100_orders": None if per_100 is None else round(per_100, 2),
    }


def week_json(week: DeflectionWeek) -> dict[str, object]:
    """One week as the API answers it: each group's all / told_first / not_told rates."""
    names = {"all": "all", "informed": "told_first", "not_informed": "not_told"}
    return {
        group: {names[part]: rate_json(getattr(getattr(week, group), part)) for part, _label in PARTS}
        for group, _title in GROUPS
    }


def weeks_csv(weeks: Iterable[DeflectionWeek]) -> str:
    """One row per week and group; contacts, orders and contacts per 100 orders for each part."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["week", "orders_group"]
    for _part, label in PARTS:
        slug = label.replace(" ", "_")
        header += [f"{slug}_contacts", f"{slug}_orders", f"{slug}_per_100_orders"]
    writer.writerow(header)
    for week in weeks:
        for group, title in GROUPS:
            row: list[object] = [week.week.isoformat(), title]
            for part, _label in PARTS:
                rate = getattr(getattr(week, group), part)
                per_100 = rate.per_100
                row += [rate.contacts, rate.orders, "" if per_100 is None else f"{per_100:.2f}"]
            writer.writerow(row)
    return out.getvalue()
