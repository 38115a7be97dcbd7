"""Counting what the shopper's pages are asked for: one short write of its own per visit.

The count runs as the response's background task, after the page has been sent, in its own
transaction: the shopper never waits for it. On PostgreSQL that transaction commits without
waiting for the disk (``synchronous_commit`` off, for it alone): a crash may lose the last
fraction of a second of counts, never anything else. A count that fails (a busy database) is
dropped and logged, never a failed page.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ordertrack.analytics.wismo import Demand, count_demand
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service
from ordertrack.tracking import parcels as tracking_parcels

log = logging.getLogger(__name__)


def count_visit(db: Database, order_id: str, kind: Demand, *, merchant_id: str | None = None) -> None:
    try:
        with db.uow() as uow:
            if not db.is_sqlite:
                uow.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            if merchant_id is None:
                order = orders_service.order_for_tracking_link(uow, order_id)
                if order is None:
                    return
                merchant_id = order.merchant_id
            count_demand(uow, merchant_id, order_id, kind, now=utcnow())
            uow.commit()
    except DBAPIError as error:
        log.warning("tracking demand not counted for %s: %s", order_id, error.__class__.__name__)


def count_parcel_visit(db: Database, parcel_id: str, kind: Demand) -> None:
    """A parcel's page (a label's QR code, a lookup by tracking number) counts for its order; a
    supplier's inbound parcel belongs to no shopper's order and is not counted."""
    try:
        with db.uow(write=False) as uow:
            parcel = tracking_parcels.parcel_for_tracking_link(uow, parcel_id)
            if parcel is None or parcel.shipment_id is None:
                return
            shipments = shipments_service.shipments_by_id(uow, parcel.merchant_id, [parcel.shipment_id])
            if not shipments:
                return
            merchant_id, order_id = parcel.merchant_id, shipments[0].order_id
    except DBAPIError as error:
        log.warning("tracking demand not counted for %s: %s", parcel_id, error.__class__.__name__)
        return
    count_visit(db, order_id, kind, merchant_id=merchant_id)
