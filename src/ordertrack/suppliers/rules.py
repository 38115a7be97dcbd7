"""Pure rules of purchase orders: the status derived from facts, and what may be done in each.

No session, no clock: the caller passes the facts (and today's date where a rule needs it).
A purchase order's status is never set by hand; it is what these facts say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ordertrack.kit.errors import Conflict, Unprocessable


class PurchaseOrderStatus(StrEnum):
    draft = "draft"
    sent = "sent"
    confirmed = "confirmed"
    partially_shipped = "partially_shipped"
    shipped = "shipped"
    partially_received = "partially_received"
    received = "received"
    cancelled = "cancelled"


@dataclass(frozen=True)
class PurchaseLineFacts:
    """One line's quantities: what was ordered, what the supplier confirmed, and what moved."""

    ordered: int
    confirmed: int | None = None  # the supplier's quantity once confirmed; None: as ordered
    shipped: int = 0
    received: int = 0
    short_closed: bool = False  # nothing more is expected on this line, whatever came

    @property
    def expected(self) -> int:
        return self.ordered if self.confirmed is None else self.confirmed

    @property
    def received_in_full(self) -> bool:
        return self.short_closed or self.received >= self.expected

    @property
    def shipped_in_full(self) -> bool:
        # What arrived was shipped, whether or not its shipment was declared.
        return self.short_closed or max(self.shipped, self.received) >= self.expected


@dataclass(frozen=True)
class PurchaseOrderFacts:
    sent: bool
    confirmed: bool
    cancelled: bool
    lines: Sequence[PurchaseLineFacts]


def derive_purchase_order_status(facts: PurchaseOrderFacts) -> PurchaseOrderStatus:
    """The one status these facts mean (docs/suppliers.md, "Status")."""
    if facts.cancelled:
        return PurchaseOrderStatus.cancelled
    if not facts.sent:
        return PurchaseOrderStatus.draft
    lines = facts.lines
    if lines and all(line.received_in_full for line in lines):
        return PurchaseOrderStatus.received
    if any(line.received > 0 for line in lines):
        return PurchaseOrderStatus.partially_received
    if any(max(line.shipped, line.received) > 0 for line in lines):
        if all(line.shipped_in_full for line in lines):
            return PurchaseOrderStatus.shipped
        return PurchaseOrderStatus.partially_shipped
    return PurchaseOrderStatus.confirmed if facts.confirmed else PurchaseOrderStatus.sent


class PurchaseOrderTransitionRefused(Conflict):
    code = "invalid_purchase_order_transition"

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action} a purchase order that is {status}")
        self.action = action
        self.status = status


_OPEN = frozenset(
    {
        PurchaseOrderStatus.sent,
        PurchaseOrderStatus.confirmed,
        PurchaseOrderStatus.partially_shipped,
        PurchaseOrderStatus.shipped,
        PurchaseOrderStatus.partially_received,
    }
)

# What may be done to a purchase order in each status; anything else is refused (409).
ALLOWED_ACTIONS: dict[str, frozenset[PurchaseOrderStatus]] = {
    "send": frozenset({PurchaseOrderStatus.draft}),
    # A supplier may confirm again (new quantities or dates) until goods are on their way.
    "confirm": frozenset({PurchaseOrderStatus.sent, PurchaseOrderStatus.confirmed}),
    # Once goods are on their way the lines are short-closed instead.
    "cancel": frozenset({PurchaseOrderStatus.draft, PurchaseOrderStatus.sent, PurchaseOrderStatus.confirmed}),
    "short-close a line of": _OPEN,
}


def check_action(action: str, status: str) -> None:
    if status not in ALLOWED_ACTIONS[action]:
        raise PurchaseOrderTransitionRefused(action, status)


class LineAlreadyClosed(Conflict):
    code = "purchase_order_line_closed"


class CancelInstead(Conflict):
    code = "cancel_instead"


def check_short_close(lines: Sequence[PurchaseLineFacts], index: int) -> None:
    """Short-closing line ``index`` is refused when nothing more was expected on it, or when it
    would close an order that received nothing (that is a cancellation, and says so)."""
    line = lines[index]
    if line.received_in_full:
        raise LineAlreadyClosed("this line is already complete: nothing more is expected on it")
    closed_after = [other.received_in_full or i == index for i, other in enumerate(lines)]
    if all(closed_after) and not any(max(other.shipped, other.received) > 0 for other in lines):
        raise CancelInstead(
            "closing this line would close an order nothing was shipped on: cancel it instead"
        )


class PromiseInThePast(Unprocessable):
    code = "promised_date_in_past"


class PromiseOutOfOrder(Unprocessable):
    code = "promised_dates_out_of_order"


def check_promised_dates(ship: date | None, arrival: date | None, today: date) -> None:
    """A supplier's promise is about the future: no date before ``today`` (the supplier's own
    date), and no arrival before the shipping."""
    for name, day in (("promised_ship_date", ship), ("promised_arrival_date", arrival)):
        if day is not None and day < today:
            raise PromiseInThePast(f"{name} {day.isoformat()} is before today ({today.isoformat()})")
    if ship is not None and arrival is not None and arrival < ship:
        raise PromiseOutOfOrder("promised_arrival_date is before promised_ship_date")
