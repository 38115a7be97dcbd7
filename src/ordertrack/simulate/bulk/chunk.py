"""One chunk's picture of the rows it touches, and the state derived from it.

A chunk holds the orders, shipments and parcels its records name (as stored before the
chunk, then as played), the event rows it adds, and the claims of stored events it will
write. State is derived with the pure rules the services use (``tracking.status``,
``orders.status``), on demand while playing and once for every row at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Connection, any_, bindparam, select
from sqlalchemy.dialects import postgresql

from ordertrack.orders.status import DerivedOrder, OrderFacts, derive_order_status
from ordertrack.shipments.rules import ShipmentFacts
from ordertrack.simulate.bulk.report import BulkReport
from ordertrack.tracking import rules as tracking_rules
from ordertrack.tracking.model import TrackingEvent
from ordertrack.tracking.status import (
    EventFact,
    ParcelFacts,
    TrackingState,
    derive_shipment_status,
    derive_tracking_state,
)

_IN_SLICE = 5000  # values per IN (...) list: under SQLite's variable limit


@dataclass
class ChunkParcel:
    id: str
    shipment_id: str
    tracking_number: str
    carrier: str
    created_at: datetime
    stored: TrackingState | None  # as in the database before the chunk; None: new parcel
    state: TrackingState | None  # running state; None: derive from every event at the end
    has_stored_events: bool
    row: dict[str, Any] | None = None  # a new parcel's columns
    touched_at: datetime | None = None


@dataclass
class ChunkShipment:
    id: str
    order_id: str
    quantities: dict[str, int]
    stored: ParcelFacts | None  # None: new shipment
    row: dict[str, Any] | None = None
    check_at: datetime | None = None  # next_check_at set in this chunk
    touched_at: datetime | None = None
    parcels_by_seq: dict[int, str] = field(default_factory=dict)

    @property
    def parcel_ids(self) -> list[str]:
        return [self.parcels_by_seq[seq] for seq in sorted(self.parcels_by_seq)]


class OrderLineFacts(NamedTuple):
    """What allocation reads of an order line (``shipments.rules.OrderedLine``)."""

    id: str
    sku: str
    quantity: int


@dataclass
class ChunkOrder:
    id: str
    customer_id: str | None
    lines: list[OrderLineFacts]
    confirmed_at: datetime | None
    cancelled: bool
    shipment_ids: list[str]
    stored: tuple[str, datetime | None] | None  # status, confirmed_at; None: new order
    row: dict[str, Any] | None = None
    touched_at: datetime | None = None


class Claim(NamedTuple):
    """A new parcel taking stored events of its number (``tracking.rules.claims``)."""

    parcel_id: str
    tracking_number: str
    carrier: str
    since: datetime
    older: frozenset[str]


class Chunk:
    """One transaction's picture: what it read, what it played, what it will write."""

    def __init__(
        self,
        conn: Connection,
        merchant_id: str,
        window: timedelta,
        polled: set[str],
        report: BulkReport,
        now: datetime,
    ) -> None:
        self.conn = conn
        self.merchant_id = merchant_id
        self.window = window
        self.polled = polled  # carriers with an enabled account: their new parcels are polled
        self.report = report
        self.parcels: dict[str, ChunkParcel] = {}
        self.by_number: dict[tuple[str, str], list[ChunkParcel]] = defaultdict(list)
        self.shipments: dict[str, ChunkShipment] = {}
        self.orders: dict[str, ChunkOrder] = {}
        self.order_by_number: dict[str, str] = {}
        self.taken_numbers: set[str] = set()
        self.customers: dict[str, dict[str, Any]] = {}
        self.changed_customers: set[str] = set()
        self.new_customers: set[str] = set()
        self.product_names: dict[str, str] = {}
        self.events: list[dict[str, Any]] = []  # new rows, in arrival order
        self.events_by_number: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.stored_keys: set[str] = set()
        self.seen_keys: set[str] = set()
        self.numbers_with_stored_events: set[tuple[str, str]] = set()
        self.new_lines: list[dict[str, Any]] = []
        self.new_shipment_lines: list[dict[str, Any]] = []
        self.new_items: list[dict[str, Any]] = []
        self.now = now  # the chunk's clock: the time of the record being played
        self.claims: list[Claim] = []  # claims of stored events, written after the new parcels

    # -- reading -------------------------------------------------------------------------

    def rows_in(self, statement_for: Callable[[list[Any]], Any], values: Iterable[Any]) -> Iterator[Any]:
        """The rows of ``statement_for(part)`` for every part of ``values`` (one part on PostgreSQL)."""
        wanted = sorted(set(values))
        size = len(wanted) if self.conn.dialect.name == "postgresql" else _IN_SLICE
        for start in range(0, len(wanted), max(size, 1)):
            yield from self.conn.execute(statement_for(wanted[start : start + size]))

    def member(self, column: Any, values: list[Any]) -> ColumnElement[bool]:
        """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter however many values
        (a list of thousands of parameters costs more to send and plan than to run)."""
        if self.conn.dialect.name == "postgresql":
            return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))  # type: ignore[no-any-return]
        return column.in_(values)  # type: ignore[no-any-return]

    def add_parcel(self, parcel: ChunkParcel, seq: int) -> None:
        self.parcels[parcel.id] = parcel
        self.shipments[parcel.shipment_id].parcels_by_seq[seq] = parcel.id
        number = (parcel.tracking_number, parcel.carrier)
        self.by_number[number] = tracking_rules.newest_first([*self.by_number[number], parcel])

    def touch(self, parcel: ChunkParcel, now: datetime) -> None:
        """New events for the parcel: it, its shipment (due for a check) and its order change now."""
        parcel.touched_at = now
        shipment = self.shipments[parcel.shipment_id]
        shipment.check_at = shipment.touched_at = now
        self.orders[shipment.order_id].touched_at = now

    # -- derived state, on demand and at the end -----------------------------------------

    def state(self, parcel: ChunkParcel, stored: dict[str, list[EventFact]] | None = None) -> TrackingState:
        """The parcel's state now: its running state, else derived from every event it owns."""
        if parcel.state is not None:
            return parcel.state
        number = (parcel.tracking_number, parcel.carrier)
        facts = [fact(row) for row in self.events_by_number.get(number, ()) if row["parcel_id"] == parcel.id]
        if parcel.has_stored_events:
            if stored is None:
                stored = self.stored_facts([parcel])
            facts += stored.get(parcel.id, [])
        return derive_tracking_state(facts)

    def stored_facts(self, parcels: Sequence[ChunkParcel]) -> dict[str, list[EventFact]]:
        """The stored events of these parcels' numbers, by owner once this chunk's claims apply.

        Claims of stored events are written last (their new parcels must exist first), so the
        owners are worked out here the way the claims' UPDATEs will set them, in order.
        """
        numbers = {(p.tracking_number, p.carrier) for p in parcels}
        claims: dict[tuple[str, str], list[Claim]] = defaultdict(list)
        for claim in self.claims:
            claims[(claim.tracking_number, claim.carrier)].append(claim)
        facts: dict[str, list[EventFact]] = defaultdict(list)
        for parcel_id, number, carrier, occurred_at, status, reason, key in self.rows_in(
            lambda part: select(
                TrackingEvent.parcel_id,
                TrackingEvent.tracking_number,
                TrackingEvent.carrier,
                TrackingEvent.occurred_at,
                TrackingEvent.status,
                TrackingEvent.reason,
                TrackingEvent.dedupe_key,
            ).where(
                TrackingEvent.merchant_id == self.merchant_id,
                self.member(TrackingEvent.tracking_number, part),
            ),
            {number for number, _carrier in numbers},
        ):
            if (number, carrier) not in numbers:
                continue
            owner = parcel_id
            for claim in claims.get((number, carrier), ()):
                if tracking_rules.claims(owner, occurred_at, since=claim.since, older=claim.older):
                    owner = claim.parcel_id
            if owner is not None:
                facts[owner].append(EventFact(occurred_at, status, reason, key))
        return facts

    def shipment_facts(self, shipment: ChunkShipment) -> ParcelFacts:
        return shipment_state([self.state(self.parcels[pid]) for pid in shipment.parcel_ids])

    def order_status(self, order: ChunkOrder) -> str:
        return str(self.derive_order(order, {}).status)

    def derive_order(self, order: ChunkOrder, shipment_states: dict[str, ParcelFacts]) -> DerivedOrder:
        facts = [
            ShipmentFacts(
                status=str((shipment_states.get(sid) or self.shipment_facts(self.shipments[sid])).status),
                quantities=self.shipments[sid].quantities,
            )
            for sid in order.shipment_ids
        ]
        return derive_order_status(
            OrderFacts(
                ordered={line.id: line.quantity for line in order.lines},
                confirmed=order.confirmed_at is not None,
                cancelled=order.cancelled,
                shipments=facts,
            )
        )


def shipment_state(parcel_states: Sequence[TrackingState]) -> ParcelFacts:
    """A shipment's state from its parcels' (in parcel order), as the shipments feature derives it."""
    return derive_shipment_status([ParcelFacts(s.status, s.reason, s.delivered_at) for s in parcel_states])


def fact(row: dict[str, Any]) -> EventFact:
    """What derivation needs of an event row."""
    return EventFact(row["occurred_at"], row["status"], row["reason"], row["dedupe_key"])
