"""Orders waiting for stock: when the inbound that fills them is put away and can ship.

A backordered order's promise counts from the day its last awaited unit is ready to pick:
the inbound's expected arrival (the carrier's newest word for an ASN's parcels, else the
supplier's), plus the warehouse's put-away time, in the warehouse's business days. The
warehouse's cut-off and processing days then give its dispatch day as for any order, and
transit its delivery (:func:`ordertrack.eta.estimating.promise_order`).

Everything is read from the facts as they stand (:mod:`ordertrack.suppliers.atp`), so the
same inbound events in any order give the same promises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import service as estimates
from ordertrack.eta.calendar import calendar_for
from ordertrack.inventory.model import Warehouse
from ordertrack.suppliers import atp
from ordertrack.suppliers.availability import Cover
from ordertrack.tracking.model import Parcel

# Business days from goods arriving at the dock to being on the shelf, ready to pick: counted,
# checked and put away. The same for every warehouse for now (docs/suppliers.md).
PUT_AWAY_BUSINESS_DAYS = 1


@dataclass(frozen=True, slots=True)
class Readiness:
    """One waiting order: the day its last awaited unit arrives and when it can be picked."""

    order_id: str
    arrives_on: date | None  # None: some units have no inbound (or are all free already)
    ready_at: datetime | None  # put away, in UTC; None as above
    covered: bool  # every awaited unit has an inbound


def asn_arrivals(uow: UnitOfWork, merchant_id: str, inbound_ids: Iterable[str]) -> dict[str, date | None]:
    """Each ASN's expected arrival as the carriers now say it: the latest day of the newest
    estimate of its parcels (None: no carrier estimate yet; the supplier's declared date counts)."""
    ids = sorted(set(inbound_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(Parcel.id, Parcel.inbound_shipment_id).where(
            Parcel.merchant_id == merchant_id, Parcel.inbound_shipment_id.in_(ids)
        )
    ).all()
    owner = {parcel_id: inbound_id for parcel_id, inbound_id in rows}
    found: dict[str, date | None] = dict.fromkeys(ids)
    for parcel_id, revisions in estimates.estimates_for_parcels(uow, merchant_id, owner).items():
        inbound_id, latest = owner[parcel_id], revisions[-1].latest
        current = found.get(inbound_id)
        found[inbound_id] = latest if current is None else max(current, latest)
    return found


def covers_of_skus(uow: UnitOfWork, merchant_id: str, skus: Iterable[str], now: datetime) -> dict[str, Cover]:
    """Which inbound fills each backordered line of these SKUs, with the carriers' word on ASNs."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    arrivals = asn_arrivals(uow, merchant_id, atp.asn_ids_of_skus(uow, merchant_id, wanted))
    return atp.covers(uow, merchant_id, wanted, today=now.date(), arrivals=arrivals)


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
        skus = atp.backordered_skus_of_orders(uow, merchant_id, ids)
        if not skus:
            return {}
        covers = covers_of_skus(uow, merchant_id, skus, now)
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


def put_away(arrives_on: date, warehouse: Warehouse | None) -> datetime:
    """When goods arriving that day are on the shelf: the start of the warehouse's
    ``PUT_AWAY_BUSINESS_DAYS``-th business day after it, in its time zone."""
    if warehouse is None:
        zone, calendar = ZoneInfo("UTC"), calendar_for("US")
    else:
        zone, calendar = ZoneInfo(warehouse.timezone), calendar_for(warehouse.country)
    day = calendar.add_business_days(arrives_on, PUT_AWAY_BUSINESS_DAYS)
    return datetime.combine(day, time(0, 0), tzinfo=zone)
