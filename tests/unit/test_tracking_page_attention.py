"""The shopper's page follows the one attention rule: an order needing the store's attention
says it runs late, unless a worse alert stands."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from ordertrack.web.track.view import ItemFacts, OrderCard, ParcelCard, ShipmentCard, StoreFacts, build_page

STORE = StoreFacts("mer_x", "Acme", None)
RUNNING_LATE = "The delivery is running late."


def page(status: str, reason: str | None = None, *, needs_attention: bool):
    parcel = ParcelCard("1ZTEST", "ups", status, reason, [], None)
    shipment = ShipmentCard("ups", status, reason, [parcel], [ItemFacts("Tent", "TENT", 2)])
    order = OrderCard("1001", "shipped", datetime(2026, 11, 1, tzinfo=UTC), "Austin", "US", None)
    return build_page(
        store=STORE,
        order=replace(order, needs_attention=needs_attention),
        shipments=[shipment],
        carrier_names={"ups": "UPS"},
    )


def test_an_order_needing_attention_says_it_is_running_late() -> None:
    alert = page("in_transit", needs_attention=True).alert
    assert alert is not None and alert.sentence == RUNNING_LATE


def test_an_order_on_time_raises_no_alert() -> None:
    assert page("in_transit", needs_attention=False).alert is None


def test_a_worse_alert_stands_before_running_late() -> None:
    alert = page("exception", "address_issue", needs_attention=True).alert
    assert alert is not None and alert.tone == "bad" and alert.sentence != RUNNING_LATE
