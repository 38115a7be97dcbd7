"""Open tracking pages follow the parcel live, in a real browser against ``ordertrack serve``
in its own process, on both databases: many tabs of one browser at once, each reached
through the ``/track`` form; and the page still tells everything without JavaScript."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.scenario import order_payload
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

NUMBER = "1Z5R89390357567127"
NOW = datetime.now(UTC).replace(microsecond=0)
TABS = 10
ROUNDS = 10
WITHIN_MS = 3_000  # from the ingest's answer to the scan on every tab


def _scan(occurred_at: datetime, description: str) -> dict[str, Any]:
    return {
        "tracking_number": NUMBER,
        "carrier": "ups",
        "occurred_at": occurred_at.isoformat(),
        "status": "in_transit",
        "description": description,
        "location": {"city": "Dallas", "country": "US", "timezone": "America/Chicago"},
    }


@pytest.fixture
def shipped_order(served_client: httpx.Client) -> dict[str, Any]:
    """Order 1001 for ann@example.com, shipped with UPS, with two scans."""
    order = served_client.post("/api/v1/orders", json=order_payload("1001")).json()
    shipment = served_client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "ups", "tracking_number": NUMBER, "lines": [{"sku": "TENT-2P", "quantity": 2}]},
    )
    assert shipment.status_code == 201, shipment.text
    scans = [_scan(NOW - timedelta(hours=30), "Label created"), _scan(NOW - timedelta(hours=20), "Departed")]
    assert served_client.post("/api/v1/tracking/events", json={"events": scans}).json()["accepted"] == 2
    return order


def _open_through_the_form(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/track")
    page.get_by_label("Order number", exact=True).fill("1001")
    page.get_by_label("Email address or postal code").fill("ann@example.com")
    page.get_by_role("button", name="Track order").click()
    page.wait_for_url(re.compile(r"/track/[\w-]+\.[\w-]+$"))


def test_ten_tabs_opened_through_the_form_all_show_each_new_scan_within_three_seconds(
    browser: Any, served: ServeProcess, served_client: httpx.Client, shipped_order: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    # One context is one browser profile: its tabs share the 6 connections per host.
    context = browser.new_context()
    try:
        tabs = [context.new_page() for _ in range(TABS)]
        for tab in tabs:
            tab.set_default_timeout(10_000)
            _open_through_the_form(tab, served.base_url)
            expect(tab.locator(".scan")).to_have_count(2)
        for tab in tabs:
            expect(tab.locator("#live-root")).to_have_attribute("data-live", "socket")
            tab.evaluate("window.__not_reloaded = true")
        slowest = []
        for round_ in range(1, ROUNDS + 1):
            words = f"Arrived at sort centre, round {round_}"
            scan = _scan(NOW - timedelta(minutes=60 - round_), words)
            answer = served_client.post("/api/v1/tracking/events", json={"events": [scan]})
            started = time.monotonic()
            assert answer.json()["accepted"] == 1
            for tab in tabs:
                left = WITHIN_MS - (time.monotonic() - started) * 1000
                expect(tab.locator(".scan").first).to_contain_text(words, timeout=max(left, 1))
            slowest.append(time.monotonic() - started)
        assert max(slowest) < WITHIN_MS / 1000, slowest
        for tab in tabs:
            expect(tab.locator(".scan")).to_have_count(2 + ROUNDS)
            expect(tab.locator("#live-announcer")).to_contain_text(f"round {ROUNDS}, Dallas")
            assert tab.evaluate("window.__not_reloaded") is True
    finally:
        context.close()


def test_without_javascript_the_page_shows_the_order_its_scans_and_how_to_see_new_ones(
    browser: Any, served: ServeProcess, served_client: httpx.Client, shipped_order: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        _open_through_the_form(page, served.base_url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Order 1001")
        expect(page.locator(".scan")).to_have_count(2)
        expect(page.locator(".scan").first).to_contain_text("Departed")
        expect(page.locator("#live-root")).not_to_have_attribute("data-live", "socket")
        new = _scan(NOW - timedelta(minutes=5), "Out for delivery")
        assert served_client.post("/api/v1/tracking/events", json={"events": [new]}).json()["accepted"] == 1
        page.get_by_role("link", name="Reload this page to see new scans.").click()
        expect(page.locator(".scan")).to_have_count(3)
        expect(page.locator(".scan").first).to_contain_text("Out for delivery")
    finally:
        context.close()
