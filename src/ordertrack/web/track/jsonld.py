"""schema.org ``ParcelDelivery`` for each shipment, for mail clients, assistants and crawlers.

It carries what the page shows and nothing more private: the destination is a city and a
country, never a street, and the shopper is not named.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any


def parcel_delivery(
    *,
    tracking_number: str,
    carrier_name: str,
    tracking_url: str | None,
    order_number: str | None,
    store_name: str,
    city: str | None,
    country: str | None,
    items: list[str] | None,
    latest_status: str | None,
    latest_at: datetime | None,
    latest_place: str | None,
    expected_from: date | None = None,
    expected_until: date | None = None,
) -> dict[str, Any]:
    """The ParcelDelivery object of one parcel."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ParcelDelivery",
        "trackingNumber": tracking_number,
        "provider": {"@type": "Organization", "name": carrier_name},
    }
    if tracking_url:
        data["trackingUrl"] = tracking_url
    if city or country:
        address: dict[str, Any] = {"@type": "PostalAddress"}
        if city:
            address["addressLocality"] = city
        if country:
            address["addressCountry"] = country
        data["deliveryAddress"] = address
    if order_number:
        data["partOfOrder"] = {
            "@type": "Order",
            "orderNumber": order_number,
            "seller": {"@type": "Organization", "name": store_name},
        }
    if items:
        data["itemShipped"] = [{"@type": "Product", "name": name} for name in items]
    if expected_from:
        data["expectedArrivalFrom"] = expected_from.isoformat()
    if expected_until:
        data["expectedArrivalUntil"] = expected_until.isoformat()
    if latest_status:
        status: dict[str, Any] = {"@type": "DeliveryEvent", "name": latest_status}
        if latest_at:
            status["startDate"] = latest_at.isoformat()
        if latest_place:
            status["location"] = {"@type": "Place", "name": latest_place}
        data["deliveryStatus"] = status
    return data


def script_text(data: dict[str, Any]) -> str:
    """JSON safe to place inside ``<script type="application/ld+json">``.

    The HTML parser ends a script element at ``</``, whatever the JSON means; ``<\\/`` is the
    same string to a JSON reader. ``<!--`` is neutralised for the same reason.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")
