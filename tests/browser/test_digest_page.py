"""The weekly digest's dashboard page in a real browser against ``ordertrack serve``: a week's
figures readable at 1280 and 360 px, axe clean, and a staff member asking for the email."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from ordertrack.analytics import digest_sending, rollup, store
from ordertrack.db.uow import Database
from ordertrack.staff import service as staff_service
from tests.browser.conftest import axe_audit, screenshots
from tests.browser.test_dashboard import EMAIL, PASSWORD, _sign_in
from tests.support import ServeProcess
from tests.unit.test_analytics_digest import HAND

pytestmark = pytest.mark.browser


def test_the_digest_page_reads_on_a_phone_and_a_desktop_and_takes_a_staff_members_choice(
    page: Any, served: ServeProcess, served_db: Database, served_client: httpx.Client, backend: str
) -> None:
    merchant_id = served_client.tenant.merchant_id  # type: ignore[attr-defined]
    mine = [dataclasses.replace(fact, merchant_id=merchant_id) for fact in HAND if fact.merchant_id == 1]
    with served_db.uow() as uow:
        store._apply(uow.session, store.with_coarse(rollup.build(mine)), datetime.now(UTC))
        staff_service.create_staff(
            uow,
            merchant_id,
            email=EMAIL,
            name="Pat Packer",
            password=PASSWORD,
            now=datetime.now(UTC),
            role="staff",
        )
        uow.commit()
    _sign_in(page, served)
    page.goto(f"{served.base_url}/dashboard/digest?week=2026-12-01")
    main = page.inner_text("main")
    assert "Mon 30 Nov – Sun 6 Dec 2026" in main and "66.7%" in main and "−50.0 pts (worse)" in main
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_audit(page)
        assert violations == [], [(v["id"], v["help"]) for v in violations]
    screenshots(page, f"dashboard-digest-{backend}")
    page.get_by_role("button", name="Email me the weekly digest").click()
    page.wait_for_url("**/dashboard/digest?saved=on")
    assert page.get_by_role("button", name="Stop the weekly digest").is_visible()
    with served_db.uow(write=False) as uow:
        assert digest_sending.recipients(uow, merchant_id) == [EMAIL]
