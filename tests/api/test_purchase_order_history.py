"""A purchase order's history over HTTP: every action, in order, with the API key that made it."""

from __future__ import annotations

import httpx

from tests.api.test_suppliers_api import error_code, later, po_payload, stock_the_merchant


def draft(client: httpx.Client) -> dict:
    """A draft purchase order of 100 tents and 40 mugs."""
    supplier_id = stock_the_merchant(client)
    client.put(
        f"/api/v1/suppliers/{supplier_id}/skus/MUG-STEEL", json={"unit_cost": "3.20", "currency": "EUR"}
    )
    created = client.post("/api/v1/purchase-orders", json=po_payload(supplier_id))
    assert created.status_code == 201, created.text
    return created.json()


def test_every_action_is_in_the_history_with_the_key_that_made_it(client: httpx.Client) -> None:
    po = draft(client)
    assert client.post(f"/api/v1/purchase-orders/{po['id']}/send").status_code == 200
    confirmed = client.post(
        f"/api/v1/purchase-orders/{po['id']}/confirm",
        json={"lines": [{"line_no": 1, "quantity": 90}], "promised_ship_date": later(12)},
    )
    assert confirmed.status_code == 200, confirmed.text

    history = client.get(f"/api/v1/purchase-orders/{po['number']}/history")

    assert history.status_code == 200, history.text
    items = history.json()["items"]
    assert [item["action"] for item in items] == ["created", "sent", "confirmed"]
    prefix = client.tenant.api_key[:12]  # type: ignore[attr-defined]
    assert {item["actor"] for item in items} == {f"api key {prefix}"}
    assert items[2]["details"]["lines"] == [{"line_no": 1, "sku": "TENT-2P", "from": 100, "to": 90}]
    assert items[2]["details"]["promised_ship_date"] == {"from": later(10), "to": later(12)}


def test_a_refused_action_leaves_no_line_in_the_history(client: httpx.Client) -> None:
    po = draft(client)
    refused = client.post(f"/api/v1/purchase-orders/{po['id']}/confirm", json={})
    assert refused.status_code == 409
    items = client.get(f"/api/v1/purchase-orders/{po['id']}/history").json()["items"]
    assert [item["action"] for item in items] == ["created"]


def test_another_merchants_history_is_not_found(client: httpx.Client, make_merchant, server) -> None:
    po = draft(client)
    other = make_merchant("Other Shop")
    with server.client(other.api_key) as http:
        answer = http.get(f"/api/v1/purchase-orders/{po['id']}/history")
    assert answer.status_code == 404
    assert error_code(answer) == "purchase_order_not_found"
