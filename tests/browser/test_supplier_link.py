"""The supplier confirms and declares a shipment through the link, in a real browser against
``ordertrack serve`` (both databases), at 1280 px and on a 360 px phone: quantities and dates
changed, a shipment declared with its tracking number, a bad tracking number refused with what
was typed still there. Each page at both widths, axe clean."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from ordertrack.links import supplier_link_token
from tests.api.test_suppliers_api import later, po_payload, stock_the_merchant
from tests.browser.conftest import axe_audit, screenshots
from tests.conftest import TEST_SECRET
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

UPS = "1Z5R89390357567127"
UPS_BAD_CHECK_DIGIT = "1Z5R89390357567128"


def _sent_order(client: httpx.Client, number: str) -> str:
    """A sent order of 100 tents and 40 mugs; the path of its supplier's link."""
    supplier = stock_the_merchant(client)
    client.put(
        f"/api/v1/suppliers/{supplier}/skus/MUG-STEEL",
        json={"unit_cost": "3.20", "currency": "EUR", "supplier_sku": "KO-88"},
    )
    made = client.post("/api/v1/purchase-orders", json=po_payload(supplier, number=number))
    assert made.status_code == 201, made.text
    po = made.json()
    assert client.post(f"/api/v1/purchase-orders/{po['id']}/send").status_code == 200
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    return "/supplier/" + supplier_link_token(TEST_SECRET, merchant_id, po["id"], now=datetime.now(UTC))


def _confirm_and_declare(page: Any, url: str, name: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Purchase order PO-1001")
    expect(page.locator(".ship-to")).to_contain_text("1 Dock Rd")
    screenshots(page, f"{name}-order")
    assert axe_audit(page) == []

    page.get_by_label("TENT-2P").first.fill("90")
    page.get_by_label("Ship date").fill(later(5))
    page.get_by_label("Arrival date").fill(later(25))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("your confirmation was saved")
    expect(page.locator(".po-facts")).to_contain_text("Confirmed")
    expect(page.locator(".po-lines tbody tr").first).to_contain_text("90")

    declare = page.locator("#declare form").first
    expect(declare.get_by_label("TENT-2P")).to_have_value("90")  # what is still to ship, offered
    declare.get_by_label("MUG-STEEL").fill("")
    declare.get_by_label("Tracking numbers").fill(UPS_BAD_CHECK_DIGIT)
    declare.get_by_label("Your shipment reference (optional)").fill("KO-77")
    page.get_by_role("button", name="Declare the shipment").click()
    alert = page.locator("#declare-error")
    expect(alert).to_contain_text("check digit does not match")
    expect(alert).to_contain_text("invalid_tracking_number")
    expect(page.get_by_label("Your shipment reference (optional)")).to_have_value("KO-77")  # nothing lost
    screenshots(page, f"{name}-refused")
    assert axe_audit(page) == []

    page.get_by_label("Tracking numbers").fill(UPS)
    page.get_by_role("button", name="Declare the shipment").click()
    expect(page.get_by_role("status")).to_contain_text("your shipment was declared")
    card = page.locator(".notice-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("KO-77")
    expect(card).to_contain_text(UPS)
    expect(card).to_contain_text("TENT-2P: 90")
    expect(page.locator(".po-facts")).to_contain_text("Partly shipped")
    expect(page.locator(".history li").first).to_contain_text("Shipment declared")
    expect(page.locator(".history li").first).to_contain_text("by you")
    screenshots(page, f"{name}-declared")
    assert axe_audit(page) == []


def test_the_supplier_confirms_and_declares_a_shipment_through_the_link(
    page: Any, served: ServeProcess, served_client: httpx.Client, backend: str
) -> None:
    url = served.base_url + _sent_order(served_client, "PO-1001")
    _confirm_and_declare(page, url, f"supplier-link-{backend}")
    asn = served_client.get("/api/v1/inbound-shipments/KO-77").json()
    assert (asn["declared_by"], [p["tracking_number"] for p in asn["parcels"]]) == ("supplier link", [UPS])
    order = served_client.get("/api/v1/purchase-orders/PO-1001").json()
    assert (
        order["status"],
        order["lines"][0]["confirmed_quantity"],
        order["lines"][0]["shipped_quantity"],
    ) == (
        "partially_shipped",
        90,
        90,
    )


def test_the_supplier_does_the_same_on_a_phone(
    phone_page: Any, served: ServeProcess, served_client: httpx.Client, backend: str
) -> None:
    url = served.base_url + _sent_order(served_client, "PO-1001")
    _confirm_and_declare(phone_page, url, f"supplier-link-phone-{backend}")
    assert served_client.get("/api/v1/inbound-shipments/KO-77").status_code == 200
