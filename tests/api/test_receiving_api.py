"""Receiving over HTTP: counting an inbound shipment or a purchase order in, repeats, bad input
with its codes, discrepancies, receipts and their photos, the receiving sheet, and tenants."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pypdfium2 as pdfium
import zxingcpp

from tests.api.test_suppliers_api import error_code, po_payload, stock_the_merchant
from tests.conftest import Tenant
from tests.support import LiveServer

LINES = [
    {"sku": "TENT-2P", "quantity": 100, "unit_cost": "41.50"},
    {"sku": "MUG-STEEL", "quantity": 40, "unit_cost": "3.20"},
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def sent_po(client: httpx.Client) -> str:
    """PO-1001 (100 TENT-2P, 40 MUG-STEEL to AUS1), sent."""
    supplier = stock_the_merchant(client)
    created = client.post("/api/v1/purchase-orders", json=po_payload(supplier, lines=LINES))
    assert created.status_code == 201, created.text
    po_id = created.json()["id"]
    assert client.post(f"/api/v1/purchase-orders/{po_id}/send").status_code == 200
    return po_id


def declared(client: httpx.Client, po_id: str, lines: list[dict[str, object]]) -> dict[str, object]:
    answer = client.post(f"/api/v1/purchase-orders/{po_id}/inbound-shipments", json={"lines": lines})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_inbound_shipment_is_counted_in_once_with_its_discrepancies(client: httpx.Client) -> None:
    po_id = sent_po(client)
    asn = declared(client, po_id, [{"sku": "TENT-2P", "quantity": 100}, {"sku": "MUG-STEEL", "quantity": 40}])
    body = {
        "lines": [
            {
                "sku": "TENT-2P",
                "good": 98,
                "damaged": 2,
                "note": "two boxes crushed",
                "photo": {"content_type": "image/png", "data": base64.b64encode(PNG).decode()},
            },
            {"sku": "MUG-STEEL", "good": 43},
        ]
    }
    first = client.post(
        f"/api/v1/inbound-shipments/{asn['number']}/receipts",
        json=body,
        headers={"Idempotency-Key": "dock-1"},
    )
    assert first.status_code == 201, first.text
    result = first.json()
    assert [(line["sku"], line["outcome"], line["duplicate"]) for line in result["lines"]] == [
        ("TENT-2P", "damaged", False),
        ("MUG-STEEL", "over", False),
    ]
    assert {s["sku"]: s["on_hand"] for s in result["stock"]} == {"TENT-2P": 98, "MUG-STEEL": 43}
    assert result["inbound_shipment"]["status"] == "received"
    assert result["purchase_order"]["status"] == "partially_received"

    url = f"/api/v1/inbound-shipments/{asn['number']}/receipts"
    retried = client.post(url, json=body, headers={"Idempotency-Key": "dock-1"})
    assert retried.status_code == 201 and retried.json() == result
    # The same lines scanned again with a new request key but the same count ids count once too.
    twice = {"lines": [{"sku": "MUG-STEEL", "good": 3, "count_id": "pallet-9"}]}
    assert client.post(f"/api/v1/inbound-shipments/{asn['id']}/receipts", json=twice).status_code == 201
    again = client.post(f"/api/v1/inbound-shipments/{asn['id']}/receipts", json=twice)
    assert again.status_code == 200 and again.json()["lines"][0]["duplicate"] is True

    stock = client.get("/api/v1/stock", params={"sku": "MUG-STEEL"}).json()
    assert [level["on_hand"] for level in stock["items"]] == [46]

    receipts = client.get(f"/api/v1/purchase-orders/{po_id}/receipts").json()["items"]
    assert [(r["sku"], r["good"], r["damaged"]) for r in receipts] == [
        ("TENT-2P", 98, 2),
        ("MUG-STEEL", 43, 0),
        ("MUG-STEEL", 3, 0),
    ]
    assert client.get(f"/api/v1/inbound-shipments/{asn['id']}/receipts").json()["items"] == receipts
    photo = client.get(receipts[0]["photo_url"])
    assert (photo.status_code, photo.headers["content-type"], photo.content) == (200, "image/png", PNG)

    found = client.get(f"/api/v1/purchase-orders/{po_id}/discrepancies").json()
    assert [(d["sku"], d["outcome"], d["damaged"], d["over"], d["missing"]) for d in found["items"]] == [
        ("TENT-2P", "damaged", 2, 0, 0),
        ("MUG-STEEL", "over", 0, 6, 0),
    ]
    assert found["items"][0]["notes"] == ["two boxes crushed"]
    assert found["items"][0]["inbound_shipments"][0]["number"] == asn["number"]


def test_goods_without_a_shipping_notice_are_counted_against_the_order(client: httpx.Client) -> None:
    po_id = sent_po(client)
    lines = client.get(f"/api/v1/purchase-orders/{po_id}").json()["lines"]
    assert len(lines) == 2
    answer = client.post(
        "/api/v1/purchase-orders/PO-1001/receipts",
        json={"lines": [{"sku": "TENT-2P", "good": 100}, {"sku": "MUG-STEEL", "good": 40}]},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["purchase_order"]["status"] == "received"
    assert answer.json()["inbound_shipment"] is None
    assert client.get(f"/api/v1/purchase-orders/{po_id}/discrepancies").json()["items"] == []


def test_bad_counts_get_a_clear_code_and_change_nothing(client: httpx.Client) -> None:
    po_id = sent_po(client)
    asn = declared(client, po_id, [{"sku": "TENT-2P", "quantity": 10}])
    url = f"/api/v1/inbound-shipments/{asn['id']}/receipts"
    cases = {
        "validation_error": {"lines": [{"sku": "TENT-2P", "good": -1}]},
        "nothing_counted": {"lines": []},
        "unknown_line": {"lines": [{"sku": "MUG-STEEL", "good": 1}]},
        "duplicate_count": {"lines": [{"sku": "TENT-2P", "good": 1}, {"sku": "TENT-2P", "good": 1}]},
        "unsupported_photo_type": {
            "lines": [
                {"sku": "TENT-2P", "good": 1, "photo": {"content_type": "image/png", "data": "R0lGODlhAQAB"}}
            ]
        },
        "unreadable_photo": {
            "lines": [{"sku": "TENT-2P", "good": 1, "photo": {"content_type": "image/png", "data": "%%%"}}]
        },
    }
    for code, body in cases.items():
        refused = client.post(url, json=body)
        assert refused.status_code == 422, (code, refused.text)
        assert error_code(refused) == code
    zero = client.post(url, json={"lines": [{"sku": "TENT-2P"}]})
    assert (zero.status_code, error_code(zero)) == (422, "nothing_counted")
    assert client.get("/api/v1/stock", params={"sku": "TENT-2P"}).json()["items"] == []
    assert client.get(f"/api/v1/purchase-orders/{po_id}/receipts").json()["items"] == []

    cancelled = client.post(f"/api/v1/inbound-shipments/{asn['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    refused = client.post(url, json={"lines": [{"sku": "TENT-2P", "good": 1}]})
    assert (refused.status_code, error_code(refused)) == (409, "inbound_shipment_cancelled")
    missing = client.post(
        "/api/v1/inbound-shipments/NOPE-1/receipts", json={"lines": [{"sku": "X", "good": 1}]}
    )
    assert (missing.status_code, error_code(missing)) == (404, "inbound_shipment_not_found")


def test_a_draft_order_cannot_be_received(client: httpx.Client) -> None:
    supplier = stock_the_merchant(client)
    po_id = client.post("/api/v1/purchase-orders", json=po_payload(supplier, lines=LINES)).json()["id"]
    refused = client.post(
        f"/api/v1/purchase-orders/{po_id}/receipts", json={"lines": [{"sku": "TENT-2P", "good": 1}]}
    )
    assert (refused.status_code, error_code(refused)) == (409, "purchase_order_not_sent")


def test_another_merchants_shipment_receipts_and_photos_are_not_found(
    client: httpx.Client, server: LiveServer, make_merchant: Callable[[str], Tenant]
) -> None:
    po_id = sent_po(client)
    asn = declared(client, po_id, [{"sku": "TENT-2P", "quantity": 10}])
    counted = client.post(
        f"/api/v1/inbound-shipments/{asn['id']}/receipts",
        json={
            "lines": [
                {
                    "sku": "TENT-2P",
                    "good": 9,
                    "damaged": 1,
                    "photo": {"content_type": "image/png", "data": base64.b64encode(PNG).decode()},
                }
            ]
        },
    ).json()
    receipt_id = counted["lines"][0]["receipt_id"]
    other = make_merchant("Other Shop")
    with server.client(other.api_key) as stranger:
        for url in (
            f"/api/v1/inbound-shipments/{asn['id']}/receipts",
            f"/api/v1/purchase-orders/{po_id}/receipts",
            f"/api/v1/purchase-orders/{po_id}/discrepancies",
            f"/api/v1/receipts/{receipt_id}/photo",
            f"/api/v1/inbound-shipments/{asn['id']}/receiving-sheet.pdf",
        ):
            assert stranger.get(url).status_code == 404, url
        posted = stranger.post(
            f"/api/v1/inbound-shipments/{asn['id']}/receipts", json={"lines": [{"sku": "TENT-2P", "good": 1}]}
        )
        assert posted.status_code == 404


def test_the_receiving_sheet_carries_the_shipment_and_each_sku_as_barcodes(client: httpx.Client) -> None:
    po_id = sent_po(client)
    asn = declared(client, po_id, [{"sku": "TENT-2P", "quantity": 60}, {"sku": "MUG-STEEL", "quantity": 40}])
    answer = client.get(f"/api/v1/inbound-shipments/{asn['id']}/receiving-sheet.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    (page,) = pdfium.PdfDocument(answer.content)
    text = page.get_textpage().get_text_range()
    for words in (
        "RECEIVING SHEET",
        asn["number"],
        "PO-1001",
        "Kessler Outdoor GmbH",
        "Counted",
        "Damaged",
        "60",
    ):
        assert words in text, words
    bitmap = page.render(scale=3).to_pil()
    codes = sorted(code.text for code in zxingcpp.read_barcodes(bitmap))
    assert codes == sorted([asn["number"], "TENT-2P", "MUG-STEEL"])

    by_order = client.get(f"/api/v1/purchase-orders/{po_id}/receiving-sheet.pdf?page_size=Letter")
    assert by_order.status_code == 200
    (page,) = pdfium.PdfDocument(by_order.content)
    assert (round(page.get_width()), round(page.get_height())) == (612, 792)
