"""The weekly digest to the staff who asked for it: who did, and the worker's Monday-morning round.

Asking is a staff member's own choice in the dashboard (``/dashboard/digest``), kept per address
as a channel preference like a shopper's SMS subscription: channel ``digest``, ``opted_out``
False while asked for. The email's unsubscribe link (the notifications' one-click page) turns it
off the same way any unsubscribe does. A disabled login gets nothing.

The digest is written whole when queued (``digest_mail``) and goes through the outbox, once per
staff address and week: the outbox's dedupe key is the week's Monday, the trigger, the channel and
the address, so a second worker, a retry or a restart on the same Monday writes nothing more.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ordertrack.analytics import digest, digest_mail, store
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.inventory.model import Warehouse
from ordertrack.kit.ids import new_id
from ordertrack.links import unsubscribe_url
from ordertrack.merchants import service as merchants_service
from ordertrack.notifications import repository as outbox
from ordertrack.notifications import rules
from ordertrack.notifications.model import ShopperPreference
from ordertrack.staff import service as staff_service

CHANNEL = "digest"  # the preference's channel: asked for (opted_out False) or stopped
TRIGGER = "weekly_digest"
SEND_FROM_HOUR = 7  # Monday from 07:00 in the merchant's time zone, until that Monday ends


def asked(uow: UnitOfWork, merchant_id: str, email: str) -> bool:
    row = outbox.preference(uow, merchant_id, CHANNEL, email.lower())
    return row is not None and not row.opted_out


def set_asked(uow: UnitOfWork, merchant_id: str, email: str, on: bool, now: datetime) -> None:
    """A staff member asks for the digest (``on``) or stops it."""
    address = email.lower()
    row = outbox.preference(uow, merchant_id, CHANNEL, address)
    if row is None:
        row = ShopperPreference(merchant_id=merchant_id, channel=CHANNEL, address=address, opted_out=not on)
        row.updated_at = now
        outbox.add(uow, row)
    else:
        row.opted_out, row.updated_at = not on, now


def recipients(uow: UnitOfWork, merchant_id: str) -> list[str]:
    """Active staff logins of the merchant who asked for the digest, by address."""
    emails = staff_service.active_staff_emails(uow, merchant_id)
    if not emails:
        return []
    wanted = set(
        uow.session.scalars(
            select(ShopperPreference.address).where(
                ShopperPreference.merchant_id == merchant_id,
                ShopperPreference.channel == CHANNEL,
                ShopperPreference.opted_out.is_(False),
            )
        )
    )
    return [email for email in emails if email.lower() in wanted]


def merchant_zone(uow: UnitOfWork, merchant_id: str) -> str:
    """The merchant's time zone: its first warehouse's (by code), else UTC."""
    zone = uow.session.scalar(
        select(Warehouse.timezone)
        .where(Warehouse.merchant_id == merchant_id)
        .order_by(Warehouse.code)
        .limit(1)
    )
    return zone or "UTC"


def due_week(now: datetime, zone: str) -> tuple[date, date] | None:
    """The week whose digest is due at ``now``: the one just ended, on a Monday from
    ``SEND_FROM_HOUR`` in ``zone``; None at any other time."""
    local = now.astimezone(ZoneInfo(zone))
    if local.weekday() != 0 or local.hour < SEND_FROM_HOUR:
        return None
    return digest.week_before(local.date())


def digest_of(uow: UnitOfWork, merchant_id: str, monday: date) -> digest.Digest:
    """The digest of one merchant's week starting ``monday``, from its stored weekly lane cells
    (a week's lanes add up to the week's total: a few cells per lane, not one per shipment)."""
    spans = digest.weeks(monday)
    cells = store.lane_cells(uow, merchant_id, spans[-1][0], spans[0][1])
    return digest.digest(cells, merchant_id, monday)


def queue_digest(
    uow: UnitOfWork, merchant_id: str, monday: date, now: datetime, *, public_url: str, secret: str
) -> int:
    """Queue the week's digest to every staff member who asked, once each; how many were new."""
    addresses = recipients(uow, merchant_id)
    if not addresses:
        return 0
    found = digest_of(uow, merchant_id, monday)
    store_name = merchants_service.branding(uow, merchant_id).display_name
    rows = []
    for address in addresses:
        stop = unsubscribe_url(public_url, secret, merchant_id, CHANNEL, address)
        subject, text, html = digest_mail.compose(found, store_name, public_url, stop)
        rows.append(
            {
                "id": new_id("ntf"),
                "merchant_id": merchant_id,
                "order_id": None,
                "shipment_id": None,
                "trigger": TRIGGER,
                "channel": "email",
                "recipient": address,
                "locale": "en",
                "dedupe_key": rules.dedupe_key(f"week:{monday.isoformat()}", TRIGGER, "email", address),
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "facts": {"subject": subject, "text": text, "html": html, "unsubscribe_url": stop},
                "created_at": now,
            }
        )
    return outbox.insert_new(uow, rows)


def send_weekly_digests(db: Database, now: datetime, *, public_url: str, secret: str) -> int:
    """The worker's round: for each merchant with someone who asked, on its Monday morning, queue
    the week's digest (one transaction per merchant); how many emails were queued."""
    with db.uow(write=False) as uow:
        merchants = sorted(
            set(
                uow.session.scalars(
                    select(ShopperPreference.merchant_id).where(
                        ShopperPreference.channel == CHANNEL, ShopperPreference.opted_out.is_(False)
                    )
                )
            )
        )
    queued = 0
    for merchant_id in merchants:
        with db.uow() as uow:
            week = due_week(now, merchant_zone(uow, merchant_id))
            if week is None:
                continue
            queued += queue_digest(uow, merchant_id, week[0], now, public_url=public_url, secret=secret)
            uow.commit()
    return queued


# How often the worker looks: often enough that Monday 07:00 is kept to within a quarter hour.
EVERY = timedelta(minutes=15)
