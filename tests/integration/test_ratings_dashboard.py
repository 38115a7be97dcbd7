"""The dashboard's ratings page: the figures and the ratings of the signed-in merchant only, a
reply that reaches the outbox, the request setting; a bad period is a 4xx page, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ordertrack.analytics import rating_rules, ratings
from ordertrack.db.uow import Database
from ordertrack.notifications.model import Notification
from tests.integration.scenario import event, ingest, place_order, ship
from tests.integration.test_dashboard_forms import _csrf, signed_in
from tests.integration.test_staff import make_staff
from tests.support import LiveServer

NOW = datetime.now(UTC)


def rated(db: Database, merchant: str, number: str, stars: int, comment: str) -> str:
    order_id = place_order(db, merchant, number)
    ship(db, merchant, order_id, f"TRK{number}")
    ingest(db, merchant, [event(f"TRK{number}", NOW - timedelta(hours=2), "delivered", event_id=number)])
    with db.uow() as uow:
        rating, _ = ratings.give_rating(
            uow, merchant, order_id, rating_rules.checked_rating(stars, comment=comment), now=NOW
        )
        uow.commit()
        return rating.id


def test_ratings_page_shows_this_merchants_ratings_and_sends_a_reply(
    server: LiveServer, db: Database, make_merchant
) -> None:
    mine, other = make_merchant("Acme").merchant_id, make_merchant("Other").merchant_id
    make_staff(db, mine)
    rating_id = rated(db, mine, "5001", 1, "Box crushed")
    rated(db, other, "6001", 2, "Someone else's words")
    with signed_in(server) as http:
        page = http.get("/dashboard/ratings")
        assert page.status_code == 200
        assert "Box crushed" in page.text and "Someone else" not in page.text
        assert "1 of 5" in page.text and "100.0%" in page.text
        sent = http.post(
            f"/dashboard/ratings/{rating_id}/reply",
            data={"csrf_token": _csrf(page.text), "text": "We are sending a new one."},
        )
        assert sent.status_code == 303
        csv = http.get("/dashboard/ratings.csv")
        assert csv.text.splitlines()[1] == "all,all,1,1.00,1,1.0000"
        assert http.get("/dashboard/ratings", params={"from": "not-a-day"}).status_code == 422
        with db.uow(write=False) as uow:
            item_id = ratings.get_rating(uow, mine, rating_id).attention_item_id
        item = http.get(f"/dashboard/attention/{item_id}")
        assert item.status_code == 200
        beside = item.text.split('class="rating-beside"', 1)[1].split("</div>", 1)[0]
        assert "Box crushed" in beside and "What happened to the order" in beside and "Delivered" in beside
    with db.uow(write=False) as uow:
        messages = uow.session.scalars(
            select(Notification).where(Notification.trigger == "shopper_message")
        ).all()
    assert [(m.merchant_id, m.facts["message"]) for m in messages] == [(mine, "We are sending a new one.")]
