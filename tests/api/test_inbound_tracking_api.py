"""An inbound shipment's parcels are reached by carrier webhooks like any parcel: a push for an
inbound tracking number moves the parcel and the inbound shipment's status; and no shopper's
lookup, public or by a store's page, finds a supplier's parcel."""

from __future__ import annotations

import httpx

from tests.api.test_carriers_api import SECRET, aftership_push, checkpoint, signed, webhook_url
from tests.api.test_inbound_shipments_api import UPS, UPS_2, notice, sent_order


def push(server, path: str, token: str, number: str, *checkpoints: dict) -> None:
    body = aftership_push(number, *checkpoints)
    with httpx.Client(base_url=server.base_url) as anonymous:
        pushed = anonymous.post(path, params={"token": token}, content=body, headers=signed(body))
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["state"] == "ingested"


def test_a_carrier_push_moves_the_inbound_shipment(client: httpx.Client, server) -> None:
    po = sent_order(client)
    declared = client.post(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments", json=notice())
    assert declared.status_code == 201, declared.text
    asn_id = declared.json()["id"]
    path, token = webhook_url(client, "aftership", SECRET)

    push(
        server,
        path,
        token,
        UPS,
        checkpoint("2026-11-18T21:04:00+01:00", "InTransit", "InTransit_001", "Departed"),
    )
    moving = client.get(f"/api/v1/inbound-shipments/{asn_id}").json()
    assert moving["status"] == "in_transit"
    # The supplier's date stands until tracking says otherwise.
    assert (moving["arrival_estimate"], moving["arrival_basis"]) == (
        notice()["expected_arrival_date"],
        "declared",
    )
    assert (moving["attention"], moving["attention_detail"], moving["attention_since"]) == (None, None, None)
    assert {p["tracking_number"]: p["status"] for p in moving["parcels"]} == {
        UPS: "in_transit",
        UPS_2: "pending",
    }

    push(
        server,
        path,
        token,
        UPS,
        checkpoint("2026-11-20T09:12:00-05:00", "Delivered", "Delivered_001", "Dock 3"),
    )
    assert client.get(f"/api/v1/inbound-shipments/{asn_id}").json()["status"] == "in_transit"  # one still out
    push(
        server,
        path,
        token,
        UPS_2,
        checkpoint("2026-11-20T10:40:00-05:00", "Delivered", "Delivered_001", "Dock 3"),
    )
    arrived = client.get(f"/api/v1/inbound-shipments/{asn_id}").json()
    assert arrived["status"] == "arrived"
    assert (arrived["arrived_at"], arrived["arrival_estimate"], arrived["arrival_basis"]) == (
        "2026-11-20T15:40:00Z",
        "2026-11-20",
        "arrived",
    )
    # The purchase order still waits for the count: arrived is not received.
    assert client.get(f"/api/v1/purchase-orders/{po['id']}").json()["status"] == "partially_shipped"


def test_no_shoppers_lookup_finds_a_suppliers_parcel(client: httpx.Client, server) -> None:
    po = sent_order(client)
    declared = client.post(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments", json=notice())
    assert declared.status_code == 201, declared.text
    path, token = webhook_url(client, "aftership", SECRET)
    push(
        server,
        path,
        token,
        UPS,
        checkpoint("2026-11-18T21:04:00+01:00", "InTransit", "InTransit_001", "Departed"),
    )
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    with httpx.Client(base_url=server.base_url) as shopper:
        for page in ("/track", f"/track/store/{merchant_id}"):
            found = shopper.post(page, data={"kind": "parcel", "tracking_number": UPS})
            assert found.status_code == 404, (page, found.status_code)
            assert "/track/t" not in found.headers.get("location", "")
    # The merchant's own lookup tells it as a supplier's parcel: no order, its inbound shipment.
    tracking = client.get(f"/api/v1/tracking/{UPS}").json()
    assert (tracking["matched"], tracking["status"], tracking["order"], tracking["shipment_id"]) == (
        True,
        "in_transit",
        None,
        None,
    )
    assert tracking["inbound_shipment_id"] == declared.json()["id"]
