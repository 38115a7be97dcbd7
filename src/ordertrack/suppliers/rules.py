"""Pure rules of purchase orders: the status derived from facts, and what may be done in each.

No session, no clock: the caller passes the facts (and today's date where a rule needs it).
A purchase order's status is never set by hand; it is what these facts say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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


# --- inbound shipments (advance shipping notices) -----------------------------------------------


class InboundStatus(StrEnum):
    declared = "declared"  # announced; no carrier scan of a move yet
    in_transit = "in_transit"  # a parcel moves (or some arrived, others still on the way)
    arrived = "arrived"  # every parcel delivered to the warehouse, nothing counted yet
    exception = "exception"  # a parcel is in trouble or going back, nothing counted yet
    partially_received = "partially_received"
    received = "received"  # every line counted in full (good or damaged), or closed
    cancelled = "cancelled"


# The parcel statuses that say nothing has moved yet: a label printed is not a journey.
_NOT_MOVING = frozenset({"pending", "info_received"})
# A parcel in one of these may not reach the dock: someone has to find out.
_TROUBLE = frozenset({"exception", "returning", "returned"})


@dataclass(frozen=True)
class InboundLineFacts:
    """One ASN line as counted at the dock."""

    quantity: int
    received: int = 0  # good units counted in
    damaged: int = 0  # damaged units counted (not stocked)
    closed: bool = False  # its PO line was short-closed: nothing more is expected

    @property
    def counted(self) -> int:
        return self.received + self.damaged

    @property
    def complete(self) -> bool:
        return self.closed or self.counted >= self.quantity


@dataclass(frozen=True)
class InboundFacts:
    cancelled: bool
    parcels: Sequence[str]  # each parcel's unified status (statuses.ShipmentStatus values)
    lines: Sequence[InboundLineFacts]


def derive_inbound_status(facts: InboundFacts) -> InboundStatus:
    """The one status these facts mean (docs/suppliers.md, "Inbound shipments are parcels").

    The dock's count outranks the carrier: once anything is counted the status says how much.
    Before that the parcels speak, the whole shipment at once: it has arrived only when every
    parcel was delivered, and a parcel in trouble (exception, going back) makes the shipment
    an exception until it is counted, even if the others arrived.
    """
    if facts.cancelled:
        return InboundStatus.cancelled
    if any(line.counted > 0 for line in facts.lines):
        if all(line.complete for line in facts.lines):
            return InboundStatus.received
        return InboundStatus.partially_received
    parcels = facts.parcels
    if parcels and all(status == "delivered" for status in parcels):
        return InboundStatus.arrived
    if any(status in _TROUBLE for status in parcels):
        return InboundStatus.exception
    if any(status not in _NOT_MOVING for status in parcels):
        return InboundStatus.in_transit
    return InboundStatus.declared


def derive_arrived_at(
    parcels_delivered_at: Sequence[datetime | None], first_counted_at: datetime | None
) -> datetime | None:
    """When the shipment was at the dock: its last parcel's delivery once every parcel was
    delivered; else, if the dock counted it anyway (untracked freight, a missed scan), the
    first count; else not yet."""
    if parcels_delivered_at and all(at is not None for at in parcels_delivered_at):
        return max(at for at in parcels_delivered_at if at is not None)
    return first_counted_at


@dataclass(frozen=True)
class ArrivalFacts:
    """What an inbound shipment's expected arrival is worked out from (dates in the
    warehouse's calendar)."""

    today: date
    started: date  # the day it was declared: the goods left
    declared: date | None = None  # the supplier's expected arrival on the notice
    promised: date | None = None  # the purchase order's promised arrival
    carrier_latest: date | None = None  # the latest day of its parcels' carrier estimates
    learned_transit_days: int | None = None  # on this supplier's lane to this warehouse
    arrived: date | None = None


def estimate_inbound_arrival(facts: ArrivalFacts) -> tuple[date | None, str | None]:
    """(expected arrival, what it rests on), or (None, None) when nothing says.

    Arrived is a fact. Before that a carrier's estimate outranks the supplier's word (the
    carrier holds the goods). Without one, the supplier's declared date (else the order's
    promised one) stands unless the learned transit of its lane says later: a promise the lane
    has never kept is not repeated. A day already passed is not promised again: a shipment still
    out is expected today at the earliest (and the late check tells staff).
    """
    if facts.arrived is not None:
        return facts.arrived, "arrived"
    estimate: date | None
    basis: str | None
    if facts.carrier_latest is not None:
        estimate, basis = facts.carrier_latest, "carrier"
    else:
        estimate, basis = (
            (facts.declared, "declared")
            if facts.declared is not None
            else (facts.promised, "purchase_order")
            if facts.promised is not None
            else (None, None)
        )
        if facts.learned_transit_days is not None:
            learned = facts.started + timedelta(days=facts.learned_transit_days)
            if estimate is None or learned > estimate:
                estimate, basis = learned, "learned"
    if estimate is not None and estimate < facts.today:
        estimate = facts.today
    return estimate, basis


# --- what about an inbound shipment needs staff's attention ---------------------------------------

# No carrier scan for this long (or none since it was declared) and it is stalled.
INBOUND_STALLED_AFTER = timedelta(days=5)


class InboundAttention(StrEnum):
    exception = "exception"  # a parcel is in trouble or going back to the supplier
    late = "late"  # past (or, by the carrier, going to miss) the date the supplier is held to
    stalled = "stalled"  # nothing heard from the carrier for days


@dataclass(frozen=True)
class InboundWatch:
    """What an open inbound shipment's check reads (dates in the warehouse's calendar)."""

    status: str
    today: date
    now: datetime
    declared_at: datetime
    last_scan_at: datetime | None  # the newest carrier scan of any of its parcels
    declared: date | None  # the supplier's expected arrival on the notice
    promised: date | None  # the purchase order's promised arrival
    usual: date | None  # by the supplier's learned lead time (its p90) from the order being sent
    estimate: date | None  # the expected arrival now (carrier, lane)
    trouble: str | None = None  # the parcel in trouble, in words ("1Z… exception: damaged")


def inbound_attention(watch: InboundWatch) -> tuple[InboundAttention, str] | None:
    """The one thing to tell staff about an inbound shipment on its way, in words, or None.

    Only a shipment still on its way is watched (arrived ones wait for the dock). A parcel in
    trouble comes first; then late: the date the supplier is held to is its notice's, else the
    order's promise, else what its learned lead time makes usual, and it is late once that day
    has passed or the carrier already expects it after; then stalled: no scan for
    :data:`INBOUND_STALLED_AFTER` (or none at all since it was declared).
    """
    if watch.status not in ("declared", "in_transit", "exception"):
        return None
    if watch.status == "exception":
        return InboundAttention.exception, watch.trouble or "a parcel is in trouble with the carrier"
    for due, said in (
        (watch.declared, "the supplier's notice said"),
        (watch.promised, "the purchase order was promised for"),
        (watch.usual, "the supplier's lead time makes it due by"),
    ):
        if due is None:
            continue
        if watch.today > due:
            return InboundAttention.late, f"not here: {said} {due.isoformat()}"
        if watch.estimate is not None and watch.estimate > due:
            return (
                InboundAttention.late,
                f"now expected {watch.estimate.isoformat()}; {said} {due.isoformat()}",
            )
        break
    heard = watch.last_scan_at or watch.declared_at
    if watch.now - heard >= INBOUND_STALLED_AFTER:
        days = (watch.now - heard).days
        if watch.last_scan_at is None:
            return InboundAttention.stalled, f"no carrier scan in the {days} days since it was declared"
        return InboundAttention.stalled, f"no carrier scan for {days} days"
    return None
