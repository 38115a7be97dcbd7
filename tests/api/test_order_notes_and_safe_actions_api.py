"""Staff notes on an order over the API (POST/GET /orders/{id}/notes), and lifecycle actions that
refuse what cannot happen: a hand-over of a parcel the carrier already delivered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.integration.scenario import order_payload

NUMBER = "1Z5R89390357567127"


def test_a_note_is_kept_with_its_author_and_listed_oldest_first(client: httpx.Client) -> None:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    first = client.post(f"/api/v1/orders/{order['id']}/notes", json={"body": "Called: leave at the door."})
    assert first.status_code == 201, first.text
    assert first.json()["author"] == "API" and first.json()["source"] == "api"
    assert first.json()["order"] == {"id": order["id"], "number": "1001"}
    named = client.post(
        "/api/v1/orders/1001/notes", json={"body": "  Refund promised if late.  ", "author": "Shopify Flow"}
    )
    assert named.status_code == 201 and named.json()["body"] == "Refund promised if late."
    listed = client.get(f"/api/v1/orders/{order['id']}/notes").json()
    assert [n["body"] for n in listed["items"]] == ["Called: leave at the door.", "Refund promised if late."]
    assert [n["author"] for n in listed["items"]] == ["API", "Shopify Flow"]
    assert listed["next_cursor"] is None


def test_notes_page_with_a_cursor(client: httpx.Client) -> None:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    for n in range(3):
        assert (
            client.post(f"/api/v1/orders/{order['id']}/notes", json={"body": f"note {n}"}).status_code == 201
        )
    page = client.get(f"/api/v1/orders/{order['id']}/notes?limit=2").json()
    assert [n["body"] for n in page["items"]] == ["note 0", "note 1"]
    rest = client.get(f"/api/v1/orders/{order['id']}/notes?limit=2&cursor={page['next_cursor']}").json()
    assert [n["body"] for n in rest["items"]] == ["note 2"] and rest["next_cursor"] is None
    assert client.get(f"/api/v1/orders/{order['id']}/notes?cursor=nope").status_code == 422


def test_a_blank_or_too_long_note_is_a_422_that_says_so(client: httpx.Client) -> None:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    blank = client.post(f"/api/v1/orders/{order['id']}/notes", json={"body": "   "})
    too_long = client.post(f"/api/v1/orders/{order['id']}/notes", json={"body": "x" * 2001})
    for answer in (blank, too_long):
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "validation_error"
    assert too_long.json()["error"]["details"][0]["code"] == "string_too_long"
    assert client.get(f"/api/v1/orders/{order['id']}/notes").json()["items"] == []


def test_another_merchants_notes_are_not_found(client: httpx.Client, make_merchant, server) -> None:  # type: ignore[no-untyped-def]
    order = client.post("/api/v1/orders", json=order_payload()).json()
    client.post(f"/api/v1/orders/{order['id']}/notes", json={"body": "private"})
    other = make_merchant("Bob's Bikes")
    with server.client(other.api_key) as bob:
        assert bob.get(f"/api/v1/orders/{order['id']}/notes").status_code == 404
        refused = bob.post(f"/api/v1/orders/{order['id']}/notes", json={"body": "sneaky"})
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "order_not_found"
    assert len(client.get(f"/api/v1/orders/{order['id']}/notes").json()["items"]) == 1


def _shipped(client: httpx.Client) -> dict:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    shipment = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "ups", "tracking_number": NUMBER, "lines": [{"sku": "TENT-2P", "quantity": 2}]},
    )
    assert shipment.status_code == 201, shipment.text
    return shipment.json()


def test_a_delivered_shipment_cannot_be_handed_over_to_the_carrier(client: httpx.Client) -> None:
    shipment = _shipped(client)
    delivered = {
        "tracking_number": NUMBER,
        "carrier": "ups",
        "status": "delivered",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "description": "Delivered",
    }
    assert client.post("/api/v1/tracking/events", json={"events": [delivered]}).json()["accepted"] == 1
    refused = client.post(f"/api/v1/shipments/{shipment['id']}/hand-over")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "invalid_transition"
    assert "delivered" in refused.json()["error"]["message"]
    assert client.get(f"/api/v1/shipments/{shipment['id']}").json()["handed_over_at"] is None


def test_a_shipment_waiting_for_the_carrier_is_handed_over_once(client: httpx.Client) -> None:
    shipment = _shipped(client)
    first = client.post(f"/api/v1/shipments/{shipment['id']}/hand-over")
    assert first.status_code == 200 and first.json()["handed_over_at"]
    again = client.post(f"/api/v1/shipments/{shipment['id']}/hand-over")
    assert again.status_code == 200 and again.json()["handed_over_at"] == first.json()["handed_over_at"]
