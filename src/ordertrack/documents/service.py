"""Gather what a shipment's label and packing slip show, from the features that own it."""

from __future__ import annotations

from ordertrack.catalog import service as catalog_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.documents.model import Address, LabelData, PackingSlipData, PageSize, SlipLine

__all__ = ["LabelData", "label_data", "packing_slip_data"]
from ordertrack.inventory import service as inventory_service
from ordertrack.merchants import service as merchants_service
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order
from ordertrack.shipments import service as shipments_service
from ordertrack.shipments.model import Shipment
from ordertrack.web.tokens import tracking_url


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
    """Each parcel's weight: as packed, else (one parcel) the catalog weight of its contents."""
    known = [p.weight_grams for p in shipment.parcels]
    if len(known) == 1 and known[0] is None:
        unit = catalog_service.product_weights(uow, merchant_id, {line.sku for line in shipment.lines})
        return [sum(unit.get(line.sku, 0) * line.quantity for line in shipment.lines)]
    return [weight or 0 for weight in known]


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
    uow: UnitOfWork, merchant_id: str, shipment_id: str, page_size: PageSize
) -> PackingSlipData:
    """What this shipment carries, and what of the order is still to follow."""
    shipment = shipments_service.get_shipment(uow, merchant_id, shipment_id)
    order = orders_service.find_order(uow, merchant_id, shipment.order_id)
    names = {line.id: line.name or "" for line in order.lines}
    shipped: dict[str, int] = {}
    for other in shipments_service.shipments_for_orders(uow, merchant_id, [order.id]).get(order.id, []):
        for line in other.lines:
            shipped[line.order_line_id] = shipped.get(line.order_line_id, 0) + line.quantity
    return PackingSlipData(
        merchant_name=merchants_service.merchant_name(uow, merchant_id),
        order_number=order.number,
        ship_to=_ship_to(order),
        lines=tuple(
            SlipLine(line.sku, names.get(line.order_line_id, ""), line.quantity) for line in shipment.lines
        ),
        still_to_follow=tuple(
            SlipLine(line.sku, line.name or "", line.quantity - shipped.get(line.id, 0))
            for line in order.lines
            if line.quantity > shipped.get(line.id, 0)
        ),
        page_size=page_size,
        parcel_index=1,
        parcel_count=1,
        placed_at=order.placed_at,
    )
