"""The shopper's tracking page in a real browser: lookup, privacy, live updates, languages,
accessibility and escaping, on both databases."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from ordertrack.merchants import service as merchants_service
from ordertrack.web.tokens import tracking_token
from ordertrack.web.track.ratelimit import LookupLimiter
from tests.browser.conftest import axe_audit, screenshot
from tests.conftest import TEST_SECRET
from tests.integration.scenario import order_payload

pytestmark = pytest.mark.browser

UPS_NUMBER = "1Z5R89390357567127"
NOW = datetime.now(UTC).replace(microsecond=0)
NEUTRAL = "We couldn't find an order with those details"
FAST = 5_000  # ms: every wait in these tests


def _scan(
    hours_ago: float, status: str, city: str, lat: float, lon: float, zone: str, **extra: Any
) -> dict[str, Any]:
    return {
        "tracking_number": UPS_NUMBER,
        "carrier": "ups",
        "occurred_at": (NOW - timedelta(hours=hours_ago)).isoformat(),
        "status": status,
        "location": {"city": city, "country": "US", "latitude": lat, "longitude": lon, "timezone": zone},
        **extra,
    }


@pytest.fixture
def shipped_order(client: httpx.Client, server: Any) -> dict[str, Any]:
    """Order 1001 for ann@example.com, shipped with UPS, with two scans on the way."""
    # Each test starts with full lookup allowance (the limiter is per process, and every
    # test's browser comes from 127.0.0.1).
    server.server.config.app.state.track_lookup_limiter = LookupLimiter()
    order = client.post("/api/v1/orders", json=order_payload("1001")).json()
    shipment = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={
            "carrier": "ups",
            "tracking_number": UPS_NUMBER,
            "lines": [{"sku": "TENT-2P", "quantity": 2}, {"sku": "MUG-STEEL", "quantity": 1}],
        },
    )
    assert shipment.status_code == 201, shipment.text
    events = [
        _scan(
            30,
            "info_received",
            "Louisville",
            38.25,
            -85.76,
            "America/Kentucky/Louisville",
            description="Label created",
        ),
        _scan(20, "in_transit", "Dallas", 32.78, -96.80, "America/Chicago", description="Departed facility"),
    ]
    assert client.post("/api/v1/tracking/events", json={"events": events}).json()["accepted"] == 2
    return order


def _look_up(page: Any, base_url: str, number: str, contact: str) -> None:
    page.goto(f"{base_url}/track")
    page.get_by_label("Order number", exact=True).fill(number)
    page.get_by_label("Email address or postal code").fill(contact)
    page.get_by_role("button", name="Track order").click()


def test_shopper_finds_order_by_number_and_email_and_sees_status_scans_and_name(
    page: Any, server: Any, shipped_order: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    _look_up(page, server.base_url, "1001", "Ann@Example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Order 1001", timeout=FAST)
    assert re.search(r"/track/ord_[0-9a-z]+\.[0-9a-f]+\.[\w-]+$", page.url)
    expect(page.locator(".greeting")).to_have_text("Hello, Ann Lee.")
    expect(page.locator(".headline")).to_have_text("Your order is on its way.")
    expect(page.locator("[aria-current=step]")).to_contain_text("Shipped")
    scans = page.locator(".scan")
    expect(scans).to_have_count(2)
    # Newest first, in the scan location's local time, with its zone.
    expect(scans.nth(0)).to_contain_text("Departed facility")
    expect(scans.nth(0)).to_contain_text("America/Chicago")
    local = (NOW - timedelta(hours=20)).astimezone(ZoneInfo("America/Chicago"))
    assert local.strftime("%-I:%M") in scans.nth(0).inner_text()
    expect(scans.nth(1)).to_contain_text("America/Kentucky/Louisville")
    expect(page.locator(".carrier-link")).to_have_attribute("href", re.compile(UPS_NUMBER))
    expect(page.locator(".items")).to_contain_text("2 ×")
    expect(page.locator("svg.route-map circle")).to_have_count(2)
    # The promise made when it shipped (no carrier date, no deliveries learned yet: the
    # service's advertised days), as a window, with how it came about.
    expect(page.locator(".edd-date")).to_contain_text("Between")
    expect(page.locator(".edd-history li")).to_have_count(2)  # at the order, then at shipping
    body = page.content()
    assert "1 Main St" not in body and "ann@example.com" not in body.lower()
    ld = page.locator("script[type='application/ld+json']").first.text_content()
    assert '"@type":"ParcelDelivery"' in ld and UPS_NUMBER in ld


def test_wrong_email_and_unknown_order_get_the_same_neutral_answer(
    page: Any, server: Any, shipped_order: dict[str, Any]
) -> None:
    answers = []
    for number, contact in (("1001", "eve@example.com"), ("9999", "ann@example.com")):
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            _look_up(page, server.base_url, number, contact)
        answers.append((posted.value.status, page.locator(".lookup-result").inner_text()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 404 and NEUTRAL in answers[0][1]


def test_postal_code_lookup_works_but_hides_the_name(
    page: Any, server: Any, shipped_order: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    _look_up(page, server.base_url, "1001", "787 01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Order 1001", timeout=FAST)
    expect(page.locator(".greeting")).to_have_count(0)
    assert "Ann Lee" not in page.content()


def test_tracking_number_lookup_shows_the_limited_view(
    page: Any, server: Any, shipped_order: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.base_url}/track")
    page.get_by_label("Tracking number", exact=True).fill("1z5r 8939 0357 5671 27")
    page.get_by_role("button", name="Track parcel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Parcel {UPS_NUMBER}", timeout=FAST)
    expect(page.locator(".scan")).to_have_count(2)
    expect(page.locator(".items")).to_have_count(0)
    content = page.content()
    assert "Ann Lee" not in content and "Order 1001" not in content


def test_lookups_beyond_the_limit_get_a_429_page(server: Any, shipped_order: dict[str, Any]) -> None:
    server.server.config.app.state.track_lookup_limiter = LookupLimiter(per_minute=3, capacity=3)
    with httpx.Client(base_url=server.base_url) as http:
        statuses = [
            http.post(
                "/track", data={"kind": "order", "order_number": "1", "contact": "x@example.com"}
            ).status_code
            for _ in range(4)
        ]
        assert statuses == [404, 404, 404, 429]
        limited = http.post("/track", data={"kind": "order", "order_number": "1", "contact": "x@example.com"})
    assert "Too many lookups" in limited.text and int(limited.headers["retry-after"]) >= 1


def test_open_page_shows_an_ingested_event_within_five_seconds(
    page: Any, client: httpx.Client, server: Any, shipped_order: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.base_url}/track/{tracking_token(TEST_SECRET, shipped_order['id'])}")
    expect(page.locator(".scan")).to_have_count(2)
    page.evaluate("window.__not_reloaded = true")
    event = _scan(
        1, "out_for_delivery", "Austin", 30.27, -97.74, "America/Chicago", description="Out for delivery"
    )
    assert client.post("/api/v1/tracking/events", json={"events": [event]}).json()["accepted"] == 1
    expect(page.locator(".scan")).to_have_count(3, timeout=FAST)
    expect(page.locator(".scan").first).to_contain_text("Out for delivery")
    expect(page.locator("[aria-current=step]")).to_contain_text("Out for delivery")
    expect(page.locator("#live-announcer")).to_contain_text("Tracking updated: Out for delivery, Austin")
    assert page.evaluate("window.__not_reloaded") is True


def test_token_link_works_and_altered_or_expired_tokens_get_the_neutral_404(
    page: Any, server: Any, shipped_order: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    good = tracking_token(TEST_SECRET, shipped_order["id"])
    response = page.goto(f"{server.base_url}/track/{good}")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Order 1001")
    expect(page.locator(".greeting")).to_have_count(0)  # the link alone proves no email
    altered = good[:-1] + ("A" if good[-1] != "A" else "B")
    expired = tracking_token(TEST_SECRET, shipped_order["id"], expires_on=date.today() - timedelta(days=2))
    texts = []
    for token in (altered, expired, "nonsense", "x" * 500):
        response = page.goto(f"{server.base_url}/track/{token}")
        assert response.status == 404
        texts.append(page.locator("main").inner_text())
    assert len(set(texts)) == 1 and "This tracking link doesn't work" in texts[0]
    assert httpx.get(f"{server.base_url}/track/{altered}/events").status_code == 404


def test_pages_speak_portuguese_and_spanish(browser: Any, server: Any, shipped_order: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    token = tracking_token(TEST_SECRET, shipped_order["id"])
    context = browser.new_context(locale="pt-BR", extra_http_headers={"Accept-Language": "pt-BR,pt;q=0.9"})
    try:
        page = context.new_page()
        page.goto(f"{server.base_url}/track/{token}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Pedido 1001")
        expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
        expect(page.locator("[aria-current=step]")).to_contain_text("Enviado")
        expect(page.locator(".headline")).to_have_text("Seu pedido está a caminho.")
        page.get_by_role("link", name="Español").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Pedido 1001")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator(".headline")).to_have_text("Tu pedido está en camino.")
        page.goto(f"{server.base_url}/track")  # the choice is remembered
        expect(page.get_by_role("heading", level=1)).to_have_text("Rastrea tu pedido")
    finally:
        context.close()


def test_a_carrier_description_with_script_is_shown_as_text(
    page: Any, client: httpx.Client, server: Any, shipped_order: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    hostile = "<script>alert(1)</script> at </script><b>hub</b>"
    event = _scan(2, "in_transit", "Waco", 31.55, -97.15, "America/Chicago", description=hostile)
    assert client.post("/api/v1/tracking/events", json={"events": [event]}).json()["accepted"] == 1
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server.base_url}/track/{tracking_token(TEST_SECRET, shipped_order['id'])}")
    expect(page.locator(".scan-what").first).to_have_text(hostile)
    assert page.locator(".scan b").count() == 0
    assert dialogs == []
    # The structured data still parses as one JSON object with the text in it.
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["deliveryStatus"]["name"] == hostile


def test_axe_finds_no_serious_violations_and_screenshots_are_saved(
    page: Any, phone_page: Any, server: Any, shipped_order: dict[str, Any], client: httpx.Client, db: Any
) -> None:
    # A pale brand colour: the page must still pick readable text colours.
    with db.uow() as uow:
        merchants_service.set_branding(
            uow,
            client.tenant.merchant_id,
            display_name="Acme Outfitters",
            primary_colour="#ffd500",
            accent_colour="#ffd500",
        )
        uow.commit()
    token = tracking_token(TEST_SECRET, shipped_order["id"])
    for screen, name in ((page, "desktop"), (phone_page, "phone")):
        for path, label in (("/track", "lookup"), (f"/track/{token}", "order")):
            screen.goto(f"{server.base_url}{path}")
            assert axe_audit(screen) == [], f"{label} on {name}"
            screenshot(screen, f"track-{label}-{name}")
        width = screen.evaluate("document.documentElement.scrollWidth")
        assert width <= screen.viewport_size["width"], "the order page scrolls sideways"
