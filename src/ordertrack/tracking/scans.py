"""What the checks and promises read of shipments' scans: their times, and the scans of
delivered parcels to learn the usual silence from. Queries of tracking's own tables only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ordertrack.db.uow import UnitOfWork
from ordertrack.tracking import parcel_rows, repository


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
    for shipment_id, first_at, heard_at in repository.first_scan_and_last_heard(uow, merchant_id, ids):
        if first_at is not None:
            times.first_carrier_scan[shipment_id] = first_at
        times.last_heard[shipment_id] = heard_at
    times.last_scan.update(parcel_rows.newest_scan_per_shipment(uow, merchant_id, ids))
    return times


def first_carrier_scans(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]
) -> dict[str, datetime]:
    """Each shipment's first scan that is not "label created": when the carrier had it."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return {}
    return repository.first_carrier_scans(uow, merchant_id, ids)


def parcel_ids_of_shipments(
    uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]
) -> dict[str, list[str]]:
    ids = sorted(set(shipment_ids))
    found: dict[str, list[str]] = defaultdict(list)
    if ids:
        for shipment_id, parcel_id in parcel_rows.ids_by_shipment(uow, merchant_id, ids):
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
    return repository.scans_of_shipments(uow, merchant_id, ids)
