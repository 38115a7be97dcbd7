"""The orders feature's reactions to other features' events (see :mod:`ordertrack.handlers`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import ShipmentCreated, ShipmentStatusChanged
from ordertrack.orders import service as orders_service


def rederive_orders_of_shipments(
    uow: UnitOfWork, events: Sequence[ShipmentStatusChanged | ShipmentCreated]
) -> None:
    """A shipment was made or its status moved: its order's derived status may move too."""
    by_merchant: dict[str, set[str]] = defaultdict(set)
    for event in events:
        by_merchant[event.merchant_id].add(event.order_id)
    for merchant_id, order_ids in by_merchant.items():
        orders_service.refresh_order_status(uow, merchant_id, order_ids)
