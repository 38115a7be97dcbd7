"""The supplier's link over HTTP: it opens one purchase order and nothing else, forms change it
through the same checks as the API (recorded as "supplier link"), and bad input is refused with
a code while what was typed stays in the form."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ordertrack.links import SUPPLIER_LINK_LIFETIME, supplier_link_token
from tests.api.test_inbound_shipments_api import UPS, UPS_BAD_CHECK_DIGIT, notice, sent_order
from tests.api.test_purchase_order_history import draft
from tests.api.test_suppliers_api import later
from tests.conftest import TEST_SECRET


def link(client: httpx.Client, po_id: str, *, now: datetime | None = None) -> str:
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    return "/supplier/" + supplier_link_token(TEST_SECRET, merchant_id, po_id, now=now or datetime.now(UTC))


def open_page(client: httpx.Client, url: str) -> tuple[httpx.Response, str]:
    """The page and its form token."""
    page = client.get(url)
    found = re.search(r'name="form_token" value="([^"]+)"', page.text)
    return page, found.group(1) if found else ""


def post(client: httpx.Client, url: str, fields: dict[str, Any], **kw: Any) -> httpx.Response:
    return client.post(url, data=fields, follow_redirects=False, **kw)


def error_code_of(page: httpx.Response) -> str | None:
    found = re.search(r'<span class="code">\(([a-z_]+)\)</span>', page.text)
    return found.group(1) if found else None


def test_the_link_shows_its_order_with_where_the_goods_go(client: httpx.Client) -> None:
    po = sent_order(client)
    page = client.get(link(client, po["id"]))
    assert page.status_code == 200
    assert "Purchase order PO-1001" in page.text
    assert "1 Dock Rd" in page.text and "Austin" in page.text
    assert "TENT-2P" in page.text and "MUG-STEEL" in page.text
    assert page.headers["cache-control"] == "no-store"
    # The history names the store, never a staff member's address or the merchant's API key.
    assert "Order sent to you" in page.text and "by Acme Outfitters" in page.text
    assert "api key" not in page.text and client.tenant.api_key[:8] not in page.text  # type: ignore[attr-defined]


def test_an_altered_expired_or_other_merchants_link_is_the_same_404(
    client: httpx.Client, make_merchant, server
) -> None:
    po = sent_order(client)
    good = link(client, po["id"])
    other = make_merchant("Other Shop")
    with server.client(other.api_key) as http:
        theirs = http.post(
            "/api/v1/warehouses",
            json={
                "code": "X",
                "name": "X",
                "address": {"line1": "1", "city": "Y", "country": "US"},
                "timezone": "UTC",
            },
        )
        assert theirs.status_code == 201
    altered = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    expired = link(client, po["id"], now=datetime.now(UTC) - SUPPLIER_LINK_LIFETIME - timedelta(minutes=1))
    # Another merchant's signature over this order: the order is not theirs.
    foreign = "/supplier/" + supplier_link_token(
        TEST_SECRET, other.merchant_id, po["id"], now=datetime.now(UTC)
    )
    # A tracking link's token is signed for another purpose.
    for url in (altered, expired, foreign, "/supplier/nonsense", "/supplier/" + "x" * 400):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "This link doesn't work" in page.text
        assert "PO-1001" not in page.text
    assert client.post(altered + "/confirm", data={}).status_code == 404


def test_a_link_for_one_order_cannot_touch_another(client: httpx.Client) -> None:
    first = sent_order(client)
    second = client.post(
        "/api/v1/purchase-orders",
        json={
            "number": "PO-2002",
            "supplier_id": first["supplier"]["id"],
            "warehouse": "AUS1",
            "currency": "EUR",
            "lines": [{"sku": "TENT-2P", "quantity": 5, "unit_cost": "1.00"}],
        },
    ).json()
    client.post(f"/api/v1/purchase-orders/{second['id']}/send")
    asn = client.post(
        f"/api/v1/purchase-orders/{second['id']}/inbound-shipments",
        json=notice(parcels=[], lines=[{"line_no": 1, "quantity": 5}]),
    ).json()
    url = link(client, first["id"])
    page, token = open_page(client, url)
    assert "PO-2002" not in page.text
    # Withdrawing the other order's notice through this link: not found, nothing changed.
    answer = post(client, f"{url}/shipments/{asn['id']}/cancel", {"form_token": token})
    assert answer.status_code == 404
    assert client.get(f"/api/v1/inbound-shipments/{asn['id']}").json()["status"] == "declared"
    # A form token of one link does not pass on another.
    _page, other_token = open_page(client, link(client, second["id"]))
    refused = post(client, f"{url}/confirm", {"form_token": other_token})
    assert refused.status_code == 403


def test_the_supplier_confirms_and_declares_through_the_link(client: httpx.Client) -> None:
    po = sent_order(client)
    url = link(client, po["id"])
    _page, token = open_page(client, url)

    confirmed = post(
        client,
        f"{url}/confirm",
        {
            "form_token": token,
            "quantity-1": "90",
            "quantity-2": "40",
            "promised_ship_date": later(5),
            "promised_arrival_date": later(25),
        },
    )
    assert confirmed.status_code == 303, confirmed.text
    assert confirmed.headers["location"].endswith("?done=confirmed#confirm")
    order = client.get(f"/api/v1/purchase-orders/{po['id']}").json()
    assert (order["status"], order["lines"][0]["confirmed_quantity"]) == ("confirmed", 90)
    assert order["promised_arrival_date"] == later(25)

    declared = post(
        client,
        f"{url}/shipments",
        {
            "form_token": token,
            "ship-1": "90",
            "ship-2": "",
            "tracking_numbers": f"{UPS}\n",
            "carrier": "",
            "expected_arrival_date": later(20),
            "number": "KO-77",
        },
    )
    assert declared.status_code == 303, declared.text
    asn = client.get("/api/v1/inbound-shipments/KO-77").json()
    assert (asn["declared_by"], [p["tracking_number"] for p in asn["parcels"]]) == ("supplier link", [UPS])
    assert asn["carrier"] == "ups"  # detected from the number
    assert [(line["line_no"], line["quantity"]) for line in asn["lines"]] == [(1, 90)]
    history = client.get(f"/api/v1/purchase-orders/{po['id']}/history").json()["items"]
    assert [(h["action"], h["actor"]) for h in history][-2:] == [
        ("confirmed", "supplier link"),
        ("asn_declared", "supplier link"),
    ]
    page = client.get(url)
    assert "KO-77" in page.text and UPS in page.text


def test_bad_input_on_the_link_is_refused_with_a_code_and_keeps_what_was_typed(client: httpx.Client) -> None:
    po = sent_order(client)
    url = link(client, po["id"])
    _page, token = open_page(client, url)
    cases = [
        ({"ship-1": "-4"}, 422, "validation_error"),
        ({"ship-1": "lots"}, 422, "validation_error"),
        ({"ship-1": "", "ship-2": "0"}, 422, "nothing_declared"),
        ({"ship-1": "5", "tracking_numbers": UPS_BAD_CHECK_DIGIT}, 422, "invalid_tracking_number"),
        ({"ship-1": "5", "expected_arrival_date": later(-2)}, 422, "expected_arrival_in_past"),
    ]
    for fields, status, code in cases:
        answer = post(client, f"{url}/shipments", {"form_token": token, "number": "KEEP-ME-7", **fields})
        assert (answer.status_code, error_code_of(answer)) == (status, code), (fields, answer.text[:300])
        assert 'value="KEEP-ME-7"' in answer.text  # nothing typed is lost
    refused = post(client, f"{url}/confirm", {"form_token": token, "quantity-1": "0"})
    assert (refused.status_code, error_code_of(refused)) == (422, "validation_error")
    past = post(client, f"{url}/confirm", {"form_token": token, "promised_ship_date": later(-1)})
    assert (past.status_code, error_code_of(past)) == (422, "promised_date_in_past")
    # Nothing of it was saved.
    assert client.get(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments").json()["items"] == []
    assert client.get(f"/api/v1/purchase-orders/{po['id']}").json()["status"] == "sent"


def test_a_form_without_its_token_or_from_another_site_is_refused(client: httpx.Client) -> None:
    po = sent_order(client)
    url = link(client, po["id"])
    _page, token = open_page(client, url)
    assert post(client, f"{url}/confirm", {}).status_code == 403
    assert (
        post(
            client, f"{url}/confirm", {"form_token": token}, headers={"Origin": "https://evil.example"}
        ).status_code
        == 403
    )
    assert client.get(f"/api/v1/purchase-orders/{po['id']}").json()["status"] == "sent"


def test_a_csv_file_declares_all_its_shipments_or_names_every_bad_row(client: httpx.Client) -> None:
    po = sent_order(client)
    url = link(client, po["id"])
    _page, token = open_page(client, url)
    bad = f"asn_number,sku,quantity,tracking_number\nA-1,TENT-2P,10,{UPS}\nA-1,SOCKS,5,\nA-2,MUG-STEEL,0,\n"
    refused = post(
        client,
        f"{url}/shipments/csv",
        {"form_token": token},
        files={"file": ("asn.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 422
    assert "Line 3" in refused.text and "sku_not_on_purchase_order" in refused.text
    assert "Line 4" in refused.text and "greater_than_equal" in refused.text
    assert client.get(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments").json()["items"] == []

    good = f"asn_number,sku,quantity,tracking_number\nA-1,TENT-2P,100,{UPS}\nA-2,MUG-STEEL,40,\n"
    accepted = post(
        client,
        f"{url}/shipments/csv",
        {"form_token": token},
        files={"file": ("asn.csv", good.encode(), "text/csv")},
    )
    assert accepted.status_code == 303, accepted.text
    items = client.get(f"/api/v1/purchase-orders/{po['id']}/inbound-shipments").json()["items"]
    assert [(i["number"], i["declared_by"]) for i in items] == [
        ("A-1", "csv asn.csv"),
        ("A-2", "csv asn.csv"),
    ]
    assert client.get(f"/api/v1/purchase-orders/{po['id']}").json()["status"] == "shipped"


def test_a_draft_order_shows_no_forms(client: httpx.Client) -> None:
    po = draft(client)
    page = client.get(link(client, po["id"]))
    assert page.status_code == 200
    assert "/confirm" not in page.text and "/shipments" not in page.text


def test_the_merchant_gets_a_fresh_link_and_can_send_the_order_again(client: httpx.Client) -> None:
    po = draft(client)
    early = client.get(f"/api/v1/purchase-orders/{po['id']}/supplier-link")
    assert (early.status_code, early.json()["error"]["code"]) == (409, "purchase_order_not_sent")
    client.post(f"/api/v1/purchase-orders/{po['id']}/send")

    answer = client.get(f"/api/v1/purchase-orders/{po['number']}/supplier-link")

    assert answer.status_code == 200, answer.text
    path = "/supplier/" + answer.json()["url"].rsplit("/supplier/", 1)[1]
    assert client.get(path).status_code == 200
    resent = client.post(f"/api/v1/purchase-orders/{po['id']}/resend")
    assert resent.status_code == 200, resent.text
    history = client.get(f"/api/v1/purchase-orders/{po['id']}/history").json()["items"]
    assert (history[-1]["action"], history[-1]["details"]) == ("resent", {"to": "orders@kessler-outdoor.de"})
    client.post(f"/api/v1/purchase-orders/{po['id']}/cancel")
    refused = client.post(f"/api/v1/purchase-orders/{po['id']}/resend")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "purchase_order_not_sent")
