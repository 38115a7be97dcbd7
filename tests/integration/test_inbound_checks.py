"""The worker watches inbound shipments on their way: late, stalled or in trouble is kept on the
shipment and told to staff once per kind; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from ordertrack.carriers import accounts, polling
from ordertrack.db.uow import Database
from ordertrack.events import InboundExpectationChanged
from ordertrack.notifications.model import Notification
from ordertrack.purchasing import inbound_checks
from ordertrack.suppliers import rules
from ordertrack.suppliers.model import InboundShipment
from ordertrack.tracking.model import Parcel
from tests.integration.scenario import WINDOW, event, ingest
from tests.integration.test_carrier_polling import API_KEY, fake_dhl, local  # noqa: F401 (the fixture)
from tests.integration.test_carrier_polling import NUMBER as DHL_NUMBER
from tests.integration.test_inbound_parcels import NOW, add, new_inbound, sent_purchase_order
from tests.integration.test_inbound_status import asn
from tests.integration.test_notification_triggers import (
    add_endpoint,
    add_staff,
    channels,
    deliver,
    text_of,
    webhook_types,
)
from tests.notifications.servers import Receiver, Relay

STAFF = "dock@acme.example"


def alerts(db: Database, merchant_id: str) -> list[tuple[str, str, str]]:
    with db.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(Notification).where(
                Notification.merchant_id == merchant_id, Notification.trigger == "inbound_late"
            )
        ).all()
        return sorted((row.channel, row.recipient, str((row.facts or {}).get("kind"))) for row in rows)


def check(db: Database, merchant_id: str, inbound_id: str, now=NOW) -> list[object]:
    with db.uow() as uow:
        inbound_checks.check_inbound_shipments(uow, merchant_id, [inbound_id], now)
        recorded = list(uow.events)
        uow.commit()
    return recorded


def test_a_notice_past_its_date_is_late_and_told_once(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    add_staff(db, m, STAFF)
    inbound_id = new_inbound(
        db, m, sent_purchase_order(db, m), units=40, expected_arrival_date=date(2020, 1, 2)
    )
    add(db, m, inbound_id, [("AB-51", "acme_post")])
    ingest(db, m, [event("AB-51", NOW - timedelta(hours=2), "in_transit")])

    recorded = check(db, m, inbound_id)
    assert [(e.cause, e.skus) for e in recorded if isinstance(e, InboundExpectationChanged)][-1] == (
        "supplier_delay",
        ("TENT-2P",),
    )
    row = asn(db, m, inbound_id)
    assert (row.attention, row.attention_detail, row.attention_at) == (
        "late",
        "not here: the supplier's notice said 2020-01-02",
        NOW,
    )
    assert alerts(db, m) == [("email", STAFF, "late")]

    assert [e for e in check(db, m, inbound_id, NOW + timedelta(hours=1))] == []  # found again: said once
    assert alerts(db, m) == [("email", STAFF, "late")]
    assert asn(db, m, inbound_id).attention_at == NOW


def test_a_carrier_expecting_it_after_the_promise_makes_it_late_before_the_day(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    inbound_id = new_inbound(
        db, m, sent_purchase_order(db, m), units=4, expected_arrival_date=NOW.date() + timedelta(days=2)
    )
    with db.uow() as uow:
        uow.session.execute(
            update(InboundShipment)
            .where(InboundShipment.id == inbound_id)
            .values(arrival_estimate=NOW.date() + timedelta(days=6), arrival_basis="carrier")
        )
        uow.commit()
    watch = rules.InboundWatch(
        status="in_transit",
        today=NOW.date(),
        now=NOW,
        declared_at=NOW,
        last_scan_at=NOW,
        declared=NOW.date() + timedelta(days=2),
        promised=None,
        usual=None,
        estimate=NOW.date() + timedelta(days=6),
    )
    kind, words = rules.inbound_attention(watch)
    assert kind == "late" and words.startswith(f"now expected {(NOW.date() + timedelta(days=6)).isoformat()}")


def test_stalled_then_in_trouble_then_arrived(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    add_staff(db, m, STAFF)
    inbound_id = new_inbound(
        db, m, sent_purchase_order(db, m), units=40, expected_arrival_date=NOW.date() + timedelta(days=30)
    )
    add(db, m, inbound_id, [("AB-61", "acme_post")])
    ingest(db, m, [event("AB-61", NOW - timedelta(days=6), "in_transit")])
    check(db, m, inbound_id)
    row = asn(db, m, inbound_id)
    assert (row.attention, row.attention_detail) == ("stalled", "no carrier scan for 6 days")

    ingest(db, m, [event("AB-61", NOW - timedelta(hours=1), "exception", reason="damaged")])
    check(db, m, inbound_id)
    row = asn(db, m, inbound_id)
    assert (row.status, row.attention, row.attention_detail) == (
        "exception",
        "exception",
        "parcel AB-61: exception (damaged)",
    )
    assert alerts(db, m) == [("email", STAFF, "exception"), ("email", STAFF, "stalled")]

    ingest(db, m, [event("AB-61", NOW - timedelta(minutes=5), "delivered")])
    row = asn(db, m, inbound_id)
    assert (row.status, row.attention, row.attention_at) == (
        "arrived",
        None,
        None,
    )  # at the dock: nothing to chase
    assert inbound_checks.run_inbound_checks(db, NOW) == 0  # no longer watched


def test_the_worker_goes_through_every_open_notice(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_purchase_order(db, m)
    late = new_inbound(db, m, po_id, 1, units=4, expected_arrival_date=date(2020, 1, 2))
    fine = new_inbound(db, m, po_id, 2, units=4, expected_arrival_date=NOW.date() + timedelta(days=9))
    other = make_merchant("Other Shop").merchant_id
    theirs = new_inbound(
        db, other, sent_purchase_order(db, other), units=4, expected_arrival_date=date(2020, 1, 2)
    )
    assert inbound_checks.run_inbound_checks(db, NOW) == 3
    assert [asn(db, m, late).attention, asn(db, m, fine).attention, asn(db, other, theirs).attention] == [
        "late",
        None,
        "late",
    ]


def test_an_inbound_parcel_is_polled_like_any_other(db: Database, make_merchant, fake_dhl) -> None:  # noqa: F811
    carrier, base_url = fake_dhl
    m = make_merchant().merchant_id
    with db.uow() as uow:
        accounts.save_account(uow, m, "dhl", {"api_key": API_KEY})
        uow.commit()
    inbound_id = new_inbound(db, m, sent_purchase_order(db, m), units=40)
    [parcel_id] = add(db, m, inbound_id, [(DHL_NUMBER, None)])  # detected: a DHL Express waybill
    with db.uow(write=False) as uow:
        assert uow.session.get_one(Parcel, parcel_id).next_poll_at is not None  # due at once

    carrier.events = [("2026-11-20T09:10:00+01:00", "transit", "Processed at LEIPZIG - GERMANY", "Leipzig")]
    assert polling.run_polling(db, datetime.now(UTC), recycle_window=WINDOW, targets=local(base_url)) == 1
    assert carrier.requests == [DHL_NUMBER]
    assert asn(db, m, inbound_id).status == "in_transit"


def test_the_alert_reaches_staff_and_their_systems_with_its_facts(
    db: Database, make_merchant, relay: tuple[Relay, int], receiver: tuple[Receiver, str]
) -> None:
    mail, port = relay
    hooks, url = receiver
    m = make_merchant().merchant_id
    add_staff(db, m, STAFF)
    secret = add_endpoint(db, m, url)
    inbound_id = new_inbound(
        db, m, sent_purchase_order(db, m), units=40, expected_arrival_date=date(2020, 1, 2)
    )
    check(db, m, inbound_id)
    deliver(db, channels(port, None))

    [message] = [e for e in mail.received if e["To"] == STAFF]
    assert message["Subject"] == "Inbound PO-7-1 from Kessler needs attention"
    text = text_of(message)
    assert (
        "Inbound shipment PO-7-1 (purchase order PO-7) from Kessler: "
        "not here: the supplier's notice said 2020-01-02" in text
    )
    assert "https://shop.example/dashboard/purchase-orders/PO-7" in text
    [data] = [d for t, d in webhook_types(hooks, secret) if t == "purchasing.inbound_late"]
    assert (data["trigger"], data["dashboard_url"], data["inbound_shipment"], data["purchase_order"]) == (
        "inbound_late",
        "https://shop.example/dashboard/purchase-orders/PO-7",
        "PO-7-1",
        "PO-7",
    )
    assert (data["supplier"], data["alert"]) == ("Kessler", "not here: the supplier's notice said 2020-01-02")
