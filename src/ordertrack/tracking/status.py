"""Pure derivation of a parcel's and a shipment's status from the set of its events.

The timeline is the events in one canonical order (occurred_at, status rank, event key),
so it does not depend on the order they arrived in. The status is a fold over that
timeline with a small transition table: once delivered, only a post-delivery problem
(exception, returning, returned) moves the parcel again, so a late "in transit" scan can
never reopen a delivered parcel. No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES, ShipmentStatus

S = ShipmentStatus

# Tie-break for events stamped with the same instant: the further along wins the later slot.
STATUS_RANK: dict[str, int] = {
    S.info_received: 1,
    S.in_transit: 2,
    S.failed_attempt: 3,
    S.available_for_pickup: 4,
    S.out_for_delivery: 5,
    S.delivered: 6,
    S.exception: 7,
    S.returning: 8,
    S.returned: 9,
}

# How far along the way to the shopper a parcel is, for the "slowest parcel" of a shipment.
PROGRESS: dict[str, int] = {
    S.pending: 0,
    S.info_received: 1,
    S.in_transit: 2,
    S.failed_attempt: 3,
    S.available_for_pickup: 4,
    S.out_for_delivery: 4,
    S.delivered: 5,
}


_AFTER_DELIVERY = frozenset({S.exception, S.returning, S.returned})
_FORWARD_MOVES = frozenset(
    {S.in_transit, S.out_for_delivery, S.available_for_pickup, S.failed_attempt, S.info_received}
)

SortKey = tuple[datetime, int, str]


@dataclass(frozen=True, slots=True)
class EventFact:
    """What derivation needs of one event. ``occurred_at`` is timezone-aware."""

    occurred_at: datetime
    status: str
    reason: str | None
    key: str

    @property
    def sort_key(self) -> SortKey:
        return (self.occurred_at, STATUS_RANK[self.status], self.key)


@dataclass(frozen=True, slots=True)
class TrackingState:
    """The derived state of one parcel after a prefix of its timeline."""

    status: str = S.pending
    reason: str | None = None
    delivered_at: datetime | None = None
    last_key: SortKey | None = None
    event_count: int = 0


EMPTY_STATE = TrackingState()


def next_status(current: str, event_status: str) -> str:
    """The status after ``event_status`` happens to a parcel that is ``current``."""
    match current, event_status:
        case S.delivered, s if s in _AFTER_DELIVERY:
            return s
        case S.delivered, _:
            return S.delivered
        case S.returned, _:
            return S.returned
        case S.returning, S.delivered:
            # A parcel on its way back that is "delivered" has reached the sender.
            return S.returned
        case S.returning, s if s in _FORWARD_MOVES:
            return S.returning
        case ((S.pending | S.info_received), S.info_received):
            return S.info_received
        case _, S.info_received:
            # Label data arriving after the parcel moved does not move it back.
            return current
        case _, s:
            return s


def apply_event(state: TrackingState, event: EventFact) -> TrackingState:
    """One step of the fold. Only valid when ``event`` sorts after ``state.last_key``."""
    status = next_status(state.status, event.status)
    # An event that set the status explains it; an absorbed one leaves the old reason.
    reason = event.reason if status == event.status else state.reason
    delivered_at = state.delivered_at
    if status == S.delivered and state.status != S.delivered:
        delivered_at = event.occurred_at
    return TrackingState(
        status=status,
        reason=reason,
        delivered_at=delivered_at,
        last_key=event.sort_key,
        event_count=state.event_count + 1,
    )


def timeline(events: Iterable[EventFact]) -> list[EventFact]:
    """The events in canonical order, each distinct key once."""
    unique = {e.key: e for e in events}
    return sorted(unique.values(), key=lambda e: e.sort_key)


def derive_tracking_state(events: Iterable[EventFact]) -> TrackingState:
    """The state of a parcel from the whole set of its events (order of input irrelevant)."""
    state = EMPTY_STATE
    for event in timeline(events):
        state = apply_event(state, event)
    return state


def extend_tracking_state(state: TrackingState, new_events: Sequence[EventFact]) -> TrackingState | None:
    """Fold new events onto a stored state when they all come after it, else ``None``.

    ``None`` tells the caller that an event landed inside the known timeline and the
    state must be derived again from every event (rare: carriers mostly report in order).
    """
    ordered = timeline(new_events)
    if not ordered:
        return state
    if state.last_key is not None and ordered[0].sort_key <= state.last_key:
        return None
    for event in ordered:
        state = apply_event(state, event)
    return state


@dataclass(frozen=True, slots=True)
class ParcelFacts:
    status: str
    reason: str | None
    delivered_at: datetime | None


def derive_shipment_status(parcels: Sequence[ParcelFacts]) -> ParcelFacts:
    """A shipment's status from its parcels: a problem on any parcel shows, else the slowest.

    Parcels that reached the end of their journey (delivered, or returned to the sender)
    no longer hold the shipment back; a shipment whose parcels all ended, some delivered
    and some returned, is delivered with the reason ``partially_returned``.
    """
    if not parcels:
        return ParcelFacts(S.pending, None, None)
    hit = next((p for p in parcels if p.status == S.exception), None)
    if hit is not None:
        return replace(hit, delivered_at=None)
    hit = next((p for p in parcels if p.status == S.returning), None)
    if hit is not None:
        return replace(hit, delivered_at=None)
    travelling = [p for p in parcels if p.status not in FINISHED_SHIPMENT_STATUSES]
    if travelling:
        slowest = min(travelling, key=lambda p: (PROGRESS[p.status], STATUS_RANK.get(p.status, 0)))
        return replace(slowest, delivered_at=None)
    delivered = [p for p in parcels if p.status == S.delivered]
    if not delivered:
        return ParcelFacts(S.returned, parcels[0].reason, None)
    reason = "partially_returned" if len(delivered) < len(parcels) else None
    times = [p.delivered_at for p in delivered if p.delivered_at is not None]
    return ParcelFacts(S.delivered, reason, max(times) if times else None)
