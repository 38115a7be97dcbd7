"""Numbers that forgive typing and the orders list, in a real browser against ``ordertrack
serve`` on both databases: a shopper types ``Nw-10442`` on a phone; support searches by part of
a number, a name, an email and phone digits, pages older and newer, and exports the filtered
list as CSV; axe finds nothing serious at 1280 px and 360 px."""

from __future__ import annotations

import csv
import io
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

EMAIL = "support@acme.example"
PASSWORD = "find every order fast"
MARIA = {"email": "maria.souza@example.com", "name": "Maria Souza", "phone": "+5511987654321"}


def _orders(client: httpx.Client, count: int) -> None:
    """NW-10430 ... placed an hour apart, newest first by number; NW-10459 is Maria's."""
    now = datetime.now(UTC).replace(microsecond=0)
    for index in range(count):
        number = 10430 + index
        extra = {"customer": MARIA} if number == 10459 else {}
        placed = (now - timedelta(hours=count - index)).isoformat()
        answer = client.post("/api/v1/orders", json=order_payload(f"NW-{number}", placed_at=placed, **extra))
        assert answer.status_code == 201, answer.text


def _rows(page: Any) -> list[str]:
    return [
        text.strip() for text in page.locator("main table tbody td[data-label=Order] a").all_inner_texts()
    ]


def _search(page: Any, text: str) -> list[str]:
    page.get_by_label("Search orders").fill(text)
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    return _rows(page)


def test_a_shopper_who_types_nw_10442_on_a_phone_finds_the_order(
    phone_page: Any, served: ServeProcess, served_client: httpx.Client, backend: str
) -> None:
    answer = served_client.post("/api/v1/orders", json=order_payload("NW-10442"))
    assert answer.status_code == 201, answer.text
    phone_page.goto(f"{served.base_url}/track")
    phone_page.get_by_label("Order number", exact=True).fill("Nw-10442")
    phone_page.get_by_label("Email address or postal code").fill("ann@example.com")
    phone_page.get_by_role("button", name="Track order").click()
    phone_page.wait_for_url(re.compile(r"/track/[^/]+$"))
    assert "NW-10442" in phone_page.inner_text("main")
    assert "couldn't find" not in phone_page.inner_text("main")
    assert axe_audit(phone_page) == []
    screenshots(phone_page, f"track-found-as-typed-{backend}")


def test_support_searches_pages_and_exports_the_orders_list(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    with served_db.uow() as uow:
        staff_service.create_staff(
            uow,
            served_client.tenant.merchant_id,  # type: ignore[attr-defined]
            email=EMAIL,
            name="Sam Support",
            password=PASSWORD,
            now=datetime.now(UTC),
        )
        uow.commit()
    _orders(served_client, 31)
    page.goto(f"{served.base_url}/dashboard/orders")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))

    first = _rows(page)
    assert first[0] == "#NW-10460" and len(first) == 25
    assert page.locator("#order-count").inner_text().startswith("31 orders")
    assert axe_audit(page) == []
    screenshots(page, f"dashboard-orders-list-{backend}")
    page.set_viewport_size({"width": 360, "height": 740})
    assert axe_audit(page) == [], "the list as cards on a phone"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Older orders →").click()
    page.wait_for_url(re.compile(r"after=ord_"))
    assert _rows(page) == [f"#NW-{n}" for n in range(10435, 10429, -1)]
    page.get_by_role("link", name="← Newer orders").click()
    page.wait_for_url(re.compile(r"before=ord_"))
    assert _rows(page) == first

    for typed in ("10459", "nw-10459", "#NW-10459", "maria souza", "MARIA.SOUZA@example", "98765 4321"):
        assert _search(page, typed) == ["#NW-10459"], typed
    assert "q=98765+4321" in page.url  # the filter is in the URL, to share or reload
    assert page.get_by_label("Search orders").input_value() == "98765 4321"
    assert axe_audit(page) == []
    screenshots(page, f"dashboard-orders-search-{backend}")

    assert len(_search(page, "nw-1044")) == 10
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Export these 10 to CSV").click()
    body = Path(downloading.value.path()).read_text(encoding="utf-8-sig")
    exported = [row["order_number"] for row in csv.DictReader(io.StringIO(body))]
    assert exported == [f"NW-{n}" for n in range(10449, 10439, -1)]
