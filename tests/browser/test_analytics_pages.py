"""Delivery analytics in a real browser against ``ordertrack serve`` (both databases): the empty
page of a new shop, then the simulator's shipments: figures and five charts, a filter that lands
in the URL, a lane followed to its shipments and on to an order, a bad date answered on the page.
At 1280 and 360 px, axe clean."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordertrack.db.uow import Database
from ordertrack.staff import service as staff_service
from tests.api.test_suppliers_api import stock_the_merchant
from tests.browser.conftest import axe_audit, screenshots
from tests.integration.test_analytics_store import fold_everything, send_simulation
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

ANALYST = "ana@acme.example"
PASSWORD = "reads the figures"


def _sign_in(page: Any, served: ServeProcess, served_db: Database, merchant_id: str) -> None:
    with served_db.uow() as uow:
        staff_service.create_staff(
            uow, merchant_id, email=ANALYST, name="Ana Analyst", password=PASSWORD, now=datetime.now(UTC)
        )
        uow.commit()
    page.goto(f"{served.base_url}/dashboard/login")
    page.get_by_label("Email").fill(ANALYST)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))


def test_analytics_shows_charts_keeps_filters_in_the_url_and_leads_to_a_lanes_shipments(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    tenant = served_client.tenant  # type: ignore[attr-defined]
    _sign_in(page, served, served_db, tenant.merchant_id)

    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Analytics").click()
    page.wait_for_url(re.compile(r"/dashboard/analytics$"))
    assert "No shipment was handed to a carrier" in page.locator("#analytics-empty").inner_text()
    assert axe_audit(page) == []

    send_simulation(served, tenant.api_key, seed=3)  # type: ignore[arg-type]
    assert fold_everything(served_db) > 0
    page.goto(f"{served.base_url}/dashboard/analytics?period=90")
    assert page.locator("figure.chart svg[role=img]").count() == 5
    assert page.locator("figure.chart table").count() == 5
    on_time = page.locator(".figure-cards div").first.inner_text()
    assert "On time against the promise" in on_time and "%" in on_time
    assert re.fullmatch(r"Checked at \d\d:\d\d UTC\.", page.locator("#worse-checked").inner_text())
    assert axe_audit(page) == []
    screenshots(page, "dashboard-analytics")

    carrier = page.locator("#carrier option").nth(1).get_attribute("value")
    page.locator("#carrier").select_option(carrier)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"carrier={carrier}"))
    assert "period=90" in page.url
    assert page.locator("#carrier").input_value() == carrier
    assert all(
        text.startswith(f"{carrier}:")
        for text in page.locator("#lanes-table tbody tr td:first-child").all_inner_texts()
    )

    page.locator("#lanes-table tbody a").first.click()
    page.wait_for_url(re.compile(r"/dashboard/analytics/lanes/shipments\?"))
    assert page.locator("h1").inner_text().startswith(f"{carrier}:")
    assert axe_audit(page) == []
    screenshots(page, "dashboard-analytics-lane")
    orders = page.locator("#lane-shipments tbody a")
    if orders.count():
        orders.first.click()
        page.wait_for_url(re.compile(r"/dashboard/orders/"))

    page.goto(f"{served.base_url}/dashboard/analytics?from=2026-13-01")
    assert "from must be a date" in page.locator("#analytics-error").inner_text()
    assert page.locator("#from").input_value() == ""  # a date input keeps no invalid text
    assert axe_audit(page) == []


def test_the_csv_download_holds_what_the_page_shows_with_the_chosen_supplier(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client
) -> None:
    tenant = served_client.tenant  # type: ignore[attr-defined]
    _sign_in(page, served, served_db, tenant.merchant_id)
    send_simulation(served, tenant.api_key, seed=4, orders=30)  # type: ignore[arg-type]
    supplier = stock_the_merchant(served_client)  # after: the simulator makes its warehouses first
    fold_everything(served_db)
    page.goto(f"{served.base_url}/dashboard/analytics?period=90")
    page.locator("#supplier").select_option(supplier)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"supplier={supplier}"))
    assert "Kessler Outdoor GmbH" in page.locator("#inbound-table").inner_text()
    shown = page.locator(".list-count").inner_text().split(" shipment")[0].replace(",", "")
    with page.expect_download() as downloaded:
        page.locator("#analytics-csv").click()
    text = Path(downloaded.value.path()).read_bytes().decode("utf-8")
    assert text.startswith("figure,group,detail,numerator,denominator,value")
    assert f"\r\nshipments,,,,,{shown}\r\n" in text
    for group in (",warehouse=", ",carrier=", ",lane=", ",supplier=Kessler Outdoor GmbH,"):
        assert group in text

    page.goto(f"{served.base_url}/dashboard/analytics?supplier=sup_someone_elses")
    assert "not one of this shop's" in page.locator("#analytics-error").inner_text()
