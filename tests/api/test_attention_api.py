"""Promises and attention over HTTP: every order and shipment carries its estimated delivery
with the revisions and why; the attention list filters by state and kind."""

from __future__ import annotations

from datetime import timedelta

import httpx

from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from tests.integration.scenario import order_payload


def test_an_order_and_its_shipment_carry_a_promise_with_its_revisions(client: httpx.Client) -> None:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    window = order["estimated_delivery"]
    assert window["earliest"] <= window["most_likely"] <= window["latest"]
    assert [r["stage"] for r in order["estimate_revisions"]] == ["order"]
    assert order["estimate_revisions"][0]["reason"]
    created = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "ups", "tracking_number": "1Z5R89390357567127"},
    ).json()
    assert created["estimated_delivery"] is not None and created["promised_latest"]
    shipment = client.get(f"/api/v1/shipments/{created['id']}").json()
    assert [r["stage"] for r in shipment["estimate_revisions"]] == ["shipped"]
    assert "advertised" in shipment["estimate_revisions"][0]["reason"]  # no deliveries learned yet
    tracking = client.get("/api/v1/tracking/1Z5R89390357567127").json()
    assert tracking["estimated_delivery"] == shipment["estimated_delivery"]


def test_attention_items_are_listed_by_state_and_kind(client: httpx.Client, db: Database) -> None:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "ups", "tracking_number": "1Z5R89390357567127"},
    )
    shipment_checks.run_checks(db, utcnow() + timedelta(days=8))  # a label never picked up
    listed = client.get("/api/v1/attention").json()["items"]
    assert [(i["kind"], i["open"], i["order"]["id"]) for i in listed] == [
        ("not_picked_up", True, order["id"])
    ]
    assert client.get("/api/v1/attention", params={"kind": "late"}).json()["items"] == []
    assert client.get("/api/v1/attention", params={"state": "closed"}).json()["items"] == []
    detail = client.get(f"/api/v1/orders/{order['id']}").json()
    assert [i["kind"] for i in detail["attention_items"]] == ["not_picked_up"]
    bad = client.get("/api/v1/attention", params={"kind": "sunburn"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
