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
