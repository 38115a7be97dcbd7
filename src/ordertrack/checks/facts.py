"""The facts eta and attention compute from, read through the owning features' services."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from babel.core import get_global

from ordertrack.carriers.zones import principal_zone, zone_for
from ordertrack.checks import waiting as waiting_for_stock
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta.estimating import OrderJourney, ShipmentJourney, Window
from ordertrack.eta.history import PastDelivery
from ordertrack.eta.places import Origin, Place, default_origin, origin_of, place
from ordertrack.inventory import reservations as inventory_reservations
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.model import Warehouse
from ordertrack.inventory.reservations import ShipTo
from ordertrack.kit.clock import utcnow
from ordertrack.kit.geo import Point
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order
from ordertrack.shipments import service as shipments_service
from ordertrack.shipments.model import Shipment
from ordertrack.tracking import scans as tracking_scans
from ordertrack.tracking.scans import ScanTimes


@functools.lru_cache(maxsize=4096)
def destination(country: str | None, region: str | None, city: str | None = None) -> Place:
    """An order's destination: the region's zone in the large countries, else the country's;
    placed on the globe by its town, region or country."""
    country = (country or "").upper() or "US"
    region = region.strip().upper() if region and region.strip() else None
    zone = zone_for(country, region, None, None) or principal_zone(country) or _first_zone(country)
    return place(country, region, zone, city)


def _first_zone(country: str) -> str:
    zones = get_global("territory_zones").get(country, ())
    return str(zones[0]) if zones else "UTC"


def origin(warehouse: Warehouse | None, fallback: Place) -> Origin:
    """The warehouse's place and working rules; without one, the destination's, 14:00 on weekdays."""
    if warehouse is None:
        return default_origin(fallback)
    return origin_of(
        warehouse.country,
        warehouse.region,
        warehouse.timezone,
        warehouse.cutoff_time,
        warehouse.processing_days,
        city=warehouse.city,
        point=(
            Point(warehouse.latitude, warehouse.longitude)
            if warehouse.latitude is not None and warehouse.longitude is not None
            else None
        ),
    )


def window_of(earliest: object, latest: object, most_likely: object, reason: str) -> Window | None:
    """A stored window; what it was based on is not known from the cached columns ("")."""
    if earliest is None or latest is None or most_likely is None:
        return None
    return Window(earliest, latest, most_likely, reason, basis="")  # type: ignore[arg-type]


@dataclass(frozen=True)
class Watched:
    """The shipments a round looks at, with everything read about them."""

    shipments: list[Shipment]
    orders: dict[str, Order]
    warehouses: dict[str, Warehouse]
    scans: ScanTimes
    parcels: dict[str, list[str]]

    def destination(self, shipment: Shipment) -> Place:
        order = self.orders[shipment.order_id]
        return destination(order.ship_country, order.ship_region, order.ship_city)

    def origin(self, shipment: Shipment) -> Origin:
        return origin(self.warehouses.get(shipment.warehouse or ""), self.destination(shipment))

    def journeys(self) -> list[ShipmentJourney]:
        return [self.journey(s) for s in self.shipments]

    def journey(self, shipment: Shipment) -> ShipmentJourney:
        return ShipmentJourney(
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            carrier=shipment.carrier,
            service=shipment.service,
            status=shipment.status,
            origin=self.origin(shipment),
            destination=self.destination(shipment),
            ordered_at=self.orders[shipment.order_id].placed_at,
            labelled_at=shipment.created_at,
            handed_over_at=shipment.handed_over_at,
            first_carrier_scan_at=self.scans.first_carrier_scan.get(shipment.id),
            delivered_at=shipment.delivered_at,
            promise=window_of(shipment.edd_earliest, shipment.edd_latest, shipment.edd_most_likely, "now"),
            parcel_ids=tuple(self.parcels.get(shipment.id, ())),
            reason=shipment.reason,
        )


def watch(uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]) -> Watched:
    """The shipments (by id), their orders, the merchant's warehouses, their scans' times."""
    ids = sorted(set(shipment_ids))
    shipments = shipments_service.shipments_by_id(uow, merchant_id, ids)
    return Watched(
        shipments=shipments,
        orders=orders_service.orders_by_id(uow, merchant_id, {s.order_id for s in shipments}),
        warehouses=warehouses(uow, merchant_id),
        scans=tracking_scans.scan_times(uow, merchant_id, ids),
        parcels=tracking_scans.parcel_ids_of_shipments(uow, merchant_id, ids),
    )


def warehouses(uow: UnitOfWork, merchant_id: str) -> dict[str, Warehouse]:
    return {w.code: w for w in inventory_service.list_warehouses(uow, merchant_id)}


def order_journeys(
    uow: UnitOfWork,
    merchant_id: str,
    orders: Sequence[Order],
    *,
    new: bool = False,
    fresh: Mapping[str, Window] | None = None,
    now: datetime | None = None,
    ready: Mapping[str, waiting_for_stock.Readiness] | None = None,
) -> list[OrderJourney]:
    """Each order's parts (its shipments' promises, ``fresh`` ones first) and what is left to ship,
    from the warehouse that would ship it (the one holding its units, else the nearest by the
    allocation rule), and for units waiting for stock when the inbound filling them is put away.
    ``new``: just placed; ``ready``: the waiting orders' readiness, when the caller worked it out."""
    ids = [o.id for o in orders]
    if ready is None:
        ready = waiting_for_stock.readiness(uow, merchant_id, ids, now or utcnow())
    parts: Mapping[str, list[Shipment]] = (
        {} if new else shipments_service.shipments_for_orders(uow, merchant_id, ids)
    )
    shipped: Mapping[str, int] = (
        {}
        if new
        else {
            order_id: sum(sum(f.quantities.values()) for f in facts)
            for order_id, facts in shipments_service.shipment_facts(uow, merchant_id, ids).items()
        }
    )
    ships_from = inventory_reservations.shipping_warehouses(
        uow,
        merchant_id,
        {o.id: ShipTo(o.ship_country, o.ship_region, o.ship_city) for o in orders},
    )
    journeys = []
    for order in orders:
        where = destination(order.ship_country, order.ship_region, order.ship_city)
        windows = [
            (fresh or {}).get(s.id)
            or window_of(s.edd_earliest, s.edd_latest, s.edd_most_likely, "its shipments")
            for s in parts.get(order.id, [])
        ]
        journeys.append(
            OrderJourney(
                order_id=order.id,
                ordered_at=order.placed_at,
                destination=where,
                origin=origin(ships_from.get(order.id), where),
                promise=window_of(order.edd_earliest, order.edd_latest, order.edd_most_likely, "now"),
                parts=tuple(w for w in windows if w is not None),
                all_shipped=shipped.get(order.id, 0) >= sum(line.quantity for line in order.lines),
                stock_ready_at=ready[order.id].ready_at if order.id in ready else None,
                waiting_for_stock=order.id in ready,
            )
        )
    return journeys


def past_deliveries(uow: UnitOfWork, merchant_id: str) -> Callable[[int], list[PastDelivery]]:
    """What learning reads: the merchant's newest deliveries, each placed on its lane. The
    carrier had a parcel from its hand-off, else from its first carrier scan."""

    def read(limit: int) -> list[PastDelivery]:
        delivered = shipments_service.newest_deliveries(uow, merchant_id, limit)
        ids = [s.id for s in delivered]
        orders = orders_service.placements(uow, merchant_id, {s.order_id for s in delivered})
        first_scans = tracking_scans.first_carrier_scans(uow, merchant_id, ids)
        stock = warehouses(uow, merchant_id)
        found = []
        for shipment in delivered:
            order = orders.get(shipment.order_id)
            if order is None or shipment.delivered_at is None:
                continue
            where = destination(order.country, order.region)
            found.append(
                PastDelivery(
                    carrier=shipment.carrier,
                    service=shipment.service,
                    origin=origin(stock.get(shipment.warehouse or ""), where),
                    destination=where,
                    ordered_at=order.placed_at,
                    left_at=shipment.handed_over_at or first_scans.get(shipment.id) or shipment.created_at,
                    delivered_at=shipment.delivered_at,
                )
            )
        return found

    return read
