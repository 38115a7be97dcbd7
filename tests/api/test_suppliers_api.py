"""Suppliers, their SKU terms and purchase orders over HTTP: the lifecycle, bad input, tenants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import Tenant
from tests.support import LiveServer

SUPPLIER = {
    "name": "Kessler Outdoor GmbH",
    "email": "orders@kessler-outdoor.de",
    "phone": "+49 30 901820",
    "address": {"line1": "Industriestr. 4", "city": "Munich", "country": "DE"},
    "timezone": "Europe/Berlin",
    "lead_time_days": 12,
    "holiday_subdivision": "BY",
}


def later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def stock_the_merchant(client: httpx.Client) -> str:
    """A warehouse, two products and a supplier; the supplier's id."""
    warehouse = client.post(
        "/api/v1/warehouses",
        json={
            "code": "AUS1",
            "name": "Austin DC",
            "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
            "timezone": "America/Chicago",
        },
    )
    assert warehouse.status_code == 201, warehouse.text
    for sku in ("TENT-2P", "MUG-STEEL"):
        assert client.post("/api/v1/products", json={"sku": sku, "name": sku.title()}).status_code == 201
    created = client.post("/api/v1/suppliers", json=SUPPLIER)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def po_payload(supplier: str, /, **overrides: Any) -> dict[str, Any]:
    payload = {
        "number": "PO-1001",
        "supplier_id": supplier,
        "warehouse": "AUS1",
        "currency": "EUR",
        "lines": [
            {"sku": "TENT-2P", "quantity": 100, "unit_cost": "41.50"},
            {"sku": "MUG-STEEL", "quantity": 40},
        ],
        "promised_ship_date": later(10),
        "promised_arrival_date": later(30),
        "notes": "Pallets, please",
    }
    payload.update(overrides)
    return payload


def error_code(response: httpx.Response) -> str:
    return response.json()["error"]["code"]


def test_a_supplier_keeps_its_contacts_calendar_and_terms(client: httpx.Client) -> None:
    supplier_id = stock_the_merchant(client)
    supplier = client.get(f"/api/v1/suppliers/{supplier_id}").json()
    assert supplier["phone"] == "+4930901820"
    assert (supplier["holiday_country"], supplier["holiday_subdivision"]) == ("DE", "BY")
    assert supplier["address"]["name"] == "Kessler Outdoor GmbH"

    term = client.put(
        f"/api/v1/suppliers/{supplier_id}/skus/MUG-STEEL",
        json={"supplier_sku": "KO-88", "unit_cost": "3.20", "currency": "eur"},
    )
    assert term.status_code == 200, term.text
    assert (term.json()["supplier_sku"], term.json()["unit_cost"], term.json()["currency"]) == (
        "KO-88",
        "3.20",
        "EUR",
    )
    client.put(f"/api/v1/suppliers/{supplier_id}/skus/MUG-STEEL", json={"unit_cost": 3.4, "currency": "EUR"})
    terms = client.get(f"/api/v1/suppliers/{supplier_id}/skus").json()
    assert [(t["sku"], t["unit_cost"], t["supplier_sku"]) for t in terms["items"]] == [
        ("MUG-STEEL", "3.40", None)
    ]

    renamed = client.put(f"/api/v1/suppliers/{supplier_id}", json={**SUPPLIER, "name": "Kessler AG"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Kessler AG"
    assert [s["name"] for s in client.get("/api/v1/suppliers").json()["items"]] == ["Kessler AG"]


def test_suppliers_are_listed_newest_first_in_pages(client: httpx.Client) -> None:
    for name in ("A", "B", "C"):
        assert client.post("/api/v1/suppliers", json={**SUPPLIER, "name": name}).status_code == 201
    first = client.get("/api/v1/suppliers?limit=2").json()
    second = client.get(f"/api/v1/suppliers?limit=2&cursor={first['next_cursor']}").json()
    assert [s["name"] for s in first["items"] + second["items"]] == ["C", "B", "A"]
    assert second["next_cursor"] is None


def test_bad_supplier_input_is_refused_with_the_field(client: httpx.Client) -> None:
    cases = {
        "email": {"email": "orders@"},
        "phone": {"phone": "+1 555 0000"},  # the shape of E.164, but in no numbering plan
        "timezone": {"timezone": "Europe/Atlantis"},
        "lead_time_days": {"lead_time_days": -1},
    }
    for field, change in cases.items():
        refused = client.post("/api/v1/suppliers", json={**SUPPLIER, **change})
        assert refused.status_code == 422, (field, refused.text)
        assert refused.json()["error"]["details"][0]["field"] == field
    wrong_region = client.post("/api/v1/suppliers", json={**SUPPLIER, "holiday_subdivision": "ZZ"})
    assert wrong_region.status_code == 422
    assert client.post("/api/v1/suppliers", json=SUPPLIER).status_code == 201
    assert error_code(client.post("/api/v1/suppliers", json=SUPPLIER)) == "duplicate_supplier"
    supplier_id = client.get("/api/v1/suppliers").json()["items"][0]["id"]
    unknown = client.put(
        f"/api/v1/suppliers/{supplier_id}/skus/NOPE", json={"unit_cost": 1, "currency": "EUR"}
    )
    assert (unknown.status_code, error_code(unknown)) == (422, "unknown_sku")


def test_a_purchase_order_goes_from_draft_to_sent_to_confirmed(client: httpx.Client) -> None:
    supplier_id = stock_the_merchant(client)
    client.put(
        f"/api/v1/suppliers/{supplier_id}/skus/MUG-STEEL", json={"unit_cost": "3.20", "currency": "EUR"}
    )
    created = client.post("/api/v1/purchase-orders", json=po_payload(supplier_id))
    assert created.status_code == 201, created.text
    po = created.json()
    assert po["status"] == "draft"
    assert po["supplier"] == {"id": supplier_id, "name": "Kessler Outdoor GmbH"}
    assert po["warehouse"] == {"code": "AUS1"}
    assert [(line["line_no"], line["unit_cost"]) for line in po["lines"]] == [(1, "41.50"), (2, "3.20")]
    assert po["total"] == "4278.00"

    assert error_code(client.post(f"/api/v1/purchase-orders/{po['id']}/confirm", json={})) == (
        "invalid_purchase_order_transition"
    )
    sent = client.post("/api/v1/purchase-orders/po 1001/send")  # found by its number as typed
    assert (sent.status_code, sent.json()["status"]) == (200, "sent")
    again = client.post(f"/api/v1/purchase-orders/{po['id']}/send")
    assert (again.status_code, error_code(again)) == (409, "invalid_purchase_order_transition")

    confirmed = client.post(
        f"/api/v1/purchase-orders/{po['id']}/confirm",
        json={"lines": [{"line_no": 1, "quantity": 90}], "promised_arrival_date": later(35)},
    )
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == "confirmed"
    assert [line["confirmed_quantity"] for line in body["lines"]] == [90, None]
    assert (body["promised_ship_date"], body["promised_arrival_date"]) == (later(10), later(35))
    assert body["total"] == "3863.00"

    closed = client.post(
        f"/api/v1/purchase-orders/{po['id']}/lines/2/short-close", json={"reason": "discontinued"}
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["lines"][1]["short_close_reason"] == "discontinued"
    last = client.post(f"/api/v1/purchase-orders/{po['id']}/lines/1/short-close")
    assert (last.status_code, error_code(last)) == (409, "cancel_instead")
    assert error_code(client.post(f"/api/v1/purchase-orders/{po['id']}/lines/2/short-close")) == (
        "purchase_order_line_closed"
    )
    assert client.post(f"/api/v1/purchase-orders/{po['id']}/lines/9/short-close").status_code == 404

    cancelled = client.post(f"/api/v1/purchase-orders/{po['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert error_code(client.post(f"/api/v1/purchase-orders/{po['id']}/cancel")) == (
        "invalid_purchase_order_transition"
    )


def test_purchase_orders_are_listed_by_status_newest_first(client: httpx.Client) -> None:
    supplier_id = stock_the_merchant(client)
    lines = [{"sku": "TENT-2P", "quantity": 1, "unit_cost": 1}]
    ids = []
    for number in ("PO-1", "PO-2", "PO-3"):
        created = client.post(
            "/api/v1/purchase-orders", json=po_payload(supplier_id, number=number, lines=lines)
        )
        ids.append(created.json()["id"])
    client.post(f"/api/v1/purchase-orders/{ids[1]}/send")
    assert [p["number"] for p in client.get("/api/v1/purchase-orders?status=draft").json()["items"]] == [
        "PO-3",
        "PO-1",
    ]
    assert [p["number"] for p in client.get("/api/v1/purchase-orders?status=sent").json()["items"]] == [
        "PO-2"
    ]
    page = client.get("/api/v1/purchase-orders?limit=2").json()
    rest = client.get(f"/api/v1/purchase-orders?limit=2&cursor={page['next_cursor']}").json()
    assert [p["number"] for p in page["items"] + rest["items"]] == ["PO-3", "PO-2", "PO-1"]
    assert error_code(client.get("/api/v1/purchase-orders?status=lost")) == "validation_error"


def test_bad_purchase_orders_are_refused_with_a_code(client: httpx.Client) -> None:
    supplier_id = stock_the_merchant(client)
    tent = {"sku": "TENT-2P", "quantity": 5, "unit_cost": "1.00"}
    cases = {
        "validation_error": [
            {"lines": [{**tent, "quantity": 0}]},
            {"lines": [{**tent, "quantity": -3}]},
            {"lines": []},
        ],
        "unknown_sku": [{"lines": [{**tent, "sku": "NOPE"}]}],
        "unknown_warehouse": [{"warehouse": "NOWHERE"}],
        "unknown_supplier": [{"supplier_id": "sup_01kbx5c2r9m4n6p8q0s2t4v6w8"}],
        "promised_date_in_past": [{"promised_ship_date": later(-2)}, {"promised_arrival_date": later(-2)}],
        "promised_dates_out_of_order": [{"promised_ship_date": later(9), "promised_arrival_date": later(3)}],
        "unit_cost_required": [{"lines": [{"sku": "MUG-STEEL", "quantity": 1}]}],
        "duplicate_line_sku": [{"lines": [tent, tent]}],
        "unreadable_purchase_order_number": [{"number": "#--"}],
    }
    for code, changes in cases.items():
        for change in changes:
            refused = client.post("/api/v1/purchase-orders", json=po_payload(supplier_id, **change))
            assert (refused.status_code, error_code(refused)) == (422, code), (change, refused.text)
    assert client.get("/api/v1/purchase-orders").json()["items"] == []  # nothing half-written

    assert (
        client.post("/api/v1/purchase-orders", json=po_payload(supplier_id, lines=[tent])).status_code == 201
    )
    twin = client.post("/api/v1/purchase-orders", json=po_payload(supplier_id, number="po1001", lines=[tent]))
    assert (twin.status_code, error_code(twin)) == (409, "duplicate_purchase_order_number")
    client.post("/api/v1/purchase-orders/PO-1001/send")
    unknown_line = client.post(
        "/api/v1/purchase-orders/PO-1001/confirm", json={"lines": [{"line_no": 7, "quantity": 1}]}
    )
    assert (unknown_line.status_code, error_code(unknown_line)) == (422, "unknown_purchase_order_line")
    past = client.post("/api/v1/purchase-orders/PO-1001/confirm", json={"promised_ship_date": later(-1)})
    assert (past.status_code, error_code(past)) == (422, "promised_date_in_past")


def test_a_retried_create_makes_one_purchase_order(client: httpx.Client) -> None:
    supplier_id = stock_the_merchant(client)
    payload = po_payload(supplier_id, lines=[{"sku": "TENT-2P", "quantity": 5, "unit_cost": 1}])
    headers = {"Idempotency-Key": "po-1001-create"}
    first = client.post("/api/v1/purchase-orders", json=payload, headers=headers)
    second = client.post("/api/v1/purchase-orders", json=payload, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert len(client.get("/api/v1/purchase-orders").json()["items"]) == 1
    other = client.post("/api/v1/purchase-orders", json={**payload, "number": "PO-2"}, headers=headers)
    assert (other.status_code, error_code(other)) == (409, "idempotency_key_reused")


def test_another_merchants_suppliers_and_purchase_orders_are_not_found(
    client: httpx.Client, server: LiveServer, make_merchant: Callable[[str], Tenant]
) -> None:
    supplier_id = stock_the_merchant(client)
    po = client.post(
        "/api/v1/purchase-orders",
        json=po_payload(supplier_id, lines=[{"sku": "TENT-2P", "quantity": 1, "unit_cost": 1}]),
    ).json()
    rival = make_merchant("Rival Goods")
    with server.client(rival.api_key) as other:
        for path in (f"/api/v1/suppliers/{supplier_id}", f"/api/v1/suppliers/{supplier_id}/skus"):
            assert other.get(path).status_code == 404
        assert error_code(other.get(f"/api/v1/purchase-orders/{po['id']}")) == "purchase_order_not_found"
        assert other.get("/api/v1/purchase-orders/PO-1001").status_code == 404
        for action in ("send", "cancel"):
            assert other.post(f"/api/v1/purchase-orders/{po['id']}/{action}").status_code == 404
        assert other.put(f"/api/v1/suppliers/{supplier_id}", json=SUPPLIER).status_code == 404
        assert other.get("/api/v1/purchase-orders").json()["items"] == []
        assert other.get("/api/v1/suppliers").json()["items"] == []
        # Naming the other merchant's supplier in a new order: not theirs, so unknown.
        refused = other.post("/api/v1/purchase-orders", json=po_payload(supplier_id))
        assert refused.status_code == 422
    assert client.get(f"/api/v1/purchase-orders/{po['id']}").json()["status"] == "draft"
