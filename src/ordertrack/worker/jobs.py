"""Scheduled housekeeping jobs and the loop that runs them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from ordertrack.api.idempotency import IdempotencyRecord
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
    name: str
    every: timedelta
    run: Callable[[UnitOfWork, datetime], int]


JOBS: tuple[Job, ...] = (Job("expire_idempotency_keys", timedelta(minutes=10), expire_idempotency_keys),)


# Jobs that call out of the process (carriers) manage their own short transactions.
POLL_CARRIERS_EVERY = timedelta(minutes=1)


def run_due_jobs(db: Database, last_run: dict[str, datetime], now: datetime) -> dict[str, int]:
    """Run each job whose interval has passed; what each one did, by name."""
    done: dict[str, int] = {}
    previous = last_run.get("poll_carriers")
    if previous is None or now - previous >= POLL_CARRIERS_EVERY:
        from ordertrack.carriers.polling import run_polling  # noqa: PLC0415

        done["poll_carriers"] = run_polling(db, now)
        last_run["poll_carriers"] = now
    for job in JOBS:
        previous = last_run.get(job.name)
        if previous is not None and now - previous < job.every:
            continue
        with db.uow() as uow:
            done[job.name] = job.run(uow, now)
            uow.commit()
        last_run[job.name] = now
    return done


def run_forever(db: Database, stop: threading.Event, tick_seconds: float = 5.0) -> None:
    last_run: dict[str, datetime] = {}
    while not stop.is_set():
        try:
            for name, count in run_due_jobs(db, last_run, utcnow()).items():
                if count:
                    log.info("%s: %d rows", name, count)
        except Exception:  # a failed round is logged and retried next tick, never fatal
            log.exception("worker round failed")
        stop.wait(tick_seconds)


def start_in_thread(db: Database) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(db, stop), name="ordertrack-worker", daemon=True)
    thread.start()
    return thread, stop
