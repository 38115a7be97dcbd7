"""The public API over real HTTP: the happy path, order independence, tenant isolation."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import httpx

from tests.integration.scenario import order_payload

NOW = datetime.now(UTC).replace(microsecond=0)


def scan(
    number: str, hours_ago: float, status: str, carrier: str = "acme_post", **extra: object
) -> dict[str, object]:
    return {
        "tracking_number": number,
        "carrier": carrier,
        "occurred_at": (NOW - timedelta(hours=hours_ago)).astimezone().isoformat(),
        "status": status,
        **extra,
    }


def place(client: httpx.Client, number: str = "1001") -> dict:
    response = client.post("/api/v1/orders", json=order_payload(number))
    assert response.status_code == 201, response.text
    return response.json()


def test_place_order_returns_it_pending_with_lines_and_total(client: httpx.Client) -> None:
    order = place(client)
    assert order["id"].startswith("ord_")
    assert order["status"] == "pending"
    assert order["placed_at"] == "2026-11-01T14:30:00Z"  # instants are answered in UTC
    assert order["total"] == "410.50"
    assert [line["unit_price"] for line in order["lines"]] == ["199.00", "12.50"]
    assert [line["sku"] for line in order["lines"]] == ["TENT-2P", "MUG-STEEL"]
    assert order["customer"]["email"] == "ann@example.com"
    by_number = client.get("/api/v1/orders/1001").json()
    by_id = client.get(f"/api/v1/orders/{order['id']}").json()
    assert by_number == by_id


def test_order_lifecycle_follows_its_shipments(client: httpx.Client) -> None:
    order = place(client)
    assert client.post(f"/api/v1/orders/{order['id']}/confirm").json()["status"] == "processing"
    first = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={
            "carrier": "UPS",
            "service": "Ground",
            "tracking_number": "1Z5R 8939 0357 5671 27",
            "lines": [{"sku": "TENT-2P", "quantity": 2}],
        },
    )
    assert first.status_code == 201, first.text
    assert first.json()["parcels"][0]["tracking_number"] == "1Z5R89390357567127"
    assert client.get("/api/v1/orders/1001").json()["status"] == "partially_shipped"
    second = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "ups", "parcels": [{"tracking_number": "1Z879E930346834440", "weight_grams": 300}]},
    )
    assert second.status_code == 201, second.text
    assert second.json()["lines"] == [
        {"order_line_id": order["lines"][1]["id"], "sku": "MUG-STEEL", "quantity": 1}
    ]
    assert client.get("/api/v1/orders/1001").json()["status"] == "shipped"

    client.post(
        "/api/v1/tracking/events",
        json={"events": [scan("1Z5R89390357567127", 1, "delivered", carrier="ups")]},
    )
    assert client.get("/api/v1/orders/1001").json()["status"] == "partially_delivered"
    client.post(
        "/api/v1/tracking/events",
        json={"events": [scan("1Z879E930346834440", 1, "delivered", carrier="ups")]},
    )
    final = client.get("/api/v1/orders/1001").json()
    assert final["status"] == "delivered"
    assert [line["quantity_delivered"] for line in final["lines"]] == [2, 1]
    assert client.post(f"/api/v1/orders/{order['id']}/cancel").status_code == 409


def test_events_out_of_order_and_duplicated_give_one_true_timeline(client: httpx.Client) -> None:
    order = place(client)
    client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "acme_post", "tracking_number": "1ZTIMELINE"},
    )
    history = [
        scan("1ZTIMELINE", 50, "info_received"),
        scan(
            "1ZTIMELINE",
            40,
            "in_transit",
            location={
                "city": "Louisville",
                "region": "KY",
                "country": "US",
                "timezone": "America/Kentucky/Louisville",
            },
        ),
        scan(
            "1ZTIMELINE",
            20,
            "in_transit",
            location={"city": "Austin", "country": "US", "timezone": "America/Chicago"},
        ),
        scan("1ZTIMELINE", 5, "out_for_delivery"),
        scan("1ZTIMELINE", 2, "delivered", event_id="pod-1"),
        scan("1ZTIMELINE", 1, "in_transit"),  # a late scan after delivery
    ]
    rng = random.Random(7)
    shuffled = history[:]
    rng.shuffle(shuffled)
    totals = {"accepted": 0, "duplicates": 0}
    for start in range(0, 6, 2):
        batch = shuffled[start : start + 2] + [rng.choice(history)]
        body = client.post("/api/v1/tracking/events", json={"events": batch}).json()
        totals["accepted"] += body["accepted"]
        totals["duplicates"] += body["duplicates"]
    assert totals == {"accepted": 6, "duplicates": 3}

    tracking = client.get("/api/v1/tracking/1ztimeline").json()
    assert tracking["status"] == "delivered"
    assert tracking["delivered_at"] == (NOW - timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    assert tracking["order"] == {"id": order["id"], "number": "1001"}
    assert [e["status"] for e in tracking["events"]] == [
        "info_received",
        "in_transit",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "in_transit",
    ]
    austin = tracking["events"][2]
    assert austin["timezone"] == "America/Chicago"
    assert austin["local_time"][-6:] in ("-06:00", "-05:00")


def test_merchant_b_gets_404_for_merchant_a_data(client: httpx.Client, server, make_merchant) -> None:
    order = place(client)
    shipment = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "acme_post", "tracking_number": "1ZPRIVATE"},
    ).json()
    client.post("/api/v1/tracking/events", json={"events": [scan("1ZPRIVATE", 1, "in_transit")]})
    other = make_merchant("Other Shop")
    with server.client(other.api_key) as bob:
        for path in (
            f"/api/v1/orders/{order['id']}",
            "/api/v1/orders/1001",
            f"/api/v1/shipments/{shipment['id']}",
            "/api/v1/tracking/1ZPRIVATE",
        ):
            response = bob.get(path)
            assert response.status_code == 404, path
            assert response.json()["error"]["code"].endswith("not_found")
        assert (
            bob.post(
                f"/api/v1/orders/{order['id']}/shipments",
                json={"carrier": "acme_post", "tracking_number": "1ZX1"},
            ).status_code
            == 404
        )
        assert bob.post(f"/api/v1/orders/{order['id']}/cancel").status_code == 404
        assert bob.get("/api/v1/orders").json()["items"] == []
        assert bob.get("/api/v1/shipments").json()["items"] == []
        assert bob.get("/api/v1/tracking/events").json()["items"] == []
    assert client.get(f"/api/v1/orders/{order['id']}").json()["status"] == "shipped"


def test_lists_paginate_with_cursors_and_filter(client: httpx.Client) -> None:
    ids = [place(client, f"P-{i}")["id"] for i in range(5)]
    client.post(f"/api/v1/orders/{ids[0]}/confirm")
    seen = []
    url = "/api/v1/orders?limit=2"
    while url:
        page = client.get(url).json()
        seen += [o["id"] for o in page["items"]]
        url = f"/api/v1/orders?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert seen == sorted(ids, reverse=True)
    assert [o["id"] for o in client.get("/api/v1/orders?status=processing").json()["items"]] == [ids[0]]
    assert client.get("/api/v1/orders?attention=true").json()["items"] == []


def test_unmatched_scans_are_listed_and_looked_up(client: httpx.Client) -> None:
    client.post("/api/v1/tracking/events", json={"events": [scan("9400TEST", 3, "in_transit")]})
    listed = client.get("/api/v1/tracking/events?unmatched=true").json()["items"]
    assert [(e["tracking_number"], e["matched"]) for e in listed] == [("9400TEST", False)]
    tracking = client.get("/api/v1/tracking/9400TEST").json()
    assert (tracking["matched"], tracking["order"], tracking["status"]) == (False, None, "in_transit")


def test_idempotency_key_replays_the_first_answer(client: httpx.Client) -> None:
    headers = {"Idempotency-Key": "order-1001-attempt"}
    first = client.post("/api/v1/orders", json=order_payload("1001"), headers=headers)
    again = client.post("/api/v1/orders", json=order_payload("1001"), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert len(client.get("/api/v1/orders").json()["items"]) == 1
    changed = client.post("/api/v1/orders", json=order_payload("1002"), headers=headers)
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "idempotency_key_reused"


def test_the_api_serves_its_openapi_document_and_no_cdn_pages(server) -> None:
    with server.client() as anonymous:
        document = anonymous.get("/openapi.json").json()
        assert "/api/v1/tracking/events" in document["paths"]
        assert "UnifiedEventIn" in document["components"]["schemas"]
        docs = anonymous.get("/docs")
        assert docs.status_code == 200
        # Swagger UI's files come from this server: no script, style or font from elsewhere.
        sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
        assert sources and all(source.startswith("/") for source in sources), sources
        assert anonymous.get("/redoc").status_code == 404


def test_own_courier_shipments_get_numbers_ordertrack_issues_with_a_check_character(
    client: httpx.Client,
) -> None:
    from ordertrack.carriers.tracking_numbers import validate_own_tracking_number

    first = place(client, "OWN-1")
    second = place(client, "OWN-2")
    one = client.post(f"/api/v1/orders/{first['id']}/shipments", json={"carrier": "own"})
    two = client.post(
        f"/api/v1/orders/{second['id']}/shipments",
        json={"carrier": "own", "parcels": [{"weight_grams": 500}, {"weight_grams": 700}]},
    )
    assert (one.status_code, two.status_code) == (201, 201), (one.text, two.text)
    numbers = [p["tracking_number"] for s in (one.json(), two.json()) for p in s["parcels"]]
    assert len(set(numbers)) == 3
    assert all(validate_own_tracking_number(n) == n for n in numbers)
    assert client.get(f"/api/v1/tracking/{numbers[0]}").json()["shipment_id"] == one.json()["id"]


def test_parcels_without_numbers_need_the_own_carrier(client: httpx.Client) -> None:
    order = place(client)
    response = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": "ups", "parcels": [{}]}
    )
    assert response.status_code == 422
