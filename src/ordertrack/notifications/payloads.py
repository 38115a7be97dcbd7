"""What a message carries for machines: schema.org markup for mail clients, JSON for merchant webhooks."""

from __future__ import annotations

import json
from typing import Any

from ordertrack.notifications.message import STAFF_TRIGGERS, SUPPLIER_TRIGGERS, MessageContext, Trigger


def parcel_delivery_json_ld(context: MessageContext) -> str:
    """schema.org ParcelDelivery markup so mail clients can show the delivery; one per parcel."""
    deliveries: list[dict[str, Any]] = []
    for shipment in context.shipments or (None,):
        item: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ParcelDelivery",
            "partOfOrder": {
                "@type": "Order",
                "orderNumber": context.order_number,
                "merchant": {"@type": "Organization", "name": context.store_name},
            },
            "trackingUrl": context.tracking_url,
        }
        if context.delivery_locality or context.delivery_country:
            address = {"@type": "PostalAddress"}
            if context.delivery_locality:
                address["addressLocality"] = context.delivery_locality
            if context.delivery_country:
                address["addressCountry"] = context.delivery_country
            item["deliveryAddress"] = address
        if context.estimated_delivery:
            item["expectedArrivalFrom"] = context.estimated_delivery[0].isoformat()
            item["expectedArrivalUntil"] = context.estimated_delivery[1].isoformat()
        if shipment is not None:
            item["trackingNumber"] = shipment.tracking_number
            item["carrier"] = {"@type": "Organization", "name": shipment.carrier_name}
            item["itemShipped"] = [{"@type": "Product", "name": name} for name, _ in shipment.items]
        deliveries.append(item)
    body = json.dumps(deliveries[0] if len(deliveries) == 1 else deliveries, ensure_ascii=False)
    # "</" would end the script element early; "<!--" could open a comment. Both are inert as \u003c.
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{body}</script>'


def webhook_payload(context: MessageContext, event_type: str) -> dict[str, Any]:
    """The JSON a merchant's webhook receives: facts only, dates as ISO strings, no copy."""
    event = context.event
    staff = context.trigger in STAFF_TRIGGERS
    return {
        "type": event_type,
        "data": {
            "trigger": str(context.trigger),
            "order_number": context.order_number or None,
            # Staff alerts point into the dashboard; shopper events to the public tracking page.
            ("dashboard_url" if staff else "tracking_url"): context.tracking_url,
            "shipments": [
                {
                    "carrier": s.carrier_name,
                    "tracking_number": s.tracking_number,
                    "carrier_url": s.carrier_url,
                    "items": [{"name": name, "quantity": quantity} for name, quantity in s.items],
                }
                for s in context.shipments
            ],
            "event": None
            if event is None
            else {
                "status": event.status,
                "reason": event.reason,
                "description": event.description,
                "place": event.place,
                "occurred_at": event.local_time.isoformat() if event.local_time else None,
                "timezone": event.timezone,
            },
            "estimated_delivery": None
            if context.estimated_delivery is None
            else {
                "earliest": context.estimated_delivery[0].isoformat(),
                "latest": context.estimated_delivery[1].isoformat(),
            },
            "previous_estimate": None
            if context.previous_estimate is None
            else {
                "earliest": context.previous_estimate[0].isoformat(),
                "latest": context.previous_estimate[1].isoformat(),
            },
            **({"rating": context.rating} if context.rating is not None else {}),
            **(
                {"sku": context.sku, "warehouse": context.warehouse, "available": context.available}
                if context.trigger is Trigger.low_stock
                else {}
            ),
            **(
                {
                    "inbound_shipment": context.inbound_shipment,
                    "purchase_order": context.purchase_order,
                    "supplier": context.supplier,
                    "alert": context.alert,
                }
                if context.trigger is Trigger.inbound_late
                else {}
            ),
            **(
                {
                    "purchase_order": context.purchase_order,
                    "supplier": context.supplier,
                    "promised_ship_date": context.promised_date.isoformat()
                    if context.promised_date
                    else None,
                }
                if context.trigger in SUPPLIER_TRIGGERS
                else {}
            ),
        },
    }
