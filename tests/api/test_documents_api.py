"""A shipment's label and packing slip over HTTP, with their barcodes read back."""

from __future__ import annotations

import httpx
import pypdfium2

from ordertrack.kit.signing import SigningKeys
from ordertrack.links import read_tracking_token
from tests.conftest import TEST_SECRET
from tests.integration.scenario import order_payload
from tests.support import barcodes

UPS_NUMBER = "1Z5R89390357567127"


def shipped_order(client: httpx.Client) -> tuple[dict, dict]:
    client.post("/api/v1/products", json={"sku": "TENT-2P", "name": "Two-person tent", "weight_grams": 2100})
    order = client.post("/api/v1/orders", json=order_payload()).json()
    shipment = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={
            "carrier": "ups",
            "service": "Ground",
            "tracking_number": UPS_NUMBER,
            "lines": [{"sku": "TENT-2P", "quantity": 2}],
        },
    ).json()
    return order, shipment


def test_label_pdf_scans_to_the_tracking_number_and_the_tracking_page(client: httpx.Client) -> None:
    order, shipment = shipped_order(client)
    response = client.get(f"/api/v1/shipments/{shipment['id']}/label.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    found = dict((fmt, text) for fmt, text in barcodes(response.content))
    assert found["Code128"] == UPS_NUMBER
    url = found["QRCode"]
    assert url.startswith("http://127.0.0.1:8000/track/")
    assert read_tracking_token(SigningKeys(TEST_SECRET), url.rsplit("/", 1)[1]) == order["id"]


def test_label_zpl_carries_the_tracking_number_in_a_code128_field(client: httpx.Client) -> None:
    _, shipment = shipped_order(client)
    zpl = client.get(f"/api/v1/shipments/{shipment['id']}/label.zpl").text
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert "^BC" in zpl and f"^FD{UPS_NUMBER}^FS" in zpl


def test_packing_slip_scans_to_the_order_number_and_lists_what_follows(client: httpx.Client) -> None:
    order, shipment = shipped_order(client)
    response = client.get(f"/api/v1/shipments/{shipment['id']}/packing-slip.pdf?page_size=Letter")
    assert response.status_code == 200
    assert ("Code128", order["number"]) in barcodes(response.content)
    text = pypdfium2.PdfDocument(response.content)[0].get_textpage().get_text_range()
    assert "TENT-2P" in text and "MUG-STEEL" in text  # the mug is still to follow


def test_another_merchants_documents_are_not_found(client: httpx.Client, server, make_merchant) -> None:
    _, shipment = shipped_order(client)
    with server.client(make_merchant("Other").api_key) as other:
        for doc in ("label.pdf", "label.zpl", "packing-slip.pdf"):
            assert other.get(f"/api/v1/shipments/{shipment['id']}/{doc}").status_code == 404


def test_batch_endpoints_put_every_parcel_of_every_shipment_in_one_pdf(client: httpx.Client) -> None:
    _, first = shipped_order(client)
    other = client.post("/api/v1/orders", json=order_payload("2002")).json()
    second = client.post(
        f"/api/v1/orders/{other['id']}/shipments",
        json={
            "carrier": "own",
            "parcels": [{"weight_grams": 800, "length_mm": 400, "width_mm": 300, "height_mm": 200}, {}],
        },
    ).json()
    assert second["parcels"][0]["length_mm"] == 400
    response = client.post("/api/v1/documents/labels.pdf", json={"shipment_ids": [first["id"], second["id"]]})
    assert response.status_code == 200
    numbers = [text for fmt, text in barcodes(response.content) if fmt == "Code128"]
    assert numbers == [UPS_NUMBER] + [p["tracking_number"] for p in second["parcels"]]
    slips = client.post(
        "/api/v1/documents/packing-slips.pdf", json={"shipment_ids": [first["id"], second["id"]]}
    )
    assert [text for fmt, text in barcodes(slips.content) if fmt == "Code128"] == ["1001", "2002"]
    missing = client.post("/api/v1/documents/labels.pdf", json={"shipment_ids": [first["id"], "shp_nope"]})
    assert missing.status_code == 404


def test_hand_over_is_recorded_once(client: httpx.Client) -> None:
    _, shipment = shipped_order(client)
    assert shipment["handed_over_at"] is None
    first = client.post(f"/api/v1/shipments/{shipment['id']}/hand-over").json()["handed_over_at"]
    again = client.post(f"/api/v1/shipments/{shipment['id']}/hand-over").json()["handed_over_at"]
    assert first is not None and again == first


def test_batch_with_text_no_database_can_store_is_422(client: httpx.Client) -> None:
    response = client.post("/api/v1/documents/labels.pdf", json={"shipment_ids": ["shp_\u0000x"]})
    assert (response.status_code, response.json()["error"]["code"]) == (422, "validation_error")


def itemised_shipment(client: httpx.Client) -> tuple[dict, dict]:
    client.post("/api/v1/products", json={"sku": "TENT-2P", "name": "Two-person tent", "weight_grams": 2100})
    client.post("/api/v1/products", json={"sku": "MUG-STEEL", "name": "Steel mug", "weight_grams": 300})
    order = client.post("/api/v1/orders", json=order_payload("3003")).json()
    response = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={
            "carrier": "own",
            "parcels": [
                {"contents": [{"sku": "TENT-2P", "quantity": 1}]},
                {"contents": [{"sku": "MUG-STEEL", "quantity": 1}]},
            ],
        },
    )
    assert response.status_code == 201, response.text
    return order, response.json()


def slip_pages(pdf: bytes) -> list[str]:
    return [page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf)]


def test_itemised_parcels_record_their_contents_and_get_a_slip_each(client: httpx.Client) -> None:
    order, shipment = itemised_shipment(client)
    # The shipment is what the parcels hold: one tent stays behind, still reserved for a later parcel.
    assert sorted((line["sku"], line["quantity"]) for line in shipment["lines"]) == [
        ("MUG-STEEL", 1),
        ("TENT-2P", 1),
    ]
    assert [[(i["sku"], i["quantity"]) for i in p["contents"]] for p in shipment["parcels"]] == [
        [("TENT-2P", 1)],
        [("MUG-STEEL", 1)],
    ]
    assert client.get(f"/api/v1/orders/{order['id']}").json()["status"] == "partially_shipped"

    response = client.get(f"/api/v1/shipments/{shipment['id']}/packing-slip.pdf")
    first, second = slip_pages(response.content)
    assert [text for fmt, text in barcodes(response.content) if fmt == "Code128"] == ["3003", "3003"]
    assert "Parcel 1 of 2" in first and "Parcel 2 of 2" in second
    # Parcel 1 holds a tent; the mug (parcel 2) and the second tent are still to follow.
    assert "Still to follow" in first and first.count("TENT-2P") == 2 and "MUG-STEEL" in first
    # Once parcel 2 arrives only the second tent is still to follow.
    assert "Still to follow" in second and second.count("TENT-2P") == 1

    only_second = client.get(f"/api/v1/shipments/{shipment['id']}/packing-slip.pdf", params={"parcel": 2})
    assert slip_pages(only_second.content) == [second]
    missing = client.get(f"/api/v1/shipments/{shipment['id']}/packing-slip.pdf", params={"parcel": 3})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "parcel_not_found"


def test_itemised_parcels_weigh_what_they_hold_on_the_label(client: httpx.Client) -> None:
    _, shipment = itemised_shipment(client)
    pages = slip_pages(client.get(f"/api/v1/shipments/{shipment['id']}/label.pdf").content)
    assert "2.1 kg" in pages[0] and "300 g" in pages[1], pages


def test_parcel_contents_that_do_not_add_up_are_refused_and_nothing_ships(client: httpx.Client) -> None:
    order = client.post("/api/v1/orders", json=order_payload("4004")).json()
    url = f"/api/v1/orders/{order['id']}/shipments"
    mismatched = client.post(
        url,
        json={
            "carrier": "own",
            "lines": [{"sku": "TENT-2P", "quantity": 2}],
            "parcels": [{"contents": [{"sku": "TENT-2P", "quantity": 1}]}],
        },
    )
    half_itemised = client.post(
        url,
        json={"carrier": "own", "parcels": [{"contents": [{"sku": "TENT-2P", "quantity": 1}]}, {}]},
    )
    too_many = client.post(
        url, json={"carrier": "own", "parcels": [{"contents": [{"sku": "TENT-2P", "quantity": 3}]}]}
    )
    for response in (mismatched, half_itemised):
        assert response.status_code == 422, response.text
    assert too_many.status_code == 409 and too_many.json()["error"]["code"] == "over_shipment"
    assert client.get("/api/v1/shipments", params={"order_id": order["id"]}).json()["items"] == []
