"""Parcels as the tracking feature keeps them: which parcels carry a number, and the state
derived from their events, stored on the parcel so one more event costs the same whatever
the parcel's history.

Saving states records the facts (:class:`~ordertrack.events.ParcelScanned`,
:class:`~ordertrack.events.ParcelStatusChanged`); shipments, promises and checks react to
them through the handler table, never by being called from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import ParcelScanned, ParcelStatusChanged
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict
from ordertrack.kit.ids import new_id
from ordertrack.statuses import ShipmentStatus
from ordertrack.tracking import parcel_rows
from ordertrack.tracking.model import Parcel
from ordertrack.tracking.status import ParcelFacts, TrackingState

if TYPE_CHECKING:
    from sqlalchemy import Select


@dataclass(frozen=True)
class ParcelRef:
    """A parcel as event matching and state folding see it."""

    id: str
    shipment_id: str | None  # None for a supplier's inbound parcel
    tracking_number: str
    carrier: str
    created_at: datetime
    state: TrackingState
    inbound_shipment_id: str | None = None


def parcel_ref(row: Parcel) -> ParcelRef:
    """The matching view of a stored parcel row."""
    last_key = (
        (row.last_event_at, row.last_event_rank, row.last_event_key)
        if row.last_event_at is not None
        else None
    )
    return ParcelRef(
        id=row.id,
        shipment_id=row.shipment_id,
        tracking_number=row.tracking_number,
        carrier=row.carrier,
        created_at=row.created_at,
        state=TrackingState(
            status=row.status,
            reason=row.reason,
            delivered_at=row.delivered_at,
            last_key=last_key,  # type: ignore[arg-type]
            event_count=row.event_count,
        ),
        inbound_shipment_id=row.inbound_shipment_id,
    )


class Box(Protocol):
    """A parcel's measures as the shipment gives them (grams and millimetres, each optional)."""

    weight_grams: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None


def new_parcels(
    merchant_id: str, carrier: str, numbers: Sequence[str], boxes: Sequence[Box], *, now: datetime
) -> list[Parcel]:
    """Parcels not yet scanned, one per number and box, numbered from 1 (the caller adds them)."""
    return [
        Parcel(
            id=new_id("pcl"),
            merchant_id=merchant_id,
            seq=seq,
            tracking_number=number,
            carrier=carrier,
            weight_grams=box.weight_grams,
            length_mm=box.length_mm,
            width_mm=box.width_mm,
            height_mm=box.height_mm,
            status=ShipmentStatus.pending,
            event_count=0,
            created_at=now,
            updated_at=now,
        )
        for seq, (number, box) in enumerate(zip(numbers, boxes, strict=True), start=1)
    ]


def new_inbound_parcels(
    merchant_id: str,
    inbound_shipment_id: str,
    numbered: Sequence[tuple[str, str]],
    *,
    first_seq: int,
    now: datetime,
) -> list[Parcel]:
    """A supplier's parcels, not yet scanned: one per (canonical number, carrier), numbered
    from ``first_seq`` within their inbound shipment (the caller adds them).

    The same rows as an outbound shipment's parcels, owned by the inbound shipment instead:
    ingest, polling and the derived state treat them alike."""
    return [
        Parcel(
            id=new_id("pcl"),
            merchant_id=merchant_id,
            inbound_shipment_id=inbound_shipment_id,
            seq=seq,
            tracking_number=number,
            carrier=carrier,
            status=ShipmentStatus.pending,
            event_count=0,
            created_at=now,
            updated_at=now,
        )
        for seq, (number, carrier) in enumerate(numbered, start=first_seq)
    ]


def next_inbound_seq(uow: UnitOfWork, inbound_shipment_id: str) -> int:
    """The number the next parcel of this inbound shipment gets (1 for its first)."""
    return parcel_rows.last_inbound_seq(uow, inbound_shipment_id) + 1


@dataclass(frozen=True)
class InboundParcel:
    """A supplier's parcel as its inbound shipment's status and expected arrival read it."""

    id: str
    tracking_number: str
    carrier: str
    status: str
    reason: str | None
    delivered_at: datetime | None
    last_event_at: datetime | None
    created_at: datetime


def parcels_of_inbound_shipments(
    uow: UnitOfWork, merchant_id: str, inbound_shipment_ids: Iterable[str]
) -> dict[str, list[InboundParcel]]:
    """Each inbound shipment's parcels, in parcel order (read as columns: states just saved by
    an UPDATE are seen)."""
    ids = sorted(set(inbound_shipment_ids))
    found: dict[str, list[InboundParcel]] = {}
    if not ids:
        return found
    for inbound_id, *columns in parcel_rows.of_inbound_shipments(uow, merchant_id, ids):
        found.setdefault(inbound_id, []).append(InboundParcel(*columns))
    return found


def parcels_for_tracking_numbers(
    uow: UnitOfWork, merchant_id: str, tracking_numbers: Iterable[str], *, lock: bool = False
) -> list[ParcelRef]:
    """Every parcel of the merchant carrying one of these numbers, newest first.

    With ``lock`` the rows are locked (in id order, so concurrent ingests never deadlock)
    until the transaction ends: two batches for one parcel fold one after the other.
    """
    numbers = sorted(set(tracking_numbers))
    if not numbers:
        return []
    rows = parcel_rows.with_numbers(uow, merchant_id, numbers, lock=lock)
    refs = [parcel_ref(row) for row in rows]
    refs.sort(key=lambda p: (p.created_at, p.id), reverse=True)
    return refs


def state_columns(state: TrackingState) -> dict[str, Any]:
    """The parcel columns that cache its tracking state (see :class:`Parcel`)."""
    last = state.last_key
    return {
        "status": str(state.status),
        "reason": state.reason,
        "delivered_at": state.delivered_at,
        "last_event_at": last[0] if last else None,
        "last_event_rank": last[1] if last else None,
        "last_event_key": last[2] if last else None,
        "event_count": state.event_count,
    }


def save_parcel_states(
    uow: UnitOfWork,
    merchant_id: str,
    parcels: Mapping[str, ParcelRef],
    states: Mapping[str, TrackingState],
    *,
    received_at: datetime,
) -> None:
    """Store these parcels' new states and record what happened to them.

    ``parcels`` holds each parcel as it was before (its shipment and its old state).
    """
    if not states:
        return
    parcel_rows.update_states(
        uow,
        merchant_id,
        {parcel_id: state_columns(state) for parcel_id, state in states.items()},
        updated_at=utcnow(),
    )
    # Every new scan, from any source, lands here: the parcels' tracking pages change.
    uow.record_page_change(parcel_ids=states)
    for parcel_id, state in states.items():
        before = parcels[parcel_id]
        old = before.state
        if state.event_count != old.event_count:
            uow.record(
                ParcelScanned(
                    merchant_id, parcel_id, before.shipment_id, received_at, before.inbound_shipment_id
                )
            )
        if (state.status, state.reason, state.delivered_at) != (old.status, old.reason, old.delivered_at):
            uow.record(
                ParcelStatusChanged(
                    merchant_id,
                    parcel_id,
                    before.shipment_id,
                    str(old.status),
                    str(state.status),
                    before.inbound_shipment_id,
                )
            )


def parcel_for_tracking_link(uow: UnitOfWork, parcel_id: str) -> Parcel | None:
    """The parcel a signed tracking-number link names (any merchant: the signature is the authority)."""
    return parcel_rows.by_id_any_merchant(uow, parcel_id)


class TrackingNumberShared(Conflict):
    """More than one merchant holds the number: by number alone it names nobody's parcel."""

    code = "tracking_number_shared"


def newest_parcel_with_number(
    uow: UnitOfWork, tracking_number: str, merchant_id: str | None = None
) -> Parcel | None:
    """The newest parcel carrying this tracking number, of one merchant or of any.

    Any merchant can type any number into a shipment, so "of any" answers only when a
    single merchant holds the number; otherwise it raises :class:`TrackingNumberShared`
    (a merchant who copied another's number must not take over its public page).
    """
    if merchant_id is None and merchants_holding_number(uow, tracking_number) > 1:
        raise TrackingNumberShared(f"tracking number {tracking_number!r} is held by more than one merchant")
    return parcel_rows.newest_with_number(uow, tracking_number, merchant_id)


def merchants_holding_number(uow: UnitOfWork, tracking_number: str) -> int:
    """How many merchants have a parcel with this number: 0, 1, or 2 for "more than one"."""
    return parcel_rows.merchants_holding_number(uow, tracking_number)


def parcel_facts_of_shipments(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]
) -> dict[str, list[ParcelFacts]]:
    """Each shipment's parcels as its status is derived from them, in parcel order.

    Read as columns, not entities: states just saved by an UPDATE are not in the session's
    objects yet.
    """
    ids = sorted(set(shipment_ids))
    found: dict[str, list[ParcelFacts]] = {}
    if not ids:
        return found
    for shipment_id, status, reason, delivered_at in parcel_rows.status_facts_of_shipments(
        uow, merchant_id, ids
    ):
        found.setdefault(shipment_id, []).append(ParcelFacts(status, reason, delivered_at))
    return found


def number_in_flight(
    uow: UnitOfWork, merchant_id: str, carrier: str, numbers: Sequence[str], since: datetime
) -> tuple[str, str] | None:
    """(number, shipment id) of a recent parcel still travelling with one of these numbers
    (``shipments.rules.number_in_flight``, in SQL), or None."""
    return parcel_rows.number_in_flight(uow, merchant_id, carrier, numbers, since)


# --- when the carrier's API is next asked (the carriers feature decides; the parcel keeps it) ---


def poll_open_parcels(uow: UnitOfWork, merchant_id: str, carrier: str, at: datetime) -> None:
    """Every unfinished parcel of this carrier not yet polled is due at ``at``."""
    parcel_rows.set_open_parcels_due(uow, merchant_id, carrier, at)


def poll_parcels_at(uow: UnitOfWork, parcel_ids: Sequence[str], at: datetime) -> None:
    """These parcels are next polled at ``at``."""
    if parcel_ids:
        parcel_rows.set_next_poll(uow, parcel_ids, at)


@dataclass(frozen=True)
class DueParcel:
    id: str
    merchant_id: str
    carrier: str
    tracking_number: str


def claim_due_for_poll(
    uow: UnitOfWork,
    polled: Iterable[tuple[str, str]],
    now: datetime,
    *,
    lease_until: datetime,
    limit: int,
) -> list[DueParcel]:
    """Due parcels of these (merchant, carrier) accounts, leased until ``lease_until``.

    On PostgreSQL ``SKIP LOCKED`` lets several workers claim side by side without waiting.
    """
    accounts = sorted(set(polled))
    if not accounts:
        return []
    due = [DueParcel(*row) for row in parcel_rows.lock_due(uow, accounts, now, limit)]
    poll_parcels_at(uow, [p.id for p in due], lease_until)
    return due


@dataclass(frozen=True)
class PollState:
    """What the next poll time is decided from."""

    id: str
    status: str
    last_event_at: datetime | None
    created_at: datetime
    tracking_number: str


def poll_states(uow: UnitOfWork, parcel_ids: Sequence[str]) -> list[PollState]:
    return [PollState(*row) for row in parcel_rows.poll_state_rows(uow, parcel_ids)]


def polled(uow: UnitOfWork, next_poll: Mapping[str, datetime | None], now: datetime) -> None:
    """The parcels were polled at ``now``; each is next polled at its time (None: never)."""
    for parcel_id, at in next_poll.items():
        parcel_rows.set_polled(uow, parcel_id, now, at)


def shipments_with_number_holding(merchant_id: str, fragment: str) -> Select[tuple[str]]:
    """The ids of the shipments of the merchant's parcels whose tracking number holds
    ``fragment`` (canonical: upper case, no spaces), as a query to use inside another."""
    return parcel_rows.shipment_ids_holding(merchant_id, fragment)


def shipment_ids_with_number(uow: UnitOfWork, merchant_id: str, tracking_number: str) -> list[str]:
    """The shipments of the merchant's parcels carrying exactly this number."""
    return parcel_rows.shipment_ids_with_number(uow, merchant_id, tracking_number)


def parcel_ids_of_shipments(uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]) -> list[str]:
    """The ids of these shipments' parcels, in id order."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return []
    return parcel_rows.ids_of_shipments(uow, merchant_id, ids)
