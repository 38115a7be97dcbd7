"""Delivering the outbox: claim due messages, check they are still true, render, send, record.

Claiming takes due rows with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises
writers) and leases them for ``LEASE``, so any number of workers share the queue and a
crashed worker's messages come back when the lease ends. Sending happens outside any
transaction. The result is written afterwards: a crash between the send and that write
delivers the message a second time once the lease ends (the at-least-once window); email
keeps the same Message-ID and webhooks the same ``webhook-id`` so receivers can drop it.

What a message says is read in :mod:`~ordertrack.notifications.composing`; the send itself is
:mod:`~ordertrack.notifications.sending`; this module runs the rounds and records the outcomes.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from ordertrack.config import Settings
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.notifications import composing, repository, rules
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.message import MessageContext
from ordertrack.notifications.model import Notification
from ordertrack.notifications.sending import Channels, Outcome, PreparedMessage, send

log = logging.getLogger("ordertrack.notifications")

LEASE = timedelta(minutes=5)
CLAIM_LIMIT = 50
# Sends in flight at once per worker (to different recipients).
SEND_CONCURRENCY = 8
# How long one run of the worker job keeps draining a backlog before other jobs get a turn.
ROUNDS_BUDGET = timedelta(seconds=30)


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
        ids = repository.claim_due(uow, now, limit, lease)
        uow.commit()
    report = DeliveryReport(claimed=len(ids))
    if not ids:
        return report
    with db.uow(write=False) as uow:
        batch = composing.prepare_batch(uow, ids, channels)
    # Different recipients are served side by side; one recipient's messages go in claim
    # order, so nobody reads "delivered" before "shipped".
    queues: dict[tuple[str, str], list[PreparedMessage]] = {}
    for prepared in batch:
        queues.setdefault((prepared.channel, prepared.recipient), []).append(prepared)
    gate = asyncio.Semaphore(SEND_CONCURRENCY)

    async def deliver_queue(
        client: httpx.AsyncClient, hooks: httpx.AsyncClient, queue: list[PreparedMessage]
    ) -> None:
        for prepared in queue:
            async with gate:
                outcome = await send(prepared, channels, client, now, hooks)
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


def message_context(
    uow: UnitOfWork, row: Notification, channels: Channels
) -> tuple[MessageContext, str | None]:
    """What one message would say now (previews); the shopper's time zone when known."""
    return composing.context_of(row, composing.Facts.read(uow, row.merchant_id, [row]), channels)


def _record(
    uow: UnitOfWork,
    notification_id: str,
    outcome: Outcome,
    now: datetime,
    rng: random.Random | None,
    report: DeliveryReport,
) -> None:
    row = repository.notification(uow, notification_id)
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
    row = repository.merchant_notification(uow, merchant_id, notification_id)
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
