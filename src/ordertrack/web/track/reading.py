"""Gather what a tracking page shows, through the features' services (never their tables).

A signed link names an order (``ord_…``) or, after a lookup by tracking number, a parcel
(``pcl_…``); the signature is the authority, so these reads start without a merchant id and
take it from the row they find.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ordertrack.carriers.registry import carrier_name, connectors
from ordertrack.customers import service as customers_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import promises
from ordertrack.eta import service as eta_service
from ordertrack.kit.clock import utcnow
from ordertrack.merchants import contact as merchants_contact
from ordertrack.merchants import map_tiles as merchants_map_tiles
from ordertrack.merchants import service as merchants_service
from ordertrack.orders import service as orders_service
from ordertrack.orders.status import FINISHED_ORDER_STATUSES
from ordertrack.purchasing import waiting as purchasing_waiting
from ordertrack.shipments import service as shipments_service
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking import timeline as tracking_timeline
from ordertrack.tracking.schemas import EventOut
from ordertrack.web.track import estimate_words
from ordertrack.web.track.routemap import TileSource
from ordertrack.web.track.view import (
    DeliveryCard,
    EstimateChange,
    ItemFacts,
    LineFacts,
    OrderCard,
    ParcelCard,
    ScanFacts,
    ShipmentCard,
    StoreFacts,
    TrackingPage,
    build_page,
)


@dataclass(frozen=True)
class Subject:
    """What a link opens: a whole order, or one parcel (the limited view)."""

    merchant_id: str
    order_id: str | None
    parcel_id: str | None


def subject_of(uow: UnitOfWork, opened_id: str) -> Subject | None:
    if opened_id.startswith("ord_"):
        order = orders_service.order_for_tracking_link(uow, opened_id)
        return Subject(order.merchant_id, order.id, None) if order else None
    if opened_id.startswith("pcl_"):
        parcel = tracking_parcels.parcel_for_tracking_link(uow, opened_id)
        return Subject(parcel.merchant_id, None, parcel.id) if parcel else None
    return None


def _scan(event: EventOut) -> ScanFacts:
    where = event.location
    return ScanFacts(
        occurred_at=event.occurred_at,
        local_time=datetime.fromisoformat(event.local_time),
        zone=event.timezone,
        approximate=event.time_precision == "approximate",
        status=str(event.status),
        reason=event.reason,
        description=event.description,
        city=where.city if where else None,
        region=where.region if where else None,
        postal_code=where.postal_code if where else None,
        country=where.country if where else None,
        latitude=where.latitude if where else None,
        longitude=where.longitude if where else None,
    )


def store_facts(uow: UnitOfWork, merchant_id: str) -> StoreFacts:
    brand = merchants_service.branding(uow, merchant_id)
    return StoreFacts(
        merchant_id=merchant_id,
        name=brand.display_name,
        logo_data_uri=brand.logo_data_uri,
        contact=merchants_contact.store_contact(uow, merchant_id),
        map_tiles=_tile_source(uow, merchant_id),
    )


def _tile_source(uow: UnitOfWork, merchant_id: str) -> TileSource | None:
    tiles = merchants_map_tiles.map_tiles(uow, merchant_id)
    if not tiles.url_template:
        return None
    return TileSource(url_template=tiles.url_template, attribution=tiles.attribution or "")


def _carrier_names(slugs: set[str]) -> dict[str, str]:
    return {s: carrier_name(s) for s in slugs}


def load_page(uow: UnitOfWork, subject: Subject, *, email_proven: bool) -> TrackingPage | None:
    """The page's view model, or None when the order or parcel no longer exists."""
    store = store_facts(uow, subject.merchant_id)
    if subject.parcel_id is not None:
        parcel = tracking_parcels.parcel_for_tracking_link(uow, subject.parcel_id)
        if parcel is None:
            return None
        events = tracking_timeline.timelines_of_parcels(uow, subject.merchant_id, [parcel.id]).get(
            parcel.id, []
        )
        facts = _parcel_facts(parcel, events)
        return build_page(
            store=store,
            order=None,
            shipments=[ShipmentCard(parcel.carrier, parcel.status, parcel.reason, [facts], None)],
            carrier_names=_carrier_names({parcel.carrier}),
        )
    assert subject.order_id is not None
    order = orders_service.order_for_tracking_link(uow, subject.order_id)
    if order is None:
        return None
    shipments = shipments_service.shipments_for_orders(uow, order.merchant_id, [order.id]).get(order.id, [])
    parcel_ids = [p.id for s in shipments for p in s.parcels]
    timelines = tracking_timeline.timelines_of_parcels(uow, order.merchant_id, parcel_ids)
    names = {line.id: line.name or line.sku for line in order.lines}
    shopper_name = None
    if email_proven and order.customer_id:
        customer = customers_service.get_customers(uow, order.merchant_id, {order.customer_id}).get(
            order.customer_id
        )
        shopper_name = customer.name if customer else None
    shipment_facts = []
    for shipment in shipments:
        parcels = [_parcel_facts(parcel, timelines.get(parcel.id, [])) for parcel in shipment.parcels]
        items = [
            ItemFacts(name=names.get(line.order_line_id, line.sku), sku=line.sku, quantity=line.quantity)
            for line in shipment.lines
        ]
        shipment_facts.append(
            ShipmentCard(
                shipment.carrier,
                shipment.status,
                shipment.reason,
                parcels,
                items,
                handed_over=shipment.handed_over_at is not None,
            )
        )
    carrier_names = _carrier_names(
        {s.carrier for s in shipments} | {p.carrier for s in shipments for p in s.parcels}
    )
    return build_page(
        store=store,
        order=OrderCard(
            number=order.number,
            status=order.status,
            placed_at=order.placed_at,
            city=order.ship_city,
            country=order.ship_country,
            shopper_name=shopper_name,
            needs_attention=order.attention,
            region=order.ship_region,
            currency=order.currency,
            lines=_line_facts(order, shipments, _waiting_for_stock(uow, order)),
            delivered_at=max((s.delivered_at for s in shipments if s.delivered_at), default=None),
        ),
        shipments=shipment_facts,
        carrier_names=carrier_names,
        estimated_delivery=_promise(uow, order) or _estimate(uow, order.merchant_id, shipments),
    )


def _waiting_for_stock(uow: UnitOfWork, order: Any) -> dict[str, tuple[int, date | None]]:
    """Each backordered line's units waiting for stock and the day they should ship (one query
    when nothing waits)."""
    if order.status in FINISHED_ORDER_STATUSES:
        return {}
    lines = purchasing_waiting.lines_of_order(uow, order.merchant_id, order, today=utcnow().date())
    return {line.order_line_id: (line.quantity, line.ships_on) for line in lines}


def _line_facts(
    order: Any, shipments: list[Any], waiting: dict[str, tuple[int, date | None]] | None = None
) -> list[LineFacts]:
    """Each order line, with how many of its units each shipment carries and where they are, and
    how many wait for stock."""
    shipped: dict[str, int] = {}
    delivered: dict[str, int] = {}
    returned: dict[str, int] = {}
    for shipment in shipments:
        for line in shipment.lines:
            shipped[line.order_line_id] = shipped.get(line.order_line_id, 0) + line.quantity
            if shipment.status == "delivered":
                delivered[line.order_line_id] = delivered.get(line.order_line_id, 0) + line.quantity
            elif shipment.status == "returned":
                returned[line.order_line_id] = returned.get(line.order_line_id, 0) + line.quantity
    return [
        LineFacts(
            name=line.name or line.sku,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,
            shipped=shipped.get(line.id, 0),
            delivered=delivered.get(line.id, 0),
            returned=returned.get(line.id, 0),
            waiting_for_stock=(waiting or {}).get(line.id, (0, None))[0],
            ships_on=(waiting or {}).get(line.id, (0, None))[1],
        )
        for line in sorted(order.lines, key=lambda line: line.line_no)
    ]


def _promise(uow: Any, order: Any) -> DeliveryCard | None:
    """Our promise for the whole order (its last part), with every revision that moved it;
    nothing once it has all arrived."""
    if order.edd_earliest is None or order.edd_latest is None or order.status in FINISHED_ORDER_STATUSES:
        return None
    own, _ = promises.revisions_for(uow, order.merchant_id, order.id)
    history = tuple(
        EstimateChange(row.earliest, row.latest, row.recorded_at, estimate_words.why(row.cause))
        for row in own
    )
    # What the promise shown is based on: the newest revision that made this very window.
    current = (order.edd_earliest, order.edd_latest)
    newest = next((row for row in reversed(own) if (row.earliest, row.latest) == current), None)
    basis = (
        estimate_words.basis_of(
            newest.basis, newest.basis_deliveries, newest.origin_country, newest.destination_country
        )
        if newest is not None
        else None
    )
    return DeliveryCard(earliest=order.edd_earliest, latest=order.edd_latest, history=history, basis=basis)


def _estimate(uow: Any, merchant_id: str, shipments: list[Any]) -> DeliveryCard | None:
    """Without a promise of ours: the latest of the undelivered parcels' newest carrier
    estimates, with every revision that moved it."""
    open_parcels = [p.id for s in shipments for p in s.parcels if p.status not in FINISHED_SHIPMENT_STATUSES]
    revisions = eta_service.estimates_for_parcels(uow, merchant_id, open_parcels)
    newest = [rows[-1] for rows in revisions.values() if rows]
    if not newest:
        return None
    last = max(newest, key=lambda row: (row.latest, row.earliest))
    history = tuple(
        EstimateChange(earliest=row.earliest, latest=row.latest, recorded_at=row.recorded_at)
        for row in revisions[last.parcel_id]
    )
    return DeliveryCard(earliest=last.earliest, latest=last.latest, history=history)


def _parcel_facts(parcel: Any, events: list[EventOut]) -> ParcelCard:
    found = connectors().get(parcel.carrier)
    return ParcelCard(
        tracking_number=parcel.tracking_number,
        carrier=parcel.carrier,
        status=parcel.status,
        reason=parcel.reason,
        scans=[_scan(e) for e in events],
        carrier_url=found.page_for(parcel.tracking_number) if found else None,
    )


def change_marker(uow: UnitOfWork, subject: Subject) -> str:
    """A short text that changes whenever the page's content would: polled by the live stream."""
    if subject.parcel_id is not None:
        parcel_ids = [subject.parcel_id]
        status = ""
    else:
        assert subject.order_id is not None
        order = orders_service.order_for_tracking_link(uow, subject.order_id)
        if order is None:
            return "gone"
        parcel_ids = shipments_service.parcel_ids_of_order(uow, subject.merchant_id, order.id)
        status = f"{order.status}.{len(parcel_ids)}"
    count, newest = tracking_timeline.change_marker(uow, subject.merchant_id, parcel_ids)
    return f"{count}.{newest}.{status}"
