"""The outside world of the notification benchmark, in its own process: an SMTP relay
(aiosmtpd) and a webhook receiver (uvicorn), both on 127.0.0.1, counting what arrives.

    python bench/notify_sinks.py SMTP_PORT HTTP_PORT

``GET /counts`` answers how many emails and webhooks arrived and how many distinct
Message-IDs and webhook-ids were among them (a repeat shows as a difference);
``POST /reset`` starts the counts again. The process ends on SIGINT or SIGTERM.
"""

from __future__ import annotations

import email
import sys
import threading
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class Sinks:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.email_ids: list[str] = []
        self.webhook_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.email_ids.append(str(message["Message-ID"]))
        return "250 OK"

    async def hook(self, request: Request) -> Response:
        await request.body()
        with self.lock:
            self.webhook_ids.append(request.headers.get("webhook-id", ""))
        return Response(status_code=204)

    async def counts(self, request: Request) -> JSONResponse:
        with self.lock:
            return JSONResponse(
                {
                    "emails": len(self.email_ids),
                    "distinct_emails": len(set(self.email_ids)),
                    "webhooks": len(self.webhook_ids),
                    "distinct_webhooks": len(set(self.webhook_ids)),
                }
            )

    async def reset(self, request: Request) -> Response:
        with self.lock:
            self.email_ids.clear()
            self.webhook_ids.clear()
        return Response(status_code=204)


def main(smtp_port: int, http_port: int) -> None:
    sinks = Sinks()
    relay = Controller(sinks, hostname="127.0.0.1", port=smtp_port)
    relay.start()
    app = Starlette(
        routes=[
            Route("/hooks", sinks.hook, methods=["POST"]),
            Route("/counts", sinks.counts, methods=["GET"]),
            Route("/reset", sinks.reset, methods=["POST"]),
        ]
    )
    try:
        uvicorn.run(app, host="127.0.0.1", port=http_port, log_level="warning", access_log=False)
    finally:
        relay.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
