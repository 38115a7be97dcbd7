"""The shopper's page in a real browser against ``ordertrack serve``: the estimated delivery says
what it is based on and why each revision happened, in the shopper's language."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.staff import service as staff_service
from tests.browser.conftest import axe_audit, screenshots
from tests.browser.test_tracking_page import FAST, _open_order
from tests.integration.scenario import order_payload
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

SPARKS = {
    "code": "RNO1",
    "name": "Sparks",
    "address": {"line1": "1 Dock Rd", "city": "Sparks", "region": "NV", "country": "US"},
    "timezone": "America/Los_Angeles",
    "latitude": 39.535,
    "longitude": -119.7527,
}
RENO = {"line1": "9 Lake St", "city": "Reno", "region": "NV", "postal_code": "89501", "country": "US"}


def _scan(number: str, status: str, seconds_ago: int, **extra: Any) -> dict[str, Any]:
    return {
        "tracking_number": number,
        "carrier": "own",
        "occurred_at": (datetime.now(UTC) - timedelta(seconds=seconds_ago))
        .replace(microsecond=0)
        .isoformat(),
        "status": status,
        "location": {"city": "Reno", "country": "US", "timezone": "America/Los_Angeles"},
        **extra,
    }


def _missed_attempt(client: httpx.Client, db: Database) -> None:
    """Order 1001 to Reno, from Sparks by the store's own van; the van missed the shopper."""
    assert client.post("/api/v1/warehouses", json=SPARKS).status_code == 201
    for sku in ("TENT-2P", "MUG-STEEL"):
        assert client.put(f"/api/v1/stock/RNO1/{sku}", json={"on_hand": 5}).status_code == 200
    order = client.post("/api/v1/orders", json=order_payload("1001", shipping_address=RENO)).json()
    assert client.post(f"/api/v1/orders/{order['id']}/confirm").status_code == 200
    shipped = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": "own", "warehouse": "RNO1"}
    )
    assert shipped.status_code == 201, shipped.text
    number = shipped.json()["parcels"][0]["tracking_number"]
    events = [
        _scan(number, "in_transit", 120),
        _scan(number, "failed_attempt", 60, reason="recipient_unavailable"),
    ]
    answer = client.post("/api/v1/tracking/events", json={"events": events}).json()
    assert answer["accepted"] == 2, answer
    # The served process's worker checks due shipments too; whichever looks first records it.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        shipment_checks.run_checks(db, datetime.now(UTC) + timedelta(seconds=5))
        causes = [
            r["cause"] for r in client.get(f"/api/v1/orders/{order['id']}").json()["estimate_revisions"]
        ]
        if "missed_delivery" in causes:
            return
        time.sleep(0.5)
    raise AssertionError(f"no revision for the missed attempt: {causes}")


def test_the_estimate_says_what_it_is_based_on_and_why_each_change_happened(
    page: Any, served: ServeProcess, served_client: httpx.Client, served_db: Database, backend: str
) -> None:
    from playwright.sync_api import expect

    _missed_attempt(served_client, served_db)
    _open_order(page, served.base_url)
    card = page.locator("section.edd")
    expect(card.locator(".edd-basis")).to_have_text("Typical for this distance and service.", timeout=FAST)
    reasons = card.locator(".edd-history .edd-why")
    expect(reasons.first).to_contain_text("The order was placed")
    expect(reasons.last).to_contain_text("A delivery attempt was missed")
    expect(card.locator(".edd-history")).to_contain_text("The store packed and labelled it")
    assert axe_audit(page) == []
    screenshots(page, f"track-estimate-reasons-{backend}")


def test_the_reasons_are_in_the_shoppers_language(
    page: Any, served: ServeProcess, served_client: httpx.Client, served_db: Database, backend: str
) -> None:
    from playwright.sync_api import expect

    _missed_attempt(served_client, served_db)
    _open_order(page, served.base_url)
    page.goto(page.url.split("?")[0] + "?lang=es")
    card = page.locator("section.edd")
    expect(card.locator(".edd-basis")).to_have_text(
        "Lo habitual para esta distancia y este servicio.", timeout=FAST
    )
    expect(card.locator(".edd-history .edd-why").last).to_contain_text("No se pudo entregar en un intento")
    expect(card.locator(".edd-history")).to_contain_text("Se realizó el pedido")
    assert axe_audit(page) == []


def test_staff_see_why_each_revision_happened_on_the_order_page(
    page: Any, served: ServeProcess, served_client: httpx.Client, served_db: Database
) -> None:
    from playwright.sync_api import expect

    _missed_attempt(served_client, served_db)
    with served_db.uow() as uow:
        staff_service.create_staff(
            uow,
            served_client.tenant.merchant_id,  # type: ignore[attr-defined]
            email="sam@acme.example",
            name="Sam",
            password="support all day long",
            now=datetime.now(UTC),
        )
        uow.commit()
    page.goto(f"{served.base_url}/dashboard/login")
    page.get_by_label("Email").fill("sam@acme.example")
    page.get_by_label("Password").fill("support all day long")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))
    page.goto(f"{served.base_url}/dashboard/orders/1001")
    history = page.locator("details", has_text="How the estimate changed")
    history.locator("summary").click()
    expect(history).to_contain_text("(The order was placed)", timeout=FAST)
    expect(history).to_contain_text("(A delivery attempt was missed)")
