"""Loading ``figures.DeliveryFacts`` from the tables: a handful of set-based queries per batch of
shipments, never one per shipment (issue 22).

Where each fact lives:
- carrier, service, warehouse, delivery time, status: the shipment; cancelled: its order's
  ``cancelled_at``; ordered at and the destination (country, region, hence its time zone): the order.
- origin country and region: the shipping warehouse (by its code, of the same merchant).
- hand-off: the first scan of any of the shipment's parcels that is not "label created"; every
  such scan (its city and country) is a stop for "where parcels wait". Tracking events carry no
  facility, so a place is the city with its country.
- failed attempts: scans with status ``failed_attempt``; exception reasons: the reasons of scans
  with status ``exception`` (``unknown`` when the carrier gave none); returned to sender: the
  shipment returned, or any scan ``returning``/``returned``.
- the promise in force at hand-off: the shipment's newest promise revision recorded at or before
  the hand-off (the first revision when every one came later, e.g. the scan arrived late);
  without revisions, ``promised_latest``. Revisions: the later ones that moved the window, with
  their cause (its stage when no cause was kept), not counting the window collapsing to the day
  of delivery.
- carrier estimate: each parcel's first estimate from a carrier source; the shipment's is the
  latest of its parcels' (it is delivered when its last parcel is).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from babel.core import get_global
from sqlalchemy import and_, select

from ordertrack.analytics.figures import DeliveryFacts, PromiseRevision, ScanStop
from ordertrack.carriers.zones import principal_zone, zone_for
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta.model import DeliveryEstimate, EddRevision
from ordertrack.inventory.model import Warehouse
from ordertrack.orders.model import Order
from ordertrack.shipments.model import Shipment
from ordertrack.tracking.model import Parcel, TrackingEvent

BATCH = 1000
RETURNED_STATUSES = ("returning", "returned")


@functools.lru_cache(maxsize=4096)
def destination_zone(country: str | None, region: str | None) -> str:
    """The destination's time zone, as promises use it: the region's zone in the countries of
    several clocks, else the country's principal one; UTC when the country is unknown."""
    country = (country or "").upper() or "US"
    region = region.strip().upper() if region and region.strip() else None
    zone = zone_for(country, region, None, None) or principal_zone(country)
    if zone:
        return zone
    zones = get_global("territory_zones").get(country, ())
    return str(zones[0]) if zones else "UTC"


def load_facts(uow: UnitOfWork, shipment_ids: Iterable[str]) -> dict[str, DeliveryFacts]:
    """The facts of these outbound shipments (of any merchant: the due queue mixes them), by id.
    A shipment that does not exist (deleted) is missing from the answer."""
    ids = sorted(set(shipment_ids))
    found: dict[str, DeliveryFacts] = {}
    for start in range(0, len(ids), BATCH):
        found.update(_load_batch(uow, ids[start : start + BATCH]))
    return found


def merchant_shipment_ids(uow: UnitOfWork, merchant_id: str, batch: int = BATCH) -> Iterator[list[str]]:
    """Every shipment id of the merchant, in batches, by id (keyset: each batch one indexed query)."""
    after = ""
    while True:
        ids = list(
            uow.session.scalars(
                select(Shipment.id)
                .where(Shipment.merchant_id == merchant_id, Shipment.id > after)
                .order_by(Shipment.id)
                .limit(batch)
            )
        )
        if not ids:
            return
        yield ids
        after = ids[-1]


def merchant_facts(uow: UnitOfWork, merchant_id: str, batch: int = BATCH) -> Iterator[list[DeliveryFacts]]:
    """All of a merchant's shipments' facts, streamed in batches."""
    for ids in merchant_shipment_ids(uow, merchant_id, batch):
        facts = _load_batch(uow, ids)
        yield [facts[i] for i in ids if i in facts]


def _load_batch(uow: UnitOfWork, ids: Sequence[str]) -> dict[str, DeliveryFacts]:
    session = uow.session
    rows = session.execute(
        select(
            Shipment.id,
            Shipment.merchant_id,
            Shipment.carrier,
            Shipment.service,
            Shipment.warehouse,
            Shipment.status,
            Shipment.delivered_at,
            Shipment.promised_latest,
            Order.placed_at,
            Order.cancelled_at,
            Order.ship_country,
            Order.ship_region,
            Warehouse.country,
            Warehouse.region,
        )
        .join(Order, Order.id == Shipment.order_id)
        .outerjoin(
            Warehouse,
            and_(Warehouse.merchant_id == Shipment.merchant_id, Warehouse.code == Shipment.warehouse),
        )
        .where(Shipment.id.in_(ids))
    ).all()
    if not rows:
        return {}
    scans = _scans(uow, ids)
    revisions = _revisions(uow, ids)
    estimates = _carrier_estimates(uow, ids)
    found = {}
    for row in rows:
        (sid, merchant, carrier, service, warehouse, status, delivered_at, promised_latest) = row[:8]
        (placed_at, cancelled_at, ship_country, ship_region, origin_country, origin_region) = row[8:]
        stops, failed, reasons, returned = scans.get(sid, ((), 0, frozenset(), False))
        handed_off = min((s.occurred_at for s in stops), default=None)
        earliest, latest, revised = _promise_at(revisions.get(sid, []), handed_off, promised_latest)
        found[sid] = DeliveryFacts(
            shipment_id=sid,  # type: ignore[arg-type]
            merchant_id=merchant,  # type: ignore[arg-type]
            carrier=carrier,
            ordered_at=placed_at,
            destination_zone=destination_zone(ship_country, ship_region),
            service=service,
            warehouse=warehouse,
            origin_country=origin_country,
            origin_region=origin_region,
            destination_country=ship_country,
            destination_region=ship_region,
            handed_off_at=handed_off,
            delivered_at=delivered_at,
            promise_earliest=earliest,
            promise_latest=latest,
            revisions=revised,
            carrier_estimate=estimates.get(sid),
            failed_attempts=failed,
            exception_reasons=reasons,
            returned_to_sender=returned or status == "returned",
            cancelled=cancelled_at is not None,
            scans=tuple(s for s in stops if s.city or s.country),
        )
    return found


def _scans(
    uow: UnitOfWork, ids: Sequence[str]
) -> dict[str, tuple[tuple[ScanStop, ...], int, frozenset[str], bool]]:
    """Per shipment: its carrier scans (not "label created") oldest first, failed attempts,
    exception reasons and whether it went back to the sender."""
    stops: dict[str, list[ScanStop]] = defaultdict(list)
    failed: dict[str, int] = defaultdict(int)
    reasons: dict[str, set[str]] = defaultdict(set)
    returned: set[str] = set()
    for sid, occurred_at, status, reason, city, country in uow.session.execute(
        select(
            Parcel.shipment_id,
            TrackingEvent.occurred_at,
            TrackingEvent.status,
            TrackingEvent.reason,
            TrackingEvent.city,
            TrackingEvent.country,
        )
        .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
        .where(Parcel.shipment_id.in_(ids), TrackingEvent.status != "info_received")
        .order_by(Parcel.shipment_id, TrackingEvent.occurred_at, TrackingEvent.id)
    ):
        stops[sid].append(ScanStop(occurred_at, city, country))
        if status == "failed_attempt":
            failed[sid] += 1
        elif status == "exception":
            reasons[sid].add(reason or "unknown")
        elif status in RETURNED_STATUSES:
            returned.add(sid)
    return {
        sid: (tuple(found), failed[sid], frozenset(reasons[sid]), sid in returned)
        for sid, found in stops.items()
    }


def _revisions(uow: UnitOfWork, ids: Sequence[str]) -> dict[str, list[EddRevision]]:
    found: dict[str, list[EddRevision]] = defaultdict(list)
    for revision in uow.session.scalars(
        select(EddRevision)
        .where(EddRevision.shipment_id.in_(ids))
        .order_by(EddRevision.shipment_id, EddRevision.recorded_at, EddRevision.id)
    ):
        found[revision.shipment_id].append(revision)  # type: ignore[index]
    return found


def _promise_at(
    revisions: Sequence[EddRevision], handed_off: datetime | None, promised_latest: date | None
) -> tuple[date | None, date | None, tuple[PromiseRevision, ...]]:
    """The window in force at hand-off and the revisions that moved it later."""
    if not revisions:
        return None, promised_latest, ()
    in_force = 0
    if handed_off is not None:
        for index, revision in enumerate(revisions):
            if revision.recorded_at <= handed_off:
                in_force = index
    base = revisions[in_force]
    window = (base.earliest, base.latest)
    later = []
    for revision in revisions[in_force + 1 :]:
        if revision.stage == "delivered" or (revision.earliest, revision.latest) == window:
            continue
        window = (revision.earliest, revision.latest)
        later.append(
            PromiseRevision(
                revision.recorded_at, revision.earliest, revision.latest, revision.cause or revision.stage
            )
        )
    return base.earliest, base.latest, tuple(later)


def _carrier_estimates(uow: UnitOfWork, ids: Sequence[str]) -> dict[str, date]:
    first: dict[str, date] = {}
    by_shipment: dict[str, date] = {}
    for sid, parcel_id, latest in uow.session.execute(
        select(Parcel.shipment_id, Parcel.id, DeliveryEstimate.latest)
        .join(DeliveryEstimate, DeliveryEstimate.parcel_id == Parcel.id)
        .where(Parcel.shipment_id.in_(ids), DeliveryEstimate.source.like("carrier:%"))
        .order_by(Parcel.id, DeliveryEstimate.recorded_at, DeliveryEstimate.id)
    ):
        if parcel_id in first:
            continue
        first[parcel_id] = latest
        by_shipment[sid] = max(latest, by_shipment.get(sid, latest))
    return by_shipment
