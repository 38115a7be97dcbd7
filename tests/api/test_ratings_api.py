"""The ratings API on both databases: the list (items + next_cursor), one rating, the summary as
JSON and CSV on a hand-computed set, the reply through the outbox, the request setting; merchant
B sees none of A's ratings; bad input is a 4xx with a code."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from ordertrack.analytics import rating_rules, ratings
from ordertrack.db.uow import Database
from ordertrack.notifications.model import Notification
from tests.integration.scenario import order_payload
from tests.support import LiveServer


def delivered(client: httpx.Client, number: str) -> dict:
    order = client.post("/api/v1/orders", json=order_payload(number)).json()
    tracking = f"TRK{number}"
    shipment = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": "acme_post", "tracking_number": tracking}
    )
    assert shipment.status_code == 201, shipment.text
    events = [
        {"tracking_number": tracking, "carrier": "acme_post", "occurred_at": at, "status": status}
        for at, status in (
            ("2026-11-20T09:00:00-06:00", "in_transit"),
            ("2026-11-22T15:00:00-06:00", "delivered"),
        )
    ]
    assert client.post("/api/v1/tracking/events", json={"events": events}).status_code < 300
    return order


def rate(db: Database, merchant: str, order: dict, stars: int, **kw: object) -> str:
    with db.uow() as uow:
        rating, _ = ratings.give_rating(
            uow, merchant, order["id"], rating_rules.checked_rating(stars, **kw), now=datetime.now(UTC)
        )
        uow.commit()
        return rating.id


def test_list_summary_and_csv_on_a_hand_computed_set(client: httpx.Client, db: Database) -> None:
    merchant = client.tenant.merchant_id  # type: ignore[attr-defined]
    ids = [rate(db, merchant, delivered(client, n), s) for n, s in (("1001", 5), ("1002", 2), ("1003", 4))]
    first = client.get("/api/v1/ratings", params={"limit": 2}).json()
    assert [r["id"] for r in first["items"]] == [ids[2], ids[1]] and first["next_cursor"]
    rest = client.get("/api/v1/ratings", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [r["id"] for r in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    low = client.get("/api/v1/ratings", params={"stars": 2}).json()["items"]
    assert [(r["order_number"], r["stars"], r["carrier"]) for r in low] == [("1002", 2, "acme_post")]
    assert low[0]["attention_item_id"]

    summary = client.get("/api/v1/ratings/summary", params={"from": "2026-11-01", "to": "2026-11-30"})
    assert summary.status_code == 200
    body = summary.json()
    # (5 + 2 + 4) / 3 = 3.67 stars; one of three is 1-2 stars.
    assert body["overall"] == {"key": "all", "ratings": 3, "average": 3.67, "low": 1, "low_share": 0.3333}
    assert [g["key"] for g in body["by"]["carrier"]] == ["acme_post"]
    outside = client.get("/api/v1/ratings/summary", params={"from": "2026-12-01", "to": "2026-12-05"}).json()
    assert outside["overall"]["ratings"] == 0 and outside["overall"]["average"] is None

    csv = client.get(
        "/api/v1/ratings/summary", params={"from": "2026-11-01", "to": "2026-11-30", "format": "csv"}
    )
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0] == "grouping,group,ratings,average_stars,low_ratings,low_share"
    assert lines[1] == "all,all,3,3.67,1,0.3333"


def test_reply_goes_to_the_outbox(client: httpx.Client, db: Database) -> None:
    merchant = client.tenant.merchant_id  # type: ignore[attr-defined]
    rating_id = rate(db, merchant, delivered(client, "2001"), 1, comment="Broken")
    answer = client.post(
        f"/api/v1/ratings/{rating_id}/reply", json={"text": "So sorry, a new one ships today."}
    )
    assert answer.status_code == 202, answer.text
    with db.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(Notification).where(Notification.trigger == "shopper_message")
        ).all()
    assert [(r.channel, r.facts["message"]) for r in rows] == [("email", "So sorry, a new one ships today.")]
    empty = client.post(f"/api/v1/ratings/{rating_id}/reply", json={"text": ""})
    assert empty.status_code == 422 and empty.json()["error"]["code"]


def test_merchant_b_sees_none_of_as_ratings(
    server: LiveServer, client: httpx.Client, db: Database, make_merchant
) -> None:
    rating_id = rate(db, client.tenant.merchant_id, delivered(client, "3001"), 2)  # type: ignore[attr-defined]
    other = make_merchant("Other shop")
    with server.client(other.api_key) as b:
        assert b.get("/api/v1/ratings").json() == {"items": [], "next_cursor": None}
        missing = b.get(f"/api/v1/ratings/{rating_id}")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "rating_not_found"
        assert b.post(f"/api/v1/ratings/{rating_id}/reply", json={"text": "hi"}).status_code == 404
        summary = b.get("/api/v1/ratings/summary", params={"from": "2026-11-01", "to": "2026-11-30"}).json()
        assert summary["overall"]["ratings"] == 0


def test_bad_periods_and_settings_are_422_with_a_code(client: httpx.Client) -> None:
    for params in (
        {"from": "2026-13-01"},
        {"from": "2026-11-10", "to": "2026-11-01"},
        {"from": "2024-01-01"},
    ):
        answer = client.get("/api/v1/ratings/summary", params={"to": "2026-11-30", **params})
        assert answer.status_code == 422 and answer.json()["error"]["code"], params
    assert client.get("/api/v1/ratings/settings").json() == {"request_after_hours": 24}
    assert client.put("/api/v1/ratings/settings", json={"request_after_hours": 48}).json() == {
        "request_after_hours": 48
    }
    assert client.put("/api/v1/ratings/settings", json={"request_after_hours": -1}).status_code == 422
    assert client.get("/api/v1/ratings/settings").json() == {"request_after_hours": 48}
