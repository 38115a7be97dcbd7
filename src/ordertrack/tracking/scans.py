"""What the checks and promises read of shipments' scans: their times, and the scans of
delivered parcels to learn the usual silence from. Queries of tracking's own tables only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select

from ordertrack.db.uow import UnitOfWork
from ordertrack.tracking.model import Parcel, TrackingEvent


@dataclass(frozen=True)
class ScanTimes:
    """Per shipment: its first carrier scan (not "label created"), its newest scan of any kind,
    and when the newest-received of its scans reached us."""

    first_carrier_scan: dict[str, datetime] = field(default_factory=dict)
    last_scan: dict[str, datetime] = field(default_factory=dict)
    last_heard: dict[str, datetime] = field(default_factory=dict)


def scan_times(uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]) -> ScanTimes:
    ids = sorted(set(shipment_ids))
    times = ScanTimes()
    if not ids:
        return times
    carrier_scan = case((TrackingEvent.status != "info_received", TrackingEvent.occurred_at))
    for shipment_id, first_at, heard_at in uow.session.execute(
        select(Parcel.shipment_id, func.min(carrier_scan), func.max(TrackingEvent.received_at))
        .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
        .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(ids))
        .group_by(Parcel.shipment_id)
    ):
        if first_at is not None:
            times.first_carrier_scan[shipment_id] = first_at
        times.last_heard[shipment_id] = heard_at
    for shipment_id, newest in uow.session.execute(
        select(Parcel.shipment_id, func.max(Parcel.last_event_at))
        .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(ids))
        .group_by(Parcel.shipment_id)
    ):
        if newest is not None:
            times.last_scan[shipment_id] = newest
    return times


def first_carrier_scans(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]
) -> dict[str, datetime]:
    """Each shipment's first scan that is not "label created": when the carrier had it."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return {}
    return {
        shipment_id: first_at
        for shipment_id, first_at in uow.session.execute(
            select(Parcel.shipment_id, func.min(TrackingEvent.occurred_at))
            .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
            .where(
                Parcel.merchant_id == merchant_id,
                Parcel.shipment_id.in_(ids),
                TrackingEvent.status != "info_received",
            )
            .group_by(Parcel.shipment_id)
        )
    }


def parcel_ids_of_shipments(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]
) -> dict[str, list[str]]:
    ids = sorted(set(shipment_ids))
    found: dict[str, list[str]] = defaultdict(list)
    if ids:
        for shipment_id, parcel_id in uow.session.execute(
            select(Parcel.shipment_id, Parcel.id)
            .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(ids))
            .order_by(Parcel.shipment_id, Parcel.seq)
        ):
            found[shipment_id].append(parcel_id)
    return found


def scans_of_shipments(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]
) -> list[tuple[str, str, datetime, str]]:
    """(parcel id, carrier, occurred at, status) of every scan of these shipments' parcels, by
    parcel, oldest first."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return []
    return [
        (parcel_id, carrier, occurred_at, status)
        for parcel_id, carrier, occurred_at, status in uow.session.execute(
            select(Parcel.id, Parcel.carrier, TrackingEvent.occurred_at, TrackingEvent.status)
            .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
            .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(ids))
            .order_by(Parcel.id, TrackingEvent.occurred_at)
        )
    ]
