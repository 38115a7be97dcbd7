"""Delivery ratings on both databases: asked once after the merchant's delay and never for an
undelivered order; one rating per order, changeable for 14 days; a low one opens an attention
item; a reply and the webhooks leave through the outbox; the summary on a hand-computed set;
merchant B never sees A's ratings."""

from __future__ import annotations

import asyncio
import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from ordertrack.analytics import rating_rules, ratings
from ordertrack.analytics.rating_model import DeliveryRating, RatingRequest
from ordertrack.attention.model import AttentionItem
from ordertrack.attention.workflow import Actor
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.kit.signing import SigningKeys
from ordertrack.links import read_rating_token
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.channels import SmtpConfig, new_webhook_secret
from ordertrack.notifications.delivery import deliver_due
from ordertrack.notifications.model import Notification
from ordertrack.notifications.sending import Channels
from tests.conftest import TEST_SECRET
from tests.integration.scenario import event, ingest, place_order, ship
from tests.notifications.servers import LOCAL_TARGETS, Receiver, Relay

STAFF = Actor(None, "Dana from support")


def delivered_order(db: Database, merchant: str, number: str, tracking: str, *, at: datetime) -> str:
    order_id = place_order(db, merchant, number)
    ship(db, merchant, order_id, tracking)
    ingest(
        db,
        merchant,
        [
            event(tracking, at - timedelta(days=2), "in_transit", event_id=f"{tracking}-1"),
            event(tracking, at, "delivered", event_id=f"{tracking}-2"),
        ],
    )
    return order_id


def shipped_order(db: Database, merchant: str, number: str, tracking: str, *, at: datetime) -> str:
    order_id = place_order(db, merchant, number)
    ship(db, merchant, order_id, tracking)
    ingest(db, merchant, [event(tracking, at, "in_transit", event_id=f"{tracking}-1")])
    return order_id


def rate(db: Database, merchant: str, order_id: str, stars: int, now: datetime, **kw) -> DeliveryRating:
    with db.uow() as uow:
        rating, _created = ratings.give_rating(
            uow, merchant, order_id, rating_rules.checked_rating(stars, **kw), now=now
        )
        uow.commit()
        return rating


def outbox(db: Database, merchant: str, trigger: str) -> list[Notification]:
    with db.uow(write=False) as uow:
        return list(
            uow.session.scalars(
                select(Notification).where(
                    Notification.merchant_id == merchant, Notification.trigger == trigger
                )
            )
        )


def send_due(db: Database, now: datetime) -> int:
    with db.uow() as uow:
        sent = ratings.send_due_requests(uow, now)
        uow.commit()
        return sent


NOW = datetime.now(UTC)


def test_request_is_sent_once_after_the_merchants_delay(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme").merchant_id
    with db.uow() as uow:
        ratings.set_request_after_hours(uow, merchant, 6)
        uow.commit()
    order_id = delivered_order(db, merchant, "1001", "TRK1001", at=NOW - timedelta(hours=1))
    with db.uow(write=False) as uow:
        request = uow.session.scalars(select(RatingRequest)).one()
    assert request.order_id == order_id
    assert send_due(db, datetime.now(UTC) + timedelta(hours=5)) == 0
    assert send_due(db, datetime.now(UTC) + timedelta(hours=6, minutes=1)) == 1
    assert send_due(db, datetime.now(UTC) + timedelta(days=3)) == 0
    rows = outbox(db, merchant, "rating_request")
    assert [(r.channel, r.recipient) for r in rows] == [("email", "ann@example.com")]


def test_no_request_for_an_order_that_was_not_delivered(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme").merchant_id
    shipped_order(db, merchant, "1002", "TRK1002", at=NOW - timedelta(hours=30))
    assert send_due(db, datetime.now(UTC) + timedelta(days=5)) == 0
    assert outbox(db, merchant, "rating_request") == []


def test_request_is_dropped_when_the_order_is_no_longer_delivered(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme").merchant_id
    order_id = delivered_order(db, merchant, "1003", "TRK1003", at=NOW - timedelta(hours=1))
    ingest(db, merchant, [event("TRK1003", NOW, "returning", event_id="TRK1003-3")])
    assert send_due(db, datetime.now(UTC) + timedelta(days=2)) == 0
    with db.uow(write=False) as uow:
        request = uow.session.scalars(select(RatingRequest).where(RatingRequest.order_id == order_id)).one()
    assert request.dropped


def test_an_undelivered_order_cannot_be_rated(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme").merchant_id
    order_id = shipped_order(db, merchant, "1004", "TRK1004", at=NOW - timedelta(hours=3))
    with pytest.raises(ratings.OrderNotDelivered):
        rate(db, merchant, order_id, 5, NOW)


def test_a_rating_changes_within_14_days_and_stands_after(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme").merchant_id
    order_id = delivered_order(db, merchant, "1005", "TRK1005", at=NOW - timedelta(hours=3))
    first = rate(db, merchant, order_id, 4, NOW)
    changed = rate(db, merchant, order_id, 5, NOW + timedelta(days=13, hours=23), comment="All good")
    assert changed.id == first.id and changed.stars == 5 and changed.comment == "All good"
    with pytest.raises(ratings.RatingClosed) as refused:
        rate(db, merchant, order_id, 1, NOW + timedelta(days=14))
    assert refused.value.code == "rating_change_window_closed"
    with db.uow(write=False) as uow:
        assert uow.session.scalars(select(DeliveryRating)).one().stars == 5
    assert [r.channel for r in outbox(db, merchant, "rating_created")] == []  # no endpoint yet


def test_low_rating_opens_an_attention_item_and_the_reply_goes_to_the_outbox(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant("Acme").merchant_id
    order_id = delivered_order(db, merchant, "1006", "TRK1006", at=NOW - timedelta(hours=3))
    rating = rate(db, merchant, order_id, 2, NOW, reasons=["late", "courier"], comment="Left in the rain")
    with db.uow(write=False) as uow:
        item = uow.session.scalars(select(AttentionItem).where(AttentionItem.kind == "low_rating")).one()
    assert rating.attention_item_id == item.id
    assert "Left in the rain" in item.detail and "late, courier" in item.detail
    with db.uow() as uow:
        ratings.reply(uow, merchant, rating.id, "Sorry! A replacement is on its way.", STAFF, now=NOW)
        uow.commit()
    messages = outbox(db, merchant, "shopper_message")
    assert [(m.channel, m.recipient) for m in messages] == [("email", "ann@example.com")]
    assert messages[0].facts["message"] == "Sorry! A replacement is on its way."


def test_a_good_rating_opens_nothing_and_a_reply_still_reaches_the_shopper(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant("Acme").merchant_id
    order_id = delivered_order(db, merchant, "1007", "TRK1007", at=NOW - timedelta(hours=3))
    rating = rate(db, merchant, order_id, 5, NOW)
    with db.uow(write=False) as uow:
        assert uow.session.scalars(select(AttentionItem)).all() == []
    with db.uow() as uow:
        ratings.reply(uow, merchant, rating.id, "Thank you!", STAFF, now=NOW)
        uow.commit()
    assert len(outbox(db, merchant, "shopper_message")) == 1


def test_webhooks_hear_rating_created_then_updated_signed_and_nobody_is_emailed(
    db: Database, make_merchant, relay: tuple[Relay, int], receiver: tuple[Receiver, str]
) -> None:
    merchant = make_merchant("Acme").merchant_id
    hooks, url = receiver
    secret = new_webhook_secret()
    with db.uow() as uow:
        endpoint = notifications_service.add_endpoint(
            uow, merchant, url, ["rating.created", "rating.updated"], secret, outgoing=LOCAL_TARGETS
        )
        uow.commit()
    order_id = delivered_order(db, merchant, "1008", "TRK1008", at=NOW - timedelta(hours=3))
    rate(db, merchant, order_id, 3, NOW)
    rate(db, merchant, order_id, 1, NOW + timedelta(seconds=30), reasons=["damaged"])
    created, updated = outbox(db, merchant, "rating_created"), outbox(db, merchant, "rating_updated")
    assert [(r.channel, r.recipient) for r in created] == [("webhook", endpoint.id)]
    assert [(r.channel, r.recipient) for r in updated] == [("webhook", endpoint.id)]
    to = Channels(
        smtp=SmtpConfig.from_url(f"smtp://127.0.0.1:{relay[1]}?timeout=5", "Acme <ship@acme.example>"),
        sms=None,
        public_url="https://shop.example",
        secret=TEST_SECRET,
        outgoing=LOCAL_TARGETS,
    )
    asyncio.run(deliver_due(db, to, utcnow() + timedelta(minutes=1), rng=random.Random(7)))
    verifier = Webhook(secret)
    payloads = [verifier.verify(body, headers) for headers, body in hooks.bodies]
    assert [p["type"] for p in payloads] == ["rating.created", "rating.updated"]
    assert payloads[1]["data"]["rating"]["stars"] == 1
    assert payloads[1]["data"]["rating"]["reasons"] == ["damaged"]
    assert payloads[1]["data"]["order_number"] == "1008"
    # The rating webhooks email nobody (the shopper had the delivery email, nothing more).
    assert [m["Subject"] for m in relay[0].received] == ["Your order 1008 has been delivered"]


def test_summary_figures_on_a_hand_computed_set(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme").merchant_id
    stars = {"2001": 5, "2002": 4, "2003": 1, "2004": 2}
    for number, value in stars.items():
        order_id = delivered_order(db, merchant, number, f"TRK{number}", at=NOW - timedelta(hours=3))
        rate(db, merchant, order_id, value, NOW)
    today = (NOW - timedelta(hours=3)).date()
    with db.uow(write=False) as uow:
        found = ratings.summary(uow, merchant, today - timedelta(days=1), today + timedelta(days=1))
    # 4 ratings: (5 + 4 + 1 + 2) / 4 = 3.0 stars; 2 of 4 are 1-2 stars.
    assert (found.overall.ratings, found.overall.average, found.overall.low_share) == (4, 3.0, 0.5)
    assert [(g.key, g.ratings) for g in found.groups["carrier"]] == [("acme_post", 4)]
    assert [(g.key, g.ratings) for g in found.groups["exception"]] == [("no_exception", 4)]
    with db.uow(write=False) as uow:
        later = ratings.summary(uow, merchant, today + timedelta(days=2), today + timedelta(days=9))
    assert later.overall.ratings == 0 and later.overall.average is None


def test_merchant_b_never_sees_merchant_as_ratings(db: Database, make_merchant) -> None:
    a, b = make_merchant("A").merchant_id, make_merchant("B").merchant_id
    order_id = delivered_order(db, a, "3001", "TRK3001", at=NOW - timedelta(hours=3))
    rating = rate(db, a, order_id, 1, NOW)
    today = (NOW - timedelta(hours=3)).date()
    with db.uow(write=False) as uow:
        assert ratings.list_ratings(uow, b, cursor=None, limit=50).items == []
        assert (
            ratings.summary(uow, b, today - timedelta(days=1), today + timedelta(days=1)).overall.ratings == 0
        )
        with pytest.raises(ratings.RatingNotFound):
            ratings.get_rating(uow, b, rating.id)
    with db.uow() as uow, pytest.raises(ratings.RatingNotFound):
        ratings.give_rating(uow, b, order_id, rating_rules.checked_rating(5), now=NOW)


def test_list_is_newest_first_with_a_cursor(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme").merchant_id
    ids = []
    for index, number in enumerate(("4001", "4002", "4003")):
        order_id = delivered_order(db, merchant, number, f"TRK{number}", at=NOW - timedelta(hours=3))
        ids.append(rate(db, merchant, order_id, 4, NOW + timedelta(minutes=index)).id)
    with db.uow(write=False) as uow:
        first = ratings.list_ratings(uow, merchant, cursor=None, limit=2)
        second = ratings.list_ratings(uow, merchant, cursor=first.next_cursor, limit=2)
    assert [r.id for r in first.items] == [ids[2], ids[1]]
    assert [r.id for r in second.items] == [ids[0]] and second.next_cursor is None


def test_the_request_email_carries_the_signed_rating_link(
    db: Database, make_merchant, relay: tuple[Relay, int]
) -> None:
    merchant = make_merchant("Acme").merchant_id
    order_id = delivered_order(db, merchant, "1009", "TRK1009", at=NOW - timedelta(hours=30))
    with db.uow() as uow:  # the request came due a while ago
        uow.session.scalars(select(RatingRequest)).one().due_at = utcnow() - timedelta(minutes=1)
        uow.commit()
    assert send_due(db, utcnow()) == 1
    to = Channels(
        smtp=SmtpConfig.from_url(f"smtp://127.0.0.1:{relay[1]}?timeout=5", "Acme <ship@acme.example>"),
        sms=None,
        public_url="https://shop.example",
        secret=TEST_SECRET,
        outgoing=LOCAL_TARGETS,
    )
    asyncio.run(deliver_due(db, to, utcnow(), rng=random.Random(7)))
    asked = [m for m in relay[0].received if m["Subject"] == "How was the delivery of order 1009?"]
    assert len(asked) == 1
    body = "".join(
        str(part.get_payload(decode=True), "utf-8") for part in asked[0].walk() if not part.is_multipart()
    )
    token = re.search(r"\?rate=([A-Za-z0-9_.-]+)#rate", body)
    assert token and read_rating_token(SigningKeys(TEST_SECRET), token.group(1)) == order_id


def test_a_rating_sent_again_unchanged_tells_nobody(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme").merchant_id
    with db.uow() as uow:
        notifications_service.add_endpoint(
            uow,
            merchant,
            "http://127.0.0.1:9/hooks",
            ["rating.updated"],
            new_webhook_secret(),
            outgoing=LOCAL_TARGETS,
        )
        uow.commit()
    order_id = delivered_order(db, merchant, "1010", "TRK1010", at=NOW - timedelta(hours=3))
    rate(db, merchant, order_id, 2, NOW, reasons=["late"], comment="Slow")
    rate(db, merchant, order_id, 2, NOW + timedelta(minutes=1), reasons=["late"], comment="Slow")
    assert outbox(db, merchant, "rating_updated") == []
    rate(db, merchant, order_id, 3, NOW + timedelta(minutes=2), reasons=["late"], comment="Slow")
    assert len(outbox(db, merchant, "rating_updated")) == 1
