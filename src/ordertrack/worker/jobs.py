"""Scheduled housekeeping jobs and the loop that runs them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from ordertrack.api.idempotency import IdempotencyRecord
from ordertrack.config import Settings
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.clock import utcnow

log = logging.getLogger("ordertrack.worker")

# A client retrying with the same Idempotency-Key gets the first answer for this long.
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)


def expire_idempotency_keys(uow: UnitOfWork, now: datetime) -> int:
    """Forget stored answers older than the retry horizon."""
    expired = uow.session.scalars(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.created_at < now - IDEMPOTENCY_KEY_TTL)
        .returning(IdempotencyRecord.key)
    ).all()
    return len(expired)


@dataclass(frozen=True)
class Job:
    """A job run every `every`; it gets the process's one `Settings` (the server's, in `serve`)."""

    name: str
    every: timedelta
    run: Callable[[Database, Settings, datetime], int]


def in_one_transaction(
    work: Callable[[UnitOfWork, datetime], int],
) -> Callable[[Database, Settings, datetime], int]:
    """A job that is all database work: one transaction, committed at the end."""

    def run(db: Database, settings: Settings, now: datetime) -> int:
        with db.uow() as uow:
            done = work(uow, now)
            uow.commit()
        return done

    return run


def poll_carriers(db: Database, settings: Settings, now: datetime) -> int:
    """Ask the carriers about due parcels; the calls run outside any transaction."""
    from ordertrack.carriers.environments import CarrierTargets  # noqa: PLC0415
    from ordertrack.carriers.polling import run_polling  # noqa: PLC0415

    window = timedelta(days=settings.recycle_window_days)
    return run_polling(db, now, recycle_window=window, targets=CarrierTargets.from_settings(settings))


def deliver_notifications(db: Database, settings: Settings, now: datetime) -> int:
    """Send what the outbox holds; channels are configured by ORDERTRACK_SMTP_URL and the rest."""
    from ordertrack.notifications.delivery import run_delivery  # noqa: PLC0415

    return run_delivery(db, settings, now)


def check_shipments(db: Database, settings: Settings, now: datetime) -> int:
    """Revise promises and open or close attention items of the shipments due for a check."""
    from ordertrack.attention.rules import Thresholds  # noqa: PLC0415
    from ordertrack.checks.shipment_checks import CHECK_BATCH, run_checks  # noqa: PLC0415

    thresholds = Thresholds(
        lost_domestic=timedelta(days=settings.lost_after_days_domestic),
        lost_international=timedelta(days=settings.lost_after_days_international),
        not_picked_up_business_days=settings.not_picked_up_business_days,
    )
    checked = 0
    started = utcnow()
    while True:  # a backlog is worked through, for at most a minute per run
        report = run_checks(db, max(now, utcnow()), thresholds=thresholds)
        checked += report.checked
        if report.checked < CHECK_BATCH or utcnow() - started > timedelta(minutes=1):
            return checked


def revise_waiting_promises(db: Database, settings: Settings, now: datetime) -> int:
    """Revise the promises of customer orders waiting on inbound that moved (delayed, confirmed,
    received), a few hundred per transaction so ingest never waits; a backlog for a minute at most."""
    from ordertrack.checks.restocking import revise_due_promises  # noqa: PLC0415

    revised = 0
    started = utcnow()
    while True:
        done = revise_due_promises(db, max(now, utcnow()))
        revised += done.orders
        if done.skus == 0 or utcnow() - started > timedelta(minutes=1):
            return revised


def check_inbound_shipments(db: Database, settings: Settings, now: datetime) -> int:
    """Tell staff of suppliers' inbound shipments turning late, stalling or in trouble (once a kind)."""
    from ordertrack.purchasing.inbound_checks import run_inbound_checks  # noqa: PLC0415

    return run_inbound_checks(db, now)


def remind_suppliers(uow: UnitOfWork, now: datetime) -> int:
    """Remind suppliers whose promised ship date passed with nothing shipped (once per date)."""
    from ordertrack.purchasing.supplier_messages import remind_suppliers as remind  # noqa: PLC0415

    return remind(uow, now)


def send_weekly_digests(db: Database, settings: Settings, now: datetime) -> int:
    """Queue the weekly analytics digest to staff who asked, on their merchant's Monday morning."""
    from ordertrack.analytics.digest_sending import send_weekly_digests as send  # noqa: PLC0415

    return send(db, now, public_url=settings.public_url, secret=settings.resolved_secret_key())


def fold_analytics(db: Database, settings: Settings, now: datetime) -> int:
    """Fold the shipments whose facts changed into their analytics cells, 1,000 per transaction so
    ingest never waits long; a backlog for half a minute at most per run."""
    from ordertrack.analytics.store import REFRESH_BATCH, refresh_due  # noqa: PLC0415

    folded = 0
    started = utcnow()
    while True:
        done = refresh_due(db, REFRESH_BATCH)
        folded += done
        if done < REFRESH_BATCH or utcnow() - started > timedelta(seconds=30):
            return folded


def judge_lanes(db: Database, settings: Settings, now: datetime) -> int:
    """Judge today's lanes that got worse of each merchant whose analytics changed, and keep the
    judgement for the API and the dashboard; one merchant per transaction."""
    from ordertrack.analytics.lane_judgements import judge_changed  # noqa: PLC0415

    return judge_changed(db, now)


# The embedded worker shares the server's interpreter (one lock for Python code), so its fold takes
# at most this share of the time: slices of a few shipments, resting between them. A burst of
# ingest leaves shipments queued (at most one row each) that are folded once the burst ends; a
# worker process of its own (`ordertrack worker`) folds flat out (docs/performance.md).
EMBEDDED_FOLD_SHARE = 0.1
EMBEDDED_FOLD_SLICE = 25
EMBEDDED_FOLD_SECONDS = 10.0


def fold_analytics_sharing(db: Database, settings: Settings, now: datetime) -> int:
    """``fold_analytics`` as the embedded worker runs it: ``EMBEDDED_FOLD_SHARE`` of the time at most,
    for ``EMBEDDED_FOLD_SECONDS`` a run (the other jobs wait for it)."""
    from ordertrack.analytics.store import refresh_due  # noqa: PLC0415

    folded = 0
    started = time.monotonic()
    while True:
        begun = time.monotonic()
        done = refresh_due(db, EMBEDDED_FOLD_SLICE)
        folded += done
        if done < EMBEDDED_FOLD_SLICE or time.monotonic() - started > EMBEDDED_FOLD_SECONDS:
            return folded
        spent = time.monotonic() - begun
        time.sleep(spent * (1 - EMBEDDED_FOLD_SHARE) / EMBEDDED_FOLD_SHARE)


def send_rating_requests(uow: UnitOfWork, now: datetime) -> int:
    """Ask shoppers to rate deliveries whose request came due (once per order)."""
    from ordertrack.analytics.ratings import send_due_requests  # noqa: PLC0415

    return send_due_requests(uow, now)


JOBS: tuple[Job, ...] = (
    Job("expire_idempotency_keys", timedelta(minutes=10), in_one_transaction(expire_idempotency_keys)),
    Job("poll_carriers", timedelta(minutes=1), poll_carriers),
    Job("deliver_notifications", timedelta(seconds=5), deliver_notifications),
    Job("check_shipments", timedelta(seconds=30), check_shipments),
    Job("check_inbound_shipments", timedelta(minutes=5), check_inbound_shipments),
    Job("revise_waiting_promises", timedelta(seconds=10), revise_waiting_promises),
    Job("remind_suppliers", timedelta(minutes=15), in_one_transaction(remind_suppliers)),
    Job("send_rating_requests", timedelta(minutes=1), in_one_transaction(send_rating_requests)),
    Job("fold_analytics", timedelta(seconds=5), fold_analytics),
    Job("judge_lanes", timedelta(minutes=5), judge_lanes),
    Job("send_weekly_digests", timedelta(minutes=15), send_weekly_digests),
)


# `ordertrack serve`'s embedded worker: the same jobs, its fold sharing the process's time.
EMBEDDED_JOBS: tuple[Job, ...] = tuple(
    Job(job.name, job.every, fold_analytics_sharing) if job.name == "fold_analytics" else job for job in JOBS
)


def run_due_jobs(
    db: Database,
    settings: Settings,
    last_run: dict[str, datetime],
    now: datetime,
    jobs: Sequence[Job] = JOBS,
) -> dict[str, int]:
    """Run each job whose interval has passed; what each one did, by name."""
    done: dict[str, int] = {}
    for job in jobs:
        previous = last_run.get(job.name)
        if previous is not None and now - previous < job.every:
            continue
        done[job.name] = job.run(db, settings, now)
        last_run[job.name] = now
    return done


def run_forever(
    db: Database,
    settings: Settings,
    stop: threading.Event,
    tick_seconds: float = 5.0,
    jobs: Sequence[Job] = JOBS,
) -> None:
    """Run the jobs until `stop` is set, with the settings the process was started with."""
    last_run: dict[str, datetime] = {}
    while not stop.is_set():
        try:
            for name, count in run_due_jobs(db, settings, last_run, utcnow(), jobs).items():
                if count:
                    log.info("%s: %d rows", name, count)
        except Exception:  # a failed round is logged and retried next tick, never fatal
            log.exception("worker round failed")
        stop.wait(tick_seconds)


def start_in_thread(
    db: Database, settings: Settings, *, tick_seconds: float = 5.0, jobs: Sequence[Job] = EMBEDDED_JOBS
) -> tuple[threading.Thread, threading.Event]:
    """The embedded worker of `ordertrack serve`: the server's own settings, not a second reading."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever,
        args=(db, settings, stop, tick_seconds, jobs),
        name="ordertrack-worker",
        daemon=True,
    )
    thread.start()
    return thread, stop
