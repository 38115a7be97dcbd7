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
from typing import Any, Protocol

from sqlalchemy import bindparam, select, tuple_, update

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import ParcelScanned, ParcelStatusChanged
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict
from ordertrack.kit.ids import new_id
from ordertrack.tracking.model import Parcel
from ordertrack.tracking.status import FINISHED_SHIPMENT_STATUSES, ParcelFacts, ShipmentStatus, TrackingState


@dataclass(frozen=True)
class ParcelRef:
    """A parcel as event matching and state folding see it."""

    id: str
    shipment_id: str
    tracking_number: str
    carrier: str
    created_at: datetime
    state: TrackingState


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
    query = select(Parcel).where(Parcel.merchant_id == merchant_id, Parcel.tracking_number.in_(numbers))
    if lock:
        query = query.order_by(Parcel.id).with_for_update()
    rows = uow.session.scalars(query).all()
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
    columns = list(state_columns(next(iter(states.values()))))
    statement = (
        update(Parcel)
        .where(Parcel.id == bindparam("b_id"), Parcel.merchant_id == merchant_id)
        .values({**{c: bindparam(f"b_{c}") for c in columns}, "updated_at": utcnow()})
    )
    params = [
        {"b_id": parcel_id, **{f"b_{c}": v for c, v in state_columns(state).items()}}
        for parcel_id, state in states.items()
    ]
    uow.session.connection().execute(statement, params)
    # Every new scan, from any source, lands here: the parcels' tracking pages change.
    uow.record_page_change(parcel_ids=states)
    for parcel_id, state in states.items():
        before = parcels[parcel_id]
        old = before.state
        if state.event_count != old.event_count:
            uow.record(ParcelScanned(merchant_id, parcel_id, before.shipment_id, received_at))
        if (state.status, state.reason, state.delivered_at) != (old.status, old.reason, old.delivered_at):
            uow.record(
                ParcelStatusChanged(
                    merchant_id, parcel_id, before.shipment_id, str(old.status), str(state.status)
                )
            )


def parcel_for_tracking_link(uow: UnitOfWork, parcel_id: str) -> Parcel | None:
    """The parcel a signed tracking-number link names (any merchant: the signature is the authority)."""
    return uow.session.scalars(select(Parcel).where(Parcel.id == parcel_id)).first()


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
    query = select(Parcel).where(Parcel.tracking_number == tracking_number)
    if merchant_id is not None:
        query = query.where(Parcel.merchant_id == merchant_id)
    elif merchants_holding_number(uow, tracking_number) > 1:
        raise TrackingNumberShared(f"tracking number {tracking_number!r} is held by more than one merchant")
    return uow.session.scalars(query.order_by(Parcel.created_at.desc(), Parcel.id.desc()).limit(1)).first()


def merchants_holding_number(uow: UnitOfWork, tracking_number: str) -> int:
    """How many merchants have a parcel with this number: 0, 1, or 2 for "more than one"."""
    holders = select(Parcel.merchant_id).where(Parcel.tracking_number == tracking_number).distinct().limit(2)
    return len(uow.session.scalars(holders).all())


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
    for shipment_id, status, reason, delivered_at in uow.session.execute(
        select(Parcel.shipment_id, Parcel.status, Parcel.reason, Parcel.delivered_at)
        .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(ids))
        .order_by(Parcel.shipment_id, Parcel.seq)
    ):
        found.setdefault(shipment_id, []).append(ParcelFacts(status, reason, delivered_at))
    return found


def number_in_flight(
    uow: UnitOfWork, merchant_id: str, carrier: str, numbers: Sequence[str], since: datetime
) -> tuple[str, str] | None:
    """(number, shipment id) of a recent parcel still travelling with one of these numbers
    (``shipments.rules.number_in_flight``, in SQL), or None."""
    clash = uow.session.execute(
        select(Parcel.tracking_number, Parcel.shipment_id).where(
            Parcel.merchant_id == merchant_id,
            Parcel.carrier == carrier,
            Parcel.tracking_number.in_(list(numbers)),
            Parcel.created_at >= since,
            Parcel.status.not_in(FINISHED_SHIPMENT_STATUSES),
        )
    ).first()
    return None if clash is None else (clash[0], clash[1])


# --- when the carrier's API is next asked (the carriers feature decides; the parcel keeps it) ---


def poll_open_parcels(uow: UnitOfWork, merchant_id: str, carrier: str, at: datetime) -> None:
    """Every unfinished parcel of this carrier not yet polled is due at ``at``."""
    uow.session.execute(
        update(Parcel)
        .where(
            Parcel.merchant_id == merchant_id,
            Parcel.carrier == carrier,
            Parcel.status.not_in(FINISHED_SHIPMENT_STATUSES),
            Parcel.next_poll_at.is_(None),
        )
        .values(next_poll_at=at)
    )


def poll_parcels_at(uow: UnitOfWork, parcel_ids: Sequence[str], at: datetime) -> None:
    """These parcels are next polled at ``at``."""
    if parcel_ids:
        uow.session.execute(update(Parcel).where(Parcel.id.in_(list(parcel_ids))).values(next_poll_at=at))


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
    rows = uow.session.execute(
        select(Parcel.id, Parcel.merchant_id, Parcel.carrier, Parcel.tracking_number)
        .where(Parcel.next_poll_at <= now, tuple_(Parcel.merchant_id, Parcel.carrier).in_(accounts))
        .order_by(Parcel.next_poll_at, Parcel.id)
        .limit(limit)
        .with_for_update(of=Parcel, skip_locked=True)
    ).all()
    due = [DueParcel(*row) for row in rows]
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
    rows = uow.session.execute(
        select(
            Parcel.id, Parcel.status, Parcel.last_event_at, Parcel.created_at, Parcel.tracking_number
        ).where(Parcel.id.in_(list(parcel_ids)))
    ).all()
    return [PollState(*row) for row in rows]


def polled(uow: UnitOfWork, next_poll: Mapping[str, datetime | None], now: datetime) -> None:
    """The parcels were polled at ``now``; each is next polled at its time (None: never)."""
    for parcel_id, at in next_poll.items():
        uow.session.execute(
            update(Parcel).where(Parcel.id == parcel_id).values(last_polled_at=now, next_poll_at=at)
        )


def shipment_ids_with_number(uow: UnitOfWork, merchant_id: str, tracking_number: str) -> list[str]:
    """The shipments of the merchant's parcels carrying exactly this number."""
    return list(
        uow.session.scalars(
            select(Parcel.shipment_id)
            .where(Parcel.merchant_id == merchant_id, Parcel.tracking_number == tracking_number)
            .distinct()
        )
    )


def parcel_ids_of_shipments(uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]) -> list[str]:
    """The ids of these shipments' parcels, in id order."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return []
    return list(
        uow.session.scalars(
            select(Parcel.id)
            .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(ids))
            .order_by(Parcel.id)
        )
    )
