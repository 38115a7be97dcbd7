"""The merchant dashboard in a real browser, against ``ordertrack serve`` in its own process:
sign in, find, ship, print; CSRF, escaping, a11y; on both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.staff import service as staff_service
from tests.browser.conftest import axe_audit, screenshot, screenshots
from tests.integration.scenario import order_payload
from tests.support import ServeProcess, barcodes

pytestmark = pytest.mark.browser

EMAIL = "packer@acme.example"
PASSWORD = "pack it up carefully"
SHIPPED_NUMBER = "ACME100200300"
HOSTILE = "<script>alert(1)</script> Parcel damaged"


def _prepare(db: Database, client: httpx.Client) -> str:
    """A staff login, a warehouse with stock, and an order with one shipment and scans."""
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    with db.uow() as uow:
        staff_service.create_staff(
            uow, merchant_id, email=EMAIL, name="Pat Packer", password=PASSWORD, now=datetime.now(UTC)
        )
        uow.commit()
    assert (
        client.post(
            "/api/v1/warehouses",
            json={
                "code": "AUS1",
                "name": "Austin",
                "address": {"line1": "1 Dock Road", "city": "Austin", "country": "US"},
                "timezone": "America/Chicago",
            },
        ).status_code
        == 201
    )
    for sku, on_hand, threshold in (("TENT-2P", 10, 2), ("MUG-STEEL", 3, 5)):
        answer = client.put(
            f"/api/v1/stock/AUS1/{sku}", json={"on_hand": on_hand, "low_stock_threshold": threshold}
        )
        assert answer.status_code == 200, answer.text
    placed = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    order = client.post("/api/v1/orders", json=order_payload("A-1001", placed_at=placed))
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    shipped = client.post(
        f"/api/v1/orders/{order_id}/shipments",
        json={
            "warehouse": "AUS1",
            "carrier": "acme_post",
            "tracking_number": SHIPPED_NUMBER,
            "lines": [{"sku": "TENT-2P", "quantity": 2}],
        },
    )
    assert shipped.status_code == 201, shipped.text
    now = datetime.now(UTC)
    events = [
        {
            "tracking_number": SHIPPED_NUMBER,
            "carrier": "acme_post",
            "status": "in_transit",
            "occurred_at": (now - timedelta(hours=20)).isoformat(),
            "description": "Departed facility",
            "location": {"city": "Austin", "region": "TX", "country": "US", "timezone": "America/Chicago"},
        },
        {
            "tracking_number": SHIPPED_NUMBER,
            "carrier": "acme_post",
            "status": "exception",
            "reason": "damaged",
            "occurred_at": (now - timedelta(hours=2)).isoformat(),
            "description": HOSTILE,
            "location": {"city": "Dallas", "region": "TX", "country": "US", "timezone": "America/Chicago"},
        },
    ]
    ingested = client.post("/api/v1/tracking/events", json={"events": events})
    assert ingested.status_code == 200 and ingested.json()["accepted"] == 2, ingested.text
    shipment_checks.run_checks(db, datetime.now(UTC))  # the exception opens an attention item
    return order_id


def _sign_in(page: Any, served: ServeProcess) -> None:
    page.goto(f"{served.base_url}/dashboard/orders")
    assert "/dashboard/login" in page.url
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))


def test_staff_finds_an_order_by_tracking_number_ships_it_and_prints_a_valid_label(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    _prepare(served_db, served_client)
    _sign_in(page, served)
    page.get_by_label("Search orders").fill(SHIPPED_NUMBER.lower())
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="#A-1001").wait_for()
    screenshots(page, f"dashboard-search-by-tracking-number-{backend}")
    page.get_by_role("link", name="#A-1001").click()
    page.get_by_role("link", name="Create shipment").click()
    page.get_by_label("Units of TENT-2P to ship").fill("0")
    page.get_by_label("Units of MUG-STEEL to ship").fill("1")
    page.get_by_label("Carrier").select_option("own")
    page.get_by_label("Weight (g)").fill("450")
    page.get_by_label("Length (mm)").fill("200")
    page.get_by_label("Width (mm)").fill("150")
    page.get_by_label("Height (mm)").fill("100")
    page.get_by_role("button", name="Create shipment").click()
    page.get_by_text("Shipment created.").wait_for()
    issued = re.findall(r"\bOT\d{10}[0-9A-Z]\b", page.inner_text("main"))
    assert issued, "the new parcel's ordertrack-issued tracking number is on the page"
    screenshots(page, f"dashboard-shipment-created-{backend}")
    href = page.get_by_role("status").get_by_role("link", name="label (PDF)").get_attribute("href")
    label = page.request.get(f"{served.base_url}{href}")
    assert label.status == 200 and label.headers["content-type"] == "application/pdf"
    pdf = label.body()
    assert pdf.startswith(b"%PDF")
    assert ("Code128", issued[0]) in barcodes(pdf)
    slip = page.request.get(f"{served.base_url}{href.replace('label.pdf', 'packing-slip.pdf')}")
    assert slip.status == 200 and slip.body().startswith(b"%PDF")


def test_a_form_post_without_the_csrf_token_is_refused(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    order_id = _prepare(served_db, served_client)
    _sign_in(page, served)
    for target in (f"/dashboard/orders/{order_id}/confirm", "/dashboard/settings/api-keys"):
        refused = page.request.post(f"{served.base_url}{target}", form={"label": "no token"})
        assert refused.status == 403, target
        assert "did not come from this dashboard" in refused.text()
    page.goto(f"{served.base_url}/dashboard/settings")
    assert page.locator("text=no token").count() == 0  # no key was created
    screenshots(page, f"dashboard-settings-after-forged-posts-{backend}")


def test_a_carrier_description_with_a_script_shows_as_text(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    order_id = _prepare(served_db, served_client)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _sign_in(page, served)
    page.goto(f"{served.base_url}/dashboard/orders/{order_id}")
    timeline = page.locator("ol.timeline")
    assert HOSTILE in timeline.inner_text()
    assert page.locator("ol.timeline script").count() == 0
    assert dialogs == []
    text = timeline.inner_text()
    # One timeline of order steps and carrier scans together, in time order, each with its zone.
    for step in ("Order placed", "Shipment created", "Departed facility"):
        assert step in text
    stamps = [
        datetime.fromisoformat(t)
        for t in timeline.locator("time").evaluate_all("ts => ts.map(t => t.dateTime)")
    ]
    assert len(stamps) == 5 and stamps == sorted(stamps)  # placed, confirmed, shipped, 2 scans
    # Every time in one zone, the warehouse's by default, and the page says which.
    assert "America/Chicago (C" in text and not re.search(r"\bUTC\b", text)
    assert "warehouse's time (AUS1)" in page.locator("#timeline-zone").inner_text()
    # The order's messages: what was queued, to whom, through which channel, and the result.
    messages = page.locator("#notifications + table").inner_text()
    assert "Shipped" in messages and "Email" in messages and "Queued" in messages
    screenshots(page, f"dashboard-order-hostile-scan-{backend}")


PAGES = [
    ("orders", "/dashboard/orders"),
    ("order", "/dashboard/orders/{order_id}"),
    ("attention", "/dashboard/attention"),
    ("ship", "/dashboard/orders/{order_id}/ship?parcels=2"),
    ("inventory", "/dashboard/inventory"),
    ("settings", "/dashboard/settings"),
]


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_dashboard_pages_pass_axe_and_are_captured(
    screen: str,
    page: Any,
    phone_page: Any,
    served: ServeProcess,
    served_db: Database,
    served_client: httpx.Client,
    backend: str,
) -> None:
    order_id = _prepare(served_db, served_client)
    tab = page if screen == "desktop" else phone_page
    tab.goto(f"{served.base_url}/dashboard/login")
    assert axe_audit(tab) == [], "login page"
    screenshot(tab, f"dashboard-login-{screen}-{backend}")
    _sign_in(tab, served)
    for name, path in PAGES:
        tab.goto(served.base_url + path.format(order_id=order_id))
        assert tab.locator("h1").count() == 1, name
        violations = axe_audit(tab)
        assert violations == [], (name, [(v["id"], v["help"]) for v in violations])
        if screen == "phone":
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (name, width)
        screenshot(tab, f"dashboard-{name}-{screen}-{backend}")
    tab.goto(f"{served.base_url}/dashboard/attention")
    assert "#A-1001" in tab.inner_text("main")
    tab.goto(f"{served.base_url}/dashboard/inventory")
    assert tab.locator("tr.low").count() == 1
