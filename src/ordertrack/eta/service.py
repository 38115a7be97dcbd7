"""Keeping delivery estimates: a revision is stored only when the promise changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import repository
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
    newest = repository.newest_estimate(uow, merchant_id, parcel_id, source)
    if newest is not None and (newest.earliest, newest.latest, newest.most_likely) == (
        earliest,
        latest,
        most_likely,
    ):
        return None
    repository.add(
        uow,
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
        ),
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
    for row in repository.estimates_oldest_first(uow, merchant_id, ids):
        found[row.parcel_id].append(row)
    return found


def carrier_windows(
    uow: UnitOfWork, merchant_id: str, parcels: Mapping[str, Iterable[str]]
) -> dict[str, tuple[date, date]]:
    """Each shipment's carrier estimate now (``parcels``: shipment id -> its parcel ids): the
    newest revision per parcel, the latest of its parcels'."""
    shipment_of = {parcel_id: shipment_id for shipment_id, ids in parcels.items() for parcel_id in ids}
    found: dict[str, tuple[date, date]] = {}
    for parcel_id, revisions in estimates_for_parcels(uow, merchant_id, shipment_of).items():
        newest = revisions[-1]
        shipment_id = shipment_of[parcel_id]
        if shipment_id not in found or newest.latest > found[shipment_id][1]:
            found[shipment_id] = (newest.earliest, newest.latest)
    return found


def promised_windows(
    uow: UnitOfWork, merchant_id: str, order_ids: Iterable[str]
) -> dict[str, list[tuple[date, date]]]:
    """The windows our promise told for each shipment of these orders, oldest first."""
    ids = sorted(set(order_ids))
    found: dict[str, list[tuple[date, date]]] = defaultdict(list)
    if not ids:
        return found
    for shipment_id, earliest, latest in repository.shipment_windows_oldest_first(uow, merchant_id, ids):
        found[shipment_id].append((earliest, latest))
    return found
