"""The outbox on both databases: what a change writes, once, in its own transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.notifications.model import (
    Notification,
    NotificationSetting,
    ShopperPreference,
    WebhookEndpoint,
)
from tests.integration.scenario import event, ingest, place_order, ship


def outbox(db: Database, merchant: str) -> list[tuple[str, str, str]]:
    with db.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(Notification).where(Notification.merchant_id == merchant).order_by(Notification.created_at)
        )
        return sorted((n.trigger, n.channel, n.recipient) for n in rows)


def test_shipping_and_delivery_write_one_email_each_however_often_scans_arrive(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant().merchant_id
    order = place_order(db, merchant)
    ship(db, merchant, order, "OUTBOX01")
    now = utcnow()
    delivered = event("OUTBOX01", now - timedelta(hours=1), "delivered")
    ingest(db, merchant, [delivered])
    ingest(db, merchant, [delivered])  # the carrier sends it again
    assert outbox(db, merchant) == [
        ("delivered", "email", "ann@example.com"),
        ("shipped", "email", "ann@example.com"),
    ]


def test_scans_arriving_late_together_tell_only_the_newest_news(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    order = place_order(db, merchant)
    ship(db, merchant, order, "OUTBOX02")
    now = utcnow()
    ingest(
        db,
        merchant,
        [
            event("OUTBOX02", now - timedelta(hours=1), "delivered"),
            event("OUTBOX02", now - timedelta(hours=4), "out_for_delivery"),
        ],
    )
    triggers = [trigger for trigger, _, _ in outbox(db, merchant)]
    assert "out_for_delivery" not in triggers and "delivered" in triggers


def test_opt_outs_switches_and_webhook_filters_decide_who_hears(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    now = utcnow()
    with db.uow() as uow:
        uow.session.add_all(
            [
                ShopperPreference(
                    merchant_id=merchant,
                    channel="email",
                    address="ann@example.com",
                    opted_out=True,
                    updated_at=now,
                ),
                WebhookEndpoint(
                    id="whe_all",
                    merchant_id=merchant,
                    url="http://127.0.0.1:9/a",
                    secret="whsec_x",
                    event_types=[],
                    enabled=True,
                    created_at=now,
                ),
                WebhookEndpoint(
                    id="whe_delivered",
                    merchant_id=merchant,
                    url="http://127.0.0.1:9/b",
                    secret="whsec_y",
                    event_types=["shipment.delivered"],
                    enabled=True,
                    created_at=now,
                ),
                NotificationSetting(
                    merchant_id=merchant, trigger="shipped", channel="webhook", enabled=False
                ),
            ]
        )
        uow.commit()
    order = place_order(db, merchant)
    ship(db, merchant, order, "OUTBOX03")
    ingest(db, merchant, [event("OUTBOX03", now - timedelta(hours=1), "delivered")])
    assert outbox(db, merchant) == [
        ("delivered", "webhook", "whe_all"),
        ("delivered", "webhook", "whe_delivered"),
    ]
