"""Keeping delivery estimates: a revision is stored only when the promise changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select

from ordertrack.db.uow import UnitOfWork
from ordertrack.eta.model import DeliveryEstimate
from ordertrack.kit.ids import new_id


def record_estimate(
    uow: UnitOfWork,
    merchant_id: str,
    parcel_id: str,
    *,
    earliest: date,
    latest: date,
    source: str,
    reason: str | None,
    recorded_at: datetime,
    most_likely: date | None = None,
) -> str | None:
    """Store a revision when it differs from the parcel's newest one from the same source:
    ``"first"`` for the parcel's first estimate, ``"revised"`` for a change, None when unchanged."""
    if latest < earliest:
        earliest, latest = latest, earliest
    newest = uow.session.scalars(
        select(DeliveryEstimate)
        .where(
            DeliveryEstimate.merchant_id == merchant_id,
            DeliveryEstimate.parcel_id == parcel_id,
            DeliveryEstimate.source == source,
        )
        .order_by(DeliveryEstimate.recorded_at.desc(), DeliveryEstimate.id.desc())
        .limit(1)
    ).first()
    if newest is not None and (newest.earliest, newest.latest, newest.most_likely) == (
        earliest,
        latest,
        most_likely,
    ):
        return None
    uow.session.add(
        DeliveryEstimate(
            id=new_id("edd"),
            merchant_id=merchant_id,
            parcel_id=parcel_id,
            earliest=earliest,
            latest=latest,
            most_likely=most_likely,
            source=source,
            reason=reason,
            recorded_at=recorded_at,
        )
    )
    uow.record_page_change(parcel_ids=[parcel_id])
    return "first" if newest is None else "revised"


def estimates_for_parcels(
    uow: UnitOfWork, merchant_id: str, parcel_ids: Iterable[str]
) -> dict[str, list[DeliveryEstimate]]:
    """Each parcel's revisions, oldest first."""
    ids = sorted(set(parcel_ids))
    found: dict[str, list[DeliveryEstimate]] = defaultdict(list)
    if not ids:
        return found
    for row in uow.session.scalars(
        select(DeliveryEstimate)
        .where(DeliveryEstimate.merchant_id == merchant_id, DeliveryEstimate.parcel_id.in_(ids))
        .order_by(DeliveryEstimate.recorded_at, DeliveryEstimate.id)
    ):
        found[row.parcel_id].append(row)
    return found
