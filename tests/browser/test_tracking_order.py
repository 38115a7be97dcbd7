"""The shopper's page in a real browser against ``ordertrack serve``: the whole order, the
store's contact where it helps, times and places people read, the status line in the
shopper's language above the carrier's words, and finished orders that look finished."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.browser.conftest import axe_audit, screenshots
from tests.browser.test_tracking_page import FAST, UPS_NUMBER, _open_order, _scan
from tests.integration.scenario import order_payload
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

NOW = datetime.now(UTC).replace(microsecond=0)
CONTACT = {"email": "help@acme.example", "phone": "+1 502 555 0142", "help_url": "https://acme.example/help"}


def _place(client: httpx.Client) -> dict[str, Any]:
    placed = client.post("/api/v1/orders", json=order_payload("1001"))
    assert placed.status_code == 201, placed.text
    return placed.json()  # type: ignore[no-any-return]


def _ship(client: httpx.Client, order: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    shipped = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "ups", "tracking_number": UPS_NUMBER, "lines": lines},
    )
    assert shipped.status_code == 201, shipped.text
    return shipped.json()  # type: ignore[no-any-return]


def _events(client: httpx.Client, *events: dict[str, Any]) -> None:
    answer = client.post("/api/v1/tracking/events", json={"events": list(events)}).json()
    assert answer["accepted"] == len(events), answer


def test_a_pending_order_lists_every_line_and_its_total(
    page: Any, served: ServeProcess, served_client: httpx.Client, backend: str
) -> None:
    from playwright.sync_api import expect

    _place(served_client)
    _open_order(page, served.base_url)
    lines = page.locator(".order-line")
    expect(lines).to_have_count(2, timeout=FAST)
    expect(lines.nth(0)).to_contain_text("2 × TENT-2P")
    expect(lines.nth(0)).to_contain_text("$398.00")
    expect(lines.nth(0)).to_contain_text("2 still to ship")
    expect(lines.nth(1)).to_contain_text("1 × MUG-STEEL")
    expect(page.locator(".order-total")).to_have_text("Order total $410.50")
    screenshots(page, f"track-order-pending-lines-{backend}")


def test_a_partly_shipped_order_says_what_shipped_and_when_the_rest_should_come(
    page: Any, served: ServeProcess, served_client: httpx.Client, backend: str
) -> None:
    from playwright.sync_api import expect

    order = _place(served_client)
    _ship(served_client, order, [{"sku": "TENT-2P", "quantity": 2}])
    _open_order(page, served.base_url)
    expect(page.locator(".headline")).to_have_text("Part of your order is on its way; the rest will follow.")
    tent, mug = page.locator(".order-line").nth(0), page.locator(".order-line").nth(1)
    expect(tent.locator(".line-shipped")).to_have_text("2 on the way")
    expect(tent.locator(".line-to-come")).to_have_count(0)
    # The rest comes by the order's promise, the last day of the window shown above.
    expect(mug.locator(".line-to-come")).to_contain_text("1 still to ship, expected by ")
    latest = page.locator(".edd-date").inner_text().rsplit(" and ", 1)[-1]
    day_and_month = latest.split(", ")[1]  # "December 12" out of "Saturday, December 12, 2026"
    month, day = day_and_month.split(" ")
    assert f"{month[:3]} {day}" in mug.locator(".line-to-come").inner_text()
    screenshots(page, f"track-order-partly-shipped-{backend}")


def test_a_cancelled_order_looks_finished(
    page: Any, served: ServeProcess, served_client: httpx.Client, backend: str
) -> None:
    from playwright.sync_api import expect

    order = _place(served_client)
    assert served_client.post(f"/api/v1/orders/{order['id']}/cancel").status_code == 200
    _open_order(page, served.base_url)
    expect(page.locator(".headline")).to_have_text("This order was cancelled.", timeout=FAST)
    expect(page.locator("[aria-current=step]")).to_have_text(
        "✕ Cancelled (current step)", use_inner_text=True
    )
    expect(page.locator(".step")).to_have_count(2)
    expect(page.locator(".step").first).to_contain_text("Ordered")
    expect(page.locator(".step").first).to_contain_text("(done)")
    expect(page.locator(".edd")).to_have_count(0)
    expect(page.locator(".sms-updates")).to_have_count(0)
    expect(page.locator("form[action$='/sms']")).to_have_count(0)
    expect(page.locator(".line-cancelled")).to_have_count(2)
    assert "Nothing has been shipped yet" not in page.content()
    assert axe_audit(page) == []
    screenshots(page, f"track-order-cancelled-{backend}")


def test_a_returned_order_offers_no_text_updates_and_a_delivered_one_shows_its_day(
    page: Any, served: ServeProcess, served_client: httpx.Client, backend: str
) -> None:
    from playwright.sync_api import expect

    order = _place(served_client)
    _ship(served_client, order, [{"sku": "TENT-2P", "quantity": 2}, {"sku": "MUG-STEEL", "quantity": 1}])
    _events(served_client, _scan(5, "in_transit", "Dallas", 32.78, -96.8, "America/Chicago"))
    _open_order(page, served.base_url)
    expect(page.locator(".sms-updates")).to_have_count(1)  # still travelling: offered
    _events(
        served_client,
        _scan(
            2, "delivered", "Austin", 30.27, -97.74, "America/Chicago", description="Delivered, front door"
        ),
    )
    page.reload()
    expect(page.locator(".headline")).to_have_text("Your order has been delivered.", timeout=FAST)
    delivered_day = (NOW - timedelta(hours=2)).astimezone(ZoneInfo("America/Chicago"))
    expect(page.locator(".delivered-on h2")).to_have_text("Delivered")
    expect(page.locator(".delivered-on .edd-date")).to_contain_text(f"{delivered_day:%A}, {delivered_day:%B}")
    expect(page.locator("section.edd:not(.delivered-on)")).to_have_count(0)
    expect(page.locator(".step-done")).to_have_count(5)
    expect(page.locator("[aria-current=step]")).to_contain_text("Delivered")
    expect(page.locator(".sms-updates")).to_have_count(0)
    screenshots(page, f"track-order-delivered-{backend}")
    _events(served_client, _scan(1, "returned", "Louisville", 38.25, -85.76, "America/Kentucky/Louisville"))
    page.reload()
    expect(page.locator("[aria-current=step]")).to_contain_text("Returned to the store", timeout=FAST)
    expect(page.locator(".sms-updates")).to_have_count(0)
    expect(page.locator(".edd")).to_have_count(0)


def test_the_spanish_page_shows_its_status_line_above_the_carriers_words_with_readable_time_and_place(
    page: Any, served: ServeProcess, served_client: httpx.Client, backend: str
) -> None:
    from playwright.sync_api import expect

    order = _place(served_client)
    _ship(served_client, order, [{"sku": "TENT-2P", "quantity": 2}, {"sku": "MUG-STEEL", "quantity": 1}])
    louisville = _scan(
        30,
        "in_transit",
        "Louisville",
        38.25,
        -85.76,
        "America/Kentucky/Louisville",
        description="Departed facility",
    )
    louisville["location"]["region"] = "KY"
    calgary = _scan(
        20,
        "failed_attempt",
        "Calgary",
        51.05,
        -114.07,
        "America/Edmonton",
        description="Receiver not available",
        reason="recipient_unavailable",
    )
    calgary["location"]["country"] = "CA"
    calgary["location"]["region"] = "AB"
    _events(served_client, louisville, calgary)
    _open_order(page, served.base_url)
    page.goto(f"{page.url}?lang=es")  # the language switch
    newest, oldest = page.locator(".scan").nth(0), page.locator(".scan").nth(1)
    expect(newest.locator(".scan-what")).to_have_text("Intento de entrega · No había nadie", timeout=FAST)
    expect(newest.locator(".scan-carrier")).to_contain_text("Receiver not available")
    expect(newest.locator(".scan-place")).to_have_text("Calgary AB, Canadá")
    expect(oldest.locator(".scan-what")).to_have_text("En tránsito")
    expect(oldest.locator(".scan-carrier")).to_contain_text("Departed facility")
    expect(oldest.locator(".scan-place")).to_have_text("Louisville KY")
    local = (NOW - timedelta(hours=30)).astimezone(ZoneInfo("America/Kentucky/Louisville"))
    meta = oldest.locator(".scan-meta").inner_text()
    assert f"{local:%-H:%M} {local.tzname()}" in meta, meta
    assert "America/Kentucky/Louisville" not in meta
    expect(oldest.locator("time")).to_have_attribute(
        "title", f"America/Kentucky/Louisville ({local.tzname()})"
    )
    expect(page.locator(".order-meta")).to_contain_text("Entrega en Austin, Estados Unidos")
    screenshots(page, f"track-order-es-carrier-words-{backend}")


def test_an_address_problem_shows_the_stores_contact_as_links(
    page: Any, phone_page: Any, served: ServeProcess, served_client: httpx.Client, backend: str
) -> None:
    from playwright.sync_api import expect

    assert served_client.put("/api/v1/settings/store-contact", json=CONTACT).status_code == 200
    order = _place(served_client)
    _ship(served_client, order, [{"sku": "TENT-2P", "quantity": 2}, {"sku": "MUG-STEEL", "quantity": 1}])
    problem = _scan(
        3,
        "exception",
        "Austin",
        30.27,
        -97.74,
        "America/Chicago",
        reason="address_issue",
        description="ADDRESS INFORMATION REQUIRED",
    )
    _events(served_client, problem)
    for screen, name in ((page, "desktop"), (phone_page, "phone")):
        _open_order(screen, served.base_url)
        expect(screen.locator(".notice.bad")).to_contain_text(
            "problem with the delivery address", timeout=FAST
        )
        beside = screen.locator("#status-contact")
        expect(beside.locator("a.contact-email")).to_have_attribute(
            "href", "mailto:help@acme.example?subject=Order%201001"
        )
        expect(beside.locator("a.contact-phone")).to_have_attribute("href", "tel:+15025550142")
        expect(beside.locator("a.contact-phone")).to_contain_text("+1 502-555-0142")
        expect(beside.locator("a.contact-help")).to_have_attribute("href", "https://acme.example/help")
        expect(screen.locator("#footer-contact a")).to_have_count(3)
        assert axe_audit(screen) == [], name
        width = screen.evaluate("document.documentElement.scrollWidth")
        assert width <= screen.viewport_size["width"], f"the page scrolls sideways on {name}"
        screenshots(screen, f"track-order-address-issue-contact-{name}-{backend}")


def test_without_a_problem_the_contact_is_only_in_the_footer_and_without_one_set_nowhere(
    page: Any, served: ServeProcess, served_client: httpx.Client
) -> None:
    from playwright.sync_api import expect

    _place(served_client)
    _open_order(page, served.base_url)
    expect(page.locator(".store-contact")).to_have_count(0, timeout=FAST)
    served_client.put("/api/v1/settings/store-contact", json={"email": "help@acme.example"})
    page.reload()
    expect(page.locator("#status-contact")).to_have_count(0)
    expect(page.locator("#footer-contact a")).to_have_count(1)


def test_a_parcel_handed_to_the_carrier_is_no_longer_being_prepared(
    page: Any, served: ServeProcess, served_client: httpx.Client
) -> None:
    from playwright.sync_api import expect

    order = _place(served_client)
    shipment = _ship(
        served_client, order, [{"sku": "TENT-2P", "quantity": 2}, {"sku": "MUG-STEEL", "quantity": 1}]
    )
    _open_order(page, served.base_url)
    expect(page.locator(".shipment-words")).to_have_text("The store is preparing this parcel.", timeout=FAST)
    assert served_client.post(f"/api/v1/shipments/{shipment['id']}/hand-over").status_code == 200
    page.reload()
    expect(page.locator(".shipment-words")).to_have_text(
        "The carrier has the parcel. Its first scan will show here soon."
    )
