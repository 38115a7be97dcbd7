"""The shipments feature's reactions to other features' events (see :mod:`ordertrack.handlers`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import ParcelStatusChanged
from ordertrack.shipments import service as shipments_service


def rederive_shipments_of_parcels(uow: UnitOfWork, events: Sequence[ParcelStatusChanged]) -> None:
    """Handler: a parcel's status moved, so its shipment's derived status may have too (a
    supplier's inbound parcel has no outbound shipment: purchasing derives its own)."""
    by_merchant: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.shipment_id is not None:
            by_merchant[event.merchant_id].add(event.shipment_id)
    for merchant_id, shipment_ids in by_merchant.items():
        shipments_service.refresh_shipments(uow, merchant_id, shipment_ids)
