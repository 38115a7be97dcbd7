"""Every trigger, end to end on both databases: a carrier's pushes move a parcel through its
whole journey, and the shopper's emails, text messages and the merchant's signed webhooks
reach a real SMTP relay, a Twilio-shaped SMS API and a webhook receiver on 127.0.0.1, each
once. Staff alerts (low stock, a shipment needing attention) reach the staff, and only them.
Quiet hours hold a text until morning in the recipient's zone."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, time, timedelta
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from ordertrack.carriers import intake
from ordertrack.carriers.registry import connectors
from ordertrack.db.uow import Database
from ordertrack.eta.model import EddRevision
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.clock import utcnow
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.channels import SmsConfig, SmtpConfig, new_webhook_secret, segments
from ordertrack.notifications.delivery import DeliveryReport, deliver_due
from ordertrack.notifications.model import Notification
from ordertrack.notifications.sending import Channels
from ordertrack.orders import service as orders_service
from ordertrack.staff import service as staff_service
from tests.conftest import TEST_SECRET
from tests.integration.scenario import WINDOW, place_order, ship
from tests.notifications.servers import LOCAL_TARGETS, Provider, Receiver, Relay

UPS = "1Z5R89390357567127"
SHOPPER = "ann@example.com"
STAFF = "ops@acme.example"
# Numbers whose zone the number itself names, spread round the clock: one is always awake.
PHONES = {
    "+18085550123": "Pacific/Honolulu",
    "+14155550123": "America/Los_Angeles",
    "+12125550123": "America/New_York",
    "+5511987654321": "America/Sao_Paulo",
    "+442079460123": "Europe/London",
    "+919820012345": "Asia/Kolkata",
    "+81312345678": "Asia/Tokyo",
    "+61291234567": "Australia/Sydney",
}


def awake_phone(now: datetime) -> str:
    """A number whose holder is between 09:00 and 20:00 now, so texts are not held back."""
    for phone, zone in PHONES.items():
        if time(9) <= now.astimezone(ZoneInfo(zone)).time() < time(20):
            return phone
    raise AssertionError("no listed zone is awake; the list has a gap")


def channels(relay_port: int, sms: SmsConfig | None) -> Channels:
    return Channels(
        smtp=SmtpConfig.from_url(f"smtp://127.0.0.1:{relay_port}?timeout=5", "Acme <ship@acme.example>"),
        sms=sms,
        public_url="https://shop.example",
        secret=TEST_SECRET,
        outgoing=LOCAL_TARGETS,  # the webhook receiver is on 127.0.0.1
    )


def deliver(db: Database, to: Channels, at: datetime | None = None) -> DeliveryReport:
    return asyncio.run(deliver_due(db, to, at or utcnow(), rng=random.Random(7)))


def push(
    db: Database, merchant: str, tag: str, subtag: str, at: datetime, expected: str | None = None
) -> None:
    """An AfterShip ``tracking_update`` for the UPS parcel, read and ingested in-process."""
    message: dict[str, Any] = {
        "id": "tr-1",
        "tracking_number": UPS,
        "slug": "ups",
        "tag": tag,
        "subtag": subtag,
        "checkpoints": [
            {
                "checkpoint_time": at.isoformat(),
                "tag": tag,
                "subtag": subtag,
                "message": f"{tag} scan",
                "city": "Austin",
                "state": "TX",
                "country_iso3": "USA",
            }
        ],
    }
    if expected:
        message["expected_delivery"] = expected
    body = json.dumps({"event": "tracking_update", "event_id": subtag, "msg": message}).encode()
    with db.uow() as uow:
        result = intake.receive_payload(
            uow,
            merchant,
            connectors()["aftership"],
            body,
            channel="webhook",
            content_type="application/json",
            recycle_window=WINDOW,
        )
        assert result.state == "ingested", result
        uow.commit()


def add_staff(db: Database, merchant: str, email: str, *, disabled: bool = False) -> None:
    with db.uow() as uow:
        user = staff_service.create_staff(
            uow, merchant, email=email, name="Ops", password="a long enough password", now=utcnow()
        )
        if disabled:
            user.disabled = True
        uow.commit()


def add_endpoint(db: Database, merchant: str, url: str) -> str:
    secret = new_webhook_secret()
    with db.uow() as uow:
        notifications_service.add_endpoint(uow, merchant, url, [], secret, outgoing=LOCAL_TARGETS)
        uow.commit()
    return secret


def html_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no HTML part")


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def webhook_types(hooks: Receiver, secret: str) -> list[tuple[str, dict[str, Any]]]:
    verifier = Webhook(secret)
    found = []
    for headers, body in hooks.bodies:
        verified = verifier.verify(body, {k: v for k, v in headers.items() if k.startswith("webhook-")})
        found.append((verified["type"], verified["data"]))
    return found


SHOPPER_TRIGGERS = [
    "order_confirmed",
    "shipped",
    "delivery_revised",
    "out_for_delivery",
    "failed_attempt",
    "available_for_pickup",
    "exception",
    "delivered",
]


def test_every_trigger_reaches_the_relay_the_sms_api_and_the_webhook_receiver(
    db: Database,
    make_merchant,
    relay: tuple[Relay, int],
    receiver: tuple[Receiver, str],
    provider: Provider,
) -> None:
    mail, port = relay
    hooks, url = receiver
    merchant = make_merchant().merchant_id
    add_staff(db, merchant, STAFF)
    secret = add_endpoint(db, merchant, url)
    order = place_order(db, merchant)
    phone = awake_phone(utcnow())
    with db.uow() as uow:
        notifications_service.subscribe_sms(uow, merchant, order, phone)
        orders_service.confirm_order(uow, merchant, order)
        uow.commit()
    to = channels(port, provider.config)
    assert deliver(db, to).sent == 3  # confirmation: email, text, webhook

    ship(db, merchant, order, UPS, carrier="ups")
    start = utcnow() - timedelta(days=2)
    today = utcnow().date()
    journey = [
        # The carrier's first date is sooner than our promise in "shipped": no news for the shopper.
        ("InTransit", "InTransit_001", (today + timedelta(days=3)).isoformat()),
        # Then it moves past it: a delay, told once (delivery_revised).
        ("InTransit", "InTransit_002", (today + timedelta(days=16)).isoformat()),
        ("OutForDelivery", "OutForDelivery_001", None),
        ("AttemptFail", "AttemptFail_002", None),  # and a staff alert
        ("AvailableForPickup", "AvailableForPickup_001", None),
        ("Exception", "Exception_007", None),  # and a staff alert
        ("Delivered", "Delivered_001", None),
    ]
    for step, (tag, subtag, expected) in enumerate(journey):
        push(db, merchant, tag, subtag, start + timedelta(hours=4 * step), expected)
        report = deliver(db, to)
        assert report.retried == report.dead == report.suppressed == 0, report.errors
    assert deliver(db, to).sent == 0  # nothing left over, nothing twice

    with db.uow(write=False) as uow:
        log = list(uow.session.scalars(select(Notification).where(Notification.merchant_id == merchant)))
    assert {n.state for n in log} == {"sent"}

    # Email: each shopper trigger once to the shopper, the two alerts once to the staff.
    shopper_mail = [m for m in mail.received if m["To"] == SHOPPER]
    staff_mail = [m for m in mail.received if m["To"] == STAFF]
    assert len(shopper_mail) == len(SHOPPER_TRIGGERS) and len(staff_mail) == 2
    assert len({m["Subject"] for m in shopper_mail}) == len(SHOPPER_TRIGGERS)
    for message in shopper_mail:
        html = html_of(message)
        assert "https://shop.example/m/" in html and "https://shop.example/m/" in text_of(message)
        assert "https://shop.example/notifications/unsubscribe/" in message["List-Unsubscribe"]
        ld = json.loads(html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
        assert ld["@type"] == "ParcelDelivery" and ld["partOfOrder"]["orderNumber"] == "1001"
    with_parcel = [m for m in shopper_mail if UPS in html_of(m)]
    assert len(with_parcel) == len(SHOPPER_TRIGGERS) - 1  # all but the confirmation, before shipping
    revised = next(m for m in shopper_mail if "new delivery date" in m["Subject"].lower())
    new_day = today + timedelta(days=16)
    assert f"{new_day:%b} {new_day.day}" in text_of(revised) and "previously" in text_of(revised)
    for message in staff_mail:
        assert "needs attention" in message["Subject"] and "ld+json" not in html_of(message)
        assert "https://shop.example/dashboard/orders/1001" in text_of(message)

    # Text messages: the same eight, to the E.164 number, each within two segments.
    texts = provider.twilio.received
    assert len(texts) == len(SHOPPER_TRIGGERS) and {t["To"] for t in texts} == {phone}
    assert all(segments(t["Body"]) <= 2 and "https://shop.example/m/" in t["Body"] for t in texts)

    # Webhooks: every event type once, each verified with the Standard Webhooks library.
    types = webhook_types(hooks, secret)
    expected_types = {f"shipment.{t}" for t in SHOPPER_TRIGGERS[1:]} | {"order.confirmed"}
    assert sorted(t for t, _ in types) == sorted([*expected_types, *["shipment.needs_attention"] * 2])
    attention = [data for t, data in types if t == "shipment.needs_attention"]
    assert {d["event"]["status"] for d in attention} == {"failed_attempt", "exception"}
    assert all(d["dashboard_url"].endswith("/dashboard/orders/1001") for d in attention)


def test_low_stock_alerts_reach_active_staff_and_their_systems_once(
    db: Database, make_merchant, relay: tuple[Relay, int], receiver: tuple[Receiver, str]
) -> None:
    mail, port = relay
    hooks, url = receiver
    merchant = make_merchant().merchant_id
    add_staff(db, merchant, STAFF)
    add_staff(db, merchant, "gone@acme.example", disabled=True)
    add_staff(db, merchant, "quiet@acme.example")
    secret = add_endpoint(db, merchant, url)
    with db.uow() as uow:
        notifications_service.opt_out(
            uow, merchant, notifications_service.STAFF_CHANNEL, "quiet@acme.example"
        )
        address = {"line1": "1 Dock Road", "city": "Austin", "country": "US"}
        austin = {"code": "AUS", "name": "Austin", "address": address, "timezone": "America/Chicago"}
        inventory_service.create_warehouse(uow, merchant, WarehouseIn.model_validate(austin))
        inventory_service.set_stock(uow, merchant, "AUS", "TENT-2P", 5, threshold=4, actor="test")
        inventory_service.set_stock(uow, merchant, "AUS", "MUG-STEEL", 50, threshold=4, actor="test")
        uow.commit()
    for number in ("1001", "1002"):  # 2 tents each: 5 -> 3 (below 4: one alert) -> 1 (still below)
        order = place_order(db, merchant, number)
        with db.uow() as uow:
            orders_service.confirm_order(uow, merchant, order)
            uow.commit()
    deliver(db, channels(port, None))

    alerts = [m for m in mail.received if m["Subject"].startswith("Low stock")]
    assert [m["To"] for m in alerts] == [STAFF]  # not the disabled login, not the one who opted out
    text = text_of(alerts[0])
    assert "TENT-2P" in text and "AUS" in text and "Only 3 units" in text
    assert "https://shop.example/dashboard/inventory?sku=TENT-2P&warehouse=AUS" in text
    low = [data for t, data in webhook_types(hooks, secret) if t == "inventory.low_stock"]
    assert low == [
        {
            "trigger": "low_stock",
            "order_number": None,
            "dashboard_url": "https://shop.example/dashboard/inventory?sku=TENT-2P&warehouse=AUS",
            "shipments": [],
            "event": None,
            "estimated_delivery": None,
            "previous_estimate": None,
            "sku": "TENT-2P",
            "warehouse": "AUS",
            "available": 3,
        }
    ]
    # The shopper of those orders (who is not staff) heard about their orders, not about stock.
    assert all(m["To"] in (STAFF, SHOPPER) for m in mail.received)
    assert not any("Low stock" in m["Subject"] for m in mail.received if m["To"] == SHOPPER)


def test_a_switched_off_staff_alert_is_not_written(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    add_staff(db, merchant, STAFF)
    with db.uow() as uow:
        notifications_service.set_setting(uow, merchant, "needs_attention", "email", False)
        uow.commit()
    order = place_order(db, merchant)
    ship(db, merchant, order, UPS, carrier="ups")
    push(db, merchant, "Exception", "Exception_007", utcnow() - timedelta(hours=1))
    with db.uow(write=False) as uow:
        triggers = sorted(
            (n.trigger, n.recipient)
            for n in uow.session.scalars(select(Notification).where(Notification.merchant_id == merchant))
        )
    assert triggers == [("exception", SHOPPER), ("shipped", SHOPPER)]


def test_the_shopper_hears_each_delay_once_and_no_news_when_the_date_comes_sooner(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant().merchant_id
    order = place_order(db, merchant)
    ship(db, merchant, order, UPS, carrier="ups")
    today = utcnow().date()
    start = utcnow() - timedelta(days=1)
    # Sooner than promised at shipping (silent), later (told), the same again (nothing new),
    # sooner again (silent), later still (told).
    for step, days in enumerate((3, 18, 18, 3, 21)):
        day = (today + timedelta(days=days)).isoformat()
        push(db, merchant, "InTransit", f"InTransit_00{step + 1}", start + timedelta(hours=step), day)
    with db.uow(write=False) as uow:
        revised = list(
            uow.session.scalars(
                select(Notification).where(
                    Notification.merchant_id == merchant, Notification.trigger == "delivery_revised"
                )
            )
        )
        revisions = list(
            uow.session.scalars(
                select(EddRevision)
                .where(EddRevision.merchant_id == merchant, EddRevision.shipment_id.is_not(None))
                .order_by(EddRevision.recorded_at, EddRevision.id)
            )
        )
    assert len(revised) == 2
    assert [r.delayed for r in revisions] == [False, False, True, False, True]  # shipped, then 4 moves
    assert revisions[-1].latest == today + timedelta(days=21) and revisions[0].stage == "shipped"


def test_quiet_hours_hold_a_text_until_morning_where_the_shopper_lives(
    db: Database, make_merchant, relay: tuple[Relay, int], provider: Provider
) -> None:
    _mail, port = relay
    merchant = make_merchant().merchant_id
    order = place_order(db, merchant)  # ships to Austin, but the number is a Berlin one
    with db.uow() as uow:
        notifications_service.subscribe_sms(uow, merchant, order, "+4930901820")
        orders_service.confirm_order(uow, merchant, order)
        uow.commit()
    berlin = ZoneInfo("Europe/Berlin")
    tomorrow = (utcnow() + timedelta(days=1)).astimezone(berlin).date()
    late_evening = datetime.combine(tomorrow, time(23, 0), tzinfo=berlin).astimezone(UTC)
    to = channels(port, provider.config)
    held = deliver(db, to, late_evening)
    assert held.sent == 1 and held.deferred == 1  # the email goes; the text waits
    assert provider.twilio.received == []
    morning = datetime.combine(tomorrow + timedelta(days=1), time(8, 0), tzinfo=berlin).astimezone(UTC)
    assert deliver(db, to, morning - timedelta(minutes=1)).sent == 0
    assert deliver(db, to, morning).sent == 1
    assert [t["To"] for t in provider.twilio.received] == ["+4930901820"]
