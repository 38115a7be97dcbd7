"""Rating a delivery in Chromium against ``ordertrack serve``: the demo shop's shopper opens the
rating link of a delivered order on a 360 px phone, picks the stars and a reason, sends, sees the
thanks, changes the rating; the merchant reads it on /dashboard/ratings. axe clean, 1280 and 360 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from ordertrack.analytics.rating_model import DeliveryRating
from ordertrack.db.uow import Database
from ordertrack.demo.seed import seed_demo
from ordertrack.links import rating_url
from ordertrack.orders.model import Order
from ordertrack.staff import service as staff_service
from tests.browser.conftest import axe_audit, screenshots
from tests.conftest import TEST_SECRET
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

OWNER = ("owner@ratings.example", "owner reads the ratings")


def _unrated_delivered_order(db: Database) -> tuple[str, str, str]:
    with db.uow() as uow:
        merchant = seed_demo(uow).merchant_id
        staff_service.create_staff(
            uow,
            merchant,
            email=OWNER[0],
            name="Owner",
            password=OWNER[1],
            now=datetime.now(UTC),
            role="owner",
        )
        uow.commit()
    with db.uow(write=False) as uow:
        rated = select(DeliveryRating.order_id)
        order = uow.session.scalars(
            select(Order)
            .where(Order.merchant_id == merchant, Order.status == "delivered", Order.id.not_in(rated))
            .order_by(Order.placed_at.desc())
            .limit(1)
        ).one()
        return merchant, order.id, order.number


def _stars(db: Database, order_id: str) -> list[int]:
    with db.uow(write=False) as uow:
        return list(
            uow.session.scalars(select(DeliveryRating.stars).where(DeliveryRating.order_id == order_id))
        )


def test_a_shopper_rates_on_a_phone_and_changes_it_and_the_merchant_reads_it(
    phone_page: Any, page: Any, served: ServeProcess, served_db: Database
) -> None:
    _merchant, order_id, number = _unrated_delivered_order(served_db)
    phone_page.goto(rating_url(served.base_url, TEST_SECRET, order_id))
    form = phone_page.locator("#rate")
    form.get_by_label("2 stars").check()
    form.get_by_label("The courier").check()
    form.get_by_label("Comment (optional)").fill("Thrown over the fence.")
    assert axe_audit(phone_page) == []
    screenshots(phone_page, "rating-form")
    form.get_by_role("button", name="Send my rating").click()
    phone_page.wait_for_url(re.compile(r"rating=thanks"))
    assert "Thank you for rating your delivery." in phone_page.locator("#rate").inner_text()
    assert _stars(served_db, order_id) == [2]
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_audit(phone_page) == []

    # Changing it: the form comes back with the rating, the link's cookie still lets it post.
    form = phone_page.locator("#rate")
    assert form.get_by_label("2 stars").is_checked()
    form.get_by_label("5 stars").check()
    form.get_by_role("button", name="Change my rating").click()
    phone_page.wait_for_url(re.compile(r"rating=changed"))
    assert "your rating is changed" in phone_page.locator("#rate").inner_text()
    assert _stars(served_db, order_id) == [5]
    screenshots(phone_page, "rating-changed")

    page.goto(f"{served.base_url}/dashboard/login")
    page.get_by_label("Email").fill(OWNER[0])
    page.get_by_label("Password").fill(OWNER[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/orders"))
    page.get_by_role("link", name="Ratings").click()
    page.wait_for_url(re.compile(r"/dashboard/ratings$"))
    assert f"#{number}" in page.locator("main").inner_text()
    assert axe_audit(page) == []
    screenshots(page, "dashboard-ratings")
