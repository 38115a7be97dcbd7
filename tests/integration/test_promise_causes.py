"""On a real database (SQLite and PostgreSQL): a promise revision keeps why it happened, and the
shopper's "new delivery date" email, prepared from the outbox, says it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.eta.model import EddRevision
from ordertrack.notifications.composing import prepare_batch
from ordertrack.notifications.message import Channel
from ordertrack.notifications.model import Notification
from ordertrack.notifications.sending import Channels
from ordertrack.notifications.templates import render
from ordertrack.shipments.model import Shipment
from tests.conftest import TEST_SECRET
from tests.integration.scenario import event, ingest, place_order, ship

CHICAGO = ZoneInfo("America/Chicago")


def test_a_missed_promise_is_running_late_and_the_email_says_why(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    shipment = ship(db, merchant, place_order(db, merchant), "CAUSE0001")
    ingest(db, merchant, [event("CAUSE0001", datetime.now(UTC) - timedelta(hours=1), "in_transit")])
    shipment_checks.run_checks(db, datetime.now(UTC))
    with db.uow(write=False) as uow:
        promised = uow.session.get(Shipment, shipment).promised_latest  # type: ignore[union-attr]
    assert promised is not None
    day_after = datetime.combine(promised + timedelta(days=1), time(12), tzinfo=CHICAGO).astimezone(UTC)
    shipment_checks.run_checks(db, day_after)

    with db.uow(write=False) as uow:
        causes = list(
            uow.session.scalars(
                select(EddRevision.cause)
                .where(EddRevision.shipment_id == shipment)
                .order_by(EddRevision.recorded_at, EddRevision.id)
            )
        )
        told = uow.session.scalars(
            select(Notification).where(
                Notification.merchant_id == merchant,
                Notification.trigger == "delivery_revised",
                Notification.channel == "email",
            )
        ).one()
        assert told.facts == {"cause": "running_late"}
        channels = Channels(smtp=None, sms=None, public_url="https://shop.example", secret=TEST_SECRET)
        (prepared,) = prepare_batch(uow, [told.id], channels)
    assert causes[0] == "shipped" and causes[-1] == "running_late"
    assert prepared.context is not None and prepared.context.revision_cause == "running_late"
    email = render(prepared.context, Channel.email, prepared.source)
    assert "Why: it is taking longer than expected." in email.text
