"""The shipment checks on both databases, with an injected clock: a stall opens ``stalled`` and
the next scan closes it; a parcel past its promised day opens ``late`` and records a delay,
told to the shopper, exactly once; the checks read only shipments that are due."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ordertrack.attention.model import AttentionItem
from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.eta import history as eta_history
from ordertrack.eta.model import EddRevision
from ordertrack.kit.clock import utcnow
from ordertrack.notifications.channels import SmtpConfig
from ordertrack.notifications.delivery import deliver_due
from ordertrack.notifications.model import Notification
from ordertrack.notifications.sending import Channels
from ordertrack.shipments.model import Shipment
from ordertrack.staff import service as staff_service
from tests.conftest import TEST_SECRET
from tests.integration.scenario import event, ingest, place_order, ship

CHICAGO = ZoneInfo("America/Chicago")  # the scenario's orders ship to Austin, TX


def items(db: Database, merchant: str) -> list[tuple[str, bool, str | None]]:
    with db.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(AttentionItem)
            .where(AttentionItem.merchant_id == merchant)
            .order_by(AttentionItem.opened_at, AttentionItem.id)
        )
        return [(i.kind, i.closed_at is None, i.close_reason) for i in rows]


def shipment_row(db: Database, shipment_id: str) -> Shipment:
    with db.uow(write=False) as uow:
        row = uow.session.get(Shipment, shipment_id)
        assert row is not None
        uow.session.expunge(row)
        return row


def deliver(
    db: Database, merchant: str, ref: str, number: str, scanned: datetime, delivered: datetime
) -> None:
    """An order shipped as ``number``, scanned in transit at ``scanned`` and delivered at ``delivered``."""
    ship(db, merchant, place_order(db, merchant, ref), number)
    ingest(db, merchant, [event(number, scanned, "in_transit"), event(number, delivered, "delivered")])


def test_a_stall_opens_stalled_and_the_next_scan_closes_it(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    shipment = ship(db, merchant, place_order(db, merchant), "CHECK0001")
    first_scan = utcnow() - timedelta(hours=1)
    sent = utcnow()
    ingest(db, merchant, [event("CHECK0001", first_scan, "in_transit")])
    heard = utcnow()

    shipment_checks.run_checks(db, utcnow() + timedelta(minutes=1))
    assert items(db, merchant) == []
    due = shipment_row(db, shipment).next_check_at
    assert due is not None
    # Nobody has delivered anything yet: three days at home is the cold-start silence, counted
    # from when the (hour-late) scan reached us.
    assert sent + timedelta(days=3) <= due <= heard + timedelta(days=3)

    shipment_checks.run_checks(db, due + timedelta(minutes=1))
    assert items(db, merchant) == [("stalled", True, None)]

    # A later scan arrives (it happened before the check above, the carrier sent it late).
    ingest(db, merchant, [event("CHECK0001", first_scan + timedelta(hours=2), "in_transit")])
    shipment_checks.run_checks(db, due + timedelta(minutes=2))
    assert items(db, merchant) == [("stalled", False, "a new scan")]


def test_late_opens_once_and_the_delay_is_recorded_and_told_once(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    shipment = ship(db, merchant, place_order(db, merchant), "CHECK0002")
    ingest(db, merchant, [event("CHECK0002", utcnow() - timedelta(hours=1), "in_transit")])
    shipment_checks.run_checks(db, utcnow())
    promised = shipment_row(db, shipment).promised_latest
    assert promised is not None

    day_after = datetime.combine(promised + timedelta(days=1), time(12), tzinfo=CHICAGO).astimezone(UTC)
    for hours in (0, 6, 30, 54):  # that day at noon, evening, the next two days: checks keep running
        shipment_checks.run_checks(db, day_after + timedelta(hours=hours), limit=50)
        with db.uow() as uow:  # the checks may look again whenever; force it, as new scans would
            uow.session.get(Shipment, shipment).next_check_at = day_after  # type: ignore[union-attr]
            uow.commit()

    kinds = [kind for kind, still_open, _ in items(db, merchant)]
    assert kinds.count("late") == 1
    with db.uow(write=False) as uow:
        revisions = list(
            uow.session.scalars(
                select(EddRevision)
                .where(EddRevision.shipment_id == shipment)
                .order_by(EddRevision.recorded_at, EddRevision.id)
            )
        )
        told = list(
            uow.session.scalars(
                select(Notification).where(
                    Notification.merchant_id == merchant, Notification.trigger == "delivery_revised"
                )
            )
        )
    delays = [r for r in revisions if r.delayed]
    assert (
        len(delays) == 1
        and delays[0].latest > promised
        and delays[0].earliest == promised + timedelta(days=1)
    )
    assert len(told) == 1  # the shopper's email about the new window

    ingest(db, merchant, [event("CHECK0002", utcnow() - timedelta(minutes=5), "delivered")])
    shipment_checks.run_checks(db, utcnow() + timedelta(minutes=1))
    assert all(not still_open for _, still_open, _ in items(db, merchant))
    assert shipment_row(db, shipment).next_check_at is None  # nothing left to watch


def test_a_label_with_no_carrier_scan_is_not_picked_up_after_two_business_days(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant().merchant_id
    shipment = ship(db, merchant, place_order(db, merchant), "CHECK0003")
    created = shipment_row(db, shipment).created_at
    shipment_checks.run_checks(db, created + timedelta(minutes=1))
    assert items(db, merchant) == []
    shipment_checks.run_checks(db, created + timedelta(days=6))  # past two business days, any week
    # (Six days also pass the promise a local parcel got, at most four business days: late too.)
    assert ("not_picked_up", True, None) in items(db, merchant)


def test_the_checks_read_only_shipments_that_are_due(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    order = place_order(db, merchant)
    ship(db, merchant, order, "CHECK0004")
    now = utcnow() + timedelta(minutes=1)
    assert shipment_checks.run_checks(db, now).checked == 1
    assert shipment_checks.run_checks(db, now).checked == 0  # next one is days away


def test_new_trouble_is_emailed_to_staff_once_with_what_was_seen(db: Database, make_merchant, relay) -> None:
    mail, port = relay
    merchant = make_merchant().merchant_id
    with db.uow() as uow:
        staff_service.create_staff(
            uow,
            merchant,
            email="ops@acme.example",
            name="Ops",
            password="a long enough password",
            now=utcnow(),
        )
        uow.commit()
    ship(db, merchant, place_order(db, merchant), "CHECK0005")
    first_scan = utcnow() - timedelta(hours=1)
    ingest(db, merchant, [event("CHECK0005", first_scan, "in_transit")])
    shipment_checks.run_checks(db, utcnow() + timedelta(minutes=1))
    stalled_at = first_scan + timedelta(days=3, minutes=1)
    shipment_checks.run_checks(db, stalled_at)
    shipment_checks.run_checks(db, stalled_at + timedelta(hours=1))  # still stalled: no second email
    channels = Channels(
        smtp=SmtpConfig.from_url(f"smtp://127.0.0.1:{port}?timeout=5", "Acme <ship@acme.example>"),
        sms=None,
        public_url="https://shop.example",
        secret=TEST_SECRET,
    )
    asyncio.run(deliver_due(db, channels, stalled_at + timedelta(hours=2), rng=random.Random(3)))
    to_staff = [m for m in mail.received if m["To"] == "ops@acme.example"]
    assert len(to_staff) == 1 and to_staff[0]["Subject"] == "Order 1001 needs attention"
    body = next(
        part.get_payload(decode=True).decode()
        for part in to_staff[0].walk()
        if part.get_content_type() == "text/plain"
    )
    assert "stalled: no scan for 3.0 days" in body and "https://shop.example/dashboard/orders/1001" in body


def test_promises_learn_from_the_merchants_own_deliveries_on_the_lane(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    now = utcnow()
    for i in range(32):  # each handed over a week ago, delivered within days, on the same lane
        deliver(
            db,
            merchant,
            f"L{i}",
            f"LEARN{i:04d}",
            now - timedelta(days=7),
            now - timedelta(days=7 - 2 - i % 3),
        )
    eta_history.forget_history()
    order = place_order(db, merchant, "NEW1")
    shipment = ship(db, merchant, order, "LEARN9999")
    with db.uow(write=False) as uow:
        revision = uow.session.scalars(select(EddRevision).where(EddRevision.shipment_id == shipment)).one()
    # The merchant's own deliveries on this very route, said as such.
    assert revision.reason.startswith("based on 32 deliveries within United States"), revision.reason
    assert (revision.basis, revision.basis_deliveries, revision.cause) == ("route", 32, "shipped")
    assert revision.latest <= (now + timedelta(days=14)).date()  # a few business days, not weeks


def test_promises_learn_only_from_the_newest_deliveries(db: Database, make_merchant, monkeypatch) -> None:
    """The history is the newest ``HISTORY_DEPTH`` deliveries, their transit measured from the
    first carrier scan (these shipments record no hand-off)."""
    merchant = make_merchant().merchant_id
    now = utcnow()
    for i in range(30):  # older deliveries: two weeks on the road
        deliver(db, merchant, f"S{i}", f"SLOW{i:04d}", now - timedelta(days=30), now - timedelta(days=16))
    for i in range(32):  # the newest: two days
        deliver(db, merchant, f"F{i}", f"FAST{i:04d}", now - timedelta(days=4), now - timedelta(days=2))
    monkeypatch.setattr(eta_history, "HISTORY_DEPTH", 32)
    eta_history.forget_history()
    shipment = ship(db, merchant, place_order(db, merchant, "NEW2"), "FAST9999")
    with db.uow(write=False) as uow:
        revision = uow.session.scalars(select(EddRevision).where(EddRevision.shipment_id == shipment)).one()
    assert revision.reason.startswith("based on 32 deliveries within United States"), revision.reason
    assert revision.latest <= (now + timedelta(days=7)).date()  # the two-week deliveries left out
    eta_history.forget_history()
