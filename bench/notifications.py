"""Notification delivery: messages/s that 1 and 2 worker processes deliver from the outbox
on PostgreSQL to a local SMTP relay and webhook receiver, against a bare sender doing only
the channel work with the same number of sends in flight (``notify_worker.py bare``),
measured in the same run.

Seeding goes through the services: an order and a shipment per parcel, for a merchant with
one webhook endpoint, so each shipment writes two "shipped" messages (the shopper's email
and the signed webhook), exactly as in production. Every pending message is then parked
(due in 2100); a phase releases its own messages, starts its workers, and ends when they
find nothing more to do. The rate is messages over the span from the first message sent to
the last (``sent_at``), so process start-up is not counted; the sinks' counts are checked
against the messages released, and a repeat (the same Message-ID or webhook-id twice) is an
error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ordertrack.bootstrap import open_database
from ordertrack.db.uow import Database
from ordertrack.kit.outgoing import OutgoingPolicy, parse_networks
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.channels.webhook import new_webhook_secret

from benchdb import Tenant, seed_parcels
from cpu import cpu_use
from plan import Plan
from servers import free_port

BENCH_DIR = Path(__file__).resolve().parent
WORKER_COUNTS = (1, 2)
PARKED = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Pools:
    phases: dict[int, list[str]]  # workers -> the notification ids that phase delivers
    endpoint_id: str


def prepare(db: Database, tenant: Tenant, plan: Plan) -> Pools:
    with db.uow() as uow:
        endpoint = notifications_service.add_endpoint(
            uow,
            tenant.merchant_id,
            "http://127.0.0.1:9/hooks",
            [],
            new_webhook_secret(),
            outgoing=OutgoingPolicy(allowed_networks=parse_networks("127.0.0.0/8"), allow_http=True),
        )
        uow.commit()
    per_phase = plan.notify_messages // 2  # two messages per shipment
    numbers = [f"NTF{workers}X{i:07d}" for workers in WORKER_COUNTS for i in range(per_phase)]
    seed_parcels(db, tenant, numbers)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE notifications SET next_attempt_at = :parked WHERE state = 'pending'"),
            {"parked": PARKED},
        )
        rows = conn.execute(
            text(
                "SELECT n.id, p.tracking_number FROM notifications n"
                " JOIN parcels p ON p.shipment_id = n.shipment_id"
                " WHERE n.merchant_id = :merchant AND p.tracking_number LIKE 'NTF%'"
            ),
            {"merchant": tenant.merchant_id},
        ).all()
    phases: dict[int, list[str]] = {workers: [] for workers in WORKER_COUNTS}
    for notification_id, number in rows:
        phases[int(number[3])].append(notification_id)
    return Pools(phases, endpoint.id)


def _sinks_get(port: int, path: str, method: str = "GET") -> Any:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - 127.0.0.1 only
        body = answer.read()
    return json.loads(body) if body else None


def _start_sinks() -> tuple[subprocess.Popen[bytes], int, int]:
    smtp_port, http_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / "notify_sinks.py"), str(smtp_port), str(http_port)],
        stdout=sys.stderr,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            _sinks_get(http_port, "/counts")
            return process, smtp_port, http_port
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the notification sinks did not start") from None
            time.sleep(0.1)


def _cores(cpu: Any) -> dict[str, float]:
    """The phase's CPU use, named for this scenario: the measured pid is the sinks process."""
    cores = cpu.as_dict()
    return {
        "sinks": cores["server"],
        "postgresql": cores["postgresql"],
        "workers_and_other": cores["other"],
        "idle": cores["idle"],
    }


def _phase(
    url: str, ids: list[str], workers: int, smtp_port: int, http_port: int, sinks_pid: int
) -> dict[str, Any]:
    _sinks_get(http_port, "/reset", "POST")
    db = open_database(url)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE notifications SET next_attempt_at = :now WHERE id = ANY(:ids)"),
            {"now": datetime.now(UTC) - timedelta(seconds=1), "ids": ids},
        )
    env = {**os.environ, "PYTHONPATH": str(BENCH_DIR)}
    command = [sys.executable, str(BENCH_DIR / "notify_worker.py"), "worker", url, str(smtp_port)]
    with cpu_use(sinks_pid) as cpu:
        processes = [subprocess.Popen(command, env=env, stdout=sys.stderr) for _ in range(workers)]
        failed = [p.wait(timeout=1800) for p in processes]
    with db.engine.connect() as conn:
        sent, first, last = conn.execute(
            text(
                "SELECT count(*), min(sent_at), max(sent_at) FROM notifications"
                " WHERE id = ANY(:ids) AND state = 'sent'"
            ),
            {"ids": ids},
        ).one()
    db.dispose()
    counts = _sinks_get(http_port, "/counts")
    arrived = counts["emails"] + counts["webhooks"]
    distinct = counts["distinct_emails"] + counts["distinct_webhooks"]
    span = (last - first).total_seconds() if sent > 1 else 0.0
    errors = []
    if any(failed):
        errors.append(f"worker exit codes {failed}")
    if sent != len(ids) or arrived != len(ids):
        errors.append(f"released {len(ids)}, marked sent {sent}, arrived {arrived}")
    if distinct != arrived:
        errors.append(f"{arrived - distinct} messages arrived twice")
    return {
        "workers": workers,
        "messages": len(ids),
        "emails": counts["emails"],
        "webhooks": counts["webhooks"],
        "seconds": round(span, 2),
        "messages_per_s": round((sent - 1) / span, 1) if span else None,
        "repeats": arrived - distinct,
        "errors": errors,
        "cpu_cores": _cores(cpu),
    }


def _bare(count: int, smtp_port: int, http_port: int, sinks_pid: int) -> dict[str, Any]:
    _sinks_get(http_port, "/reset", "POST")
    command = [
        sys.executable,
        str(BENCH_DIR / "notify_worker.py"),
        "bare",
        str(count),
        str(smtp_port),
        f"http://127.0.0.1:{http_port}/hooks",
    ]
    with cpu_use(sinks_pid) as cpu:
        out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=1800)
    seconds = json.loads(out.stdout)["seconds"]
    counts = _sinks_get(http_port, "/counts")
    return {
        "messages": count,
        "seconds": round(seconds, 2),
        "messages_per_s": round(count / seconds, 1),
        "arrived": counts["emails"] + counts["webhooks"],
        "cpu_cores": _cores(cpu),
    }


def measure(url: str, pools: Pools, plan: Plan) -> dict[str, Any]:
    sinks, smtp_port, http_port = _start_sinks()
    try:
        db = open_database(url)
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE webhook_endpoints SET url = :url WHERE id = :id"),
                {"url": f"http://127.0.0.1:{http_port}/hooks", "id": pools.endpoint_id},
            )
        db.dispose()
        phases = {
            f"{workers}_worker{'s' if workers > 1 else ''}": _phase(
                url, pools.phases[workers], workers, smtp_port, http_port, sinks.pid
            )
            for workers in WORKER_COUNTS
        }
        bare = _bare(len(pools.phases[1]), smtp_port, http_port, sinks.pid)
    finally:
        sinks.terminate()
        sinks.wait(timeout=30)
    one = phases["1_worker"]["messages_per_s"] or 0.0
    two = phases["2_workers"]["messages_per_s"] or 0.0
    return {
        **phases,
        "bare_sender": bare,
        "ratio_1_worker_to_bare": round(one / bare["messages_per_s"], 2),
        "scaling_2_to_1": round(two / one, 2) if one else None,
        "errors": [e for p in phases.values() for e in p["errors"]],
    }
