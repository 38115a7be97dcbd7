"""One notification worker process for the benchmark, or the bare sender it is compared with.

    python bench/notify_worker.py worker DATABASE_URL SMTP_PORT
    python bench/notify_worker.py bare COUNT SMTP_PORT HOOK_URL

``worker`` runs ordertrack's delivery rounds (``deliver_due``, as the worker job does) until
the outbox has had nothing due for three rounds in a row. ``bare`` does only the channel
work of COUNT messages, half emails and half signed webhooks, as many in flight at once as a
worker allows (``SEND_CONCURRENCY``): the same email (a rendered default template) and the
same webhook body each time, no database, no rendering. It prints ``{"seconds": ...}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime

import httpx

from ordertrack.bootstrap import open_database
from ordertrack.kit.outgoing import OutgoingPolicy, parse_networks
from ordertrack.notifications import templates
from ordertrack.notifications.channels import RenderedEmail, SmtpConfig, send_email, send_webhook
from ordertrack.notifications.channels.webhook import new_webhook_secret
from ordertrack.notifications.delivery import SEND_CONCURRENCY, Channels, deliver_due

PUBLIC_URL = "https://shop.example"
SECRET = "bench-secret-for-links-and-unsubscribe"
# The bench's receiver is on 127.0.0.1 over http: a developer's outgoing settings.
LOCAL_RECEIVER = OutgoingPolicy(allowed_networks=parse_networks("127.0.0.0/8"), allow_http=True)
IDLE_ROUNDS = 3


def smtp(port: int) -> SmtpConfig:
    return SmtpConfig.from_url(f"smtp://127.0.0.1:{port}?timeout=10", "Bench Shop <ship@bench.example>")


async def work(url: str, smtp_port: int) -> None:
    db = open_database(url)
    channels = Channels(
        smtp=smtp(smtp_port), sms=None, public_url=PUBLIC_URL, secret=SECRET, outgoing=LOCAL_RECEIVER
    )
    idle = 0
    while idle < IDLE_ROUNDS:
        report = await deliver_due(db, channels)
        if report.errors:
            raise SystemExit(f"delivery failed: {report.errors[:3]}")
        idle = idle + 1 if report.sent == 0 else 0
        if report.sent == 0:
            await asyncio.sleep(0.2)
    db.dispose()


async def bare(count: int, smtp_port: int, hook_url: str) -> float:
    context = templates.sample_context(templates.Trigger.shipped, "en")
    rendered = templates.render(context, templates.Channel.email)
    message = RenderedEmail(
        subject=rendered.subject or "",
        text=rendered.text,
        html=rendered.html or "",
        unsubscribe_url=PUBLIC_URL,
    )
    payload = templates.webhook_payload(context, "shipment.shipped")
    secret = new_webhook_secret()
    config = smtp(smtp_port)
    gate = asyncio.Semaphore(SEND_CONCURRENCY)

    async def one(i: int, client: httpx.AsyncClient) -> None:
        async with gate:
            if i % 2:
                await send_webhook(
                    hook_url,
                    secret,
                    message_id=f"bare_{i}",
                    timestamp=datetime.now(UTC),
                    payload=payload,
                    client=client,
                    policy=LOCAL_RECEIVER,
                )
            else:
                await send_email(config, f"shopper{i}@example.com", message, message_id=f"bare_{i}")

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=15, transport=LOCAL_RECEIVER.transport()) as client:
        await asyncio.gather(*(one(i, client) for i in range(count)))
    return time.perf_counter() - started


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        asyncio.run(work(sys.argv[2], int(sys.argv[3])))
    else:
        seconds = asyncio.run(bare(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]))
        print(json.dumps({"seconds": seconds}))
