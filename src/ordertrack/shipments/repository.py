"""Queries of the shipments' own tables: shipments, their lines and what each parcel holds.

Whole shipments handed to the API come with their lines and parcels (and the parcels'
contents) loaded in the same round trip, fresh from the database (``populate_existing``),
since the checks may have changed them in this session by bulk statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.util import identity_key

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.shipments.model import Shipment, ShipmentLine
from ordertrack.statuses import ShipmentStatus
from ordertrack.tracking.model import Parcel

_WITH_CONTENTS = (selectinload(Shipment.lines), selectinload(Shipment.parcels).selectinload(Parcel.items))


def add_shipment(uow: UnitOfWork, shipment: Shipment) -> None:
    """Add the shipment with its lines, parcels and contents (flushed with the unit of work)."""
    uow.session.add(shipment)


def shipped_line_quantities(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[tuple[str, int]]:
    """(order line id, quantity) of every line of the order's shipments."""
    rows = uow.session.execute(
        select(ShipmentLine.order_line_id, ShipmentLine.quantity)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.merchant_id == merchant_id, Shipment.order_id == order_id)
    )
    return [(line_id, qty) for line_id, qty in rows]


def shipment_with_contents(uow: UnitOfWork, merchant_id: str, shipment_id: str) -> Shipment | None:
    return uow.session.scalars(
        select(Shipment)
        .where(Shipment.merchant_id == merchant_id, Shipment.id == shipment_id)
        .options(*_WITH_CONTENTS)
        .execution_options(populate_existing=True)
    ).first()


def shipments_page(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    status: ShipmentStatus | None,
    carrier: str | None,
    order_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Shipment]:
    query = select(Shipment).where(Shipment.merchant_id == merchant_id).options(*_WITH_CONTENTS)
    if status is not None:
        query = query.where(Shipment.status == status)
    if carrier:
        query = query.where(Shipment.carrier == carrier.lower())
    if order_id:
        query = query.where(Shipment.order_id == order_id)
    return keyset_page(uow.session, query, Shipment.id, cursor, limit)


def shipments_of_orders_with_contents(
    uow: UnitOfWork, merchant_id: str, order_ids: Sequence[str]
) -> list[Shipment]:
    """The orders' shipments in id order."""
    return list(
        uow.session.scalars(
            select(Shipment)
            .where(Shipment.merchant_id == merchant_id, Shipment.order_id.in_(order_ids))
            .options(*_WITH_CONTENTS)
            .order_by(Shipment.id)
            .execution_options(populate_existing=True)
        )
    )


def order_ids_of_shipments_in(merchant_id: str, shipment_ids: Select[tuple[str]]) -> Select[tuple[str]]:
    """A query (not run) of the orders of the shipments ``shipment_ids`` selects."""
    return select(Shipment.order_id).where(Shipment.merchant_id == merchant_id, Shipment.id.in_(shipment_ids))


def order_ids_of_shipments(uow: UnitOfWork, merchant_id: str, shipment_ids: Sequence[str]) -> list[str]:
    """The distinct orders these shipments belong to."""
    return list(
        uow.session.scalars(
            select(Shipment.order_id)
            .where(Shipment.merchant_id == merchant_id, Shipment.id.in_(shipment_ids))
            .distinct()
        )
    )


def shipments_with_ids(uow: UnitOfWork, merchant_id: str, ids: Sequence[str]) -> list[Shipment]:
    """The merchant's shipments with these ids, in id order (without their contents)."""
    return list(
        uow.session.scalars(
            select(Shipment)
            .where(Shipment.merchant_id == merchant_id, Shipment.id.in_(ids))
            .order_by(Shipment.id)
        )
    )


def locked_due_for_checks(uow: UnitOfWork, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(shipment id, merchant id) of due shipments, the longest due first, locked ``FOR UPDATE SKIP
    LOCKED`` so that workers each take different ones."""
    return [
        (shipment_id, merchant_id)
        for shipment_id, merchant_id in uow.session.execute(
            select(Shipment.id, Shipment.merchant_id)
            .where(Shipment.next_check_at <= now)
            .order_by(Shipment.next_check_at, Shipment.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ]


def set_next_checks(uow: UnitOfWork, merchant_id: str, when: Mapping[str, datetime | None]) -> None:
    """Write each shipment's next check time: on the loaded object when the session holds it
    (so it is not overwritten by a later flush), else one UPDATE per distinct instant."""
    by_instant: dict[datetime | None, list[str]] = {}
    for shipment_id, at in sorted(when.items()):
        loaded = uow.session.identity_map.get(identity_key(Shipment, shipment_id))
        if loaded is not None:
            loaded.next_check_at = at
        else:
            by_instant.setdefault(at, []).append(shipment_id)
    for at, ids in by_instant.items():
        uow.session.execute(
            update(Shipment)
            .where(Shipment.merchant_id == merchant_id, Shipment.id.in_(ids))
            .values(next_check_at=at)
            .execution_options(synchronize_session=False)
        )


def newest_delivered(uow: UnitOfWork, merchant_id: str, limit: int) -> list[Shipment]:
    """The merchant's ``limit`` newest delivered shipments, newest first (the index on merchant and
    delivery time serves it)."""
    return list(
        uow.session.scalars(
            select(Shipment)
            .where(
                Shipment.merchant_id == merchant_id,
                Shipment.status == "delivered",
                Shipment.delivered_at.is_not(None),
            )
            .order_by(Shipment.delivered_at.desc(), Shipment.id.desc())
            .limit(limit)
        )
    )


def line_status_rows(
    uow: UnitOfWork, merchant_id: str, order_ids: Sequence[str]
) -> list[tuple[str, str, str, str, int]]:
    """(order id, shipment id, shipment status, order line id, quantity) of every shipment line
    of these orders."""
    rows = uow.session.execute(
        select(
            Shipment.order_id, Shipment.id, Shipment.status, ShipmentLine.order_line_id, ShipmentLine.quantity
        )
        .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .where(Shipment.merchant_id == merchant_id, Shipment.order_id.in_(order_ids))
    )
    return [
        (order_id, shipment_id, status, line_id, qty) for order_id, shipment_id, status, line_id, qty in rows
    ]


def locked_status_rows(
    uow: UnitOfWork, merchant_id: str, ids: Sequence[str]
) -> list[tuple[str, str, str, str | None, datetime | None]]:
    """(id, order id, status, reason, delivered_at) of these shipments, locked in id order (their
    status is about to be derived again)."""
    rows = uow.session.execute(
        select(Shipment.id, Shipment.order_id, Shipment.status, Shipment.reason, Shipment.delivered_at)
        .where(Shipment.merchant_id == merchant_id, Shipment.id.in_(ids))
        .order_by(Shipment.id)
        .with_for_update()
    ).all()
    return [
        (shipment_id, order_id, status, reason, delivered_at)
        for shipment_id, order_id, status, reason, delivered_at in rows
    ]


def write_statuses(
    uow: UnitOfWork, merchant_id: str, updates: Sequence[Mapping[str, Any]], *, updated_at: datetime
) -> None:
    """One executemany UPDATE of status, reason and delivered_at; each row of ``updates`` has
    ``b_id``, ``b_status``, ``b_reason`` and ``b_delivered_at``."""
    uow.session.connection().execute(
        update(Shipment)
        .where(Shipment.id == bindparam("b_id"), Shipment.merchant_id == merchant_id)
        .values(
            status=bindparam("b_status"),
            reason=bindparam("b_reason"),
            delivered_at=bindparam("b_delivered_at"),
            updated_at=updated_at,
        ),
        list(updates),
    )


def not_handed_over(uow: UnitOfWork, merchant_id: str, warehouse: str) -> list[Shipment]:
    """The warehouse's shipments the carrier has not taken yet, in id order."""
    return list(
        uow.session.scalars(
            select(Shipment)
            .where(
                Shipment.merchant_id == merchant_id,
                Shipment.warehouse == warehouse,
                Shipment.handed_over_at.is_(None),
            )
            .order_by(Shipment.id)
        )
    )


def shipment_ids_of_order(uow: UnitOfWork, merchant_id: str, order_id: str) -> Sequence[str]:
    return uow.session.scalars(
        select(Shipment.id).where(Shipment.merchant_id == merchant_id, Shipment.order_id == order_id)
    ).all()


def recent_carriers(uow: UnitOfWork, merchant_id: str, limit: int) -> list[tuple[str, str]]:
    """(order id, carrier) of the merchant's ``limit`` newest shipments, newest first (ids are
    time-ordered, so the merchant-and-id index serves it)."""
    rows = uow.session.execute(
        select(Shipment.order_id, Shipment.carrier)
        .where(Shipment.merchant_id == merchant_id)
        .order_by(Shipment.id.desc())
        .limit(limit)
    )
    return [(order_id, carrier) for order_id, carrier in rows]
