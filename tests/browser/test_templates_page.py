"""Message templates in the dashboard, in Chromium against ``ordertrack serve``: the list, the
editor's preview rendered on the server with a real order (live as one types, and by the
Preview button without JavaScript), the sandbox's refusal shown next to the editor, save,
reset, and owners only for changes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from ordertrack.db.uow import Database
from ordertrack.staff import service as staff_service
from tests.browser.conftest import axe_audit, screenshots
from tests.integration.scenario import order_payload
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

OWNER = ("owner@acme.example", "owner of the templates")
CLERK = ("clerk@acme.example", "clerk reads templates")
EDITOR = "/dashboard/templates/shipped/email/en"


def _prepare(db: Database, client: httpx.Client) -> None:
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    with db.uow() as uow:
        for (email, password), role in ((OWNER, "owner"), (CLERK, "staff")):
            staff_service.create_staff(
                uow,
                merchant_id,
                email=email,
                name=role.title(),
                password=password,
                now=datetime.now(UTC),
                role=role,
            )
        uow.commit()
    placed = client.post("/api/v1/orders", json=order_payload("T-2001"))
    assert placed.status_code == 201, placed.text


def _sign_in(page: Any, served: ServeProcess, who: tuple[str, str]) -> None:
    page.goto(f"{served.base_url}/dashboard/login")
    page.get_by_label("Email").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))


def _preview(page: Any) -> Any:
    return page.frame_locator("#template-preview")


def test_owner_edits_previews_live_saves_and_resets_a_template(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _prepare(served_db, served_client)
    _sign_in(page, served, OWNER)
    page.get_by_role("link", name="Templates").click()
    page.wait_for_url(re.compile(r"/dashboard/templates$"))
    assert axe_audit(page) == []
    screenshots(page, "templates-list")
    page.get_by_role("link", name="Shipped, Email, English: our default").click()
    page.wait_for_url(re.compile(EDITOR + "$"))
    assert page.get_by_label("Preview with order").input_value() == "T-2001"
    preview = _preview(page)
    assert "Your order T-2001 is on its way" in preview.locator(".preview-subject").inner_text()
    assert axe_audit(page) == []
    screenshots(page, "templates-editor")
    editor_url = page.url
    page.goto(f"{served.base_url}{EDITOR}/preview?order=T-2001")  # the preview document on its own
    assert axe_audit(page) == []
    page.goto(editor_url)

    # Typing updates the preview (the small script posts the form into the frame).
    page.get_by_label("Subject").fill("{{ store_name }} packed {{ order_number }} for {{ shopper_name }}")
    preview.locator(".preview-subject", has_text="packed T-2001 for Ann Lee").wait_for()

    # A template the sandbox refuses is not saved; the error names the problem.
    page.get_by_label("Subject").fill("{{ order_number")
    page.get_by_role("button", name="Save template").click()
    alert = page.get_by_role("alert")
    assert "subject" in alert.inner_text() and page.get_by_label("Subject").input_value() == "{{ order_number"
    assert served_client.get("/api/v1/notifications/templates/shipped/email/en").json()["custom"] is False

    html = page.get_by_label("HTML part").input_value()
    page.get_by_label("HTML part").fill("  ")
    page.get_by_role("button", name="Save template").click()
    assert "HTML part" in page.get_by_role("alert").inner_text()  # an email needs one, as in the API
    page.get_by_label("HTML part").fill(html)
    page.get_by_label("Subject").fill("Packed: {{ order_number }}")
    page.get_by_role("button", name="Save template").click()
    page.get_by_role("status").filter(has_text="Template saved").wait_for()
    answer = served_client.get("/api/v1/notifications/templates/shipped/email/en").json()
    assert answer["custom"] is True and answer["subject"] == "Packed: {{ order_number }}"
    page.goto(f"{served.base_url}/dashboard/templates")
    assert page.get_by_role("link", name="Shipped, Email, English: your own").is_visible()

    page.goto(f"{served.base_url}{EDITOR}")
    page.get_by_role("button", name="Reset to our default").click()
    page.wait_for_url(re.compile(r"/dashboard/templates\?saved=reset"))
    assert served_client.get("/api/v1/notifications/templates/shipped/email/en").json()["custom"] is False


def test_preview_button_works_without_javascript(
    browser: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _prepare(served_db, served_client)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        _sign_in(page, served, OWNER)
        page.goto(f"{served.base_url}/dashboard/templates/delivered/sms/es")
        page.get_by_label("Text message").fill(
            "{{ store_name }}: {{ order_number }} entregado. {{ tracking_url }}"
        )
        page.get_by_role("button", name="Preview").click()
        bubble = _preview(page).locator(".preview-sms", has_text="T-2001 entregado")
        bubble.wait_for()
        assert "STOP" in bubble.inner_text()  # the opt-out is added to every text
        assert re.search(r"\d+ characters, 2 segments\.", _preview(page).locator("main").inner_text())
        # Nothing was saved by previewing.
        assert served_client.get("/api/v1/notifications/templates/delivered/sms/es").json()["custom"] is False
    finally:
        context.close()


def test_staff_who_are_not_owners_preview_but_cannot_save(
    phone_page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _prepare(served_db, served_client)
    _sign_in(phone_page, served, CLERK)
    phone_page.goto(f"{served.base_url}{EDITOR}")
    assert phone_page.get_by_role("button", name="Save template").count() == 0
    assert "Only an owner" in phone_page.inner_text("main")
    assert "T-2001" in _preview(phone_page).locator(".preview-subject").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_audit(phone_page) == []


def test_bad_requests_get_clear_4xx_pages_and_other_shops_orders_stay_hidden(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _prepare(served_db, served_client)
    other = httpx.Client(base_url=served.base_url)
    with served_db.uow() as uow:
        from ordertrack.merchants import service as merchants_service

        stranger = merchants_service.create_merchant(uow, "Other Shop")
        uow.commit()
    other.headers["Authorization"] = f"Bearer {stranger.api_key}"
    assert other.post("/api/v1/orders", json=order_payload("SECRET-9")).status_code == 201
    _sign_in(page, served, CLERK)
    base = served.base_url
    assert page.request.get(f"{base}/dashboard/templates/nonsense/email/en").status == 404
    assert page.request.get(f"{base}/dashboard/templates/low_stock/sms/en").status == 404
    assert page.request.get(f"{base}/dashboard/templates/shipped/email/fr").status == 404
    csrf = page.goto(f"{base}{EDITOR}") and page.locator("input[name=csrf_token]").first.input_value()
    # Another shop's order is not found, not shown.
    hidden = page.request.get(f"{base}{EDITOR}/preview?order=SECRET-9")
    assert hidden.status == 404 and "preview-subject" not in hidden.text() and 'role="alert"' in hidden.text()
    assert "frame-ancestors 'self'" in hidden.headers["content-security-policy"]
    assert "script-src" not in hidden.headers["content-security-policy"]  # default-src 'none': no script
    form = {"csrf_token": csrf, "subject": "x", "text": "y", "html": "<p>z</p>"}
    assert page.request.post(f"{base}{EDITOR}", form={**form, "csrf_token": "forged"}).status == 403
    assert page.request.post(f"{base}{EDITOR}", form=form).status == 403  # staff, not an owner
    assert page.request.post(f"{base}{EDITOR}/reset", form=form).status == 403
    assert page.request.post(f"{base}/dashboard/templates/switches", form=form).status == 403
    too_long = page.request.post(f"{base}{EDITOR}/preview", form={**form, "text": "x" * 20_001})
    assert too_long.status == 400 and "limit is 20000" in too_long.text()
    refused = page.request.post(f"{base}{EDITOR}/preview", form={**form, "text": "{% for %}"})
    assert refused.status == 422
    other.close()


def test_owner_sets_the_emails_logo_and_the_preview_shows_it_with_a_readable_button(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _prepare(served_db, served_client)
    _sign_in(page, served, OWNER)
    page.goto(f"{served.base_url}/dashboard/settings")
    page.get_by_label("Logo for emails").fill("http://cdn.acme.invalid/logo.png")
    page.get_by_role("button", name="Save branding").click()
    assert "https://" in page.get_by_role("alert").inner_text()
    page.get_by_label("Main colour").fill("#ffd700")
    page.get_by_label("Display name").fill("Acme Co.")
    page.get_by_label("Logo for emails").fill("https://cdn.acme.invalid/logo.png")
    page.get_by_role("button", name="Save branding").click()
    page.get_by_role("status").filter(has_text="Branding saved").wait_for()

    page.goto(f"{served.base_url}{EDITOR}")
    email = _preview(page).frame_locator(".preview-email")
    logo = email.locator("img")
    assert logo.get_attribute("src") == "https://cdn.acme.invalid/logo.png"
    assert logo.get_attribute("alt") == "Acme Co."
    button = email.get_by_role("link", name="Track your parcel")
    colours = button.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert colours == ["rgb(255, 215, 0)", "rgb(17, 17, 17)"]  # the yellow, with dark text
    assert "Acme Co.." not in email.locator("body").inner_text()
    rendered = served_client.post(
        "/api/v1/notifications/preview",
        json={"trigger": "shipped", "channel": "email", "locale": "es", "order": "T-2001"},
    ).json()
    page.set_content(rendered["html"])  # the email alone: readable, labelled, in its language
    assert axe_audit(page) == []


def test_owner_chooses_which_messages_are_sent(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _prepare(served_db, served_client)
    _sign_in(page, served, OWNER)
    page.goto(f"{served.base_url}/dashboard/templates")
    page.get_by_label("Shipped by SMS").uncheck()
    page.get_by_label("Low stock (staff) by Webhook").uncheck()
    page.get_by_role("button", name="Save what is sent").click()
    page.get_by_role("status").filter(has_text="only the messages ticked are sent").wait_for()
    assert not page.get_by_label("Shipped by SMS").is_checked()
    assert page.get_by_label("Shipped by Email").is_checked()
    off = {
        (s["trigger"], s["channel"])
        for s in served_client.get("/api/v1/notifications/settings").json()["items"]
        if not s["enabled"]
    }
    assert off == {("shipped", "sms"), ("low_stock", "webhook")}
    assert axe_audit(page) == []
    page.get_by_label("Shipped by SMS").check()
    page.get_by_role("button", name="Save what is sent").click()
    page.get_by_role("status").wait_for()
    settings = served_client.get("/api/v1/notifications/settings").json()["items"]
    assert [s for s in settings if not s["enabled"]] == [
        {"trigger": "low_stock", "channel": "webhook", "enabled": False}
    ]
