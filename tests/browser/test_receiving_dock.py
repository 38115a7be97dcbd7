"""Staff receive an inbound shipment on a 360 px screen, in a real browser against ``ordertrack
serve`` (both databases): the tracking number scanned (typed, then Enter), each line counted
with the steppers, a damaged unit noted with a photo, the discrepancies summed up before
saving, and the result: stock after and the oldest waiting order filled. Keyboard only works
too. Each page at 1280 and 360 px, axe clean."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordertrack.db.uow import Database
from ordertrack.staff import service as staff_service
from tests.api.test_suppliers_api import later, stock_the_merchant
from tests.browser.conftest import axe_audit, screenshots
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

DOCK = "dee@acme.example"
DOCK_PASSWORD = "counts every box"
UPS = "1Z5R89390357567127"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


def _shop_with_a_shipment_on_its_way(db: Database, client: httpx.Client) -> str:
    """PO-1001 of 100 tents and 40 mugs, declared as one ASN in a UPS parcel; two customer
    orders waiting for tents (the older one first); a member of staff to sign in as. The
    older order's number."""
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    with db.uow() as uow:
        staff_service.create_staff(
            uow,
            merchant_id,
            email=DOCK,
            name="Dee Dock",
            password=DOCK_PASSWORD,
            role="staff",
            now=datetime.now(UTC),
        )
        uow.commit()
    supplier = stock_the_merchant(client)
    made = client.post(
        "/api/v1/purchase-orders",
        json={
            "number": "PO-1001",
            "supplier_id": supplier,
            "warehouse": "AUS1",
            "currency": "EUR",
            "lines": [
                {"sku": "TENT-2P", "quantity": 100, "unit_cost": "41.50"},
                {"sku": "MUG-STEEL", "quantity": 40, "unit_cost": "3.20"},
            ],
            "promised_arrival_date": later(30),
        },
    )
    assert made.status_code == 201, made.text
    assert client.post("/api/v1/purchase-orders/PO-1001/send").status_code == 200
    asn = client.post(
        "/api/v1/purchase-orders/PO-1001/inbound-shipments",
        json={
            "carrier": "ups",
            "parcels": [{"tracking_number": UPS}],
            "lines": [{"sku": "TENT-2P", "quantity": 100}, {"sku": "MUG-STEEL", "quantity": 40}],
        },
    )
    assert asn.status_code == 201, asn.text
    for number, placed in (("2002", "2026-11-05T10:00:00Z"), ("2001", "2026-11-01T10:00:00Z")):
        order = client.post(
            "/api/v1/orders",
            json={
                "number": number,
                "customer": {"email": f"c{number}@example.com", "name": "Ann Lee"},
                "shipping_address": {"line1": "1 Main St", "city": "Austin", "country": "US"},
                "lines": [{"sku": "TENT-2P", "quantity": 3, "unit_price": "199.00"}],
                "currency": "USD",
                "placed_at": placed,
            },
        )
        assert order.status_code == 201, order.text
        assert client.post(f"/api/v1/orders/{number}/confirm").status_code == 200
    return "2001"


def _sign_in(page: Any, served: ServeProcess) -> None:
    page.goto(f"{served.base_url}/dashboard/login")
    page.get_by_label("Email").fill(DOCK)
    page.get_by_label("Password").fill(DOCK_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/orders")


def test_staff_receive_a_shipment_on_a_phone(
    phone_page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, tmp_path: Path
) -> None:
    older = _shop_with_a_shipment_on_its_way(served_db, served_client)
    page = phone_page
    _sign_in(page, served)
    page.get_by_role("link", name="Receiving").click()
    page.wait_for_url("**/dashboard/receiving")
    screenshots(page, "receiving-scan")
    assert axe_audit(page) == []

    # The scanner types the parcel's tracking number, with its print spaces, and presses Enter.
    scan = page.get_by_label("Scan or type the ASN or tracking number")
    scan.fill("1z 5r8 939 0357 5671 27")
    scan.press("Enter")
    page.wait_for_url("**/dashboard/receiving/ibs_*")
    assert page.get_by_role("heading", level=1).inner_text() == "Receive PO-1001-1"
    assert page.get_by_label("Good units of TENT-2P").input_value() == "100"

    # Two tents arrived crushed: two fewer good, two damaged, with a note and a photo.
    for _ in range(2):
        page.get_by_role("button", name="One good fewer of TENT-2P").click()
        page.get_by_role("button", name="One damaged more of TENT-2P").click()
    tents = page.locator("li[data-line]", has_text="TENT-2P")
    tents.get_by_text("Note or photo").click()
    tents.get_by_label("Note").fill("Two cartons crushed on the pallet")
    photo = tmp_path / "crushed.jpg"
    photo.write_bytes(JPEG)
    tents.get_by_label("Photo").set_input_files(str(photo))
    # Three mugs more than declared.
    page.get_by_label("Good units of MUG-STEEL").fill("43")
    summary = page.locator("[data-summary]")
    assert "2 of 2 lines differ" in summary.inner_text()
    assert "TENT-2P: 2 damaged" in summary.inner_text() and "MUG-STEEL: 3 over" in summary.inner_text()
    screenshots(page, "receiving-count")
    assert axe_audit(page) == []

    page.get_by_role("button", name="Save the counts").click()
    page.wait_for_selector("text=Backorders filled")
    status = page.get_by_role("status").inner_text()
    assert "141 units into stock, 2 damaged" in status
    result = page.locator("main").inner_text()
    assert "98 on hand, 92 available" in result
    assert f"Order #{older}: 3 × TENT-2P reserved" in result
    screenshots(page, "receiving-done")
    assert axe_audit(page) == []

    # What the dock saved is what the API says: the discrepancies, the photo, the stock.
    found = served_client.get("/api/v1/purchase-orders/PO-1001/discrepancies").json()["items"]
    assert [(d["sku"], d["outcome"], d["damaged"], d["over"]) for d in found] == [
        ("TENT-2P", "damaged", 2, 0),
        ("MUG-STEEL", "over", 0, 3),
    ]
    assert found[0]["notes"] == ["Two cartons crushed on the pallet"]
    assert served_client.get(found[0]["photo_urls"][0]).content == JPEG

    # Back on the shipment every line is counted in full: each starts at 0, and saving adds nothing.
    page.get_by_role("link", name="Back to PO-1001-1").click()
    page.wait_for_selector("text=100 of 100 counted before")
    assert page.get_by_label("Good units of TENT-2P").input_value() == "0"
    page.get_by_role("button", name="Save the counts").click()
    page.wait_for_selector("text=Nothing was saved")
    stock = served_client.get("/api/v1/stock", params={"sku": "TENT-2P"}).json()["items"]
    assert [(level["on_hand"], level["reserved"]) for level in stock] == [(98, 6)]


def test_receiving_works_with_the_keyboard_alone(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _shop_with_a_shipment_on_its_way(served_db, served_client)
    _sign_in(page, served)
    page.goto(f"{served.base_url}/dashboard/receiving")
    # The scan field has the focus as the page opens: a scanner can type straight away.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'scan'")
    page.keyboard.type("PO-1001-1")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/receiving/ibs_*")
    field = page.get_by_label("Good units of MUG-STEEL")
    field.focus()
    page.keyboard.press("ArrowDown")  # 39: one mug short
    assert field.input_value() == "39"
    # Enter inside a count (a scanner's Enter) does not save the form.
    page.keyboard.press("Enter")
    assert "/dashboard/receiving/ibs_" in page.url and "Save the counts" in page.locator("main").inner_text()
    page.get_by_role("button", name="Save the counts").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Backorders filled")
    assert "139 units into stock" in page.get_by_role("status").inner_text()
    again = served_client.post(
        "/api/v1/inbound-shipments/PO-1001-1/receipts", json={"lines": [{"sku": "MUG-STEEL", "good": 1}]}
    )
    assert again.status_code == 201  # a count with no key after the dashboard's is a new count
    stock = served_client.get("/api/v1/stock", params={"sku": "MUG-STEEL"}).json()["items"]
    assert [level["on_hand"] for level in stock] == [40]


def test_goods_without_a_notice_are_received_against_the_order(
    phone_page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _shop_with_a_shipment_on_its_way(served_db, served_client)
    assert served_client.post("/api/v1/inbound-shipments/PO-1001-1/cancel").status_code == 200
    page = phone_page
    _sign_in(page, served)
    page.goto(f"{served.base_url}/dashboard/receiving")
    scan = page.get_by_label("Scan or type the ASN or tracking number")
    scan.fill("PO-1001")
    scan.press("Enter")
    page.wait_for_url("**/dashboard/receiving/order/pur_*")
    assert page.get_by_role("heading", level=1).inner_text() == "Receive PO-1001"
    page.get_by_label("Good units of TENT-2P").fill("60")
    page.get_by_label("Good units of MUG-STEEL").fill("0")
    assert "2 of 2 lines differ" in page.locator("[data-summary]").inner_text()
    screenshots(page, "receiving-order")
    assert axe_audit(page) == []
    # A photo the server would refuse is said before it is sent.
    tents = page.locator("li[data-line]", has_text="TENT-2P")
    tents.get_by_text("Note or photo").click()
    photo = tents.get_by_label("Photo")
    photo.set_input_files(
        {"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": JPEG + b"\x00" * 5_000_000}
    )
    page.get_by_role("button", name="Save the counts").click()
    assert "huge.jpg is larger than 5 MB" in page.get_by_role("alert").inner_text()
    assert "/dashboard/receiving/order/" in page.url
    photo.set_input_files([])
    page.get_by_role("button", name="Save the counts").click()
    page.wait_for_selector("text=Backorders filled")
    assert "60 units into stock" in page.get_by_role("status").inner_text()
    receipts = served_client.get("/api/v1/purchase-orders/PO-1001/receipts").json()["items"]
    assert [(r["sku"], r["good"], r["inbound_shipment_id"]) for r in receipts] == [("TENT-2P", 60, None)]
