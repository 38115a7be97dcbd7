"""The orders the demo tells, one plan each: together they cover every order status, the
attention flag, split and multi-parcel shipments, and the ways a parcel goes wrong."""

from __future__ import annotations

from dataclasses import dataclass

from ordertrack.orders.status import OrderStatus


@dataclass(frozen=True)
class ShipmentPlan:
    lines: str  # "first": the order's first line only; "rest": everything not yet shipped
    parcels: tuple[str, ...]  # the journey outcome of each parcel (see demo.scans.OUTCOMES)
    delay_days: int = 0  # handed to the carrier this many days after the order's first shipment


@dataclass(frozen=True)
class OrderPlan:
    expect: OrderStatus  # the status the services should derive; the tests hold them to it
    shipments: tuple[ShipmentPlan, ...] = ()
    confirmed: bool = True
    cancelled: bool = False
    countries: tuple[str, ...] | None = None  # only shoppers in these countries


P, S = OrderPlan, ShipmentPlan


def _one(*outcomes: str) -> tuple[ShipmentPlan]:
    """One shipment carrying the whole order, in one parcel per outcome."""
    return (S("rest", outcomes),)


def _split(first: tuple[str, ...], rest: tuple[str, ...], delay_days: int = 0) -> tuple[ShipmentPlan, ...]:
    """The first order line shipped on its own, the rest in a second shipment."""
    return (S("first", first), S("rest", rest, delay_days))


ORDER_PLANS: tuple[OrderPlan, ...] = (
    # Waiting in the back office.
    *[P(OrderStatus.pending, confirmed=False)] * 4,
    *[P(OrderStatus.processing)] * 5,
    P(OrderStatus.cancelled, confirmed=False, cancelled=True),
    *[P(OrderStatus.cancelled, cancelled=True)] * 2,
    # Part of the order is on its way, the rest is back-ordered.
    P(OrderStatus.partially_shipped, (S("first", ("label",)),)),
    P(OrderStatus.partially_shipped, (S("first", ("in_transit",)),)),
    P(OrderStatus.partially_shipped, (S("first", ("out_for_delivery",)),)),
    # On the way, some of them in trouble (those set the attention flag).
    P(OrderStatus.shipped, _one("label")),
    *[P(OrderStatus.shipped, _one("in_transit"))] * 5,
    *[P(OrderStatus.shipped, _one("out_for_delivery"))] * 2,
    P(OrderStatus.shipped, _one("in_transit", "in_transit", "label")),
    P(OrderStatus.shipped, _one("pickup_ready")),
    P(OrderStatus.shipped, _one("failed_attempt")),
    P(OrderStatus.shipped, _one("exception_address")),
    P(OrderStatus.shipped, _one("exception_damaged")),
    P(OrderStatus.shipped, _one("exception_weather")),
    P(OrderStatus.shipped, _one("exception_customs"), countries=("CA", "AU")),
    P(OrderStatus.shipped, _one("refused_returning")),
    # Partly at the door.
    P(OrderStatus.partially_delivered, (S("first", ("delivered",)),)),
    P(OrderStatus.partially_delivered, _split(("delivered",), ("in_transit",), delay_days=2)),
    P(OrderStatus.partially_delivered, _split(("delivered",), ("failed_attempt",), delay_days=3)),
    # Delivered.
    *[P(OrderStatus.delivered, _one("delivered"))] * 9,
    P(OrderStatus.delivered, _one("failed_then_delivered")),
    P(OrderStatus.delivered, _one("weather_then_delivered")),
    P(OrderStatus.delivered, _one("delivered", "delivered")),
    P(OrderStatus.delivered, _split(("delivered",), ("delivered",), delay_days=1)),
    # Sent back.
    P(OrderStatus.partially_returned, _split(("customer_return",), ("delivered",))),
    P(OrderStatus.partially_returned, _split(("delivered",), ("customer_return", "customer_return"))),
    P(OrderStatus.returned, _one("customer_return")),
    P(OrderStatus.returned, _one("refused_returned")),
)
