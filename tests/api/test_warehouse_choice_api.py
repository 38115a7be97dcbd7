"""Over HTTP, on both databases: stock is held where a merchant would ship from, and the promise
history says why each revision happened and what it was based on."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.scenario import order_payload

WAREHOUSES: list[dict[str, Any]] = [
    {  # first by the merchant's priority, and far from Europe
        "code": "RNO1",
        "name": "Sparks",
        "address": {"line1": "1 Dock Rd", "city": "Sparks", "region": "NV", "country": "US"},
        "timezone": "America/Los_Angeles",
        "priority": 10,
        "latitude": 39.535,
        "longitude": -119.7527,
    },
    {  # no position given: placed by its city
        "code": "LEJ1",
        "name": "Leipzig",
        "address": {"line1": "2 Hafen", "city": "Leipzig", "country": "DE"},
        "timezone": "Europe/Berlin",
        "priority": 20,
    },
    {  # nearer Paris than Leipzig, but across a customs border
        "code": "NTH1",
        "name": "Northampton",
        "address": {"line1": "3 Dock Rd", "city": "Northampton", "country": "GB"},
        "timezone": "Europe/London",
        "priority": 30,
    },
]


def stock_up(client: httpx.Client) -> None:
    for warehouse in WAREHOUSES:
        created = client.post("/api/v1/warehouses", json=warehouse)
        assert created.status_code == 201, created.text
        for sku in ("TENT-2P", "MUG-STEEL"):
            level = client.put(f"/api/v1/stock/{warehouse['code']}/{sku}", json={"on_hand": 10})
            assert level.status_code == 200, level.text


def reserved_at(client: httpx.Client) -> dict[str, int]:
    levels = client.get("/api/v1/stock?sku=TENT-2P").json()["items"]
    return {level["warehouse"]["code"]: level["reserved"] for level in levels if level["reserved"]}


def confirmed(client: httpx.Client, number: str, address: dict[str, Any], currency: str) -> dict[str, Any]:
    payload = order_payload(number, shipping_address={"line1": "1 Rue", **address}, currency=currency)
    order = client.post("/api/v1/orders", json=payload)
    assert order.status_code == 201, order.text
    done = client.post(f"/api/v1/orders/{order.json()['id']}/confirm")
    assert done.status_code == 200, done.text
    return done.json()


def test_a_paris_order_holds_stock_in_leipzig_and_a_us_order_in_sparks(client: httpx.Client) -> None:
    stock_up(client)
    confirmed(client, "PARIS1", {"city": "Paris", "postal_code": "75009", "country": "FR"}, "EUR")
    assert reserved_at(client) == {"LEJ1": 2}
    confirmed(
        client, "RENO1", {"city": "Reno", "region": "NV", "postal_code": "89501", "country": "US"}, "USD"
    )
    assert reserved_at(client) == {"LEJ1": 2, "RNO1": 2}
    confirmed(client, "LEEDS1", {"city": "Leeds", "postal_code": "LS1 1AA", "country": "GB"}, "GBP")
    assert reserved_at(client) == {"LEJ1": 2, "RNO1": 2, "NTH1": 2}


def test_the_promise_history_says_why_it_changed_and_what_it_was_based_on(client: httpx.Client) -> None:
    stock_up(client)
    order = confirmed(client, "PARIS2", {"city": "Paris", "postal_code": "75009", "country": "FR"}, "EUR")
    first = client.get(f"/api/v1/orders/{order['id']}").json()["estimate_revisions"][0]
    assert (first["cause"], first["cause_text"]) == ("order_placed", "The order was placed")
    assert first["basis"] == "typical" and "from Germany to France" in first["reason"]

    shipped = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"warehouse": "LEJ1", "carrier": "own"},
    )
    assert shipped.status_code == 201, shipped.text
    shipment = client.get(f"/api/v1/shipments/{shipped.json()['id']}").json()
    revision = shipment["estimate_revisions"][-1]
    assert (revision["cause"], revision["cause_text"]) == ("shipped", "The store packed and labelled it")
    assert revision["basis"] == "typical" and "own courier service, cross-border" in revision["reason"]


def test_a_warehouse_position_needs_both_coordinates_in_range(client: httpx.Client) -> None:
    half = {**WAREHOUSES[0], "code": "HALF", "longitude": None}
    answer = client.post("/api/v1/warehouses", json=half)
    assert answer.status_code == 422 and answer.json()["error"]["code"], answer.text
    assert "latitude and longitude together" in answer.text
    far = {**WAREHOUSES[0], "code": "FAR", "latitude": 123.0}
    assert client.post("/api/v1/warehouses", json=far).status_code == 422
    placed = client.post("/api/v1/warehouses", json=WAREHOUSES[0]).json()
    assert (placed["latitude"], placed["longitude"]) == (39.535, -119.7527)


def test_stock_arriving_for_a_waiting_order_revises_its_promise_and_says_so(client: httpx.Client) -> None:
    for warehouse in WAREHOUSES[:2]:
        assert client.post("/api/v1/warehouses", json=warehouse).status_code == 201
    order = confirmed(client, "PARIS3", {"city": "Paris", "postal_code": "75009", "country": "FR"}, "EUR")
    before = client.get(f"/api/v1/orders/{order['id']}").json()
    assert [r["cause"] for r in before["estimate_revisions"]] == ["order_placed"]  # from Leipzig, nearest
    for sku, quantity in (("TENT-2P", 2), ("MUG-STEEL", 1)):
        received = client.post(f"/api/v1/stock/RNO1/{sku}/receipts", json={"quantity": quantity})
        assert received.status_code == 200, received.text
    after = client.get(f"/api/v1/orders/{order['id']}").json()
    revision = after["estimate_revisions"][-1]
    assert (revision["cause"], revision["cause_text"]) == (
        "stock_arrived",
        "The missing items came into stock",
    )
    assert "from United States to France" in revision["reason"]  # it ships from Sparks now
    assert after["estimated_delivery"]["latest"] > before["estimated_delivery"]["latest"]
