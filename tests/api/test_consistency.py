"""API v1 says each thing one way: lists, errors, addresses and references (docs/api.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.integration.scenario import order_payload

# Complete in one page: a fixed catalogue, not rows that grow.
COMPLETE_LISTS = {
    "/api/v1/carriers",
    "/api/v1/notifications/settings",
    # One purchase order's history and notices: bounded by the order, in one page.
    "/api/v1/purchase-orders/{po_ref}/history",
    "/api/v1/purchase-orders/{po_ref}/inbound-shipments",
    # One order's or notice's counts at the dock and its discrepancies, in one page.
    "/api/v1/inbound-shipments/{ref}/receipts",
    "/api/v1/purchase-orders/{ref}/receipts",
    "/api/v1/purchase-orders/{ref}/discrepancies",
    # One order's backordered lines and what fills them.
    "/api/v1/orders/{order_ref}/waiting-on",
}

ADDRESS = {
    "name": None,
    "line1": "500 Dock Rd",
    "line2": "Gate 4",
    "city": "Austin",
    "region": "TX",
    "postal_code": "78744",
    "country": "US",
}


def warehouse(code: str, priority: int = 100, **address: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"Warehouse {code}",
        "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US", **address},
        "timezone": "America/Chicago",
        "priority": priority,
    }


def schema_of(document: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    name = reference["$ref"].rsplit("/", 1)[1]
    return document["components"]["schemas"][name]


def ok_schema(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    return schema_of(document, schema) if "$ref" in schema else schema


def page_through(client: httpx.Client, path: str, limit: int) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(50):
        separator = "&" if "?" in path else "?"
        answer = client.get(f"{path}{separator}limit={limit}&cursor={cursor}")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= limit
        seen += body["items"]
        if body["next_cursor"] is None:
            return seen
        cursor = body["next_cursor"]
    raise AssertionError(f"{path} never ended")


def assert_error_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    details = error.get("details")
    assert isinstance(details, list) and details
    for item in details:
        assert isinstance(item["code"], str) and item["code"]
        assert isinstance(item["message"], str) and item["message"]
    return details


def test_every_list_answers_items_and_next_cursor_and_takes_cursor_and_limit(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    lists = []
    for path, operations in document["paths"].items():
        get = operations.get("get")
        schema = ok_schema(document, get) if get else None
        if schema is None:
            continue
        assert schema.get("type") != "array", f"{path} answers a bare array"
        if "items" not in schema.get("properties", {}):
            continue
        lists.append(path)
        assert {"items", "next_cursor"} <= set(schema["properties"]), path
        parameters = {p["name"]: p for p in get.get("parameters", [])}
        if path in COMPLETE_LISTS:
            continue
        assert {"cursor", "limit"} <= set(parameters), f"{path} is not paginated"
        assert parameters["limit"]["schema"]["maximum"] == 200, path
    assert len(lists) >= 15  # every list of the API, not a few


def test_every_error_answer_is_declared_with_detail_items_that_have_a_code_and_a_message(
    client: httpx.Client,
) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    details = schemas["ErrorBody"]["properties"]["details"]
    item = next(part for part in details["anyOf"] if part.get("type") == "array")["items"]
    assert set(schemas[item["$ref"].rsplit("/", 1)[1]]["required"]) == {"code", "message"}


def test_warehouses_stock_and_movements_page_through_every_item_once(client: httpx.Client) -> None:
    for code, priority in (("DAL", 20), ("AUS", 10), ("HOU", 10)):
        assert client.post("/api/v1/warehouses", json=warehouse(code, priority)).status_code == 201
    warehouses = page_through(client, "/api/v1/warehouses", 2)
    assert [w["code"] for w in warehouses] == ["AUS", "HOU", "DAL"]  # priority, then code

    for sku in ("TENT-2P", "MUG-STEEL", "LAMP"):
        for code in ("AUS", "DAL"):
            assert client.put(f"/api/v1/stock/{code}/{sku}", json={"on_hand": 5}).status_code == 200
    levels = page_through(client, "/api/v1/stock", 4)
    assert [(level["sku"], level["warehouse"]["code"]) for level in levels] == sorted(
        (sku, code) for sku in ("TENT-2P", "MUG-STEEL", "LAMP") for code in ("AUS", "DAL")
    )
    assert [
        level["warehouse"]["code"] for level in page_through(client, "/api/v1/stock?warehouse=DAL", 1)
    ] == ["DAL"] * 3

    movements = page_through(client, "/api/v1/stock/movements", 4)
    assert len(movements) == 6 and len({m["id"] for m in movements}) == 6
    assert [m["id"] for m in movements] == sorted((m["id"] for m in movements), reverse=True)


def test_a_cursor_the_api_did_not_issue_is_invalid_cursor(client: httpx.Client) -> None:
    for path in ("/api/v1/warehouses", "/api/v1/stock", "/api/v1/carriers/unknown-codes"):
        for cursor in ("not-a-cursor", "WzEsMl0", "TENT~12"):
            answer = client.get(f"{path}?cursor={cursor}")
            assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_cursor", path
    # Any value of the declared form is a place in the list, even past its end.
    assert client.get("/api/v1/warehouses?cursor=99999:zz").json() == {"items": [], "next_cursor": None}
    assert client.get("/api/v1/carriers/unknown-codes?cursor=zz:a").json()["items"] == []
    answer = client.get("/api/v1/stock/movements?cursor=ord_01kbx5c2r9m4n6p8q0s2t4v6w8")
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_cursor"


def test_an_address_has_one_shape_on_an_order_and_on_a_warehouse(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    order_in = schemas["OrderIn"]["properties"]["shipping_address"]
    warehouse_in = schemas["WarehouseIn"]["properties"]["address"]
    assert order_in["$ref"] == warehouse_in["$ref"] == "#/components/schemas/AddressIn"
    assert set(schemas["AddressIn"]["required"]) == {"line1", "city", "country"}
    out_refs = {
        schemas["OrderOut"]["properties"]["shipping_address"]["$ref"],
        schemas["WarehouseOut"]["properties"]["address"]["$ref"],
    }
    assert out_refs == {"#/components/schemas/AddressOut"}

    order = client.post("/api/v1/orders", json=order_payload(shipping_address={**ADDRESS, "name": "Ann Lee"}))
    assert order.status_code == 201, order.text
    assert order.json()["shipping_address"] == {**ADDRESS, "name": "Ann Lee"}
    created = client.post("/api/v1/warehouses", json={**warehouse("AUS"), "address": ADDRESS})
    assert created.status_code == 201, created.text
    assert created.json()["address"] == {**ADDRESS, "name": "Warehouse AUS"}
    # What a warehouse answers can be sent back as it is.
    again = {**warehouse("AUS2"), "address": {**created.json()["address"], "name": "Warehouse AUS2"}}
    assert client.post("/api/v1/warehouses", json=again).status_code == 201


def test_an_address_needs_a_street_a_city_and_a_country_everywhere(client: httpx.Client) -> None:
    for missing in ("line1", "city", "country"):
        address = {k: v for k, v in ADDRESS.items() if k != missing}
        refused = {
            "shipping_address": client.post(
                "/api/v1/orders", json=order_payload(f"N-{missing}", shipping_address=address)
            ),
            "address": client.post("/api/v1/warehouses", json={**warehouse("AUS"), "address": address}),
        }
        for prefix, answer in refused.items():
            assert answer.status_code == 422
            items = assert_error_items(answer.json())
            assert [(i["field"], i["code"]) for i in items] == [(f"{prefix}.{missing}", "missing")]
    named_otherwise = {**warehouse("AUS"), "address": {**ADDRESS, "name": "Somewhere else"}}
    assert client.post("/api/v1/warehouses", json=named_otherwise).status_code == 422


def test_answers_name_an_order_and_a_warehouse_as_objects_and_requests_by_one_string(
    client: httpx.Client,
) -> None:
    assert client.post("/api/v1/warehouses", json=warehouse("AUS1")).status_code == 201
    for sku in ("TENT-2P", "MUG-STEEL"):
        client.put(f"/api/v1/stock/AUS1/{sku}", json={"on_hand": 5})
    order = client.post("/api/v1/orders", json=order_payload("A-7")).json()
    reference = {"id": order["id"], "number": "A-7"}
    assert client.post("/api/v1/orders/A-7/confirm").status_code == 200

    picking = client.get("/api/v1/warehouses/AUS1/pick-list").json()
    assert picking["warehouse"] == {"code": "AUS1"}
    assert {o["order"]["number"] for line in picking["lines"] for o in line["orders"]} == {"A-7"}
    shipped = client.post(
        "/api/v1/orders/A-7/shipments",
        json={"warehouse": "AUS1", "carrier": "acme_post", "tracking_number": "1ZREF1"},
    )
    assert shipped.status_code == 201, shipped.text
    assert (shipped.json()["order"], shipped.json()["warehouse"]) == (reference, {"code": "AUS1"})
    assert "order_id" not in shipped.json()
    for ref in ("A-7", order["id"]):
        listed = client.get(f"/api/v1/shipments?order={ref}").json()["items"]
        assert [s["order"] for s in listed] == [reference]
    assert client.get("/api/v1/shipments?order=NOPE").json()["error"]["code"] == "order_not_found"
    assert client.get("/api/v1/orders/A-7").json()["shipments"][0]["order"] == reference
    movements = client.get("/api/v1/stock/movements?sku=TENT-2P").json()["items"]
    assert {m["warehouse"]["code"] for m in movements} == {"AUS1"}
    assert {(m["order"] or {}).get("number") for m in movements} == {"A-7", None}
    assert client.get("/api/v1/attention?order=A-7&state=all").json() == {"items": [], "next_cursor": None}
    log = client.get("/api/v1/orders/A-7/notifications").json()
    assert set(log) == {"items", "next_cursor"} and all(n["order"] == reference for n in log["items"])
    preview = client.post(
        "/api/v1/notifications/preview", json={"trigger": "shipped", "channel": "sms", "order": "A-7"}
    )
    assert preview.status_code == 200, preview.text


def test_errors_with_parts_list_them_as_items_with_a_code_and_a_message(client: httpx.Client) -> None:
    bad_order = client.post("/api/v1/orders", json=order_payload(lines=[{"sku": "X", "quantity": 0}]))
    fields = {(i["field"], i["code"]) for i in assert_error_items(bad_order.json())}
    assert fields == {("lines.0.quantity", "greater_than_equal"), ("lines.0.unit_price", "missing")}

    client.post("/api/v1/orders", json=order_payload("S-1"))
    over = client.post(
        "/api/v1/orders/S-1/shipments",
        json={
            "carrier": "acme_post",
            "tracking_number": "1ZOVER",
            "lines": [{"sku": "MUG-STEEL", "quantity": 3}],
        },
    )
    assert over.status_code == 409
    [item] = assert_error_items(over.json())
    assert item["code"] == "over_shipment"
    assert (item["sku"], item["requested"], item["available"]) == ("MUG-STEEL", 3, 1)

    now = datetime.now(UTC).isoformat()
    event = {"tracking_number": "1ZBATCH", "carrier": "acme_post", "occurred_at": now, "status": "in_transit"}
    too_many = client.post("/api/v1/tracking/events", json={"events": [event] * 1001})
    [item] = assert_error_items(too_many.json())
    assert (item["code"], item["max"], item["got"]) == ("batch_too_large", 1000, 1001)


def test_a_rejected_event_carries_a_code_and_a_message_and_its_place(client: httpx.Client) -> None:
    now = datetime.now(UTC).isoformat()
    good = {"tracking_number": "1ZREJ", "carrier": "acme_post", "occurred_at": now, "status": "in_transit"}
    batch = [good, {**good, "status": "teleported"}, {**good, "occurred_at": "1970-01-01T00:00:00Z"}]
    answer = client.post("/api/v1/tracking/events", json={"events": batch})
    assert answer.status_code == 200, answer.text
    rejected = answer.json()["rejected"]
    assert [(r["index"], r["code"]) for r in rejected] == [(1, "invalid_event"), (2, "implausible_time")]
    assert rejected[1]["field"] == "occurred_at"
    assert all(r["message"] for r in rejected)

    only_bad = client.post("/api/v1/tracking/events", json={"events": batch[1:]})
    items = assert_error_items(only_bad.json())
    assert [(i["index"], i["code"]) for i in items] == [(0, "invalid_event"), (1, "implausible_time")]
