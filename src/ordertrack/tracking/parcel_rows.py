"""Queries of the parcels table: which parcels carry a number, their cached tracking state,
and when the carrier's API is next asked about them.

The tracking events table's queries are in :mod:`ordertrack.tracking.repository`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select, tuple_, update

from ordertrack.db.uow import UnitOfWork
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES
from ordertrack.tracking.model import Parcel

# --- by tracking number ----------------------------------------------------------------------------


def with_numbers(uow: UnitOfWork, merchant_id: str, numbers: list[str], *, lock: bool) -> Sequence[Parcel]:
    """The merchant's parcels carrying one of these numbers; with ``lock``, locked in id order."""
    query = select(Parcel).where(Parcel.merchant_id == merchant_id, Parcel.tracking_number.in_(numbers))
    if lock:
        query = query.order_by(Parcel.id).with_for_update()
    return uow.session.scalars(query).all()


# The public lookups below (a shopper's link, the /track form) see outbound parcels only: a
# supplier's inbound parcel is the merchant's business, never a shopper's page.
_OUTBOUND = Parcel.shipment_id.is_not(None)


def by_id_any_merchant(uow: UnitOfWork, parcel_id: str) -> Parcel | None:
    """The outbound parcel with this id, of any merchant."""
    return uow.session.scalars(select(Parcel).where(Parcel.id == parcel_id, _OUTBOUND)).first()


def newest_with_number(uow: UnitOfWork, tracking_number: str, merchant_id: str | None) -> Parcel | None:
    """The newest outbound parcel carrying this number, of one merchant or of any."""
    query = select(Parcel).where(Parcel.tracking_number == tracking_number, _OUTBOUND)
    if merchant_id is not None:
        query = query.where(Parcel.merchant_id == merchant_id)
    return uow.session.scalars(query.order_by(Parcel.created_at.desc(), Parcel.id.desc()).limit(1)).first()


def merchants_holding_number(uow: UnitOfWork, tracking_number: str) -> int:
    """How many merchants have an outbound parcel with this number: 0, 1, or 2 for "more than one"."""
    holders = (
        select(Parcel.merchant_id)
        .where(Parcel.tracking_number == tracking_number, _OUTBOUND)
        .distinct()
        .limit(2)
    )
    return len(uow.session.scalars(holders).all())


def number_in_flight(
    uow: UnitOfWork, merchant_id: str, carrier: str, numbers: Sequence[str], since: datetime
) -> tuple[str, str] | None:
    """(number, shipment id) of a parcel created since ``since`` with one of these numbers and
    not finished, or None; the shipment is the outbound one or, for a supplier's parcel, the
    inbound one (a number travelling either way is taken)."""
    clash = uow.session.execute(
        select(Parcel.tracking_number, func.coalesce(Parcel.shipment_id, Parcel.inbound_shipment_id)).where(
            Parcel.merchant_id == merchant_id,
            Parcel.carrier == carrier,
            Parcel.tracking_number.in_(list(numbers)),
            Parcel.created_at >= since,
            Parcel.status.not_in(FINISHED_SHIPMENT_STATUSES),
        )
    ).first()
    return None if clash is None else (clash[0], clash[1])


def shipment_ids_holding(merchant_id: str, fragment: str) -> Select[tuple[str]]:
    """A query (not run) of the shipments of the merchant's parcels whose number holds ``fragment``."""
    return select(Parcel.shipment_id).where(
        Parcel.merchant_id == merchant_id,
        Parcel.tracking_number.contains(fragment, autoescape=True),
        _OUTBOUND,
    )


def shipment_ids_with_number(uow: UnitOfWork, merchant_id: str, tracking_number: str) -> list[str]:
    return list(
        uow.session.scalars(
            select(Parcel.shipment_id)
            .where(Parcel.merchant_id == merchant_id, Parcel.tracking_number == tracking_number, _OUTBOUND)
            .distinct()
        )
    )


# --- the cached tracking state ---------------------------------------------------------------------


def update_states(
    uow: UnitOfWork, merchant_id: str, columns: Mapping[str, Mapping[str, Any]], *, updated_at: datetime
) -> None:
    """Write each parcel's state columns (``columns``: parcel id -> column -> value, the same
    columns for every parcel) in one executemany."""
    names = list(next(iter(columns.values())))
    statement = (
        update(Parcel)
        .where(Parcel.id == bindparam("b_id"), Parcel.merchant_id == merchant_id)
        .values({**{c: bindparam(f"b_{c}") for c in names}, "updated_at": updated_at})
    )
    params = [
        {"b_id": parcel_id, **{f"b_{c}": v for c, v in values.items()}}
        for parcel_id, values in columns.items()
    ]
    uow.session.connection().execute(statement, params)


def status_facts_of_shipments(
    uow: UnitOfWork, merchant_id: str, shipment_ids: list[str]
) -> list[tuple[str, str, str | None, datetime | None]]:
    """(shipment, status, reason, delivered at) of these shipments' parcels, by shipment then
    parcel order; read as columns, so states just written by an UPDATE are seen."""
    return [
        (shipment_id, status, reason, delivered_at)
        for shipment_id, status, reason, delivered_at in uow.session.execute(
            select(Parcel.shipment_id, Parcel.status, Parcel.reason, Parcel.delivered_at)
            .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(shipment_ids))
            .order_by(Parcel.shipment_id, Parcel.seq)
        )
    ]


def ids_of_shipments(uow: UnitOfWork, merchant_id: str, shipment_ids: list[str]) -> list[str]:
    """The ids of these shipments' parcels, in id order."""
    return list(
        uow.session.scalars(
            select(Parcel.id)
            .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(shipment_ids))
            .order_by(Parcel.id)
        )
    )


def ids_by_shipment(uow: UnitOfWork, merchant_id: str, shipment_ids: list[str]) -> list[tuple[str, str]]:
    """(shipment, parcel) of these shipments' parcels, by shipment then parcel order."""
    return [
        (shipment_id, parcel_id)
        for shipment_id, parcel_id in uow.session.execute(
            select(Parcel.shipment_id, Parcel.id)
            .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(shipment_ids))
            .order_by(Parcel.shipment_id, Parcel.seq)
        )
    ]


def newest_scan_per_shipment(
    uow: UnitOfWork, merchant_id: str, shipment_ids: list[str]
) -> dict[str, datetime]:
    """Each shipment's newest scan of any kind, as its parcels keep it (shipments without one left out)."""
    return {
        shipment_id: newest
        for shipment_id, newest in uow.session.execute(
            select(Parcel.shipment_id, func.max(Parcel.last_event_at))
            .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(shipment_ids))
            .group_by(Parcel.shipment_id)
        )
        if newest is not None
    }


# --- a supplier's inbound parcels ------------------------------------------------------------------


def of_inbound_shipments(uow: UnitOfWork, merchant_id: str, inbound_shipment_ids: list[str]) -> Sequence[Any]:
    """(inbound shipment, id, number, carrier, status, reason, delivered at, last event at,
    created at) of these inbound shipments' parcels, by inbound shipment then parcel order."""
    return uow.session.execute(
        select(
            Parcel.inbound_shipment_id,
            Parcel.id,
            Parcel.tracking_number,
            Parcel.carrier,
            Parcel.status,
            Parcel.reason,
            Parcel.delivered_at,
            Parcel.last_event_at,
            Parcel.created_at,
        )
        .where(Parcel.merchant_id == merchant_id, Parcel.inbound_shipment_id.in_(inbound_shipment_ids))
        .order_by(Parcel.inbound_shipment_id, Parcel.seq)
    ).all()


def last_inbound_seq(uow: UnitOfWork, inbound_shipment_id: str) -> int:
    """The highest parcel number of an inbound shipment so far (0: none yet)."""
    found = uow.session.scalar(
        select(func.max(Parcel.seq)).where(Parcel.inbound_shipment_id == inbound_shipment_id)
    )
    return int(found or 0)


# --- polling ---------------------------------------------------------------------------------------


def set_open_parcels_due(uow: UnitOfWork, merchant_id: str, carrier: str, at: datetime) -> None:
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


def set_next_poll(uow: UnitOfWork, parcel_ids: Sequence[str], at: datetime) -> None:
    uow.session.execute(update(Parcel).where(Parcel.id.in_(list(parcel_ids))).values(next_poll_at=at))


def lock_due(
    uow: UnitOfWork, accounts: list[tuple[str, str]], now: datetime, limit: int
) -> list[tuple[str, str, str, str]]:
    """(id, merchant, carrier, number) of up to ``limit`` parcels of these accounts due at ``now``,
    locked, skipping those another transaction holds."""
    return [
        (parcel_id, merchant_id, carrier, number)
        for parcel_id, merchant_id, carrier, number in uow.session.execute(
            select(Parcel.id, Parcel.merchant_id, Parcel.carrier, Parcel.tracking_number)
            .where(Parcel.next_poll_at <= now, tuple_(Parcel.merchant_id, Parcel.carrier).in_(accounts))
            .order_by(Parcel.next_poll_at, Parcel.id)
            .limit(limit)
            .with_for_update(of=Parcel, skip_locked=True)
        ).all()
    ]


def poll_state_rows(
    uow: UnitOfWork, parcel_ids: Sequence[str]
) -> list[tuple[str, str, datetime | None, datetime, str]]:
    """(id, status, last event at, created at, number) of these parcels."""
    return [
        (parcel_id, status, last_event_at, created_at, number)
        for parcel_id, status, last_event_at, created_at, number in uow.session.execute(
            select(
                Parcel.id, Parcel.status, Parcel.last_event_at, Parcel.created_at, Parcel.tracking_number
            ).where(Parcel.id.in_(list(parcel_ids)))
        ).all()
    ]


def set_polled(uow: UnitOfWork, parcel_id: str, now: datetime, next_poll_at: datetime | None) -> None:
    uow.session.execute(
        update(Parcel).where(Parcel.id == parcel_id).values(last_polled_at=now, next_poll_at=next_poll_at)
    )
