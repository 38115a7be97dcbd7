"""The Contacts page in Chromium against ``ordertrack serve``: contacts per 100 orders by week,
demand for tracking, the latest contacts, a CSV import that names the bad row and then imports
the good file, and the owner connecting Zendesk; axe clean, 1280 and 360 px wide."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordertrack.db.uow import Database
from ordertrack.staff import service as staff_service
from tests.browser.conftest import axe_audit, screenshots
from tests.integration.scenario import order_payload
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

OWNER = ("owner@contacts.example", "owner reads the contacts")


def _prepare(db: Database, client: httpx.Client) -> None:
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    with db.uow() as uow:
        staff_service.create_staff(
            uow,
            merchant_id,
            email=OWNER[0],
            name="Owner",
            password=OWNER[1],
            now=datetime.now(UTC),
            role="owner",
        )
        uow.commit()
    placed_at = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    for number in ("C-3001", "C-3002"):
        placed = client.post("/api/v1/orders", json=order_payload(number, placed_at=placed_at))
        assert placed.status_code == 201, placed.text
    asked = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    body = {"order": "C-3001", "channel": "chat", "reason": "where_is_my_order", "occurred_at": asked}
    assert client.post("/api/v1/contacts", json=body).status_code == 201


def test_the_contacts_page_shows_the_figures_imports_a_file_and_connects_zendesk(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, tmp_path: Path
) -> None:
    _prepare(served_db, served_client)
    page.goto(f"{served.base_url}/dashboard/login")
    page.get_by_label("Email").fill(OWNER[0])
    page.get_by_label("Password").fill(OWNER[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))
    page.get_by_role("link", name="Contacts").click()
    page.wait_for_url(re.compile(r"/dashboard/contacts$"))
    assert "50.0 (1 / 2)" in page.locator("#deflection-heading + p").inner_text()
    assert page.locator("table.latest-contacts tbody tr").count() == 1
    assert axe_audit(page) == []
    screenshots(page, "contacts")

    bad = tmp_path / "bad.csv"
    bad.write_text("order,channel,reason,occurred_at\nC-3002,pigeon,delay,2026-12-01T10:00:00Z\n")
    page.locator("#contacts-file").set_input_files(str(bad))
    page.get_by_role("button", name="Import", exact=True).click()
    alert = page.get_by_role("alert")
    assert "Line 2, column channel" in alert.inner_text() and "enum" in alert.inner_text()
    assert axe_audit(page) == []
    good = tmp_path / "good.csv"
    good.write_text(
        "order,channel,reason,occurred_at,external_id\nC-3002,phone,delay,2026-12-01T10:00:00Z,Z-9\n"
    )
    page.locator("#contacts-file").set_input_files(str(good))
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"imported=1"))
    assert page.locator("table.latest-contacts tbody tr").count() == 2

    page.get_by_label("Signing secret", exact=True).fill("zendesk-signing-secret-1234")
    page.get_by_role("button", name="Connect Zendesk").click()
    page.wait_for_url(re.compile(r"zendesk=saved"))
    text = page.locator("#helpdesk-section").inner_text()
    assert "/api/v1/helpdesk/zendesk/hdr_" in text and "…1234" in text
    assert "zendesk-signing-secret" not in page.content()  # never shown back
    assert axe_audit(page) == []
    screenshots(page, "contacts-zendesk")
