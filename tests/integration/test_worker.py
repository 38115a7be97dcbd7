"""Background jobs on a real database."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from ordertrack.api.idempotency import IdempotencyRecord, run_idempotent
from ordertrack.config import Settings
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.worker.jobs import IDEMPOTENCY_KEY_TTL, Job, run_due_jobs, start_in_thread


def store_answer(db: Database, merchant_id: str, key: str) -> None:
    with db.uow() as uow:
        run_idempotent(uow, merchant_id, key, "hash", lambda: (201, {"id": key}))
        uow.commit()


def test_stored_idempotent_answers_expire_after_a_day(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    store_answer(db, tenant.merchant_id, "old")
    store_answer(db, tenant.merchant_id, "fresh")
    with db.uow() as uow:
        old = uow.session.get(IdempotencyRecord, (tenant.merchant_id, "old"))
        old.created_at = utcnow() - IDEMPOTENCY_KEY_TTL - timedelta(minutes=1)
        uow.commit()

    done = run_due_jobs(db, Settings(), {}, utcnow())
    assert done["expire_idempotency_keys"] == 1
    with db.uow(write=False) as uow:
        assert [r.key for r in uow.session.scalars(select(IdempotencyRecord))] == ["fresh"]


def test_a_job_waits_for_its_interval(db: Database) -> None:
    settings = Settings()
    last_run: dict = {}
    now = utcnow()
    assert set(run_due_jobs(db, settings, last_run, now)) == {
        "expire_idempotency_keys",
        "poll_carriers",
        "deliver_notifications",
        "check_shipments",
        "check_inbound_shipments",
        "revise_waiting_promises",
        "remind_suppliers",
        "send_rating_requests",
        "fold_analytics",
        "judge_lanes",
        "send_weekly_digests",
    }
    assert run_due_jobs(db, settings, last_run, now + timedelta(seconds=3)) == {}
    assert set(run_due_jobs(db, settings, last_run, now + timedelta(seconds=10))) == {
        "deliver_notifications",
        "revise_waiting_promises",
        "fold_analytics",
    }
    assert set(run_due_jobs(db, settings, last_run, now + timedelta(seconds=30))) == {
        "deliver_notifications",
        "check_shipments",
        "revise_waiting_promises",
        "fold_analytics",
    }
    assert "poll_carriers" in run_due_jobs(db, settings, last_run, now + timedelta(minutes=1))
    assert "send_rating_requests" in run_due_jobs(db, settings, last_run, now + timedelta(minutes=2))
    assert "judge_lanes" in run_due_jobs(db, settings, last_run, now + timedelta(minutes=5))
    assert "expire_idempotency_keys" in run_due_jobs(db, settings, last_run, now + timedelta(minutes=11))
    assert "remind_suppliers" in run_due_jobs(db, settings, last_run, now + timedelta(minutes=16))
    assert "send_weekly_digests" in run_due_jobs(db, settings, last_run, now + timedelta(minutes=31))


def test_the_embedded_worker_runs_its_jobs_with_the_settings_it_was_given(db: Database) -> None:
    # `serve` hands its own settings to the worker it embeds: the same object, not a second reading
    # of the environment that could disagree with the server's.
    server_settings = Settings(recycle_window_days=7)
    seen: list[Settings] = []
    ran = threading.Event()

    def record(db: Database, settings: Settings, now: datetime) -> int:
        seen.append(settings)
        ran.set()
        return 0

    thread, stop = start_in_thread(
        db, server_settings, tick_seconds=0.01, jobs=(Job("record", timedelta(0), record),)
    )
    try:
        assert ran.wait(timeout=10)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert seen and all(settings is server_settings for settings in seen)
