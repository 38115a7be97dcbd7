"""Shipping (part of) an order: the use case above orders, inventory, carriers, shipments and
tracking that none of them could own alone.

The order is locked and checked, the lines are allocated and packed by the pure shipment
rules, numbers are validated or issued by the carriers feature, the shipment is registered,
its units leave stock, early scans are claimed by tracking, and the fact is recorded:
:class:`~ordertrack.events.ShipmentCreated`. Who reacts to that (the order's status, its
promise, polling, the "shipped" message) is in :mod:`ordertrack.handlers`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ordertrack.carriers import service as carriers_service
from ordertrack.carriers.tracking_numbers import validate_tracking_number
from ordertrack.db.uow import UnitOfWork
from ordertrack.events import ShipmentCreated
from ordertrack.inventory import reservations
from ordertrack.kit.clock import utcnow
from ordertrack.orders import service as orders_service
from ordertrack.orders.status import check_action
from ordertrack.shipments import rules
from ordertrack.shipments import service as shipments_service
from ordertrack.shipments.model import Shipment
from ordertrack.shipments.schemas import ShipmentIn
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking import service as tracking_service


def create_shipment(
    uow: UnitOfWork,
    merchant_id: str,
    order_ref: str,
    data: ShipmentIn,
    *,
    recycle_window: timedelta,
    now: datetime | None = None,
) -> Shipment:
    """Ship (part of) an order in one or more parcels; scans that came early attach now."""
    now = now or utcnow()
    order = orders_service.find_order(uow, merchant_id, order_ref, lock=True)
    check_action("ship", order.status)
    already = shipments_service.shipped_quantities(uow, merchant_id, order.id)
    remaining = rules.remaining_quantities(order.lines, already)
    allocation = rules.allocate(order.lines, remaining, rules.requested_lines(data))
    numbers = _tracking_numbers(uow, merchant_id, data)
    since = rules.recycled_after(now, recycle_window)
    clash = tracking_parcels.number_in_flight(uow, merchant_id, data.carrier, numbers, since)
    if clash is not None:
        raise rules.TrackingNumberInUse(
            f"tracking number {clash[0]} is already on shipment {clash[1]}, which is still under way"
        )
    shipment = shipments_service.register_shipment(
        uow, merchant_id, order.id, data, allocation, numbers, now=now
    )
    reservations.ship_from_stock(uow, merchant_id, order.id, data.warehouse, allocation, actor="api")
    if order.confirmed_at is None:
        # Shipping confirms the order; what this shipment does not carry is reserved now.
        shipped = dict(already)
        for line_id, _sku, qty in allocation:
            shipped[line_id] = shipped.get(line_id, 0) + qty
        reservations.reserve_order(
            uow, merchant_id, orders_service.stock_to_hold(order), actor="api", already_shipped=shipped
        )
    orders_service.mark_confirmed(order, now)
    uow.flush()
    tracking_service.claim_events_for_new_parcels(
        uow,
        merchant_id,
        [(p.id, p.tracking_number, p.carrier, p.created_at) for p in shipment.parcels],
        recycle_window=recycle_window,
        now=now,
    )
    uow.record_page_change(order_id=order.id)  # the order's page gains a shipment
    uow.record(
        ShipmentCreated(
            merchant_id, shipment.id, order.id, data.carrier, tuple(p.id for p in shipment.parcels), now
        )
    )
    uow.settle()  # the caller reads back what the handlers derive: the first promise, the order's status
    return shipment


def _tracking_numbers(uow: UnitOfWork, merchant_id: str, data: ShipmentIn) -> list[str]:
    """The parcels' numbers: each given one checked against its carrier, the missing ones issued."""
    given = [data.tracking_number] if data.parcels is None else [p.tracking_number for p in data.parcels]
    issued = iter(carriers_service.issue_own_numbers(uow, merchant_id, sum(n is None for n in given)))
    return [validate_tracking_number(data.carrier, n) if n is not None else next(issued) for n in given]
