"""Pure derivation of an order's status from its quantities and its shipments' statuses,
and the one table of what may be done to an order in each status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ordertrack.kit.errors import Conflict
from ordertrack.shipments.rules import ShipmentFacts


class OrderStatus(StrEnum):
    pending = "pending"
    processing = "processing"
    partially_shipped = "partially_shipped"
    shipped = "shipped"
    partially_delivered = "partially_delivered"
    delivered = "delivered"
    partially_returned = "partially_returned"
    returned = "returned"
    cancelled = "cancelled"


# An order in one of these has nothing more to come: no promise is shown, no text updates offered.
FINISHED_ORDER_STATUSES = frozenset(
    {OrderStatus.delivered, OrderStatus.partially_returned, OrderStatus.returned, OrderStatus.cancelled}
)


@dataclass(frozen=True)
class OrderFacts:
    ordered: Mapping[str, int]  # order line id -> quantity ordered
    confirmed: bool
    cancelled: bool
    shipments: Sequence[ShipmentFacts] = ()


@dataclass(frozen=True)
class DerivedOrder:
    status: OrderStatus


def _covered(ordered: Mapping[str, int], shipments: Sequence[ShipmentFacts]) -> int:
    """Units of the order that these shipments carry, never more than was ordered per line."""
    carried: dict[str, int] = {}
    for shipment in shipments:
        for line_id, qty in shipment.quantities.items():
            carried[line_id] = carried.get(line_id, 0) + qty
    return sum(min(qty, carried.get(line_id, 0)) for line_id, qty in ordered.items())


def derive_order_status(facts: OrderFacts) -> DerivedOrder:
    if facts.cancelled:
        return DerivedOrder(OrderStatus.cancelled)
    total = sum(facts.ordered.values())
    returned = _covered(facts.ordered, [s for s in facts.shipments if s.status == "returned"])
    delivered = _covered(facts.ordered, [s for s in facts.shipments if s.status == "delivered"])
    shipped = _covered(facts.ordered, facts.shipments)
    if returned:
        status = OrderStatus.returned if returned >= total else OrderStatus.partially_returned
    elif delivered:
        status = OrderStatus.delivered if delivered >= total else OrderStatus.partially_delivered
    elif shipped:
        status = OrderStatus.shipped if shipped >= total else OrderStatus.partially_shipped
    elif facts.confirmed:
        status = OrderStatus.processing
    else:
        status = OrderStatus.pending
    return DerivedOrder(status)


class InvalidTransition(Conflict):
    code = "invalid_transition"

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action} an order that is {status}")
        self.action = action
        self.status = status


# What may be done to an order in each status. Anything else raises InvalidTransition.
ALLOWED_ACTIONS: dict[str, frozenset[OrderStatus]] = {
    "confirm": frozenset({OrderStatus.pending}),
    "cancel": frozenset({OrderStatus.pending, OrderStatus.processing}),
    # Shipping is further bounded by the quantity still to ship.
    "ship": frozenset(
        {
            OrderStatus.pending,
            OrderStatus.processing,
            OrderStatus.partially_shipped,
            OrderStatus.partially_delivered,
            OrderStatus.partially_returned,
        }
    ),
}


def check_action(action: str, status: str) -> None:
    if status not in ALLOWED_ACTIONS[action]:
        raise InvalidTransition(action, status)
