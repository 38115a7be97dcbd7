"""Owners and staff in a real browser against ``ordertrack serve`` (both databases): the owner
invites from the Staff page, the new colleague sets a password through the link and is signed
in; staff have no Staff or Settings (a 403 page says why); the link works once; disabling ends
the colleague's session at once. Pick lists and the low-stock list are in the nav, with CSV."""

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

OWNER = "olga@acme.example"
OWNER_PASSWORD = "owner of the shop"


def _owner(db: Database, client: httpx.Client) -> None:
    with db.uow() as uow:
        staff_service.create_staff(
            uow,
            client.tenant.merchant_id,  # type: ignore[attr-defined]
            email=OWNER,
            name="Olga Owner",
            password=OWNER_PASSWORD,
            now=datetime.now(UTC),
        )
        uow.commit()


def _sign_in(page: Any, served: ServeProcess, email: str, password: str) -> None:
    page.goto(f"{served.base_url}/dashboard/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))


def test_an_owner_invites_staff_who_cannot_manage_staff_and_is_signed_out_when_disabled(
    page: Any, browser: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _owner(served_db, served_client)
    _sign_in(page, served, OWNER, OWNER_PASSWORD)
    page.get_by_role("link", name="Staff").click()
    page.get_by_label("Name").fill("Sam Staff")
    page.get_by_label("Email").fill("sam@acme.example")
    page.get_by_role("button", name="Create invite link").click()
    link = page.get_by_label("Invite link").input_value()
    assert link.startswith(f"{served.base_url}/dashboard/invite/") or "/dashboard/invite/" in link
    assert "Invited" in page.inner_text("table.staff-list")
    assert axe_audit(page) == []
    screenshots(page, "staff-page")
    invite_path = link[link.index("/dashboard/invite/") :]

    # The colleague, in a browser of their own, sets a password and is signed in.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    sam = context.new_page()
    sam.goto(f"{served.base_url}{invite_path}")
    assert "Welcome, Sam Staff" in sam.inner_text("h1")
    assert axe_audit(sam) == []
    screenshots(sam, "staff-set-password")
    sam.get_by_label("Password", exact=True).fill("sam's own password")
    sam.get_by_label("The same password again").fill("sam's other password")
    sam.get_by_role("button", name="Set password and sign in").click()
    assert "The two passwords differ." in sam.inner_text("main")
    sam.get_by_label("Password", exact=True).fill("sam's own password")
    sam.get_by_label("The same password again").fill("sam's own password")
    sam.get_by_role("button", name="Set password and sign in").click()
    sam.wait_for_url(re.compile(r"/dashboard/orders"))
    nav = sam.inner_text("nav.dash-nav")
    assert "Pick lists" in nav and "Staff" not in nav and "Settings" not in nav
    for path in ("/dashboard/staff", "/dashboard/settings"):
        answer = sam.goto(f"{served.base_url}{path}")
        assert answer.status == 403 and "Only an owner" in sam.inner_text("main")
    csrf = sam.locator("input[name=csrf_token]").first.input_value()
    refused = sam.request.post(
        f"{served.base_url}/dashboard/staff/invite",
        form={"csrf_token": csrf, "name": "X", "email": "x@acme.example"},
    )
    assert refused.status == 403

    # The link worked once.
    again = page.goto(f"{served.base_url}{invite_path}")
    assert again.status == 410 and "no longer works" in page.inner_text("main")

    # The owner cannot disable themselves (no button), and disabling Sam signs Sam out at once.
    page.goto(f"{served.base_url}/dashboard/staff")
    assert page.get_by_role("button", name="Disable Olga Owner").count() == 0
    page.get_by_role("button", name="Disable Sam Staff").click()
    assert "signed out" in page.inner_text("main").lower() or "sessions have ended" in page.inner_text("main")
    sam.goto(f"{served.base_url}/dashboard/orders")
    assert "/dashboard/login" in sam.url

    # A reset link for an active login; enabling brings Sam back.
    page.get_by_role("button", name="Enable Sam Staff").click()
    page.get_by_role("button", name="Reset password for Sam Staff").click()
    reset = page.get_by_label("Password-reset link").input_value()
    assert "/dashboard/reset/" in reset
    context.close()


def test_pick_lists_and_the_low_stock_list_are_in_the_nav_with_csv(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    _owner(served_db, served_client)
    client = served_client
    warehouse = {
        "code": "AUS1",
        "name": "Austin",
        "address": {"line1": "1 Dock Road", "city": "Austin", "country": "US"},
        "timezone": "America/Chicago",
    }
    assert client.post("/api/v1/warehouses", json=warehouse).status_code == 201
    for sku, on_hand, threshold, location in (("TENT-2P", 10, 2, "A-01-1"), ("MUG-STEEL", 3, 5, "B-02-3")):
        answer = client.put(
            f"/api/v1/stock/AUS1/{sku}",
            json={"on_hand": on_hand, "low_stock_threshold": threshold, "location": location},
        )
        assert answer.status_code == 200, answer.text
    order = client.post("/api/v1/orders", json=order_payload("P-1")).json()
    assert client.post(f"/api/v1/orders/{order['id']}/confirm").status_code == 200
    expected = client.get("/api/v1/warehouses/AUS1/pick-list").json()["lines"]
    assert expected, "the confirmed order holds stock to pick"

    _sign_in(page, served, OWNER, OWNER_PASSWORD)
    page.get_by_role("link", name="Pick lists").click()
    page.wait_for_url(re.compile(r"/dashboard/inventory/pick-list"))
    table = page.inner_text("table.pick-list")
    for line in expected:
        assert line["sku"] in table and "#P-1" in table
    assert table.index(expected[0]["sku"]) < table.index(expected[-1]["sku"])  # walking order, as the API
    assert axe_audit(page) == []
    screenshots(page, "pick-list")
    csv = page.request.get(f"{served.base_url}/dashboard/inventory/pick-list.csv?warehouse=AUS1")
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text().splitlines()[0] == "location,sku,name,sku_total,order,quantity_for_order"
    assert "P-1" in csv.text()
    assert (
        page.request.get(f"{served.base_url}/dashboard/inventory/pick-list.csv?warehouse=NOPE").status == 404
    )

    page.get_by_role("link", name="Low-stock list").click()
    low = page.inner_text("main")
    assert "MUG-STEEL" in low and "TENT-2P" not in low
    assert axe_audit(page) == []
    screenshots(page, "low-stock")
    csv = page.request.get(f"{served.base_url}/dashboard/inventory/low-stock.csv")
    rows = csv.text().splitlines()
    assert rows[0].startswith("sku,name,warehouse") and [r.split(",")[0] for r in rows[1:]] == ["MUG-STEEL"]
