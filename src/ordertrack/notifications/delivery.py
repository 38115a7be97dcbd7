"""Delivering the outbox: claim due messages, check they are still true, render, send, record.

Claiming takes due rows with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises
writers) and leases them for ``LEASE``, so any number of workers share the queue and a
crashed worker's messages come back when the lease ends. Sending happens outside any
transaction. The result is written afterwards: a crash between the send and that write
delivers the message a second time once the lease ends (the at-least-once window); email
keeps the same Message-ID and webhooks the same ``webhook-id`` so receivers can drop it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from sqlalchemy import or_, select, update

from ordertrack.carriers.registry import connectors
from ordertrack.carriers.tracking_numbers import CARRIER_NAMES
from ordertrack.config import Settings
from ordertrack.customers import service as customers_service
from ordertrack.customers.model import Customer
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.eta import service as eta_service
from ordertrack.eta.model import DeliveryEstimate, EddRevision
from ordertrack.kit.clock import utcnow
from ordertrack.kit.outgoing import OutgoingPolicy
from ordertrack.links import tracking_url, unsubscribe_url
from ordertrack.merchants import service as merchants_service
from ordertrack.notifications import rules, templates
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.channels import email as email_channel
from ordertrack.notifications.channels import sms as sms_channel
from ordertrack.notifications.channels import webhook as webhook_channel
from ordertrack.notifications.channels.errors import DeliveryFailed
from ordertrack.notifications.model import Notification, NotificationTemplate, WebhookEndpoint
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order
from ordertrack.orders.service import OrderNotFound
from ordertrack.shipments import service as shipments_service
from ordertrack.shipments.model import Shipment
from ordertrack.tracking import service as tracking_service
from ordertrack.tracking.schemas import EventOut

log = logging.getLogger("ordertrack.notifications")

LEASE = timedelta(minutes=5)
# A channel nobody configured is not a failure of the message: it waits, uncounted.
UNCONFIGURED_WAIT = timedelta(minutes=10)
CLAIM_LIMIT = 50
# Sends in flight at once per worker (to different recipients).
SEND_CONCURRENCY = 8
# How long one run of the worker job keeps draining a backlog before other jobs get a turn.
ROUNDS_BUDGET = timedelta(seconds=30)


@dataclass
class Channels:
    """How to reach the outside world; a channel left None is switched off."""

    smtp: email_channel.SmtpConfig | None
    sms: sms_channel.SmsConfig | None
    public_url: str
    secret: str
    transport: httpx.AsyncBaseTransport | None = None
    # Where merchant webhooks may go (public https unless the operator said more); with no
    # test transport, webhooks connect through its guarded transport (DNS rebinding).
    outgoing: OutgoingPolicy = field(default_factory=OutgoingPolicy)

    @classmethod
    def from_settings(cls, settings: Settings) -> Channels:
        smtp = (
            email_channel.SmtpConfig.from_url(settings.smtp_url.get_secret_value(), settings.mail_from)
            if settings.smtp_url
            else None
        )
        sms = None
        if settings.sms_url and settings.sms_account and settings.sms_token and settings.sms_from:
            sms = sms_channel.SmsConfig(
                base_url=settings.sms_url,
                account=settings.sms_account,
                token=settings.sms_token.get_secret_value(),
                from_number=settings.sms_from,
            )
        return cls(
            smtp=smtp,
            sms=sms,
            public_url=settings.public_url,
            secret=settings.resolved_secret_key(),
            outgoing=webhook_channel.endpoint_policy(settings),
        )


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    suppressed: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)

    def total(self) -> int:
        return self.sent


def claim_due(
    uow: UnitOfWork, now: datetime, limit: int = CLAIM_LIMIT, lease: timedelta = LEASE
) -> list[str]:
    ids = list(
        uow.session.scalars(
            select(Notification.id)
            .where(
                Notification.state == "pending",
                Notification.next_attempt_at <= now,
                or_(Notification.leased_until.is_(None), Notification.leased_until < now),
            )
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        uow.session.execute(
            update(Notification).where(Notification.id.in_(ids)).values(leased_until=now + lease)
        )
    return ids


@dataclass(frozen=True)
class Prepared:
    """A claimed message, with what it will say and where it goes (read in one transaction)."""

    id: str
    merchant_id: str
    channel: str
    recipient: str
    trigger: str
    stale: bool
    context: templates.MessageContext | None
    source: templates.TemplateSource | None
    webhook: tuple[str, str] | None  # (url, secret)
    zones: tuple[str, ...]  # where an SMS recipient may live, for quiet hours
    error: str | None = None  # it cannot be written at all (gives up at once)


async def deliver_due(
    db: Database,
    channels: Channels,
    now: datetime | None = None,
    *,
    rng: random.Random | None = None,
    lease: timedelta = LEASE,
    limit: int = CLAIM_LIMIT,
) -> DeliveryReport:
    """One round: claim, then deliver each claimed message and record the outcome."""
    now = now or utcnow()
    with db.uow() as uow:
        ids = claim_due(uow, now, limit, lease)
        uow.commit()
    report = DeliveryReport(claimed=len(ids))
    if not ids:
        return report
    with db.uow(write=False) as uow:
        batch = _prepare_batch(uow, ids, channels)
    # Different recipients are served side by side; one recipient's messages go in claim
    # order, so nobody reads "delivered" before "shipped".
    queues: dict[tuple[str, str], list[Prepared]] = {}
    for prepared in batch:
        queues.setdefault((prepared.channel, prepared.recipient), []).append(prepared)
    gate = asyncio.Semaphore(SEND_CONCURRENCY)

    async def deliver_queue(
        client: httpx.AsyncClient, hooks: httpx.AsyncClient, queue: list[Prepared]
    ) -> None:
        for prepared in queue:
            async with gate:
                outcome = await _send(prepared, channels, client, now, hooks)
            with db.uow() as uow:
                _record(uow, prepared.id, outcome, now, rng, report)
                uow.commit()

    hooks_transport = channels.transport or channels.outgoing.transport()
    async with (
        httpx.AsyncClient(transport=channels.transport, timeout=15) as client,
        httpx.AsyncClient(transport=hooks_transport, timeout=15) as hooks,
    ):
        await asyncio.gather(*(deliver_queue(client, hooks, queue) for queue in queues.values()))
    return report


@dataclass(frozen=True)
class Outcome:
    state: str  # sent | suppressed | retry | dead | deferred
    provider_id: str | None = None
    error: str | None = None
    not_before: datetime | None = None


@dataclass
class _Facts:
    """What the messages of one merchant in a claimed batch need, read together."""

    brand: merchants_service.Branding
    orders: dict[str, Order]
    customers: dict[str, Customer]
    shipments: dict[str, list[Shipment]]  # by order id
    timelines: dict[str, list[EventOut]]  # by parcel id
    estimates: dict[str, list[DeliveryEstimate]]  # by parcel id
    revisions: dict[str, list[EddRevision]]  # our promise's revisions, by shipment id, oldest first
    templates: dict[tuple[str, str, str], NotificationTemplate]  # (trigger, channel, locale)
    endpoints: dict[str, WebhookEndpoint]

    @classmethod
    def read(cls, uow: UnitOfWork, merchant_id: str, rows: list[Notification]) -> _Facts:
        orders = orders_service.orders_by_id(uow, merchant_id, [r.order_id for r in rows if r.order_id])
        customers = customers_service.get_customers(
            uow, merchant_id, {o.customer_id for o in orders.values() if o.customer_id}
        )
        shipments = shipments_service.shipments_for_orders(uow, merchant_id, sorted(orders))
        parcel_ids = [p.id for found in shipments.values() for s in found for p in s.parcels]
        own = uow.session.scalars(
            select(NotificationTemplate).where(NotificationTemplate.merchant_id == merchant_id)
        )
        hooks = [r.recipient for r in rows if r.channel == "webhook"]
        endpoints: Iterable[WebhookEndpoint] = (
            uow.session.scalars(
                select(WebhookEndpoint).where(
                    WebhookEndpoint.merchant_id == merchant_id, WebhookEndpoint.id.in_(hooks)
                )
            )
            if hooks
            else []
        )
        return cls(
            brand=merchants_service.branding(uow, merchant_id),
            orders=orders,
            customers=customers,
            shipments=shipments,
            timelines=tracking_service.timelines_of_parcels(uow, merchant_id, parcel_ids),
            estimates=eta_service.estimates_for_parcels(uow, merchant_id, parcel_ids),
            revisions=_revisions(uow, merchant_id, sorted(orders)),
            templates={(t.trigger, t.channel, t.locale): t for t in own},
            endpoints={e.id: e for e in endpoints},
        )

    def shipment_status(self, row: Notification) -> str | None:
        for shipment in self.shipments.get(row.order_id or "", []):
            if shipment.id == row.shipment_id:
                return str(shipment.status)
        return None


def _revisions(uow: UnitOfWork, merchant_id: str, order_ids: list[str]) -> dict[str, list[EddRevision]]:
    found: dict[str, list[EddRevision]] = {}
    if not order_ids:
        return found
    for revision in uow.session.scalars(
        select(EddRevision)
        .where(
            EddRevision.merchant_id == merchant_id,
            EddRevision.order_id.in_(order_ids),
            EddRevision.shipment_id.is_not(None),
        )
        .order_by(EddRevision.recorded_at, EddRevision.id)
    ):
        found.setdefault(revision.shipment_id or "", []).append(revision)
    return found


def _prepare_batch(uow: UnitOfWork, ids: list[str], channels: Channels) -> list[Prepared]:
    """Every claimed message that is still pending, with what it will say, in claim order."""
    rows = [
        row
        for row in uow.session.scalars(select(Notification).where(Notification.id.in_(ids)))
        if row.state == "pending"
    ]
    by_merchant: dict[str, list[Notification]] = {}
    for row in rows:
        by_merchant.setdefault(row.merchant_id, []).append(row)
    facts = {merchant: _Facts.read(uow, merchant, group) for merchant, group in by_merchant.items()}
    order = {notification_id: i for i, notification_id in enumerate(ids)}
    return [
        _prepare(row, facts[row.merchant_id], channels) for row in sorted(rows, key=lambda r: order[r.id])
    ]


def _prepare(row: Notification, facts: _Facts, channels: Channels) -> Prepared:
    unchanged = (row.id, row.merchant_id, row.channel, row.recipient, row.trigger)
    if rules.is_stale(row.trigger, facts.shipment_status(row)):
        return Prepared(*unchanged, True, None, None, None, ())
    try:
        context, timezone = _context(row, facts, channels)
    except OrderNotFound as missing:
        return Prepared(*unchanged, False, None, None, None, (), error=str(missing))
    source = None
    webhook = None
    zones: tuple[str, ...] = ()
    if row.channel == "sms":
        zones = (
            (timezone,) if timezone else sms_channel.recipient_zones(row.recipient, context.delivery_country)
        )
    if row.channel == "webhook":
        endpoint = facts.endpoints.get(row.recipient)
        webhook = (endpoint.url, endpoint.secret) if endpoint is not None and endpoint.enabled else None
    else:
        custom = facts.templates.get((row.trigger, row.channel, context.locale))
        if custom is not None:
            source = templates.TemplateSource(custom.subject, custom.text, custom.html)
    return Prepared(*unchanged, False, context, source, webhook, zones)


def message_context(
    uow: UnitOfWork, row: Notification, channels: Channels
) -> tuple[templates.MessageContext, str | None]:
    """What one message would say now (previews); the shopper's time zone when known."""
    return _context(row, _Facts.read(uow, row.merchant_id, [row]), channels)


def _context(
    row: Notification, facts: _Facts, channels: Channels
) -> tuple[templates.MessageContext, str | None]:
    brand = facts.brand
    if row.trigger == "low_stock":
        return _stock_context(row, channels, brand), None
    order = facts.orders.get(row.order_id or "")
    if order is None:
        raise OrderNotFound(f"no order {row.order_id!r}")
    customer = facts.customers.get(order.customer_id) if order.customer_id else None
    shipments = facts.shipments.get(order.id, [])
    if row.shipment_id:
        shipments = [s for s in shipments if s.id == row.shipment_id]
    names = {line.id: line.name or line.sku for line in order.lines}
    known = connectors()
    parcels = []
    for shipment in shipments:
        items = tuple((names.get(line.order_line_id, line.sku), line.quantity) for line in shipment.lines)
        for parcel in shipment.parcels:
            found = known.get(parcel.carrier)
            parcels.append(
                templates.ShipmentFacts(
                    carrier_name=CARRIER_NAMES.get(parcel.carrier, parcel.carrier.upper()),
                    tracking_number=parcel.tracking_number,
                    carrier_url=found.page_for(parcel.tracking_number) if found else None,
                    items=items,
                )
            )
    event = None
    parcel_ids = [p.id for s in shipments for p in s.parcels]
    newest = max(
        (e for pid in parcel_ids for e in facts.timelines.get(pid, [])),
        key=lambda e: e.occurred_at,
        default=None,
    )
    if newest is not None:
        place = (
            ", ".join(p for p in (newest.location.city, newest.location.country) if p)
            if newest.location
            else None
        )
        event = templates.EventFacts(
            status=str(newest.status),
            reason=newest.reason,
            description=newest.description,
            place=place or None,
            local_time=newest.occurred_at,
            timezone=newest.timezone if "/" in (newest.timezone or "") else None,
        )
    current, previous = _promise(row, order, shipments, facts)
    if current is None:
        current, previous = _estimates([facts.estimates.get(pid, []) for pid in parcel_ids])
    staff = row.trigger in rules.STAFF_TRIGGERS
    link = (
        f"{channels.public_url.rstrip('/')}/dashboard/orders/{quote(order.number, safe='')}"
        if staff
        else tracking_url(channels.public_url, channels.secret, order.id)
    )
    context = templates.MessageContext(
        trigger=templates.Trigger(row.trigger),
        locale=templates.supported_locale(row.locale),
        store_name=brand.display_name,
        brand_colour=brand.primary_colour,
        order_number=order.number,
        shopper_name=customer.name if customer else None,
        tracking_url=link,
        unsubscribe_url=_unsubscribe(row, channels),
        shipments=tuple(parcels),
        event=event,
        estimated_delivery=current,
        previous_estimate=previous,
        delivery_locality=order.ship_city,
        delivery_country=order.ship_country,
        alert=str(row.facts["alert"]) if staff and row.facts and row.facts.get("alert") else None,
    )
    return context, customer.timezone if customer else None


def _unsubscribe(row: Notification, channels: Channels) -> str:
    """Shoppers stop a channel; staff stop alert emails (their own "channel"), never shopper mail."""
    channel = notifications_service.STAFF_CHANNEL if row.trigger in rules.STAFF_TRIGGERS else row.channel
    return unsubscribe_url(channels.public_url, channels.secret, row.merchant_id, channel, row.recipient)


def _stock_context(
    row: Notification, channels: Channels, brand: merchants_service.Branding
) -> templates.MessageContext:
    """A low-stock alert tells the numbers it was raised with; it belongs to no order."""
    facts = row.facts or {}
    sku, warehouse = str(facts.get("sku", "")), str(facts.get("warehouse", ""))
    query = urlencode({"sku": sku, "warehouse": warehouse})
    return templates.MessageContext(
        trigger=templates.Trigger.low_stock,
        locale=templates.supported_locale(row.locale),
        store_name=brand.display_name,
        brand_colour=brand.primary_colour,
        order_number="",
        shopper_name=None,
        tracking_url=f"{channels.public_url.rstrip('/')}/dashboard/inventory?{query}",
        unsubscribe_url=_unsubscribe(row, channels),
        shipments=(),
        event=None,
        estimated_delivery=None,
        previous_estimate=None,
        sku=sku,
        warehouse=warehouse,
        available=int(facts.get("available", 0)),
    )


def _promise(
    row: Notification, order: Order, shipments: list[Shipment], facts: _Facts
) -> tuple[tuple[date, date] | None, tuple[date, date] | None]:
    """Our promise (the EDD engine's) for the shipment the message is about, else the order's,
    and the different window told before it."""
    subject = shipments[0] if row.shipment_id and shipments else None
    if subject is not None and subject.edd_earliest is not None and subject.edd_latest is not None:
        current = (subject.edd_earliest, subject.edd_latest)
        earlier = [(r.earliest, r.latest) for r in facts.revisions.get(subject.id, [])]
        previous = next((w for w in reversed(earlier) if w != current), None)
        return current, previous
    if order.edd_earliest is not None and order.edd_latest is not None:
        return (order.edd_earliest, order.edd_latest), None
    return None, None


def _estimates(
    revisions: list[list[DeliveryEstimate]],
) -> tuple[tuple[date, date] | None, tuple[date, date] | None]:
    """The promise the message tells (the last parcel's newest estimate) and the one before it."""
    known = [rows for rows in revisions if rows]
    if not known:
        return None, None
    rows = max(known, key=lambda r: (r[-1].latest, r[-1].earliest))
    current = (rows[-1].earliest, rows[-1].latest)
    previous = (rows[-2].earliest, rows[-2].latest) if len(rows) > 1 else None
    return current, previous


async def _send(
    prepared: Prepared, channels: Channels, client: httpx.AsyncClient, now: datetime, hooks: httpx.AsyncClient
) -> Outcome:
    if prepared.stale:
        return Outcome("suppressed", error="no longer true when its turn came")
    if prepared.error:
        return Outcome("dead", error=prepared.error)
    context = prepared.context
    assert context is not None
    try:
        if prepared.channel == "email":
            if channels.smtp is None:
                return Outcome(
                    "deferred",
                    error="email is not configured (ORDERTRACK_SMTP_URL)",
                    not_before=now + UNCONFIGURED_WAIT,
                )
            rendered = templates.render(context, templates.Channel.email, prepared.source)
            message_id = await email_channel.send_email(
                channels.smtp,
                prepared.recipient,
                email_channel.RenderedEmail(
                    subject=rendered.subject or context.store_name,
                    text=rendered.text,
                    html=rendered.html or "",
                    unsubscribe_url=context.unsubscribe_url,
                ),
                message_id=prepared.id,
                sender_name=context.store_name,
            )
            return Outcome("sent", provider_id=message_id)
        if prepared.channel == "sms":
            if channels.sms is None:
                return Outcome(
                    "deferred",
                    error="SMS is not configured (ORDERTRACK_SMS_URL)",
                    not_before=now + UNCONFIGURED_WAIT,
                )
            release = sms_channel.quiet_hours_release_everywhere(now, prepared.zones)
            if release is not None:
                return Outcome("deferred", not_before=release)
            rendered = templates.render(context, templates.Channel.sms, prepared.source)
            sid = await sms_channel.send_sms(
                channels.sms,
                prepared.recipient,
                sms_channel.fit_sms(rendered.text),
                client=client,
                idempotency_key=prepared.id,
            )
            return Outcome("sent", provider_id=sid)
        if prepared.channel == "webhook":
            if prepared.webhook is None:
                return Outcome("suppressed", error="the endpoint was removed or switched off")
            url, secret = prepared.webhook
            payload = templates.webhook_payload(context, rules.WEBHOOK_EVENTS[prepared.trigger])
            status = await webhook_channel.send_webhook(
                url,
                secret,
                message_id=prepared.id,
                timestamp=now,
                payload=payload,
                client=hooks,
                policy=channels.outgoing,
            )
            return Outcome("sent", provider_id=str(status))
    except DeliveryFailed as failure:
        state = "retry" if failure.transient else "dead"
        not_before = now + timedelta(seconds=failure.retry_after) if failure.retry_after else None
        return Outcome(state, error=str(failure), not_before=not_before)
    except (templates.TemplateError, ValueError) as failure:
        return Outcome("dead", error=f"{type(failure).__name__}: {failure}")
    return Outcome("dead", error=f"unknown channel {prepared.channel!r}")


def _record(
    uow: UnitOfWork,
    notification_id: str,
    outcome: Outcome,
    now: datetime,
    rng: random.Random | None,
    report: DeliveryReport,
) -> None:
    row = uow.session.get(Notification, notification_id)
    if row is None:
        return
    row.leased_until = None
    if outcome.state == "sent":
        row.state, row.sent_at, row.provider_id, row.last_error = "sent", utcnow(), outcome.provider_id, None
        row.attempts += 1
        report.sent += 1
    elif outcome.state == "suppressed":
        row.state, row.last_error = "suppressed", outcome.error
        report.suppressed += 1
    elif outcome.state == "deferred":
        row.next_attempt_at = outcome.not_before or now
        row.last_error = outcome.error
        report.deferred += 1
    else:
        row.attempts += 1
        row.last_error = outcome.error
        if outcome.state == "dead" or row.attempts >= rules.MAX_ATTEMPTS:
            row.state = "dead"
            report.dead += 1
        else:
            delay = rules.retry_delay(row.attempts, rng)
            row.next_attempt_at = max(now + delay, outcome.not_before or now)
            report.retried += 1
        report.errors.append(f"{row.id}: {outcome.error}")


def replay_dead(uow: UnitOfWork, merchant_id: str, notification_id: str) -> Notification:
    """Put a dead message back in the queue (after the merchant fixed the cause)."""
    row = uow.session.scalars(
        select(Notification).where(
            Notification.merchant_id == merchant_id, Notification.id == notification_id
        )
    ).first()
    if row is None:
        raise notifications_service.NotificationNotFound(f"no notification {notification_id!r}")
    if row.state == "dead":
        row.state, row.attempts, row.next_attempt_at, row.leased_until = "pending", 0, utcnow(), None
    return row


class _Deliverer:
    """The worker's event loop, kept between rounds (like carrier polling)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run(self, db: Database, channels: Channels, now: datetime) -> int:
        """Rounds while they come back full (a backlog), for at most ``ROUNDS_BUDGET``."""
        sent = 0
        started = time.monotonic()
        while True:
            report = self.loop.run_until_complete(deliver_due(db, channels, max(now, utcnow())))
            sent += report.total()
            if report.claimed < CLAIM_LIMIT or time.monotonic() - started > ROUNDS_BUDGET.total_seconds():
                return sent


_DELIVERER: _Deliverer | None = None


def run_delivery(db: Database, settings: Settings, now: datetime) -> int:
    """The worker's entry point: one round of delivery, how many messages went out."""
    global _DELIVERER  # noqa: PLW0603 - one per process, made on first use
    if _DELIVERER is None:
        _DELIVERER = _Deliverer()
    return _DELIVERER.run(db, Channels.from_settings(settings), now)


__all__: list[Any] = ["Channels", "DeliveryReport", "deliver_due", "replay_dead", "run_delivery"]
