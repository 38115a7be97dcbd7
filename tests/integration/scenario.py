"""Small builders for integration tests: an order, a shipment, unified events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from ordertrack.db.uow import Database
from ordertrack.fulfilment import lookup as tracking_lookup
from ordertrack.fulfilment import shipping
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn
from ordertrack.shipments import service as shipments_service
from ordertrack.shipments.schemas import ShipmentIn
from ordertrack.tracking import service as tracking_service
from ordertrack.tracking.service import IngestResult

WINDOW = timedelta(days=60)


def order_payload(number: str = "1001", **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "number": number,
        "customer": {"email": "ann@example.com", "name": "Ann Lee"},
        "shipping_address": {"line1": "1 Main St", "city": "Austin", "postal_code": "78701", "country": "US"},
        "lines": [
            {"sku": "TENT-2P", "quantity": 2, "unit_price": "199.00"},
            {"sku": "MUG-STEEL", "quantity": 1, "unit_price": "12.50"},
        ],
        "currency": "USD",
        "placed_at": "2026-11-01T09:30:00-05:00",
    }
    payload.update(overrides)
    return payload


def place_order(db: Database, merchant_id: str, number: str = "1001") -> str:
    with db.uow() as uow:
        order = orders_service.place_order(uow, merchant_id, OrderIn.model_validate(order_payload(number)))
        uow.commit()
        return order.id


def ship(db: Database, merchant_id: str, order_id: str, tracking_number: str, **body: Any) -> str:
    data = ShipmentIn.model_validate({"carrier": "acme_post", "tracking_number": tracking_number, **body})
    with db.uow() as uow:
        shipment = shipping.create_shipment(uow, merchant_id, order_id, data, recycle_window=WINDOW)
        uow.commit()
        return shipment.id


def event(tracking_number: str, at: datetime, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "tracking_number": tracking_number,
        "carrier": "acme_post",
        "occurred_at": at.isoformat(),
        "status": status,
        **extra,
    }


def ingest(db: Database, merchant_id: str, events: list[dict[str, Any]]) -> IngestResult:
    with db.uow() as uow:
        result = tracking_service.ingest_events(
            uow, merchant_id, events, received_at=datetime.now(UTC), recycle_window=WINDOW
        )
        uow.commit()
        return result


def lookup(db: Database, merchant_id: str, tracking_number: str) -> Any:
    async def run() -> Any:
        try:
            return await tracking_lookup.lookup_tracking(db.reader, merchant_id, tracking_number)
        finally:
            await db.reader.close()

    return asyncio.run(run())


def shipment(db: Database, merchant_id: str, shipment_id: str) -> Any:
    with db.uow(write=False) as uow:
        found = shipments_service.get_shipment(uow, merchant_id, shipment_id)
        number = orders_service.find_order(uow, merchant_id, found.order_id).number
        return shipments_service.shipment_view(found, order_number=number)


def order(db: Database, merchant_id: str, ref: str) -> Any:
    with db.uow(write=False) as uow:
        return orders_service.order_view(uow, merchant_id, orders_service.find_order(uow, merchant_id, ref))
