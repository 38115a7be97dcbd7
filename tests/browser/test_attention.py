"""One rule for "needs attention" on every surface: a shipment late by its promise (attention.rules,
applied by the shipment checks) puts its order in ``GET /api/v1/orders?attention=true``, on the
dashboard (the attention page and the order list's badge) and on the shopper's page; an order
on time is on none of them. Against ``ordertrack serve`` in its own process, on both databases.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.links import tracking_token
from ordertrack.staff import service as staff_service
from tests.conftest import TEST_SECRET
from tests.integration.scenario import order_payload
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

EMAIL = "watcher@acme.example"
PASSWORD = "keep an eye on it"
RUNNING_LATE = "The delivery is running late."
AUSTIN = ZoneInfo("America/Chicago")  # the orders go to Austin, TX


def _ship(client: httpx.Client, number: str, tracking_number: str) -> dict[str, Any]:
    order = client.post("/api/v1/orders", json=order_payload(number))
    assert order.status_code == 201, order.text
    shipment = client.post(
        f"/api/v1/orders/{order.json()['id']}/shipments",
        json={"carrier": "acme_post", "tracking_number": tracking_number},
    )
    assert shipment.status_code == 201, shipment.text
    scan = {
        "tracking_number": tracking_number,
        "carrier": "acme_post",
        "status": "in_transit",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "location": {"city": "Austin", "region": "TX", "country": "US", "timezone": "America/Chicago"},
    }
    assert client.post("/api/v1/tracking/events", json={"events": [scan]}).json()["accepted"] == 1
    return {**shipment.json(), "order_id": order.json()["id"]}


def _day_after(latest: date) -> datetime:
    """Noon in Austin the day after the promised day: the promise is broken there."""
    return datetime.combine(latest + timedelta(days=1), time(12), tzinfo=AUSTIN)


def _attention_ids(client: httpx.Client, flag: str) -> set[str]:
    answer = client.get("/api/v1/orders", params={"attention": flag})
    assert answer.status_code == 200, answer.text
    return {order["id"] for order in answer.json()["items"]}


def test_an_order_late_by_its_promise_needs_attention_in_the_api_the_dashboard_and_the_page(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    late = _ship(served_client, "L-1", "LATE00001")
    # Time passes past the first shipment's promised day: the checks find it late.
    promised = date.fromisoformat(late["promised_latest"])
    report = shipment_checks.run_checks(served_db, _day_after(promised))
    assert report.opened["late"] == 1
    # The second order ships after that and is checked at once: on time, nothing to see.
    on_time = _ship(served_client, "T-1", "TIME00001")
    shipment_checks.run_checks(served_db, datetime.now(UTC) + timedelta(minutes=1))

    # The API: ?attention=true is the late order only; its detail lists the open item.
    assert _attention_ids(served_client, "true") == {late["order_id"]}
    assert on_time["order_id"] in _attention_ids(served_client, "false")
    detail = served_client.get(f"/api/v1/orders/{late['order_id']}").json()
    assert detail["attention"] is True and "late" in [i["kind"] for i in detail["attention_items"]]

    # The dashboard: the attention page lists it as late; the order list marks it, not the other.
    merchant_id = served_client.tenant.merchant_id  # type: ignore[attr-defined]
    with served_db.uow() as uow:
        staff_service.create_staff(
            uow, merchant_id, email=EMAIL, name="Wendy Watcher", password=PASSWORD, now=datetime.now(UTC)
        )
        uow.commit()
    page.goto(f"{served.base_url}/dashboard/orders")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))
    page.goto(f"{served.base_url}/dashboard/attention")
    listed = page.inner_text("main")
    assert "#L-1" in listed and "Late" in listed and f"promised by {promised.isoformat()}" in listed
    assert "#T-1" not in listed
    page.goto(f"{served.base_url}/dashboard/orders?attention=1")
    flagged = page.inner_text("main")
    assert "#L-1" in flagged and "Needs attention" in flagged and "#T-1" not in flagged

    # The shopper's page says it is running late; the one on time does not.
    page.goto(f"{served.base_url}/track/{tracking_token(TEST_SECRET, late['order_id'])}")
    assert RUNNING_LATE in page.inner_text("main")
    page.goto(f"{served.base_url}/track/{tracking_token(TEST_SECRET, on_time['order_id'])}")
    assert RUNNING_LATE not in page.inner_text("main")
