"""Counting what the shopper's pages are asked for: one short write of its own per visit.

The count runs in its own transaction after the page's reads, so the page never waits on a
lock it holds; a count that fails (a busy database) is dropped and logged, never a failed page.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError

from ordertrack.analytics.wismo import Demand, count_demand
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.orders import service as orders_service

log = logging.getLogger(__name__)


def count_visit(db: Database, order_id: str, kind: Demand, *, merchant_id: str | None = None) -> None:
    try:
        with db.uow() as uow:
            if merchant_id is None:
                order = orders_service.order_for_tracking_link(uow, order_id)
                if order is None:
                    return
                merchant_id = order.merchant_id
            count_demand(uow, merchant_id, order_id, kind, now=utcnow())
            uow.commit()
    except DBAPIError as error:
        log.warning("tracking demand not counted for %s: %s", order_id, error.__class__.__name__)
