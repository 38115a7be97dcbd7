"""Warehouses and stock over HTTP, from a placed order to a shipment out of reserved stock."""

from __future__ import annotations

import httpx

from tests.integration.scenario import order_payload
from tests.support import barcodes


def test_stock_is_reserved_on_confirmation_and_shipped_from_the_reservation(client: httpx.Client) -> None:
    created = client.post(
        "/api/v1/warehouses",
        json={
            "code": "AUS1",
            "name": "Austin DC",
            "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
            "timezone": "America/Chicago",
            "cutoff_time": "15:00",
            "processing_days": [1, 2, 3, 4, 5, 6],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["processing_days"] == [1, 2, 3, 4, 5, 6]
    for sku, qty in (("TENT-2P", 5), ("MUG-STEEL", 1)):
        response = client.put(f"/api/v1/stock/AUS1/{sku}", json={"on_hand": qty, "low_stock_threshold": 2})
        assert response.status_code == 200, response.text

    order = client.post("/api/v1/orders", json=order_payload()).json()
    assert client.post(f"/api/v1/orders/{order['id']}/confirm").json()["status"] == "processing"
    tent = client.get("/api/v1/stock?sku=TENT-2P").json()["items"][0]
    assert (tent["on_hand"], tent["reserved"], tent["available"]) == (5, 2, 3)

    shipped = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"warehouse": "AUS1", "carrier": "acme_post", "tracking_number": "1ZSTOCK1"},
    )
    assert shipped.status_code == 201, shipped.text
    levels = {i["sku"]: (i["on_hand"], i["reserved"]) for i in client.get("/api/v1/stock").json()["items"]}
    assert levels == {"TENT-2P": (3, 0), "MUG-STEEL": (0, 0)}
    assert [i["sku"] for i in client.get("/api/v1/stock?low=true").json()["items"]] == ["MUG-STEEL"]
    kinds = [m["kind"] for m in client.get("/api/v1/stock/movements?sku=TENT-2P").json()["items"]]
    assert kinds == ["shipment", "reservation", "adjustment"]


def test_stock_errors_are_clear(client: httpx.Client) -> None:
    assert (
        client.put("/api/v1/stock/NOPE/SKU", json={"on_hand": 1}).json()["error"]["code"]
        == "warehouse_not_found"
    )
    client.post(
        "/api/v1/warehouses",
        json={
            "code": "AUS1",
            "name": "Austin",
            "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
            "timezone": "America/Chicago",
        },
    )
    assert (
        client.post(
            "/api/v1/warehouses",
            json={
                "code": "AUS1",
                "name": "Again",
                "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
                "timezone": "UTC",
            },
        ).status_code
        == 409
    )
    bad_zone = client.post(
        "/api/v1/warehouses",
        json={
            "code": "X",
            "name": "X",
            "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
            "timezone": "Nowhere/City",
        },
    )
    assert bad_zone.status_code == 422
    assert (
        client.post("/api/v1/stock/AUS1/SKU/adjustments", json={"delta": -1, "reason": "broken"}).status_code
        == 409
    )
    order = client.post("/api/v1/orders", json=order_payload()).json()
    missing = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": "acme_post", "tracking_number": "1ZX1"}
    )
    assert missing.json()["error"]["code"] == "unknown_warehouse"
    short = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"warehouse": "AUS1", "carrier": "acme_post", "tracking_number": "1ZX1"},
    )
    assert (short.status_code, short.json()["error"]["code"]) == (409, "insufficient_stock")
    assert client.get(f"/api/v1/orders/{order['id']}").json()["shipments"] == []


def test_stock_beyond_what_a_level_holds_is_the_same_422_on_every_database(client: httpx.Client) -> None:
    client.post(
        "/api/v1/warehouses",
        json={
            "code": "AUS1",
            "name": "Austin",
            "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
            "timezone": "America/Chicago",
        },
    )
    assert client.put("/api/v1/stock/AUS1/TENT", json={"on_hand": 1_000_000_000}).status_code == 200
    receipt = {"quantity": 1_000_000_000}
    assert client.post("/api/v1/stock/AUS1/TENT/receipts", json=receipt).status_code == 200
    too_much = [
        client.post("/api/v1/stock/AUS1/TENT/receipts", json=receipt),
        client.post("/api/v1/stock/AUS1/TENT/adjustments", json={"delta": 147_483_648, "reason": "found"}),
    ]
    for response in too_much:
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "stock_out_of_range" and "2,147,483,647" in error["message"]
    over_the_request_bound = client.put("/api/v1/stock/AUS1/TENT", json={"on_hand": 1_000_000_001})
    assert (over_the_request_bound.status_code, over_the_request_bound.json()["error"]["code"]) == (
        422,
        "validation_error",
    )
    tent = client.get("/api/v1/stock?sku=TENT").json()["items"][0]
    assert tent["on_hand"] == 2_000_000_000
    assert [m["on_hand_delta"] for m in client.get("/api/v1/stock/movements?sku=TENT").json()["items"]] == [
        1_000_000_000,
        1_000_000_000,
    ]


def test_pick_list_shows_what_to_pick_where_and_for_which_orders(client: httpx.Client) -> None:
    client.post(
        "/api/v1/warehouses",
        json={
            "code": "AUS1",
            "name": "Austin",
            "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
            "timezone": "America/Chicago",
        },
    )
    client.put("/api/v1/stock/AUS1/TENT-2P", json={"on_hand": 10, "location": "B-04-2"})
    client.put("/api/v1/stock/AUS1/MUG-STEEL", json={"on_hand": 10, "location": "A-01-1"})
    first = client.post("/api/v1/orders", json=order_payload("1001")).json()
    second = client.post("/api/v1/orders", json=order_payload("1002")).json()
    for order in (first, second):
        client.post(f"/api/v1/orders/{order['id']}/confirm")
    picks = client.get("/api/v1/warehouses/AUS1/pick-list").json()
    assert [(line["location"], line["sku"], line["quantity"]) for line in picks["lines"]] == [
        ("A-01-1", "MUG-STEEL", 2),
        ("B-04-2", "TENT-2P", 4),
    ]
    assert {o["order"]["number"] for o in picks["lines"][1]["orders"]} == {"1001", "1002"}
    client.post(
        f"/api/v1/orders/{first['id']}/shipments",
        json={"warehouse": "AUS1", "carrier": "acme_post", "tracking_number": "AP1001"},
    )
    after = client.get("/api/v1/warehouses/AUS1/pick-list").json()
    assert [line["quantity"] for line in after["lines"]] == [1, 2]
    assert client.get("/api/v1/warehouses/NOPE/pick-list").status_code == 404


def test_a_placed_order_becomes_a_labelled_packed_handed_over_parcel(client: httpx.Client) -> None:
    """The whole path through the API: stock, order, reservation, pick list, packing into
    itemised parcels, documents, hand-over; the order follows along."""
    client.post(
        "/api/v1/warehouses",
        json={
            "code": "AUS1",
            "name": "Austin",
            "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
            "timezone": "America/Chicago",
        },
    )
    client.put("/api/v1/stock/AUS1/TENT-2P", json={"on_hand": 4, "location": "B-04-2"})
    client.put("/api/v1/stock/AUS1/MUG-STEEL", json={"on_hand": 4, "location": "A-01-1"})
    order = client.post("/api/v1/orders", json=order_payload("5005")).json()
    assert client.post(f"/api/v1/orders/{order['id']}/confirm").json()["status"] == "processing"
    picks = client.get("/api/v1/warehouses/AUS1/pick-list").json()["lines"]
    assert [(p["sku"], p["quantity"]) for p in picks] == [("MUG-STEEL", 1), ("TENT-2P", 2)]

    # The tents go out first, one per box; the mug follows later.
    shipment = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={
            "warehouse": "AUS1",
            "carrier": "own",
            "service": "Same-day courier",
            "parcels": [
                {
                    "weight_grams": 2300,
                    "length_mm": 600,
                    "width_mm": 250,
                    "height_mm": 250,
                    "contents": [{"sku": "TENT-2P", "quantity": 1}],
                },
                {
                    "weight_grams": 2250,
                    "length_mm": 600,
                    "width_mm": 250,
                    "height_mm": 250,
                    "contents": [{"sku": "TENT-2P", "quantity": 1}],
                },
            ],
        },
    )
    assert shipment.status_code == 201, shipment.text
    shipment = shipment.json()
    numbers = [p["tracking_number"] for p in shipment["parcels"]]
    assert all(n.startswith("OT") for n in numbers) and len(set(numbers)) == 2
    assert client.get(f"/api/v1/orders/{order['id']}").json()["status"] == "partially_shipped"
    stock = {i["sku"]: (i["on_hand"], i["reserved"]) for i in client.get("/api/v1/stock").json()["items"]}
    assert stock == {"TENT-2P": (2, 0), "MUG-STEEL": (4, 1)}  # the mug is still held
    assert [p["sku"] for p in client.get("/api/v1/warehouses/AUS1/pick-list").json()["lines"]] == [
        "MUG-STEEL"
    ]

    labels = client.get(f"/api/v1/shipments/{shipment['id']}/label.pdf").content
    assert [text for fmt, text in barcodes(labels) if fmt == "Code128"] == numbers
    slips = client.get(f"/api/v1/shipments/{shipment['id']}/packing-slip.pdf").content
    assert [text for fmt, text in barcodes(slips) if fmt == "Code128"] == ["5005", "5005"]
    assert client.post(f"/api/v1/shipments/{shipment['id']}/hand-over").json()["handed_over_at"]

    rest = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"warehouse": "AUS1", "carrier": "own"}
    ).json()
    assert [(line["sku"], line["quantity"]) for line in rest["lines"]] == [("MUG-STEEL", 1)]
    assert client.get(f"/api/v1/orders/{order['id']}").json()["status"] == "shipped"
    assert client.get("/api/v1/warehouses/AUS1/pick-list").json()["lines"] == []
