"""Polling the carriers that only answer requests (UPS, FedEx, USPS, DHL).

A parcel of a carrier the merchant has an account for gets a ``next_poll_at``; the worker
claims due parcels (on PostgreSQL with ``FOR UPDATE SKIP LOCKED``, so several workers
share the work), leases them for a few minutes, calls the carrier *outside* any database
transaction, then stores what came back through the same intake as a push and schedules
the next poll from the parcel's new state (see :mod:`ordertrack.carriers.schedule`).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import httpx
from sqlalchemy import select, update

from ordertrack.carriers import intake
from ordertrack.carriers.environments import CarrierTargets
from ordertrack.carriers.http import CarrierAccount as AccountConfig
from ordertrack.carriers.http import CarrierError, CarrierHttp
from ordertrack.carriers.model import CarrierAccount
from ordertrack.carriers.registry import connector
from ordertrack.carriers.schedule import next_poll_at
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Unprocessable
from ordertrack.tracking.model import Parcel

log = logging.getLogger("ordertrack.polling")

FINISHED = ("delivered", "returned")
# A claimed parcel is not handed to another worker for this long (a crashed worker's
# parcels come back after it).
LEASE = timedelta(minutes=10)
# After a carrier failure the parcels wait this long before the next try.
RETRY_AFTER_FAILURE = timedelta(minutes=15)
CLAIM_LIMIT = 200


class NotPollable(Unprocessable):
    code = "carrier_not_pollable"


def client_module(carrier: str) -> ModuleType | None:
    """The carrier folder's ``client.py``, when the carrier can be polled."""
    try:
        return importlib.import_module(f"ordertrack.carriers.{carrier}.client")
    except ModuleNotFoundError:
        return None


def save_account(uow: UnitOfWork, merchant_id: str, carrier: str, fields: dict[str, Any]) -> CarrierAccount:
    """Create or replace the merchant's polling account for a carrier; open parcels start polling."""
    connector(carrier)  # UnknownCarrier (404) for a slug no folder claims
    if client_module(carrier) is None:
        raise NotPollable(f"{carrier} pushes its updates; it has no tracking API to poll")
    now = utcnow()
    row = uow.session.get(CarrierAccount, (merchant_id, carrier))
    if row is None:
        row = CarrierAccount(merchant_id=merchant_id, carrier=carrier, created_at=now)
        uow.session.add(row)
    for key, value in fields.items():
        setattr(row, key, value)
    row.updated_at = now
    uow.flush()
    if row.enabled:
        uow.session.execute(
            update(Parcel)
            .where(
                Parcel.merchant_id == merchant_id,
                Parcel.carrier == carrier,
                Parcel.status.not_in(FINISHED),
                Parcel.next_poll_at.is_(None),
            )
            .values(next_poll_at=now)
        )
    return row


def get_account(uow: UnitOfWork, merchant_id: str, carrier: str) -> CarrierAccount | None:
    return uow.session.get(CarrierAccount, (merchant_id, carrier))


def start_polling(uow: UnitOfWork, merchant_id: str, carrier: str, parcel_ids: list[str]) -> None:
    """New parcels of a carrier the merchant polls are due at once."""
    account = uow.session.get(CarrierAccount, (merchant_id, carrier))
    if account is None or not account.enabled or not parcel_ids:
        return
    uow.session.execute(
        update(Parcel)
        .where(Parcel.merchant_id == merchant_id, Parcel.id.in_(parcel_ids))
        .values(next_poll_at=utcnow())
    )


@dataclass(frozen=True)
class DueParcel:
    id: str
    merchant_id: str
    carrier: str
    tracking_number: str


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
    rows = uow.session.execute(
        select(Parcel.id, Parcel.merchant_id, Parcel.carrier, Parcel.tracking_number)
        .join(
            CarrierAccount,
            (CarrierAccount.merchant_id == Parcel.merchant_id) & (CarrierAccount.carrier == Parcel.carrier),
        )
        .where(Parcel.next_poll_at <= now, CarrierAccount.enabled.is_(True))
        .order_by(Parcel.next_poll_at, Parcel.id)
        .limit(limit)
        .with_for_update(of=Parcel, skip_locked=True)
    ).all()
    due = [DueParcel(*row) for row in rows]
    if due:
        uow.session.execute(
            update(Parcel).where(Parcel.id.in_([p.id for p in due])).values(next_poll_at=now + LEASE)
        )
    return due


def _account_config(row: CarrierAccount, targets: CarrierTargets) -> AccountConfig:
    return AccountConfig(
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
    sessions: dict[AccountConfig, CarrierHttp] | None = None,
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
        accounts = {
            key: _account_config(row, targets) for key in keys if (row := get_account(uow, *key)) is not None
        }
        uow.commit()
    report = PollReport(parcels=len(due))
    groups: dict[tuple[str, str], list[DueParcel]] = defaultdict(list)
    for parcel in due:
        groups[(parcel.merchant_id, parcel.carrier)].append(parcel)
    for (merchant_id, carrier), parcels in sorted(groups.items()):
        module = client_module(carrier)
        account = accounts.get((merchant_id, carrier))
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
        uow.session.execute(
            update(Parcel).where(Parcel.id.in_(parcel_ids)).values(next_poll_at=now + RETRY_AFTER_FAILURE)
        )
        uow.commit()


def _reschedule(uow: UnitOfWork, parcel_ids: list[str], now: datetime) -> None:
    rows = uow.session.execute(
        select(
            Parcel.id, Parcel.status, Parcel.last_event_at, Parcel.created_at, Parcel.tracking_number
        ).where(Parcel.id.in_(parcel_ids))
    ).all()
    for parcel_id, status, last_event_at, created_at, number in rows:
        uow.session.execute(
            update(Parcel)
            .where(Parcel.id == parcel_id)
            .values(
                last_polled_at=now,
                next_poll_at=next_poll_at(
                    status=status,
                    last_event_at=last_event_at,
                    last_polled_at=now,
                    created_at=created_at,
                    now=now,
                    key=number,
                ),
            )
        )


class _Poller:
    """The worker's event loop and carrier sessions, kept between rounds: a carrier's OAuth
    token lives for hours and some quotas are per hour (USPS: 60 calls), so a fresh token
    each round would waste both."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.sessions: dict[AccountConfig, CarrierHttp] = {}
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
