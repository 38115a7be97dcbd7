"""Available to promise over HTTP: a storefront's "when can this ship to this country", and the
merchant's lists of orders waiting on a purchase order and what an order waits on; bad input
with a code, another merchant's records not found."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from tests.api.test_suppliers_api import error_code, later, stock_the_merchant


def sent_po(client: httpx.Client, supplier_id: str, arrival_days: int = 20, quantity: int = 30) -> str:
    created = client.post(
        "/api/v1/purchase-orders",
        json={
            "number": "PO-5001",
            "supplier_id": supplier_id,
            "warehouse": "AUS1",
            "currency": "EUR",
            "lines": [{"sku": "TENT-2P", "quantity": quantity, "unit_cost": "41.50"}],
            "promised_arrival_date": later(arrival_days),
        },
    )
    assert created.status_code == 201, created.text
    assert client.post(f"/api/v1/purchase-orders/{created.json()['id']}/send").status_code == 200
    return created.json()["id"]


def backorder(client: httpx.Client, number: str, quantity: int, hours_ago: int) -> None:
    placed = datetime.now(UTC) - timedelta(hours=hours_ago)
    created = client.post(
        "/api/v1/orders",
        json={
            "number": number,
            "customer": {"email": "ann@example.com", "name": "Ann Lee"},
            "shipping_address": {
                "line1": "1 Main St",
                "city": "Austin",
                "postal_code": "78701",
                "country": "US",
            },
            "lines": [{"sku": "TENT-2P", "quantity": quantity, "unit_price": "199.00"}],
            "currency": "USD",
            "placed_at": placed.isoformat(),
        },
    )
    assert created.status_code == 201, created.text
    assert client.post(f"/api/v1/orders/{number}/confirm").status_code == 200


def test_in_stock_ships_now_and_the_rest_from_the_inbound_after_the_backorders(client: httpx.Client) -> None:
    supplier_id = stock_the_merchant(client)
    assert client.put("/api/v1/stock/AUS1/TENT-2P", json={"on_hand": 4}).status_code == 200

    now = client.get("/api/v1/availability", params={"sku": "TENT-2P", "country": "us", "quantity": 3})
    assert now.status_code == 200, now.text
    answer = now.json()
    assert (answer["in_stock"], answer["available"], answer["warehouse"], answer["country"]) == (
        True,
        4,
        "AUS1",
        "US",
    )
    assert answer["ready_on"] is None
    assert date.fromisoformat(answer["ships_on"]) <= date.fromisoformat(later(4))
    window = answer["delivery"]
    assert window["earliest"] <= window["most_likely"] <= window["latest"]

    # 10 more than the shelf holds are ordered; 30 are on their way: a new order of 15 waits
    # for that inbound, after the backorder of 10 ahead of it, and is told when.
    sent_po(client, supplier_id)
    backorder(client, "B-1", 14, hours_ago=2)
    later_answer = client.get(
        "/api/v1/availability", params={"sku": "TENT-2P", "country": "DE", "quantity": 15}
    ).json()
    assert (later_answer["available"], later_answer["backordered"]) == (0, 10)
    assert later_answer["inbound"] == [{"date": later(20), "quantity": 30}]
    assert (later_answer["in_stock"], later_answer["ready_on"]) == (False, later(20))
    assert later_answer["ships_on"] > later(20)  # put away first
    assert later_answer["delivery"]["earliest"] >= later_answer["ships_on"]
    # More than the inbound frees after the backorders: no date.
    none = client.get(
        "/api/v1/availability", params={"sku": "TENT-2P", "country": "US", "quantity": 21}
    ).json()
    assert (none["in_stock"], none["ready_on"], none["ships_on"], none["delivery"]) == (
        False,
        None,
        None,
        None,
    )


def test_waiting_orders_and_what_an_order_waits_on(client: httpx.Client) -> None:
    supplier_id = stock_the_merchant(client)
    po_id = sent_po(client, supplier_id, arrival_days=15, quantity=25)
    backorder(client, "B-2", 10, hours_ago=1)
    backorder(client, "B-1", 10, hours_ago=3)
    backorder(client, "B-3", 10, hours_ago=0)

    listed = client.get("/api/v1/purchase-orders/PO-5001/waiting-orders")
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert listed.json()["purchase_order_id"] == po_id
    assert [(i["order_number"], i["quantity"], i["uncovered"]) for i in items] == [
        ("B-1", 10, 0),
        ("B-2", 10, 0),
        ("B-3", 10, 5),  # only 5 of the 25 are left for the newest
    ]
    assert items[0]["arrives_on"] == later(15) and items[0]["ships_on"] > later(15)
    assert items[2]["arrives_on"] is None and items[2]["ships_on"] is None
    assert listed.json()["next_cursor"] is None

    # Page by page, the same queue in the same order.
    first = client.get("/api/v1/purchase-orders/PO-5001/waiting-orders", params={"limit": 2}).json()
    assert [i["order_number"] for i in first["items"]] == ["B-1", "B-2"]
    assert first["next_cursor"] == first["items"][-1]["order_line_id"]
    rest = client.get(
        "/api/v1/purchase-orders/PO-5001/waiting-orders", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [i["order_number"] for i in rest["items"]] == ["B-3"] and rest["next_cursor"] is None

    on = client.get("/api/v1/orders/B-1/waiting-on").json()
    assert on["order_number"] == "B-1"
    assert [
        (i["purchase_order_number"], i["quantity"], i["arrives_on"]) for i in on["items"][0]["incoming"]
    ] == [("PO-5001", 10, later(15))]
    # Stock found on the shelf fills the oldest: it waits on nothing any more.
    assert client.put("/api/v1/stock/AUS1/TENT-2P", json={"on_hand": 10}).status_code == 200
    assert client.get("/api/v1/orders/B-1/waiting-on").json()["items"] == []
    assert [
        i["order_number"]
        for i in client.get(f"/api/v1/purchase-orders/{po_id}/waiting-orders").json()["items"]
    ] == [
        "B-2",
        "B-3",
    ]


def test_bad_questions_get_a_code_and_other_merchants_records_are_not_found(
    client: httpx.Client, make_merchant, server
) -> None:
    supplier_id = stock_the_merchant(client)
    sent_po(client, supplier_id)
    backorder(client, "B-1", 3, hours_ago=1)
    cases = [
        ({"sku": "TENT-2P", "country": "ZZ"}, "unknown_country"),
        ({"sku": "TENT-2P", "country": "USA"}, "validation_error"),
        ({"sku": "NOPE", "country": "US"}, "unknown_sku"),
        ({"sku": "TENT-2P", "country": "US", "quantity": 0}, "validation_error"),
        ({"sku": "TENT-2P", "country": "US", "quantity": -2}, "validation_error"),
        ({"country": "US"}, "validation_error"),
    ]
    for params, code in cases:
        answer = client.get("/api/v1/availability", params=params)
        assert (answer.status_code, error_code(answer)) == (422, code), params

    other = make_merchant("Other Shop")
    with server.client(other.api_key) as stranger:
        assert stranger.get("/api/v1/purchase-orders/PO-5001/waiting-orders").status_code == 404
        assert stranger.get("/api/v1/orders/B-1/waiting-on").status_code == 404
        assert error_code(
            stranger.get("/api/v1/availability", params={"sku": "TENT-2P", "country": "US"})
        ) == ("unknown_sku")


def test_one_warehouses_view_counts_its_own_stock_and_ships_from_it(client: httpx.Client) -> None:
    stock_the_merchant(client)
    berlin = client.post(
        "/api/v1/warehouses",
        json={
            "code": "BER1",
            "name": "Berlin DC",
            "address": {"line1": "1 Hafenstr.", "city": "Berlin", "country": "DE"},
            "timezone": "Europe/Berlin",
        },
    )
    assert berlin.status_code == 201, berlin.text
    assert client.put("/api/v1/stock/AUS1/TENT-2P", json={"on_hand": 4}).status_code == 200
    assert client.put("/api/v1/stock/BER1/TENT-2P", json={"on_hand": 7}).status_code == 200

    def ask(**params: object) -> httpx.Response:
        return client.get("/api/v1/availability", params={"sku": "TENT-2P", "country": "DE", **params})

    everywhere = ask(quantity=5).json()
    assert (everywhere["on_hand"], everywhere["warehouse"]) == (11, "BER1")  # the nearer one has 7
    austin = ask(quantity=5, warehouse="AUS1").json()
    assert (austin["on_hand"], austin["in_stock"], austin["ready_on"]) == (4, False, None)
    berlin_view = ask(quantity=5, warehouse="BER1").json()
    assert (berlin_view["on_hand"], berlin_view["in_stock"], berlin_view["warehouse"]) == (7, True, "BER1")
    unknown = ask(warehouse="NOPE")
    assert (unknown.status_code, error_code(unknown)) == (422, "unknown_warehouse")
