"""Queries of the estimate tables: the carriers' delivery estimates per parcel and the revisions
of our promise per order and shipment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select

from ordertrack.db.uow import UnitOfWork
from ordertrack.eta.model import DeliveryEstimate, EddRevision


def add(uow: UnitOfWork, row: DeliveryEstimate | EddRevision) -> None:
    """A new estimate or revision, written with the transaction."""
    uow.session.add(row)


# --- carrier estimates -----------------------------------------------------------------------------


def newest_estimate(
    uow: UnitOfWork, merchant_id: str, parcel_id: str, source: str
) -> DeliveryEstimate | None:
    """The parcel's newest estimate from ``source``."""
    return uow.session.scalars(
        select(DeliveryEstimate)
        .where(
            DeliveryEstimate.merchant_id == merchant_id,
            DeliveryEstimate.parcel_id == parcel_id,
            DeliveryEstimate.source == source,
        )
        .order_by(DeliveryEstimate.recorded_at.desc(), DeliveryEstimate.id.desc())
        .limit(1)
    ).first()


def estimates_oldest_first(
    uow: UnitOfWork, merchant_id: str, parcel_ids: Sequence[str]
) -> list[DeliveryEstimate]:
    """Every estimate of these parcels, oldest first."""
    return list(
        uow.session.scalars(
            select(DeliveryEstimate)
            .where(DeliveryEstimate.merchant_id == merchant_id, DeliveryEstimate.parcel_id.in_(parcel_ids))
            .order_by(DeliveryEstimate.recorded_at, DeliveryEstimate.id)
        )
    )


# --- promise revisions -----------------------------------------------------------------------------


def shipment_windows_oldest_first(
    uow: UnitOfWork, merchant_id: str, order_ids: Sequence[str]
) -> list[tuple[str, date, date]]:
    """(shipment, earliest, latest) of every shipment revision of these orders, oldest first."""
    return [
        (shipment_id, earliest, latest)
        for shipment_id, earliest, latest in uow.session.execute(
            select(EddRevision.shipment_id, EddRevision.earliest, EddRevision.latest)
            .where(
                EddRevision.merchant_id == merchant_id,
                EddRevision.order_id.in_(order_ids),
                EddRevision.shipment_id.is_not(None),
            )
            .order_by(EddRevision.recorded_at, EddRevision.id)
        )
    ]


def last_revised_at(uow: UnitOfWork, merchant_id: str, shipment_ids: Sequence[str]) -> dict[str, datetime]:
    """When each shipment's promise was last revised."""
    return dict(
        uow.session.execute(
            select(EddRevision.shipment_id, func.max(EddRevision.recorded_at))
            .where(EddRevision.merchant_id == merchant_id, EddRevision.shipment_id.in_(shipment_ids))
            .group_by(EddRevision.shipment_id)
        ).all()
    )


def order_revisions_oldest_first(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[EddRevision]:
    """Every revision of the order and its shipments, oldest first."""
    return list(
        uow.session.scalars(
            select(EddRevision)
            .where(EddRevision.merchant_id == merchant_id, EddRevision.order_id == order_id)
            .order_by(EddRevision.recorded_at, EddRevision.id)
        )
    )
