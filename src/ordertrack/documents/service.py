"""Gather what a shipment's label and packing slip show, from the features that own it."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ordertrack.catalog import service as catalog_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.documents.model import Address, LabelData, PackingSlipData, PageSize, SlipLine
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.errors import NotFound
from ordertrack.links import tracking_url
from ordertrack.merchants import service as merchants_service
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service

if TYPE_CHECKING:
    # Only the types of what the orders and shipments services return: documents reads those
    # objects and never queries another feature's tables.
    from ordertrack.orders.model import Order
    from ordertrack.shipments.model import Shipment

__all__ = ["LabelData", "label_data", "packing_slip_data"]


class ParcelNotFound(NotFound):
    code = "parcel_not_found"


def _ship_to(order: Order) -> Address:
    return Address(
        name=order.ship_name or "",
        line1=order.ship_line1 or "",
        line2=order.ship_line2 or "",
        city=order.ship_city or "",
        region=order.ship_region or "",
        postal_code=order.ship_postal_code or "",
        country=order.ship_country or "",
    )


def _ship_from(uow: UnitOfWork, merchant_id: str, merchant: str, shipment: Shipment) -> Address:
    """The warehouse's address when the merchant keeps stock there, else the merchant's name."""
    if shipment.warehouse and inventory_service.uses_inventory(uow, merchant_id):
        w = inventory_service.find_warehouse(uow, merchant_id, shipment.warehouse)
        return Address(
            name=merchant,
            line1=w.line1 or w.name,
            line2=w.line2 or "",
            city=w.city or "",
            region=w.region or "",
            postal_code=w.postal_code or "",
            country=w.country,
        )
    return Address(merchant, shipment.warehouse or "", "", "", "", "", "")


def _weights(uow: UnitOfWork, merchant_id: str, shipment: Shipment) -> list[int]:
    """Each parcel's weight: as packed, else the catalog weight of what it holds (0 if unknown)."""
    skus = {line.sku for line in shipment.lines}
    unit = catalog_service.product_weights(uow, merchant_id, skus)
    return [
        parcel.weight_grams
        if parcel.weight_grams is not None
        else sum(unit.get(item.sku, 0) * item.quantity for item in parcel.items)
        for parcel in shipment.parcels
    ]


def label_data(
    uow: UnitOfWork, merchant_id: str, shipment_id: str, *, public_url: str, secret: str
) -> list[LabelData]:
    """One label per parcel of the shipment, in parcel order."""
    shipment = shipments_service.get_shipment(uow, merchant_id, shipment_id)
    order = orders_service.find_order(uow, merchant_id, shipment.order_id)
    merchant = merchants_service.merchant_name(uow, merchant_id)
    ship_from = _ship_from(uow, merchant_id, merchant, shipment)
    url = tracking_url(public_url, secret, order.id)
    weights = _weights(uow, merchant_id, shipment)
    count = len(shipment.parcels)
    return [
        LabelData(
            merchant_name=merchant,
            ship_from=ship_from,
            ship_to=_ship_to(order),
            carrier=shipment.carrier,
            service=shipment.service or "",
            weight_grams=weight,
            parcel_index=index,
            parcel_count=count,
            tracking_number=parcel.tracking_number,
            tracking_url=url,
            order_number=order.number,
        )
        for index, (parcel, weight) in enumerate(zip(shipment.parcels, weights, strict=True), start=1)
    ]


def packing_slip_data(
    uow: UnitOfWork, merchant_id: str, shipment_id: str, page_size: PageSize, *, parcel: int | None = None
) -> list[PackingSlipData]:
    """The shipment's packing slips: one per parcel when the parcels are itemised, else one.

    "Still to follow" is what the shopper has not yet been sent once this parcel arrives:
    the order less what earlier shipments carried, less this parcel and the ones before it.
    ``parcel`` (1-based) picks one parcel's slip.
    """
    shipment = shipments_service.get_shipment(uow, merchant_id, shipment_id)
    if parcel is not None and not 1 <= parcel <= len(shipment.parcels):
        raise ParcelNotFound(
            f"shipment {shipment_id} has {len(shipment.parcels)} parcel(s), not a parcel {parcel}"
        )
    order = orders_service.find_order(uow, merchant_id, shipment.order_id)
    names = {line.id: line.name or "" for line in order.lines}
    sent: dict[str, int] = defaultdict(int)
    for other in shipments_service.shipments_for_orders(uow, merchant_id, [order.id]).get(order.id, []):
        if other.id < shipment.id:
            for line in other.lines:
                sent[line.order_line_id] += line.quantity
    itemised = all(p.items for p in shipment.parcels)
    held = [p.items for p in shipment.parcels] if itemised else [shipment.lines]
    boxes = [[(item.order_line_id, item.sku, item.quantity) for item in box] for box in held]
    merchant = merchants_service.merchant_name(uow, merchant_id)
    slips = []
    for index, contents in enumerate(boxes, start=1):
        for line_id, _sku, quantity in contents:
            sent[line_id] += quantity
        if parcel is not None and itemised and index != parcel:
            continue
        slips.append(
            PackingSlipData(
                merchant_name=merchant,
                order_number=order.number,
                ship_to=_ship_to(order),
                lines=tuple(
                    SlipLine(sku, names.get(line_id, ""), quantity) for line_id, sku, quantity in contents
                ),
                still_to_follow=tuple(
                    SlipLine(line.sku, line.name or "", line.quantity - sent[line.id])
                    for line in order.lines
                    if line.quantity > sent[line.id]
                ),
                page_size=page_size,
                parcel_index=index,
                parcel_count=len(boxes),
                placed_at=order.placed_at,
            )
        )
    return slips
