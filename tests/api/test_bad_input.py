"""Every bad input gets a 4xx with ``{"error": {"code", "message"}}`` and changes nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime

import httpx
import pytest

from ordertrack.links import tracking_token
from tests.api.test_carriers_api import webhook_url
from tests.conftest import TEST_SECRET
from tests.integration.scenario import order_payload


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def assert_no_orders(client: httpx.Client) -> None:
    assert client.get("/api/v1/orders").json()["items"] == []


def test_missing_or_wrong_api_key_is_401(server) -> None:
    with server.client() as anonymous:
        response = anonymous.get("/api/v1/orders")
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
    with server.client("otk_not-a-key") as wrong:
        assert_error(wrong.get("/api/v1/orders"), 401, "unauthorized")


def test_malformed_json_is_400(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/orders", content=b'{"number": ', headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")
    assert_no_orders(client)


def test_body_that_is_not_json_is_415(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/orders", content=b"number=1", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": None}, "number"),
        ({"lines": []}, "lines"),
        ({"lines": [{"sku": "A", "quantity": "two", "unit_price": "1"}]}, "lines.0.quantity"),
        ({"lines": [{"sku": "A", "quantity": 0, "unit_price": "1"}]}, "lines.0.quantity"),
        ({"currency": "dollars"}, "currency"),
        ({"placed_at": "2026-11-01T09:30:00"}, "placed_at"),
        ({"placed_at": "yesterday"}, "placed_at"),
        # Instants whose UTC form falls outside the years 1 to 9999 that dates can hold.
        ({"placed_at": "9999-12-31T23:00:00-12:00"}, "placed_at"),
        ({"placed_at": "0001-01-01T00:00:00+14:00"}, "placed_at"),
        ({"customer": {"email": "not-an-email"}}, "customer.email"),
        ({"customer": {"email": "a@example.com", "phone": "12"}}, "customer.phone"),
        # A well-formed language tag longer than the 35 characters stored.
        ({"customer": {"email": "a@example.com", "locale": "en" + "-abcdefgh" * 4}}, "customer.locale"),
        ({"shipping_address": {"line1": "x", "city": "y", "country": "USA"}}, "shipping_address.country"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_order_is_422_naming_the_field(client: httpx.Client, change: dict, field: str) -> None:
    payload = {**order_payload(), **change}
    payload = {k: v for k, v in payload.items() if v is not None}
    error = assert_error(client.post("/api/v1/orders", json=payload), 422, "validation_error")
    assert field in [d["field"] for d in error["details"]], error
    assert_no_orders(client)


def test_duplicate_order_number_is_409(client: httpx.Client) -> None:
    assert client.post("/api/v1/orders", json=order_payload()).status_code == 201
    assert_error(client.post("/api/v1/orders", json=order_payload()), 409, "duplicate_order_number")


def test_unknown_ids_are_404(client: httpx.Client) -> None:
    assert_error(client.get("/api/v1/orders/ord_nope"), 404, "order_not_found")
    assert_error(client.get("/api/v1/shipments/shp_nope"), 404, "shipment_not_found")
    assert_error(client.get("/api/v1/tracking/1ZNOTHING"), 404, "tracking_not_found")
    assert_error(client.get("/api/v1/nowhere"), 404, "not_found")


def test_shipping_more_than_ordered_is_409_and_unknown_sku_422(client: httpx.Client) -> None:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    url = f"/api/v1/orders/{order['id']}/shipments"
    assert_error(
        client.post(
            url,
            json={
                "carrier": "acme_post",
                "tracking_number": "1Z1",
                "lines": [{"sku": "TENT-2P", "quantity": 3}],
            },
        ),
        409,
        "over_shipment",
    )
    assert_error(
        client.post(
            url,
            json={
                "carrier": "acme_post",
                "tracking_number": "1Z1",
                "lines": [{"sku": "NOPE", "quantity": 1}],
            },
        ),
        422,
        "sku_not_in_order",
    )
    assert_error(client.post(url, json={"carrier": "acme_post"}), 422, "validation_error")
    assert client.get(f"/api/v1/orders/{order['id']}").json()["shipments"] == []


def test_tracking_number_still_travelling_cannot_be_reused(client: httpx.Client) -> None:
    first = client.post("/api/v1/orders", json=order_payload("A")).json()
    second = client.post("/api/v1/orders", json=order_payload("B")).json()
    assert (
        client.post(
            f"/api/v1/orders/{first['id']}/shipments",
            json={"carrier": "acme_post", "tracking_number": "1ZSAME"},
        ).status_code
        == 201
    )
    response = client.post(
        f"/api/v1/orders/{second['id']}/shipments", json={"carrier": "acme_post", "tracking_number": "1ZSAME"}
    )
    assert_error(response, 409, "tracking_number_in_use")


def good_event(**change: object) -> dict:
    event = {
        "tracking_number": "1ZBAD",
        "carrier": "acme_post",
        "occurred_at": datetime.now(UTC).isoformat(),
        "status": "in_transit",
    }
    event.update(change)
    return event


@pytest.mark.parametrize(
    "bad",
    [
        {"status": "teleported"},
        {"occurred_at": "2026-11-01T10:00:00"},
        {"occurred_at": 12},
        {"occurred_at": "9999-12-31T23:00:00-12:00"},
        {"occurred_at": "0001-01-01T00:00:00+14:00"},
        {"tracking_number": None},
        {"carrier": "U P S!"},
        {"location": {"timezone": "Mars/Olympus_Mons"}},
        {"location": {"latitude": 123}},
    ],
)
def test_bad_event_is_rejected_alone_and_the_rest_is_kept(client: httpx.Client, bad: dict) -> None:
    events = [good_event(event_id="ok-1"), good_event(**bad), good_event(event_id="ok-2")]
    events[1] = {k: v for k, v in events[1].items() if v is not None}
    response = client.post("/api/v1/tracking/events", json={"events": events})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (2, 0)
    assert [r["index"] for r in body["rejected"]] == [1]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"occurred_at": "2026-11-01T10:00:00"}, "occurred_at"),
        ({"occurred_at": "9999-12-31T23:00:00-12:00"}, "occurred_at"),
        ({"status": "teleported"}, "status"),
        ({"tracking_number": 7}, "tracking_number"),
    ],
)
def test_batch_of_only_bad_events_is_422(client: httpx.Client, bad: dict, field: str) -> None:
    response = client.post("/api/v1/tracking/events", json={"events": [good_event(**bad)]})
    error = assert_error(response, 422, "events_rejected")
    assert error["details"][0]["index"] == 0
    assert error["details"][0]["code"] in ("invalid_event", "implausible_time")
    assert error["details"][0]["message"].startswith(field)
    assert client.get("/api/v1/tracking/events").json()["items"] == []


def test_oversize_batch_is_refused_whole(client: httpx.Client) -> None:
    events = [good_event(event_id=f"e{i}") for i in range(1001)]
    assert_error(client.post("/api/v1/tracking/events", json={"events": events}), 422, "batch_too_large")
    assert client.get("/api/v1/tracking/events").json()["items"] == []


def test_events_must_be_a_list(client: httpx.Client) -> None:
    assert_error(client.post("/api/v1/tracking/events", json={"events": "many"}), 422, "validation_error")
    assert_error(client.post("/api/v1/tracking/events", json=[good_event()]), 422, "validation_error")


def test_bad_query_parameters_are_422(client: httpx.Client) -> None:
    assert_error(client.get("/api/v1/orders?status=lost_in_space"), 422, "validation_error")
    assert_error(client.get("/api/v1/orders?limit=0"), 422, "validation_error")
    assert_error(client.get("/api/v1/orders?cursor=garbage"), 422, "invalid_cursor")
    assert_error(
        client.get("/api/v1/tracking/events?cursor=" + "eyJhZnRlciI6Im9yZF94In0"), 422, "invalid_cursor"
    )
    assert_error(client.get("/api/v1/tracking/events?tracking_number=!&cursor=x"), 422, "invalid_cursor")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orders",
        "/api/v1/products",
        "/api/v1/shipments",
        "/api/v1/attention",
        "/api/v1/tracking/events",
    ],
)
def test_any_cursor_of_the_declared_form_is_a_place_in_the_list(client: httpx.Client, path: str) -> None:
    declared = client.get("/openapi.json").json()["paths"][path]["get"]["parameters"]
    pattern = next(p["schema"] for p in declared if p["name"] == "cursor")["pattern"]
    cursor = "4" * 18 if path.endswith("/events") else "zzz_" + "0" * 26
    assert re.fullmatch(pattern, cursor) and re.fullmatch(pattern, "")
    for value in (cursor, ""):
        response = client.get(path, params={"cursor": value})
        assert response.status_code == 200, response.text
        assert response.json()["next_cursor"] is None


def test_a_cursor_walks_every_order_once(client: httpx.Client) -> None:
    for number in range(5):
        client.post("/api/v1/orders", json=order_payload(f"W-{number}"))
    seen, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/orders", params={"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [o["number"] for o in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert sorted(seen) == [f"W-{n}" for n in range(5)]


def test_body_over_the_size_limit_is_413(client: httpx.Client) -> None:
    huge = b'{"events": [' + b" " * (9 * 1024 * 1024) + b"]}"
    response = client.post(
        "/api/v1/tracking/events", content=huge, headers={"content-type": "application/json"}
    )
    assert_error(response, 413, "payload_too_large")


@pytest.mark.parametrize("text", ["A\\u0000B", "\\ud800"])
def test_text_no_database_can_store_is_422(client: httpx.Client, text: str) -> None:
    body = json.dumps(order_payload()).replace('"1001"', f'"{text}"').encode()
    response = client.post("/api/v1/orders", content=body, headers={"content-type": "application/json"})
    error = assert_error(response, 422, "validation_error")
    assert "number" in [d["field"] for d in error["details"]]
    assert_no_orders(client)


def test_nul_in_the_url_is_400(client: httpx.Client) -> None:
    assert_error(client.get("/api/v1/shipments?carrier=%00"), 400, "bad_request")
    assert_error(client.get("/api/v1/orders/ord%00x"), 400, "bad_request")


@pytest.mark.parametrize(
    ("carrier", "valid"),
    [("ups", "1Z5R89390357567127"), ("usps", "03071790000523483741"), ("fedex", "986578788855")],
)
def test_a_tracking_number_with_a_wrong_check_digit_is_422(
    client: httpx.Client, carrier: str, valid: str
) -> None:
    number = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    order = client.post("/api/v1/orders", json=order_payload()).json()
    response = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": carrier, "tracking_number": number}
    )
    error = assert_error(response, 422, "invalid_tracking_number")
    assert "check digit" in error["message"]
    assert client.get(f"/api/v1/orders/{order['id']}").json()["shipments"] == []
    accepted = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": carrier, "tracking_number": valid}
    )
    assert accepted.status_code == 201, accepted.text


# --- signed tokens and cookies ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/track/ord_x.a98.%C3%A9",
        "/track/%C3%A9.a98.abc",
        "/track/ord_x.%C3%A9.abc",
        "/notifications/unsubscribe/abc.%C3%A9",
        "/notifications/unsubscribe/%C3%A9.abc",
    ],
)
def test_a_signed_link_with_non_ascii_text_is_404(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 404
    if path.startswith("/notifications/"):
        assert client.post(path).status_code == 404


def test_a_staff_session_cookie_with_non_ascii_gets_the_login_page(client: httpx.Client) -> None:
    for value in ["abc.\u00e9", "\u00e9.abc", "\u00e9"]:
        response = client.get(
            "/dashboard/orders", headers={"cookie": f"ot_staff={value}".encode()}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"].startswith("/dashboard/login")
        login = client.get("/dashboard/login", headers={"cookie": f"ot_staff={value}".encode()})
        assert login.status_code == 200, login.text


def test_an_email_proof_cookie_with_non_ascii_shows_the_page_without_the_name(client: httpx.Client) -> None:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    page = f"/track/{tracking_token(TEST_SECRET, order['id'])}"
    forged = f"{order['id']}.{int(time.time()) + 600:x}.\u00e9"
    response = client.get(page, headers={"cookie": f"ot_email_proof={forged}".encode()})
    assert response.status_code == 200, response.text
    assert order_payload()["customer"]["name"] not in response.text


# --- carrier webhooks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [b"t=\xb2,v1=ab", "t=\u0661\u0667\u0660\u0660,v1=ab".encode(), f"t={'9' * 5000},v1=ab".encode()],
    ids=["latin1_superscript_digit", "utf8_arabic_indic_digits", "five_thousand_digits"],
)
def test_a_shippo_signature_time_that_is_not_ascii_digits_is_401(
    client: httpx.Client, server, header: bytes
) -> None:
    path, token = webhook_url(client, "shippo", "shippo-secret")
    with httpx.Client(base_url=server.base_url) as anonymous:
        response = anonymous.post(
            path,
            params={"token": token},
            content=b'{"event": "track_updated", "data": {}}',
            headers={"content-type": "application/json", "shippo-auth-signature": header},
        )
    assert_error(response, 401, "bad_signature")


def _signed_for(carrier: str, body: bytes, secret: str) -> dict[str, str]:
    """The signature header each sender puts on its push (see carriers/<x>/webhook.py)."""
    if carrier == "aftership":
        digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        return {"aftership-hmac-sha256": base64.b64encode(digest).decode()}
    if carrier == "easypost":
        hexdigest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return {"x-hmac-signature": f"hmac-sha256-hex={hexdigest}"}
    stamp = str(int(time.time()))
    hexdigest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"shippo-auth-signature": f"t={stamp},v1={hexdigest}"}


@pytest.mark.parametrize("carrier", ["aftership", "easypost", "shippo"])
@pytest.mark.parametrize("body", [b'{"msg": {"tracking_number": [truncated', b"\xff\xfe", b"[]"])
def test_a_correctly_signed_but_unreadable_push_is_quarantined_with_202(
    client: httpx.Client, server, carrier: str, body: bytes
) -> None:
    path, token = webhook_url(client, carrier, "whsec-of-the-shop")
    with httpx.Client(base_url=server.base_url) as anonymous:
        response = anonymous.post(
            path,
            params={"token": token},
            content=body,
            headers={"content-type": "application/json", **_signed_for(carrier, body, "whsec-of-the-shop")},
        )
        forged = anonymous.post(
            path,
            params={"token": token},
            content=body,
            headers={"content-type": "application/json", **_signed_for(carrier, body, "not-the-secret")},
        )
    assert response.status_code == 202, response.text
    assert response.json()["state"] == "quarantined"
    assert_error(forged, 401, "bad_signature")
    listed = client.get("/api/v1/carriers/quarantine").json()["items"]
    assert [(p["id"], p["carrier"]) for p in listed] == [(response.json()["payload_id"], carrier)]
    assert client.get(f"/api/v1/carriers/quarantine/{listed[0]['id']}").status_code == 200


# --- what the OpenAPI document declares is what the server enforces ---------------------------


def declared(client: httpx.Client, name: str) -> dict:
    return client.get("/openapi.json").json()["components"]["schemas"][name]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"unit_price": "1e3"}, "lines.0.unit_price"),
        ({"unit_price": "1.23456"}, "lines.0.unit_price"),
        ({"unit_price": "-1"}, "lines.0.unit_price"),
        ({"unit_price": ""}, "lines.0.unit_price"),
        ({"unit_price": True}, "lines.0.unit_price"),
        ({"unit_price": 1e10}, "lines.0.unit_price"),
        ({"quantity": True}, "lines.0.quantity"),
        ({"quantity": "2"}, "lines.0.quantity"),
    ],
)
def test_a_line_that_breaks_the_declared_types_is_422(client: httpx.Client, change: dict, field: str) -> None:
    payload = order_payload(lines=[{"sku": "A", "quantity": 1, "unit_price": "1.00", **change}])
    error = assert_error(client.post("/api/v1/orders", json=payload), 422, "validation_error")
    assert field in [d["field"] for d in error["details"]], error


def test_amounts_are_exact_as_strings_and_read_to_four_places_as_numbers(client: httpx.Client) -> None:
    lines = [
        {"sku": "A", "quantity": 1, "unit_price": "9999999999.9999"},
        {"sku": "B", "quantity": 1, "unit_price": 0.1 + 0.2},
        {"sku": "C", "quantity": 2, "unit_price": 3},
    ]
    order = client.post("/api/v1/orders", json=order_payload(lines=lines))
    assert order.status_code == 201, order.text
    assert [line["unit_price"] for line in order.json()["lines"]] == ["9999999999.9999", "0.30", "3.00"]


def test_a_phone_is_e164_with_separators_dropped(client: httpx.Client) -> None:
    customer = {"email": "ann@example.com", "phone": "+1 (415) 555-0123"}
    order = client.post("/api/v1/orders", json=order_payload(customer=customer))
    assert order.status_code == 201, order.text
    assert order.json()["customer"]["phone"] == "+14155550123"
    pattern = declared(client, "CustomerIn")["properties"]["phone"]["anyOf"][0]["pattern"]
    for wrong in ("14155550123", "+0 415 555 0123", "+1 415", "+1 415 555 0123 x"):
        assert not re.fullmatch(pattern, wrong)
        bad = client.post(
            "/api/v1/orders", json=order_payload(number="P", customer={**customer, "phone": wrong})
        )
        assert_error(bad, 422, "validation_error")


def test_time_zones_are_declared_as_the_list_the_server_takes(client: httpx.Client) -> None:
    zones = declared(client, "WarehouseIn")["properties"]["timezone"]["enum"]
    assert "America/Chicago" in zones and "Mars/Olympus_Mons" not in zones
    warehouse = {
        "code": "W1",
        "name": "Main",
        "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
        "timezone": "America/Chicago",
    }
    assert client.post("/api/v1/warehouses", json=warehouse).status_code == 201
    refused = client.post(
        "/api/v1/warehouses", json={**warehouse, "code": "W2", "timezone": "america/chicago"}
    )
    assert_error(refused, 422, "validation_error")


def test_text_fields_declare_no_nul_and_not_blank(client: httpx.Client) -> None:
    city = declared(client, "AddressIn")["properties"]["city"]["pattern"]
    assert (
        re.fullmatch(city, "Austin") and not re.fullmatch(city, "\r\n ") and not re.fullmatch(city, "A\x00")
    )
    blank = order_payload(shipping_address={"line1": "1 Main St", "city": "\u3000", "country": "US"})
    error = assert_error(client.post("/api/v1/orders", json=blank), 422, "validation_error")
    assert "shipping_address.city" in [d["field"] for d in error["details"]]


def test_staff_alerts_by_sms_are_declared_impossible(client: httpx.Client) -> None:
    rule = declared(client, "SettingIn")["not"]
    assert rule["properties"]["channel"] == {"const": "sms"}
    assert set(rule["properties"]["trigger"]["enum"]) == {
        "low_stock",
        "needs_attention",
        "inbound_late",
        "purchase_order_sent",
        "supplier_reminder",
    }
    body = {"trigger": "low_stock", "channel": "sms", "enabled": False}
    assert client.put("/api/v1/notifications/settings", json=body).status_code == 422
    for enabled in (0, "false"):
        wrong = client.put(
            "/api/v1/notifications/settings", json={**body, "channel": "email", "enabled": enabled}
        )
        assert_error(wrong, 422, "validation_error")


def test_templates_exist_for_email_and_sms_only(client: httpx.Client) -> None:
    assert client.get("/api/v1/notifications/templates/shipped/email/en").status_code == 200
    assert_error(client.get("/api/v1/notifications/templates/shipped/webhook/en"), 422, "validation_error")


def test_accounts_are_declared_for_pollable_carriers_only(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()["paths"]["/api/v1/carriers/{carrier}/account"]["put"]
    carriers = next(p for p in spec["parameters"] if p["name"] == "carrier")["schema"]["enum"]
    assert {"ups", "fedex", "usps", "dhl"} <= set(carriers) and "canadapost" not in carriers


def test_a_warehouse_name_longer_than_its_column_is_422_not_a_500(client: httpx.Client) -> None:
    warehouse = {
        "code": "W1",
        "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
        "timezone": "America/Chicago",
    }
    assert_error(
        client.post("/api/v1/warehouses", json={**warehouse, "name": "N" * 201}), 422, "validation_error"
    )
    assert client.post("/api/v1/warehouses", json={**warehouse, "name": "N" * 200}).status_code == 201


def test_a_batch_declares_that_any_item_is_taken_and_bad_ones_reported(client: httpx.Client) -> None:
    events = client.get("/openapi.json").json()["components"]["schemas"]["EventBatchIn"]["properties"][
        "events"
    ]
    assert {} in events["items"]["anyOf"]
    response = client.post("/api/v1/tracking/events", json={"events": [good_event(), 7]})
    assert response.status_code == 200 and [r["index"] for r in response.json()["rejected"]] == [1]


def test_every_free_text_url_parameter_declares_that_nul_is_refused(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                for text in [s for s in [schema, *schema.get("anyOf", [])] if s.get("type") == "string"]:
                    where = f"{method.upper()} {path} {parameter['name']}"
                    assert "enum" in text or not re.fullmatch(text["pattern"], "a\x00"), where
    assert_error(client.get("/api/v1/attention?shipment_id=a%00"), 400, "bad_request")


def test_an_empty_push_is_quarantined_as_its_document_allows(client: httpx.Client, server) -> None:
    spec = client.get("/openapi.json").json()["paths"]["/api/v1/carriers/{carrier}/webhook"]["post"]
    assert spec["requestBody"]["required"] is False
    path, token = webhook_url(client, "canadapost", None)
    with httpx.Client(base_url=server.base_url) as anonymous:
        response = anonymous.post(path, params={"token": token})
    assert response.status_code == 202, response.text
    assert response.json()["state"] == "quarantined"
