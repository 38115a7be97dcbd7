"""Advance shipping notices over HTTP: declared on a purchase order with their parcels, flagged
when over, refused whole on bad input, cancelled before anything was counted, one per retry."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.test_purchase_order_history import draft
from tests.api.test_suppliers_api import error_code, later

UPS = "1Z5R89390357567127"
UPS_2 = "1Z999AA10123456784"
UPS_BAD_CHECK_DIGIT = "1Z5R89390357567128"


def sent_order(client: httpx.Client) -> dict[str, Any]:
    """A sent order of 100 tents (line 1) and 40 mugs (line 2)."""
    po = draft(client)
    sent = client.post(f"/api/v1/purchase-orders/{po['id']}/send")
    assert sent.status_code == 200, sent.text
    return sent.json()


def notice(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "number": "ASN-KO-1",
        "carrier": "ups",
        "expected_arrival_date": later(20),
        "parcels": [{"tracking_number": UPS}, {"tracking_number": UPS_2}],
        "lines": [
            {"line_no": 1, "quantity": 60, "parcel": 1},
            {"sku": "MUG-STEEL", "quantity": 40, "parcel": 2},
        ],
    }
    payload.update(overrides)
    return payload


def test_a_notice_ships_its_lines_in_tracked_parcels(client: httpx.Client) -> None:
    po = sent_order(client)

    declared = client.post(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments", json=notice())

    assert declared.status_code == 201, declared.text
    asn = declared.json()
    assert (asn["number"], asn["seq"], asn["status"], asn["carrier"]) == ("ASN-KO-1", 1, "declared", "ups")
    assert [(line["line_no"], line["quantity"], line["parcel"]) for line in asn["lines"]] == [
        (1, 60, 1),
        (2, 40, 2),
    ]
    assert [(p["tracking_number"], p["carrier"]) for p in asn["parcels"]] == [(UPS, "ups"), (UPS_2, "ups")]
    assert asn["warnings"] == []
    prefix = client.tenant.api_key[:12]  # type: ignore[attr-defined]
    assert asn["declared_by"] == f"api key {prefix}"

    order = client.get(f"/api/v1/purchase-orders/{po['id']}").json()
    assert order["status"] == "partially_shipped"
    assert [line["shipped_quantity"] for line in order["lines"]] == [60, 40]
    # Found by its number as the dock types it, and listed on its order.
    assert client.get("/api/v1/inbound-shipments/asn ko 1").json()["id"] == asn["id"]
    listed = client.get(f"/api/v1/purchase-orders/{po['number']}/inbound-shipments").json()["items"]
    assert [item["id"] for item in listed] == [asn["id"]]
    history = client.get(f"/api/v1/purchase-orders/{po['id']}/history").json()["items"]
    assert history[-1]["action"] == "asn_declared"
    assert history[-1]["details"]["parcels"] == [UPS, UPS_2]


def test_the_second_notice_completes_the_order_and_gets_the_next_number(client: httpx.Client) -> None:
    po = sent_order(client)
    first = client.post(
        f"/api/v1/purchase-orders/{po['id']}/inbound-shipments",
        json=notice(number=None, parcels=[], lines=[{"line_no": 1, "quantity": 60}]),
    )
    assert first.status_code == 201, first.text
    second = client.post(
        f"/api/v1/purchase-orders/{po['id']}/inbound-shipments",
        json=notice(
            number=None, parcels=[], lines=[{"line_no": 1, "quantity": 40}, {"line_no": 2, "quantity": 40}]
        ),
    )
    assert second.status_code == 201, second.text
    assert [first.json()["number"], second.json()["number"]] == ["PO-1001-1", "PO-1001-2"]
    assert client.get(f"/api/v1/purchase-orders/{po['id']}").json()["status"] == "shipped"


def test_more_than_the_line_still_expects_is_accepted_and_flagged(client: httpx.Client) -> None:
    po = sent_order(client)
    declared = client.post(
        f"/api/v1/purchase-orders/{po['id']}/inbound-shipments",
        json=notice(parcels=[], lines=[{"line_no": 2, "quantity": 45}]),
    )
    assert declared.status_code == 201, declared.text
    assert [(w["code"], w["line_no"]) for w in declared.json()["warnings"]] == [("over_shipment", 2)]
    order = client.get(f"/api/v1/purchase-orders/{po['id']}").json()
    assert order["lines"][1]["shipped_quantity"] == 45  # never capped


def test_bad_notices_are_refused_whole_with_a_code(client: httpx.Client) -> None:
    po = sent_order(client)
    url = f"/api/v1/purchase-orders/{po['id']}/inbound-shipments"
    cases = [
        (notice(lines=[{"line_no": 1, "quantity": 0}]), 422, "validation_error"),
        (notice(lines=[{"line_no": 1, "quantity": -5}]), 422, "validation_error"),
        (notice(lines=[{"quantity": 5}]), 422, "validation_error"),
        (notice(lines=[{"sku": "NOT-OURS", "quantity": 5}]), 422, "sku_not_on_purchase_order"),
        (notice(lines=[{"line_no": 9, "quantity": 5}]), 422, "unknown_purchase_order_line"),
        (notice(lines=[{"line_no": 1, "quantity": 5, "parcel": 3}]), 422, "unknown_parcel"),
        (notice(expected_arrival_date=later(-3)), 422, "expected_arrival_in_past"),
        (
            notice(parcels=[{"tracking_number": UPS}, {"tracking_number": UPS_BAD_CHECK_DIGIT}]),
            422,
            "invalid_tracking_number",
        ),
        (
            notice(parcels=[{"tracking_number": UPS}, {"tracking_number": UPS}]),
            422,
            "duplicate_tracking_number",
        ),
        (notice(number="#--"), 422, "unreadable_inbound_shipment_number"),
    ]
    for payload, status, code in cases:
        answer = client.post(url, json=payload)
        assert (answer.status_code, error_code(answer)) == (status, code), (payload, answer.text)
    # Nothing of any refused notice was kept.
    assert client.get(url).json()["items"] == []
    order = client.get(f"/api/v1/purchase-orders/{po['id']}").json()
    assert (order["status"], [line["shipped_quantity"] for line in order["lines"]]) == ("sent", [0, 0])
    assert [
        item["action"] for item in client.get(f"/api/v1/purchase-orders/{po['id']}/history").json()["items"]
    ] == [
        "created",
        "sent",
    ]


def test_a_draft_cannot_have_a_notice_and_numbers_are_unique(client: httpx.Client) -> None:
    po = draft(client)
    refused = client.post(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments", json=notice())
    assert (refused.status_code, error_code(refused)) == (409, "invalid_purchase_order_transition")
    client.post(f"/api/v1/purchase-orders/{po['id']}/send")
    assert (
        client.post(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments", json=notice()).status_code == 201
    )
    twice = client.post(
        f"/api/v1/purchase-orders/{po['id']}/inbound-shipments",
        json=notice(number="asn-ko 1", parcels=[], lines=[{"line_no": 1, "quantity": 5}]),
    )
    assert (twice.status_code, error_code(twice)) == (409, "duplicate_inbound_shipment_number")


def test_a_retried_notice_is_declared_once(client: httpx.Client) -> None:
    po = sent_order(client)
    url = f"/api/v1/purchase-orders/{po['id']}/inbound-shipments"
    headers = {"Idempotency-Key": "asn-ko-1-try"}
    first = client.post(url, json=notice(), headers=headers)
    again = client.post(url, json=notice(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert len(client.get(url).json()["items"]) == 1
    assert client.get(f"/api/v1/purchase-orders/{po['id']}").json()["lines"][0]["shipped_quantity"] == 60


def test_a_cancelled_notice_gives_its_units_and_numbers_back(client: httpx.Client) -> None:
    po = sent_order(client)
    asn = client.post(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments", json=notice()).json()

    cancelled = client.post(f"/api/v1/inbound-shipments/{asn['id']}/cancel")

    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["parcels"]) == ("cancelled", [])
    order = client.get(f"/api/v1/purchase-orders/{po['id']}").json()
    assert (order["status"], [line["shipped_quantity"] for line in order["lines"]]) == ("sent", [0, 0])
    again = client.post(f"/api/v1/inbound-shipments/{asn['id']}/cancel")
    assert (again.status_code, error_code(again)) == (409, "inbound_shipment_cancelled")
    # The corrected notice may carry the same tracking numbers.
    corrected = client.post(
        f"/api/v1/purchase-orders/{po['id']}/inbound-shipments", json=notice(number="ASN-KO-2")
    )
    assert corrected.status_code == 201, corrected.text
    actions = [
        item["action"] for item in client.get(f"/api/v1/purchase-orders/{po['id']}/history").json()["items"]
    ]
    assert actions[-3:] == ["asn_declared", "asn_cancelled", "asn_declared"]


def test_another_merchants_notices_are_not_found(client: httpx.Client, make_merchant, server) -> None:
    po = sent_order(client)
    asn = client.post(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments", json=notice()).json()
    other = make_merchant("Other Shop")
    with server.client(other.api_key) as http:
        for answer in (
            http.get(f"/api/v1/inbound-shipments/{asn['id']}"),
            http.get("/api/v1/inbound-shipments/ASN-KO-1"),
            http.post(f"/api/v1/inbound-shipments/{asn['id']}/cancel"),
        ):
            assert (answer.status_code, error_code(answer)) == (404, "inbound_shipment_not_found")
        answer = http.post(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments", json=notice())
        assert (answer.status_code, error_code(answer)) == (404, "purchase_order_not_found")


def test_a_csv_file_of_notices_is_declared_whole_or_refused_row_by_row(client: httpx.Client) -> None:
    po = sent_order(client)
    url = f"/api/v1/purchase-orders/{po['id']}/inbound-shipments/csv"
    bad = f"asn_number,sku,quantity,tracking_number\nA-1,TENT-2P,60,{UPS}\nA-1,MUG-STEEL,-1,\nA-2,NOPE,3,\n"
    refused = client.post(url, json={"file_name": "kessler.csv", "csv": bad})
    assert (refused.status_code, error_code(refused)) == (422, "asn_file_refused")
    rows = [(d["line"], d["column"], d["code"]) for d in refused.json()["error"]["details"]]
    assert rows == [(3, "quantity", "greater_than_equal"), (4, "sku", "sku_not_on_purchase_order")]
    assert client.get(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments").json()["items"] == []

    good = f"asn_number,sku,quantity,tracking_number\nA-1,TENT-2P,60,{UPS}\nA-2,MUG-STEEL,40,{UPS_2}\n"
    accepted = client.post(url, json={"file_name": "kessler.csv", "csv": good})
    assert accepted.status_code == 201, accepted.text
    assert [(n["number"], n["declared_by"]) for n in accepted.json()["items"]] == [
        ("A-1", "csv kessler.csv"),
        ("A-2", "csv kessler.csv"),
    ]


def test_a_csv_file_for_another_merchants_order_is_not_found(
    client: httpx.Client, make_merchant, server
) -> None:
    po = sent_order(client)
    other = make_merchant("Other Shop")
    with server.client(other.api_key) as http:
        answer = http.post(
            f"/api/v1/purchase-orders/{po['id']}/inbound-shipments/csv",
            json={"file_name": "x.csv", "csv": "sku,quantity\nTENT-2P,zero\n"},
        )
    assert (answer.status_code, error_code(answer)) == (404, "purchase_order_not_found")
