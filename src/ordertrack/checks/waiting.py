"""Orders waiting for stock: when the inbound that fills them is put away and can ship.

A backordered order's promise counts from the day its last awaited unit is ready to pick:
the inbound's expected arrival (an ASN's as its parcels' tracking revises it, else the
supplier's word), plus the warehouse's put-away time, in the warehouse's business days. The
warehouse's cut-off and processing days then give its dispatch day as for any order, and
transit its delivery (:func:`ordertrack.eta.estimating.promise_order`).

Everything is read from the facts as they stand (:mod:`ordertrack.suppliers.atp`), so the
same inbound events in any order give the same promises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory.model import Warehouse
from ordertrack.suppliers import atp
from ordertrack.suppliers.atp import put_away
from ordertrack.suppliers.availability import Cover


@dataclass(frozen=True, slots=True)
class Readiness:
    """One waiting order: the day its last awaited unit arrives and when it can be picked."""

    order_id: str
    arrives_on: date | None  # None: some units have no inbound (or are all free already)
    ready_at: datetime | None  # put away, in UTC; None as above
    covered: bool  # every awaited unit has an inbound


def covers_of_skus(uow: UnitOfWork, merchant_id: str, skus: Iterable[str], now: datetime) -> dict[str, Cover]:
    """Which inbound fills each backordered line of these SKUs (ASNs dated as their tracking says)."""
    return atp.covers(uow, merchant_id, skus, today=now.date())


def readiness(
    uow: UnitOfWork,
    merchant_id: str,
    order_ids: Iterable[str],
    now: datetime,
    *,
    covers: Mapping[str, Cover] | None = None,
) -> dict[str, Readiness]:
    """The orders here that wait for stock, and when their units can be picked. ``covers``: the
    allocation already worked out for their SKUs (a worker revising thousands at once)."""
    ids = set(order_ids)
    if not ids:
        return {}
    if covers is None:
        covers = atp.covers_of_orders(uow, merchant_id, ids, today=now.date())
    mine: dict[str, list[Cover]] = defaultdict(list)
    for cover in covers.values():
        if cover.waiting.order_id in ids:
            mine[cover.waiting.order_id].append(cover)
    if not mine:
        return {}
    warehouses = {
        w.id: w for w in uow.session.scalars(select(Warehouse).where(Warehouse.merchant_id == merchant_id))
    }
    found: dict[str, Readiness] = {}
    for order_id, lines in mine.items():
        covered = all(c.covered for c in lines)
        ready: list[datetime] = []
        arrivals: list[date] = []
        for cover in lines:
            for source in cover.sources:
                if source.arrive_on is None:
                    continue
                arrivals.append(source.arrive_on)
                ready.append(put_away(source.arrive_on, warehouses.get(source.warehouse_id)))
        found[order_id] = Readiness(
            order_id,
            max(arrivals) if covered and arrivals else None,
            max(ready) if covered and ready else None,
            covered,
        )
    return found
