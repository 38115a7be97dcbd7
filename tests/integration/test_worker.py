"""Background jobs on a real database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ordertrack.api.idempotency import IdempotencyRecord, run_idempotent
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.worker.jobs import IDEMPOTENCY_KEY_TTL, run_due_jobs


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

    done = run_due_jobs(db, {}, utcnow())
    assert done["expire_idempotency_keys"] == 1
    with db.uow(write=False) as uow:
        assert [r.key for r in uow.session.scalars(select(IdempotencyRecord))] == ["fresh"]


def test_a_job_waits_for_its_interval(db: Database) -> None:
    last_run: dict = {}
    now = utcnow()
    assert set(run_due_jobs(db, last_run, now)) == {
        "expire_idempotency_keys",
        "poll_carriers",
        "deliver_notifications",
        "check_shipments",
    }
    assert run_due_jobs(db, last_run, now + timedelta(seconds=3)) == {}
    assert set(run_due_jobs(db, last_run, now + timedelta(seconds=10))) == {"deliver_notifications"}
    assert set(run_due_jobs(db, last_run, now + timedelta(seconds=30))) == {
        "deliver_notifications",
        "check_shipments",
    }
    assert "poll_carriers" in run_due_jobs(db, last_run, now + timedelta(minutes=1))
    assert "expire_idempotency_keys" in run_due_jobs(db, last_run, now + timedelta(minutes=11))
