"""Polling the carriers that only answer requests (UPS, FedEx, USPS, DHL).

A parcel of a carrier the merchant has an account for gets a ``next_poll_at``; the worker
claims due parcels (on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so several workers
share the work), leases them for a few minutes, calls the carrier *outside* any database
transaction, then stores what came back through the same intake as a push and schedules
the next poll from the parcel's new state (see :mod:`ordertrack.carriers.schedule`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from ordertrack.carriers import accounts, intake
from ordertrack.carriers.environments import CarrierTargets
from ordertrack.carriers.errors import CarrierError
from ordertrack.carriers.http import CarrierHttp, ConnectionSettings
from ordertrack.carriers.model import CarrierAccount
from ordertrack.carriers.registry import connector
from ordertrack.carriers.schedule import next_poll_at
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking.parcels import DueParcel

log = logging.getLogger("ordertrack.polling")

# A claimed parcel is not handed to another worker for this long (a crashed worker's
# parcels come back after it).
LEASE = timedelta(minutes=10)
# After a carrier failure the parcels wait this long before the next try.
RETRY_AFTER_FAILURE = timedelta(minutes=15)
CLAIM_LIMIT = 200


@dataclass
class PollReport:
    parcels: int = 0
    payloads: int = 0
    events: int = 0
    failures: int = 0

    def total(self) -> int:
        return self.events


def claim_due(uow: UnitOfWork, now: datetime, limit: int = CLAIM_LIMIT) -> list[DueParcel]:
    """Due parcels with an enabled account, leased to this worker for ``LEASE``."""
    return tracking_parcels.claim_due_for_poll(
        uow, accounts.enabled_accounts(uow), now, lease_until=now + LEASE, limit=limit
    )


def _connection_settings(row: CarrierAccount, targets: CarrierTargets) -> ConnectionSettings:
    return ConnectionSettings(
        carrier=row.carrier,
        base_url=targets.base_url(row.carrier, row.environment),
        client_id=row.client_id,
        client_secret=row.client_secret,
        api_key=row.api_key,
        account_number=row.account_number,
        requests_per_second=row.requests_per_second,
    )


async def poll_once(
    db: Database,
    now: datetime | None = None,
    *,
    recycle_window: timedelta,
    transport: httpx.AsyncBaseTransport | None = None,
    sessions: dict[ConnectionSettings, CarrierHttp] | None = None,
    targets: CarrierTargets | None = None,
) -> PollReport:
    """One round: claim due parcels, ask their carriers, store the answers, reschedule.

    ``sessions`` keeps one :class:`CarrierHttp` per account across rounds (its OAuth token
    and rate limiter with it); without it each round opens and closes its own. ``targets``:
    the connectors' own API roots and public addresses only, unless the operator said more.
    """
    targets = targets or CarrierTargets()
    now = now or utcnow()
    with db.uow() as uow:
        due = claim_due(uow, now)
        keys = {(p.merchant_id, p.carrier) for p in due}
        configs = {
            key: _connection_settings(row, targets)
            for key in keys
            if (row := accounts.get_account(uow, *key)) is not None
        }
        uow.commit()
    report = PollReport(parcels=len(due))
    groups: dict[tuple[str, str], list[DueParcel]] = defaultdict(list)
    for parcel in due:
        groups[(parcel.merchant_id, parcel.carrier)].append(parcel)
    for (merchant_id, carrier), parcels in sorted(groups.items()):
        module = accounts.client_module(carrier)
        account = configs.get((merchant_id, carrier))
        if module is None or account is None:
            continue
        numbers = sorted({p.tracking_number for p in parcels})
        try:
            if sessions is None:
                async with CarrierHttp(account, transport=transport, outgoing=targets.outgoing) as http:
                    bodies = await module.make_client(http).fetch(numbers)
            else:
                kept = sessions.get(account)
                if kept is None:
                    kept = sessions[account] = CarrierHttp(
                        account, transport=transport, outgoing=targets.outgoing
                    )
                bodies = await module.make_client(kept).fetch(numbers)
        except CarrierError as error:
            log.warning("polling %s for merchant %s failed: %s", carrier, merchant_id, error)
            report.failures += 1
            _retry_later(db, [p.id for p in parcels], now)
            continue
        found = connector(carrier)
        with db.uow() as uow:
            for body in bodies:
                result = intake.receive_payload(
                    uow,
                    merchant_id,
                    found,
                    body,
                    channel="poll",
                    content_type=None,
                    recycle_window=recycle_window,
                    received_at=now,
                )
                report.payloads += 1
                report.events += result.accepted
            _reschedule(uow, [p.id for p in parcels], now)
            uow.commit()
    return report


def _retry_later(db: Database, parcel_ids: list[str], now: datetime) -> None:
    with db.uow() as uow:
        tracking_parcels.poll_parcels_at(uow, parcel_ids, now + RETRY_AFTER_FAILURE)
        uow.commit()


def _reschedule(uow: UnitOfWork, parcel_ids: list[str], now: datetime) -> None:
    tracking_parcels.polled(
        uow,
        {
            p.id: next_poll_at(
                status=p.status,
                last_event_at=p.last_event_at,
                last_polled_at=now,
                created_at=p.created_at,
                now=now,
                key=p.tracking_number,
            )
            for p in tracking_parcels.poll_states(uow, parcel_ids)
        },
        now,
    )


class _Poller:
    """The worker's event loop and carrier sessions, kept between rounds: a carrier's OAuth
    token lives for hours and some quotas are per hour (USPS: 60 calls), so a fresh token
    each round would waste both."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.sessions: dict[ConnectionSettings, CarrierHttp] = {}
        self.lock = threading.Lock()

    def run(
        self, db: Database, now: datetime, recycle_window: timedelta, targets: CarrierTargets | None = None
    ) -> int:
        with self.lock:
            round_ = poll_once(
                db, now, recycle_window=recycle_window, sessions=self.sessions, targets=targets
            )
            return self.loop.run_until_complete(round_).total()


_POLLER: _Poller | None = None


def run_polling(
    db: Database, now: datetime, *, recycle_window: timedelta, targets: CarrierTargets | None = None
) -> int:
    """The worker's entry point: one polling round, its stored event count.

    ``recycle_window`` is the server's (``Settings.recycle_window_days``): a polled answer is
    matched to parcels exactly as a pushed one is."""
    global _POLLER  # noqa: PLW0603 - one poller per process, made on first use
    if _POLLER is None:
        _POLLER = _Poller()
    return _POLLER.run(db, now, recycle_window, targets)
