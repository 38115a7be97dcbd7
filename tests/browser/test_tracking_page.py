"""The shopper's tracking page in a real browser, against ``ordertrack serve`` in its own process:
lookup, privacy, live updates, languages, accessibility and escaping, on both databases.

Shoppers reach their order the way they do in life: the ``/track`` form, order number and
email (or postal code), a 303 to the order's signed link. Only the tests about links open a
link directly.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from ordertrack.db.uow import Database
from ordertrack.kit.signing import SigningKeys
from ordertrack.links import read_tracking_token, tracking_token
from ordertrack.merchants import service as merchants_service
from tests.browser.conftest import axe_audit, screenshot, screenshots
from tests.conftest import TEST_SECRET
from tests.integration.scenario import order_payload
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

UPS_NUMBER = "1Z5R89390357567127"
NOW = datetime.now(UTC).replace(microsecond=0)
NEUTRAL = "We couldn't find an order with those details"
FAST = 5_000  # ms: every wait in these tests
TRACKING_PAGE = re.compile(r"/track/([\w-]+\.[\w-]+)$")
# The lookup form's words, by the language the page speaks.
FORM_WORDS = {
    "en": ("Order number", "Email address or postal code", "Track order"),
    "pt-BR": ("Número do pedido", "E-mail ou CEP", "Rastrear pedido"),
}


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
def shipped_order(served_client: httpx.Client) -> dict[str, Any]:
    """Order 1001 for ann@example.com, shipped with UPS, with two scans on the way."""
    order = served_client.post("/api/v1/orders", json=order_payload("1001")).json()
    shipment = served_client.post(
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
    assert served_client.post("/api/v1/tracking/events", json={"events": events}).json()["accepted"] == 2
    return order


def _look_up(page: Any, base_url: str, number: str, contact: str, language: str = "en") -> int:
    """Fill in the ``/track`` form as a shopper does; the status the form's POST answered."""
    number_label, contact_label, button = FORM_WORDS[language]
    page.goto(f"{base_url}/track")
    page.get_by_label(number_label, exact=True).fill(number)
    page.get_by_label(contact_label).fill(contact)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    return posted.value.status  # type: ignore[no-any-return]


def _open_order(page: Any, base_url: str, contact: str = "ann@example.com", language: str = "en") -> None:
    """The shopper's way to order 1001: the lookup form, a 303, the order's page."""
    assert _look_up(page, base_url, "1001", contact, language) == 303
    found = TRACKING_PAGE.search(page.url)
    assert found, page.url
    opened = read_tracking_token(SigningKeys(TEST_SECRET), found.group(1))
    assert opened is not None and opened.startswith("ord_"), page.url  # an order's link, not a parcel's


def test_shopper_finds_order_by_number_and_email_and_sees_status_scans_and_name(
    page: Any, served: ServeProcess, shipped_order: dict[str, Any], backend: str
) -> None:
    from playwright.sync_api import expect

    _open_order(page, served.base_url, contact="Ann@Example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Order 1001", timeout=FAST)
    expect(page.locator(".greeting")).to_have_text("Hello, Ann Lee.")
    expect(page.locator(".headline")).to_have_text("Your order is on its way.")
    expect(page.locator("[aria-current=step]")).to_contain_text("Shipped")
    scans = page.locator(".scan")
    expect(scans).to_have_count(2)
    # Newest first, in the scan location's local time, with its zone's short name (the IANA
    # name in the title), a line in the shopper's words above the carrier's own.
    expect(scans.nth(0).locator(".scan-what")).to_have_text("In transit")
    expect(scans.nth(0).locator(".scan-carrier")).to_contain_text("Departed facility")
    local = (NOW - timedelta(hours=20)).astimezone(ZoneInfo("America/Chicago"))
    assert f"{local:%-I:%M}\u202f{local:%p} {local.tzname()}" in scans.nth(0).inner_text()
    expect(scans.nth(0).locator("time")).to_have_attribute("title", f"America/Chicago ({local.tzname()})")
    louisville = (NOW - timedelta(hours=30)).astimezone(ZoneInfo("America/Kentucky/Louisville"))
    expect(scans.nth(1)).to_contain_text(str(louisville.tzname()))
    expect(scans.nth(1).locator(".scan-carrier")).to_have_count(0)  # "Label created": the same words
    expect(page.locator(".carrier-link")).to_have_attribute("href", re.compile(UPS_NUMBER))
    expect(page.locator(".items")).to_contain_text("2 ×")
    expect(page.locator("svg.route-map .map-stop")).to_have_count(2)
    # The promise made when it shipped (no carrier date, no deliveries learned yet: the
    # service's advertised days), as a window, with how it came about.
    expect(page.locator(".edd-date")).to_contain_text("Between")
    expect(page.locator(".edd-history li")).to_have_count(2)  # at the order, then at shipping
    body = page.content()
    assert "1 Main St" not in body and "ann@example.com" not in body.lower()
    ld = page.locator("script[type='application/ld+json']").first.text_content()
    assert '"@type":"ParcelDelivery"' in ld and UPS_NUMBER in ld
    screenshots(page, f"track-order-by-email-{backend}")


def test_wrong_email_and_unknown_order_get_the_same_neutral_answer(
    page: Any, served: ServeProcess, shipped_order: dict[str, Any], backend: str
) -> None:
    answers = []
    for number, contact in (("1001", "eve@example.com"), ("9999", "ann@example.com")):
        status = _look_up(page, served.base_url, number, contact)
        answers.append((status, page.locator(".lookup-result").inner_text()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 404 and NEUTRAL in answers[0][1]
    screenshots(page, f"track-lookup-not-found-{backend}")


def test_postal_code_lookup_works_but_hides_the_name(
    page: Any, served: ServeProcess, shipped_order: dict[str, Any], backend: str
) -> None:
    from playwright.sync_api import expect

    _open_order(page, served.base_url, contact="787 01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Order 1001", timeout=FAST)
    expect(page.locator(".greeting")).to_have_count(0)
    assert "Ann Lee" not in page.content()
    screenshots(page, f"track-order-by-postal-code-{backend}")


def test_tracking_number_lookup_shows_the_limited_view(
    page: Any, served: ServeProcess, shipped_order: dict[str, Any], backend: str
) -> None:
    from playwright.sync_api import expect

    page.goto(f"{served.base_url}/track")
    page.get_by_label("Tracking number", exact=True).fill("1z5r 8939 0357 5671 27")
    page.get_by_role("button", name="Track parcel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Parcel {UPS_NUMBER}", timeout=FAST)
    expect(page.locator(".scan")).to_have_count(2)
    expect(page.locator(".items")).to_have_count(0)
    content = page.content()
    assert "Ann Lee" not in content and "Order 1001" not in content
    screenshots(page, f"track-parcel-{backend}")


def test_lookups_beyond_the_operators_limit_get_a_429_page(db: Database, tmp_path: Path) -> None:
    # A process of its own, with the limit set as an operator sets it: the shared one allows
    # more, since every test reaches it from 127.0.0.1.
    url = db.url.render_as_string(hide_password=False)
    limits = {"ORDERTRACK_TRACK_LOOKUP_BURST": "3", "ORDERTRACK_TRACK_LOOKUPS_PER_MINUTE": "1"}
    guess = {"kind": "order", "order_number": "1", "contact": "x@example.com"}
    with ServeProcess(url, tmp_path, secret=TEST_SECRET, env=limits) as limited, limited.client() as http:
        statuses = [http.post("/track", data=guess).status_code for _ in range(4)]
        assert statuses == [404, 404, 404, 429]
        refused = http.post("/track", data={"kind": "parcel", "tracking_number": UPS_NUMBER})
    assert refused.status_code == 429  # one allowance for both forms
    assert "Too many lookups" in refused.text
    assert 30 <= int(refused.headers["retry-after"]) <= 60  # one lookup a minute comes back


def test_open_page_shows_an_ingested_event_within_five_seconds(
    page: Any, served_client: httpx.Client, served: ServeProcess, shipped_order: dict[str, Any], backend: str
) -> None:
    from playwright.sync_api import expect

    _open_order(page, served.base_url)
    expect(page.locator(".scan")).to_have_count(2)
    page.evaluate("window.__not_reloaded = true")
    event = _scan(
        1, "out_for_delivery", "Austin", 30.27, -97.74, "America/Chicago", description="Out for delivery"
    )
    assert served_client.post("/api/v1/tracking/events", json={"events": [event]}).json()["accepted"] == 1
    expect(page.locator(".scan")).to_have_count(3, timeout=FAST)
    expect(page.locator(".scan").first).to_contain_text("Out for delivery")
    expect(page.locator("[aria-current=step]")).to_contain_text("Out for delivery")
    expect(page.locator("#live-announcer")).to_contain_text("Tracking updated: Out for delivery, Austin")
    assert page.evaluate("window.__not_reloaded") is True
    screenshots(page, f"track-order-updated-live-{backend}")


def test_token_link_works_and_altered_or_expired_tokens_get_the_neutral_404(
    page: Any, served: ServeProcess, shipped_order: dict[str, Any], backend: str
) -> None:
    from playwright.sync_api import expect

    good = tracking_token(TEST_SECRET, shipped_order["id"])
    response = page.goto(f"{served.base_url}/track/{good}")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Order 1001")
    expect(page.locator(".greeting")).to_have_count(0)  # the link alone proves no email
    altered = good[:-1] + ("A" if good[-1] != "A" else "B")
    expired = tracking_token(TEST_SECRET, shipped_order["id"], expires_on=date.today() - timedelta(days=2))
    texts = []
    for token in (altered, expired, "nonsense", "x" * 500):
        response = page.goto(f"{served.base_url}/track/{token}")
        assert response.status == 404
        texts.append(page.locator("main").inner_text())
    assert len(set(texts)) == 1 and "This tracking link doesn't work" in texts[0]
    assert httpx.get(f"{served.base_url}/track/{altered}/events").status_code == 404
    screenshots(page, f"track-link-broken-{backend}")


def test_pages_speak_portuguese_and_spanish(
    browser: Any, served: ServeProcess, shipped_order: dict[str, Any], backend: str
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="pt-BR", extra_http_headers={"Accept-Language": "pt-BR,pt;q=0.9"})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        _open_order(page, served.base_url, language="pt-BR")
        expect(page.get_by_role("heading", level=1)).to_have_text("Pedido 1001")
        expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
        expect(page.locator("[aria-current=step]")).to_contain_text("Enviado")
        expect(page.locator(".headline")).to_have_text("Seu pedido está a caminho.")
        screenshots(page, f"track-order-pt-br-{backend}")
        page.get_by_role("link", name="Español").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Pedido 1001")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator(".headline")).to_have_text("Tu pedido está en camino.")
        screenshots(page, f"track-order-es-{backend}")
        page.goto(f"{served.base_url}/track")  # the choice is remembered
        expect(page.get_by_role("heading", level=1)).to_have_text("Rastrea tu pedido")
    finally:
        context.close()


def test_a_carrier_description_with_script_is_shown_as_text(
    page: Any, served_client: httpx.Client, served: ServeProcess, shipped_order: dict[str, Any], backend: str
) -> None:
    from playwright.sync_api import expect

    hostile = "<script>alert(1)</script> at </script><b>hub</b>"
    event = _scan(2, "in_transit", "Waco", 31.55, -97.15, "America/Chicago", description=hostile)
    assert served_client.post("/api/v1/tracking/events", json={"events": [event]}).json()["accepted"] == 1
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _open_order(page, served.base_url)
    expect(page.locator(".scan-carrier").first).to_contain_text(hostile)
    assert page.locator(".scan b").count() == 0
    assert dialogs == []
    # The structured data still parses as one JSON object with the text in it.
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["deliveryStatus"]["name"] == hostile
    screenshots(page, f"track-order-hostile-scan-{backend}")


def test_axe_finds_no_serious_violations_on_a_phone_and_a_desktop(
    page: Any,
    phone_page: Any,
    served: ServeProcess,
    shipped_order: dict[str, Any],
    served_client: httpx.Client,
    served_db: Database,
    backend: str,
) -> None:
    # A pale brand colour: the page must still pick readable text colours.
    with served_db.uow() as uow:
        merchants_service.set_branding(
            uow,
            served_client.tenant.merchant_id,  # type: ignore[attr-defined]
            display_name="Acme Outfitters",
            primary_colour="#ffd500",
            accent_colour="#ffd500",
        )
        uow.commit()
    for screen, name in ((page, "desktop"), (phone_page, "phone")):
        # The desktop page is also seen 360 px wide; the phone is a touch screen, as it comes.
        capture = screenshots if screen is page else screenshot
        assert _look_up(screen, served.base_url, "1001", "nobody@example.com") == 404
        assert axe_audit(screen) == [], f"lookup with the neutral answer on {name}"
        screen.goto(f"{served.base_url}/track")
        assert axe_audit(screen) == [], f"lookup on {name}"
        capture(screen, f"track-lookup-{name}-{backend}")
        _open_order(screen, served.base_url)
        assert axe_audit(screen) == [], f"order on {name}"
        capture(screen, f"track-order-branded-{name}-{backend}")
        width = screen.evaluate("document.documentElement.scrollWidth")
        assert width <= screen.viewport_size["width"], f"the order page scrolls sideways on {name}"
