"""Delivering the outbox end to end on both databases: a real SMTP server and a webhook
receiver on 127.0.0.1 get each message once, retries survive a refusing relay, and a
message that is no longer true is not sent."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import timedelta
from email.message import Message
from typing import Any

from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.notifications.channels.email import SmtpConfig
from ordertrack.notifications.channels.webhook import new_webhook_secret
from ordertrack.notifications.delivery import deliver_due
from ordertrack.notifications.model import Notification, WebhookEndpoint
from ordertrack.notifications.sending import Channels
from tests.conftest import TEST_SECRET
from tests.integration.scenario import event, ingest, place_order, ship
from tests.notifications.servers import LOCAL_TARGETS


def channels(port: int) -> Channels:
    return Channels(
        smtp=SmtpConfig.from_url(f"smtp://127.0.0.1:{port}?timeout=5", "Acme <ship@acme.example>"),
        sms=None,
        public_url="https://shop.example",
        secret=TEST_SECRET,
        outgoing=LOCAL_TARGETS,  # the webhook receiver is on 127.0.0.1
    )


def deliver(db: Database, port: int, at: Any = None) -> Any:
    return asyncio.run(deliver_due(db, channels(port), at or utcnow(), rng=random.Random(1)))


def states(db: Database, merchant: str) -> list[tuple[str, str, str]]:
    with db.uow(write=False) as uow:
        rows = uow.session.scalars(select(Notification).where(Notification.merchant_id == merchant))
        return sorted((n.trigger, n.channel, n.state) for n in rows)


def html_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no HTML part")


def test_emails_and_signed_webhooks_arrive_once_with_what_they_promise(
    db: Database, make_merchant, relay, receiver
) -> None:
    handler, port = relay
    hooks, url = receiver
    merchant = make_merchant().merchant_id
    secret = new_webhook_secret()
    with db.uow() as uow:
        uow.session.add(
            WebhookEndpoint(
                id="whe_1",
                merchant_id=merchant,
                url=url,
                secret=secret,
                event_types=[],
                enabled=True,
                created_at=utcnow(),
            )
        )
        uow.commit()
    order = place_order(db, merchant)
    ship(db, merchant, order, "MAIL0001")
    ingest(db, merchant, [event("MAIL0001", utcnow() - timedelta(hours=1), "out_for_delivery")])
    report = deliver(db, port)
    assert report.sent == 4 and report.retried == 0
    assert deliver(db, port).sent == 0  # nothing left, nothing twice

    subjects = sorted(m["Subject"] for m in handler.received)
    assert len(subjects) == 2 and all(m["To"] == "ann@example.com" for m in handler.received)
    for message in handler.received:
        assert (
            message["List-Unsubscribe"]
            and "https://shop.example/notifications/unsubscribe/" in message["List-Unsubscribe"]
        )
        html = html_part(message)
        assert "https://shop.example/m/" in html  # the counted click link (analytics.wismo)
        ld = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        assert json.loads(ld)["@type"] == "ParcelDelivery" and json.loads(ld)["trackingNumber"] == "MAIL0001"

    verifier = Webhook(secret)
    types = []
    for headers, body in hooks.bodies:
        verified = verifier.verify(body, {k: v for k, v in headers.items() if k.startswith("webhook-")})
        types.append(verified["type"])
    assert sorted(types) == ["shipment.out_for_delivery", "shipment.shipped"]


def test_a_refusing_relay_gets_the_message_once_after_retries(db: Database, make_merchant, relay) -> None:
    handler, port = relay
    handler.refuse = 2
    merchant = make_merchant().merchant_id
    ship(db, merchant, place_order(db, merchant), "MAIL0002")
    now = utcnow()
    first = deliver(db, port, now)
    assert (first.sent, first.retried) == (0, 1)
    later = now
    for _ in range(5):
        later += timedelta(hours=3)  # past any backoff
        deliver(db, port, later)
    assert len(handler.received) == 1
    assert states(db, merchant) == [("shipped", "email", "sent")]


def test_a_message_no_longer_true_is_not_sent(db: Database, make_merchant, relay) -> None:
    handler, port = relay
    merchant = make_merchant().merchant_id
    ship(db, merchant, place_order(db, merchant), "MAIL0003")
    now = utcnow()
    ingest(db, merchant, [event("MAIL0003", now - timedelta(hours=3), "out_for_delivery")])
    ingest(db, merchant, [event("MAIL0003", now - timedelta(hours=1), "delivered")])
    deliver(db, port)
    assert states(db, merchant) == [
        ("delivered", "email", "sent"),
        ("out_for_delivery", "email", "suppressed"),
        ("shipped", "email", "suppressed"),
    ]
    assert len(handler.received) == 1
