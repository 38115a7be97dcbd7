"""Suppliers, purchase orders and reorder suggestions in a real browser against ``ordertrack
serve`` (both databases): a supplier's page with its performance, a purchase order's page with
its discrepancy, its inbound shipment's tracking and the dock's count, and reorder suggestions
turned into a draft purchase order with one button. Each page at 1280 and 360 px, axe clean."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from ordertrack.db.uow import Database
from ordertrack.inventory.model import StockMovement, Warehouse
from ordertrack.purchasing import receiving as purchasing_receiving
from ordertrack.staff import service as staff_service
from ordertrack.suppliers.receiving import LineCount
from tests.api.test_suppliers_api import later, stock_the_merchant
from tests.browser.conftest import axe_audit, screenshots
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

BUYER = "bea@acme.example"
BUYER_PASSWORD = "buys the stock"
UPS = "1Z5R89390357567127"


def _shop_with_a_received_order(db: Database, client: httpx.Client) -> str:
    """A supplier whose PO-1001 of 100 tents came in one ASN, 98 good and 2 damaged; mugs that
    sell a unit a day with 5 left; a buyer to sign in as. The supplier's id."""
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    with db.uow() as uow:
        staff_service.create_staff(
            uow, merchant_id, email=BUYER, name="Bea Buyer", password=BUYER_PASSWORD, now=datetime.now(UTC)
        )
        uow.commit()
    supplier = stock_the_merchant(client)
    for sku, cost in (("TENT-2P", "41.50"), ("MUG-STEEL", "3.20")):
        term = client.put(
            f"/api/v1/suppliers/{supplier}/skus/{sku}", json={"unit_cost": cost, "currency": "EUR"}
        )
        assert term.status_code == 200, term.text
    assert client.put("/api/v1/stock/AUS1/MUG-STEEL", json={"on_hand": 5}).status_code == 200
    made = client.post(
        "/api/v1/purchase-orders",
        json={
            "number": "PO-1001",
            "supplier_id": supplier,
            "warehouse": "AUS1",
            "currency": "EUR",
            "lines": [{"sku": "TENT-2P", "quantity": 100}],
            "promised_arrival_date": later(30),
        },
    )
    assert made.status_code == 201, made.text
    assert client.post("/api/v1/purchase-orders/PO-1001/send").status_code == 200
    assert client.post("/api/v1/purchase-orders/PO-1001/confirm", json={}).status_code == 200
    asn = client.post(
        "/api/v1/purchase-orders/PO-1001/inbound-shipments",
        json={
            "carrier": "ups",
            "parcels": [{"tracking_number": UPS}],
            "lines": [{"sku": "TENT-2P", "quantity": 100}],
        },
    )
    assert asn.status_code == 201, asn.text
    now = datetime.now(UTC)
    with db.uow() as uow:
        purchasing_receiving.receive(
            uow,
            merchant_id,
            inbound_shipment_ref=asn.json()["number"],
            counts=[LineCount(good=98, damaged=2, sku="TENT-2P", note="two cartons crushed")],
            actor=f"staff:{BUYER}",
            now=now,
        )
        warehouse = uow.session.scalars(
            select(Warehouse.id).where(Warehouse.merchant_id == merchant_id)
        ).one()
        for day in range(28):
            uow.session.add(
                StockMovement(
                    merchant_id=merchant_id,
                    warehouse_id=warehouse,
                    sku="MUG-STEEL",
                    kind="shipment",
                    on_hand_delta=-1,
                    reserved_delta=-1,
                    actor="test",
                    created_at=now - timedelta(days=day, hours=1),
                )
            )
        uow.commit()
    return supplier


def _sign_in(page: Any, served: ServeProcess) -> None:
    page.goto(f"{served.base_url}/dashboard/login")
    page.get_by_label("Email").fill(BUYER)
    page.get_by_label("Password").fill(BUYER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))


def test_a_buyer_reads_the_supplier_and_its_order_and_drafts_a_reorder(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _shop_with_a_received_order(served_db, served_client)
    _sign_in(page, served)

    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Suppliers").click()
    row = page.locator("table.suppliers tbody tr").first
    assert "Kessler Outdoor GmbH" in row.inner_text() and "12 · 12 days" in row.inner_text()
    assert axe_audit(page) == []
    row.get_by_role("link", name="Kessler Outdoor GmbH").click()
    performance = page.locator("dl.performance").inner_text()
    assert "The stated lead time: 1 order arrived so far" in performance
    assert "1 of 1 lines counted were short, over or damaged" in performance
    assert "PO-1001" in page.locator("table.purchase-orders").inner_text()
    assert axe_audit(page) == []
    screenshots(page, "supplier-page")

    page.get_by_role("link", name="PO-1001").click()
    assert "Partially received" in page.inner_text("h1")
    line = page.locator("table.po-lines tbody tr").first.inner_text()
    assert "98" in line and "2 damaged" in line and "two cartons crushed" in line
    shipment = page.locator("section.shipment").inner_text()
    assert UPS in shipment and "ups" in shipment.lower()
    assert "two cartons crushed" in page.locator("table.receipts").inner_text()
    history = page.locator("#history ~ ol.timeline").inner_text()
    assert history.index("Counted at the dock") < history.index("Drafted")  # newest first
    assert axe_audit(page) == []
    screenshots(page, "purchase-order-page")

    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Reorder").click()
    row = page.locator("table.reorder tbody tr", has_text="MUG-STEEL")
    assert "before inbound" in row.inner_text()
    assert row.get_by_role("checkbox").is_checked()
    assert axe_audit(page) == []
    screenshots(page, "reorder-suggestions")
    row.get_by_label("Quantity of MUG-STEEL for AUS1").fill("45")
    page.get_by_role("button", name="Create draft purchase orders").click()
    page.wait_for_url(re.compile(r"/dashboard/purchase-orders/pur_"))
    assert "Draft saved" in page.inner_text("main") and "Draft" in page.inner_text("h1")
    drafted = page.locator("table.po-lines tbody tr").first.inner_text()
    assert "MUG-STEEL" in drafted and "45" in drafted and "€3.20" in drafted
    assert page.get_by_role("button", name="Send to Kessler Outdoor GmbH").is_visible()


def test_a_purchase_order_reads_as_stacked_rows_on_a_phone(
    phone_page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _shop_with_a_received_order(served_db, served_client)
    _sign_in(phone_page, served)
    phone_page.goto(f"{served.base_url}/dashboard/purchase-orders/PO-1001")
    # On a phone each cell carries its column's name, and nothing scrolls sideways.
    received = phone_page.locator('table.po-lines td[data-label="Received"]').first
    assert received.evaluate("cell => getComputedStyle(cell, '::before').content") == '"Received"'
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_audit(phone_page) == []
