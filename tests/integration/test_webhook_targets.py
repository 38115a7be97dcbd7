"""The worker checks where a webhook goes at every send, on both databases: an endpoint stored
before registration was checked (or rebound since) is never posted to in production, its
messages become dead letters that say why; a developer's settings reach the local receiver."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime

from sqlalchemy import select

from ordertrack.config import Settings
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.notifications.channels.webhook import new_webhook_secret
from ordertrack.notifications.delivery import DeliveryReport, deliver_due
from ordertrack.notifications.model import Notification, WebhookEndpoint
from ordertrack.notifications.sending import Channels
from tests.conftest import TEST_SECRET
from tests.integration.scenario import place_order, ship
from tests.notifications.servers import Receiver


def endpoint_and_a_shipment(db: Database, merchant: str, url: str) -> None:
    """An endpoint written as the API once accepted it, then a shipment it hears about."""
    with db.uow() as uow:
        uow.session.add(
            WebhookEndpoint(
                id="whe_legacy",
                merchant_id=merchant,
                url=url,
                secret=new_webhook_secret(),
                event_types=[],
                enabled=True,
                created_at=utcnow(),
            )
        )
        uow.commit()
    ship(db, merchant, place_order(db, merchant), "HOOK0001")


def deliver(db: Database, settings: Settings, now: datetime | None = None) -> DeliveryReport:
    channels = Channels.from_settings(settings)
    return asyncio.run(deliver_due(db, channels, now or utcnow(), rng=random.Random(1)))


def webhooks(db: Database, merchant: str) -> list[Notification]:
    with db.uow(write=False) as uow:
        return list(
            uow.session.scalars(
                select(Notification).where(
                    Notification.merchant_id == merchant, Notification.channel == "webhook"
                )
            )
        )


def test_the_worker_never_posts_to_an_endpoint_on_this_machine_in_production(
    db: Database, make_merchant, receiver: tuple[Receiver, str], tmp_path
) -> None:
    hooks, url = receiver  # http://127.0.0.1:<port>/hooks, as once accepted
    merchant = make_merchant().merchant_id
    endpoint_and_a_shipment(db, merchant, url)
    production = Settings(secret_key=TEST_SECRET, var_dir=tmp_path)

    deliver(db, production)

    assert hooks.bodies == []
    [message] = webhooks(db, merchant)
    assert message.state == "dead"  # said once, in the dead letters, not retried for days
    assert message.last_error is not None and "webhook URL not allowed" in message.last_error


def test_a_developers_settings_let_the_worker_reach_the_local_receiver(
    db: Database, make_merchant, receiver: tuple[Receiver, str], tmp_path
) -> None:
    hooks, url = receiver
    merchant = make_merchant().merchant_id
    endpoint_and_a_shipment(db, merchant, url)
    development = Settings(
        secret_key=TEST_SECRET,
        var_dir=tmp_path,
        outgoing_allowed_networks="127.0.0.0/8",
        webhooks_allow_http=True,
    )

    assert deliver(db, development).sent >= 1
    assert len(hooks.bodies) == 1
    assert [m.state for m in webhooks(db, merchant)] == ["sent"]
