"""The needs-attention workflow in a real browser against ``ordertrack serve`` (both databases):
the list filters by state, problem, assignee and age and keeps them in the URL; on an item
staff acknowledge (and take it), note, write to the shopper from the prepared text, open and
move a carrier claim, and resolve it with a reason. axe finds nothing serious; the pages are
looked at 1280 and 360 px wide."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.staff import service as staff_service
from tests.browser.conftest import axe_audit, screenshots
from tests.integration.scenario import order_payload
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

EMAIL = "ada@acme.example"
PASSWORD = "mind the parcels"
NUMBER = "ACME77700001"


def _item_in_exception(client: httpx.Client, db: Database) -> str:
    order = client.post("/api/v1/orders", json=order_payload("X-1")).json()
    shipped = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": "acme_post", "tracking_number": NUMBER}
    )
    assert shipped.status_code == 201, shipped.text
    now = datetime.now(UTC)
    event = {
        "tracking_number": NUMBER,
        "carrier": "acme_post",
        "status": "exception",
        "reason": "address_issue",
        "occurred_at": (now - timedelta(hours=2)).isoformat(),
        "location": {"city": "Austin", "region": "TX", "country": "US", "timezone": "America/Chicago"},
    }
    assert client.post("/api/v1/tracking/events", json={"events": [event]}).status_code in (200, 202)
    shipment_checks.run_checks(db, now + timedelta(minutes=1))
    items = client.get("/api/v1/attention", params={"kind": "exception"}).json()["items"]
    assert len(items) == 1
    return str(items[0]["id"])


def _sign_in(page: Any, served: ServeProcess, email: str, password: str) -> None:
    page.goto(f"{served.base_url}/dashboard/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))


def test_staff_work_an_item_from_the_list_to_resolved(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    item_id = _item_in_exception(served_client, served_db)
    merchant_id = served_client.tenant.merchant_id  # type: ignore[attr-defined]
    with served_db.uow() as uow:
        staff_service.create_staff(
            uow, merchant_id, email=EMAIL, name="Ada Agent", password=PASSWORD, now=datetime.now(UTC)
        )
        uow.commit()
    _sign_in(page, served, EMAIL, PASSWORD)

    # The list, filtered from the form; the filters stay in the URL.
    page.get_by_role("link", name="Needs attention").click()
    page.get_by_label("Assignee").select_option("unassigned")
    page.get_by_label("Problem").select_option("exception")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"assignee=unassigned"))
    assert "kind=exception" in page.url
    listed = page.inner_text("main")
    assert "#X-1" in listed and "Exception" in listed and "Open" in listed
    assert axe_audit(page) == []
    screenshots(page, "attention-list")
    page.goto(f"{served.base_url}/dashboard/attention?assignee=mine")
    assert "No item matches these filters" in page.inner_text("main")
    page.goto(f"{served.base_url}/dashboard/attention?age=7d")
    assert "#X-1" not in page.inner_text("main")
    page.goto(f"{served.base_url}/dashboard/attention?state=sleeping")
    assert "state filter" in page.inner_text("main")

    # The item, reached from the list or from the order's alerts: acknowledge takes it.
    page.goto(f"{served.base_url}/dashboard/orders/X-1")
    page.get_by_label("Open alerts").get_by_role("link", name="Exception").click()
    page.wait_for_url(re.compile(rf"/dashboard/attention/{item_id}"))
    page.goto(f"{served.base_url}/dashboard/attention")
    page.get_by_role("link", name="#X-1").click()
    page.wait_for_url(re.compile(rf"/dashboard/attention/{item_id}"))
    page.get_by_role("button", name="Acknowledge and take it").click()
    facts = page.inner_text("dl.facts")
    assert "Ada Agent" in facts and "Acknowledged" in page.inner_text("h1")

    # A note, then a message to the shopper started from the prepared text.
    page.get_by_label("Add a note").fill("Asked the depot to hold it.")
    page.get_by_role("button", name="Add note").click()
    assert "Note added." in page.inner_text("#outcome")
    prepared = page.get_by_label("Message", exact=True).input_value()
    assert "X-1" in prepared and "address" in prepared
    page.get_by_label("Message", exact=True).fill(prepared + " Thank you!")
    page.get_by_role("button", name="Send to the shopper").click()
    assert "Message queued for the shopper." in page.inner_text("#outcome")

    # A carrier claim, moved on to submitted with the carrier's reference.
    page.get_by_text("Open a carrier claim").click()
    page.get_by_label("Reason", exact=True).first.select_option("lost")
    page.get_by_label("Amount claimed (optional)").fill("12,5")
    page.get_by_role("button", name="Open claim").click()
    assert "is not an amount" in page.inner_text("#outcome")  # kept the form, said why
    page.get_by_label("Amount claimed (optional)").fill("411.00")
    page.get_by_role("button", name="Open claim").click()
    assert "Claim opened." in page.inner_text("#outcome")
    claims = page.inner_text("table.claims")
    assert NUMBER in claims and "$411.00" in claims and "Open" in claims
    page.get_by_label("Status").select_option("submitted")
    page.get_by_label("Reference").fill("CLM-42")
    page.get_by_role("button", name="Save").click()
    assert "Submitted" in page.inner_text("table.claims") and "CLM-42" in page.inner_text("main")
    assert axe_audit(page) == []
    screenshots(page, "attention-item")

    # Resolve with a reason; the history tells the whole story.
    page.get_by_label("Reason", exact=True).last.select_option("shopper_informed")
    page.get_by_label('Note (required for "Other")').fill("New address confirmed")
    page.get_by_role("button", name="Resolve").click()
    assert "Resolved" in page.inner_text("h1")
    history = page.inner_text(".attention-history")
    for words in (
        "Acknowledged",
        "Assigned to Ada Agent",
        "Asked the depot to hold it.",
        "Thank you!",
        "Claim opened",
        "claim submitted",
        "Resolved Shopper informed: New address confirmed",
    ):
        assert words in history, words
    assert page.get_by_role("button", name="Resolve").count() == 0

    # Bad posts answer with a 4xx page, never a 500.
    csrf = page.locator("input[name=csrf_token]").first.input_value()
    for action, form, status in (
        ("explode", {}, 400),
        ("note", {"text": ""}, 422),
        ("acknowledge", {}, 409),
    ):
        answer = page.request.post(
            f"{served.base_url}/dashboard/attention/{item_id}/{action}", form={"csrf_token": csrf, **form}
        )
        assert answer.status == status, (action, answer.status)
    forged = page.request.post(f"{served.base_url}/dashboard/attention/{item_id}/note", form={"text": "x"})
    assert forged.status == 403
    page.goto(f"{served.base_url}/dashboard/attention?state=resolved&assignee=mine")
    assert "#X-1" in page.inner_text("main") and "Resolved" in page.inner_text("main")
