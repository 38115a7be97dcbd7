"""Several delivery workers on one PostgreSQL share the outbox without sending anything twice.

Two separate processes run delivery rounds against the same database until the queue is
empty; a webhook receiver on 127.0.0.1 counts every ``webhook-id`` it gets.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.kit.ids import new_id
from ordertrack.notifications.channels.webhook import new_webhook_secret
from ordertrack.notifications.model import Notification, WebhookEndpoint
from tests.integration.scenario import place_order
from tests.notifications import local_http_server

MESSAGES = 1000

WORKER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import timedelta
    from ordertrack.bootstrap import open_database
    from ordertrack.kit.outgoing import OutgoingPolicy, parse_networks
    from ordertrack.notifications.delivery import deliver_due
    from ordertrack.notifications.sending import Channels

    async def main(url, lease_seconds, batch):
        db = open_database(url)
        local = OutgoingPolicy(allowed_networks=parse_networks("127.0.0.0/8"), allow_http=True)
        channels = Channels(
            smtp=None, sms=None, public_url="https://shop.example", secret="s" * 32, outgoing=local
        )
        idle = 0
        while idle < 3:
            report = await deliver_due(db, channels, lease=timedelta(seconds=lease_seconds), limit=batch)
            idle = idle + 1 if report.sent == 0 else 0
            if report.sent == 0:
                await asyncio.sleep(0.2)

    asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
    """
)


class Receiver:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.lock = threading.Lock()
        self.delay = 0.0

    async def hook(self, request: Request) -> Response:
        await request.body()
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.ids.append(request.headers["webhook-id"])
        return Response(status_code=204)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    handler = Receiver()
    app = Starlette(routes=[Route("/hooks", handler.hook, methods=["POST"])])
    with local_http_server(app) as base_url:
        yield handler, f"{base_url}/hooks"


def queue_webhooks(db: Database, merchant: str, url: str) -> str:
    """One endpoint and MESSAGES webhooks due now, written straight into the outbox."""
    order = place_order(db, merchant)
    now = utcnow() - timedelta(seconds=1)
    with db.uow() as uow:
        uow.session.add(
            WebhookEndpoint(
                id=f"whe_{merchant[-8:]}",
                merchant_id=merchant,
                url=url,
                secret=new_webhook_secret(),
                event_types=[],
                enabled=True,
                created_at=now,
            )
        )
        uow.session.add_all(
            Notification(
                id=new_id("ntf"),
                merchant_id=merchant,
                order_id=order,
                shipment_id=None,
                trigger="order_confirmed",
                channel="webhook",
                recipient=f"whe_{merchant[-8:]}",
                locale="en",
                dedupe_key=f"load-{i}",
                state="pending",
                attempts=0,
                next_attempt_at=now,
                facts={},
                created_at=now,
            )
            for i in range(MESSAGES)
        )
        uow.commit()
    return merchant


def sent_count(db: Database, merchant: str) -> int:
    with db.uow(write=False) as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.merchant_id == merchant, Notification.state == "sent")
            )
        )


def test_two_worker_processes_deliver_a_thousand_messages_once_each(
    db: Database, backend: str, make_merchant, receiver
) -> None:
    if backend != "postgresql":
        pytest.skip("several worker processes share the outbox on PostgreSQL (SQLite has one writer)")
    handler, url = receiver
    merchant = queue_webhooks(db, make_merchant().merchant_id, url)
    url_of_db = db.url.render_as_string(hide_password=False)
    started = time.monotonic()
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, url_of_db, "300", "50"]) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=300) == 0
    elapsed = time.monotonic() - started
    counts = Counter(handler.ids)
    duplicates = {k: v for k, v in counts.items() if v > 1}
    assert len(counts) == MESSAGES and duplicates == {}, f"{len(duplicates)} sent twice"
    assert sent_count(db, merchant) == MESSAGES
    print(f"two workers delivered {MESSAGES} webhooks in {elapsed:.1f} s, none twice")


def test_a_worker_killed_mid_delivery_loses_nothing_and_repeats_only_what_was_in_flight(
    db: Database, backend: str, make_merchant, receiver
) -> None:
    """SIGKILL a worker while it sends, start another: every message arrives; the only
    repeats are messages sent but not yet recorded at the crash, at most one claimed batch."""
    if backend != "postgresql":
        pytest.skip("the crash test runs worker processes against PostgreSQL")
    handler, url = receiver
    handler.delay = 0.005  # a slow receiver, so the kill lands mid-delivery
    merchant = queue_webhooks(db, make_merchant().merchant_id, url)
    url_of_db = db.url.render_as_string(hide_password=False)
    batch = 20
    first = subprocess.Popen([sys.executable, "-c", WORKER, url_of_db, "2", str(batch)])
    deadline = time.monotonic() + 60
    while len(handler.ids) < 200 and time.monotonic() < deadline:
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    received_at_kill = len(set(handler.ids))
    assert 0 < received_at_kill < MESSAGES
    second = subprocess.Popen([sys.executable, "-c", WORKER, url_of_db, "2", str(batch)])
    assert second.wait(timeout=300) == 0
    counts = Counter(handler.ids)
    repeats = sum(v - 1 for v in counts.values())
    assert len(counts) == MESSAGES and sent_count(db, merchant) == MESSAGES
    assert repeats <= batch, f"{repeats} repeats: more than the batch in flight at the crash"
    print(
        f"killed after {received_at_kill} deliveries; all {MESSAGES} arrived; {repeats} repeated at the crash"
    )
