"""Rating the delivery on the tracking page over HTTP: only through the rating request's link or
the email-proven page, never with the label's link alone; only a delivered order; the form
comes from this site; bounded per order; a bad rating is a clear 4xx, never a 500."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from ordertrack.analytics.rating_model import DeliveryRating
from ordertrack.db.uow import Database
from ordertrack.links import rating_token, tracking_token
from ordertrack.web.track.ratelimit import LookupLimiter
from tests.conftest import TEST_SECRET
from tests.integration.scenario import order_payload
from tests.support import LiveServer

NUMBER = "1Z5R89390357567127"


@pytest.fixture(autouse=True)
def _fresh_limits(server: LiveServer) -> None:
    state = server.server.config.app.state
    state.track_lookup_limiter = LookupLimiter()
    state.track_rating_limits = None


def order_with(client: httpx.Client, *statuses: str) -> dict:
    order = client.post("/api/v1/orders", json=order_payload("1001")).json()
    shipment = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": "ups", "tracking_number": NUMBER}
    )
    assert shipment.status_code == 201, shipment.text
    for index, status in enumerate(statuses):
        event = {
            "tracking_number": NUMBER,
            "carrier": "ups",
            "occurred_at": f"2026-11-2{index}T09:00:00-06:00",
            "status": status,
        }
        assert client.post("/api/v1/tracking/events", json={"events": [event]}).status_code < 300
    return order


def page_of(order: dict) -> str:
    return f"/track/{tracking_token(TEST_SECRET, order['id'])}"


def rate_link(order: dict) -> str:
    return f"{page_of(order)}?rate={rating_token(TEST_SECRET, order['id'])}"


def stored(db: Database, order: dict) -> list[tuple[int, str]]:
    with db.uow(write=False) as uow:
        rows = uow.session.scalars(select(DeliveryRating).where(DeliveryRating.order_id == order["id"]))
        return [(r.stars, r.comment) for r in rows]


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field"
    return found.group(1)


def test_the_rating_link_opens_the_form_and_a_rating_can_be_changed(
    server: LiveServer, client: httpx.Client, db: Database
) -> None:
    order = order_with(client, "in_transit", "delivered")
    with httpx.Client(base_url=server.base_url) as shopper:
        page = shopper.get(rate_link(order))
        assert page.status_code == 200 and 'name="stars"' in page.text
        rate = hidden(page.text, "rate")
        sent = shopper.post(
            f"{page_of(order)}/rating",
            data={"rate": rate, "stars": "2", "reason": ["late", "courier"], "comment": "Left outside"},
        )
        assert sent.status_code == 303 and "rating=thanks" in sent.headers["location"]
        assert stored(db, order) == [(2, "Left outside")]
        # The link's cookie keeps the form on the page (and its live updates) without ?rate=.
        again = shopper.get(page_of(order) + "?rating=thanks")
        assert "Thank you for rating your delivery." in again.text and "Change my rating" in again.text
        changed = shopper.post(f"{page_of(order)}/rating", data={"rate": rate, "stars": "4"})
        assert changed.status_code == 303 and "rating=changed" in changed.headers["location"]
    assert stored(db, order) == [(4, "")]


def test_the_label_link_alone_cannot_rate(server: LiveServer, client: httpx.Client, db: Database) -> None:
    order = order_with(client, "in_transit", "delivered")
    with httpx.Client(base_url=server.base_url) as stranger:
        page = stranger.get(page_of(order)).text
        assert 'name="stars"' not in page and f"{page_of(order)}/proof" in page
        refused = stranger.post(f"{page_of(order)}/rating", data={"stars": "1", "rate": "forged.token"})
        assert refused.status_code == 403
    assert stored(db, order) == []


def test_the_email_proven_page_can_rate(server: LiveServer, client: httpx.Client, db: Database) -> None:
    order = order_with(client, "in_transit", "delivered")
    with httpx.Client(base_url=server.base_url) as shopper:
        proven = shopper.post(f"{page_of(order)}/proof", data={"email": "ann@example.com", "next": "rating"})
        assert proven.status_code == 303 and "rating=proven" in proven.headers["location"]
        page = shopper.get(page_of(order)).text
        sent = shopper.post(
            f"{page_of(order)}/rating", data={"form_token": hidden(page, "form_token"), "stars": "5"}
        )
        assert sent.status_code == 303
    assert stored(db, order) == [(5, "")]


def test_a_post_from_another_site_is_refused(server: LiveServer, client: httpx.Client, db: Database) -> None:
    order = order_with(client, "in_transit", "delivered")
    token = rating_token(TEST_SECRET, order["id"])
    with httpx.Client(base_url=server.base_url) as shopper:
        refused = shopper.post(
            f"{page_of(order)}/rating",
            data={"rate": token, "stars": "1"},
            headers={"Origin": "https://evil.example"},
        )
    assert refused.status_code == 403 and stored(db, order) == []


def test_an_undelivered_order_cannot_be_rated(server: LiveServer, client: httpx.Client, db: Database) -> None:
    order = order_with(client, "in_transit")
    with httpx.Client(base_url=server.base_url) as shopper:
        assert 'name="stars"' not in shopper.get(rate_link(order)).text
        refused = shopper.post(
            f"{page_of(order)}/rating", data={"rate": rating_token(TEST_SECRET, order["id"]), "stars": "5"}
        )
    assert refused.status_code == 409  # the page never offered a form: only a crafted post gets here
    assert stored(db, order) == []


@pytest.mark.parametrize("stars", ["0", "6", "many", ""])
def test_bad_stars_are_a_422_with_the_reason(
    server: LiveServer, client: httpx.Client, db: Database, stars: str
) -> None:
    order = order_with(client, "in_transit", "delivered")
    with httpx.Client(base_url=server.base_url) as shopper:
        refused = shopper.post(
            f"{page_of(order)}/rating", data={"rate": rating_token(TEST_SECRET, order["id"]), "stars": stars}
        )
    assert refused.status_code == 422 and "Choose from 1 to 5 stars" in refused.text
    assert stored(db, order) == []


def test_ratings_are_bounded_per_order(server: LiveServer, client: httpx.Client, db: Database) -> None:
    order = order_with(client, "in_transit", "delivered")
    token = rating_token(TEST_SECRET, order["id"])
    with httpx.Client(base_url=server.base_url) as shopper:
        answers = [
            shopper.post(f"{page_of(order)}/rating", data={"rate": token, "stars": "3"}).status_code
            for _ in range(11)
        ]
    assert answers[:10] == [303] * 10 and answers[10] == 429
