"""Local stand-ins for the outside world, on 127.0.0.1: an SMTP relay (aiosmtpd), a webhook
receiver and a Twilio-shaped SMS API. Test modules import the fixtures they need."""

from __future__ import annotations

import base64
import email
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ordertrack.kit.outgoing import OutgoingPolicy, parse_networks
from ordertrack.notifications.channels import SmsConfig
from tests.notifications import local_http_server
from tests.support import free_port

ACCOUNT, TOKEN = "AC0123456789abcdef0123456789abcdef", "auth-token-xyz"

# What a development setup allows (ORDERTRACK_OUTGOING_ALLOWED_NETWORKS=127.0.0.0/8 and
# ORDERTRACK_WEBHOOKS_ALLOW_HTTP=true): webhooks to the local stand-ins below. Production
# allows neither.
LOCAL_TARGETS = OutgoingPolicy(allowed_networks=parse_networks("127.0.0.0/8"), allow_http=True)


class Relay:
    """An SMTP relay that can refuse (451) a number of times before it accepts."""

    def __init__(self) -> None:
        self.refuse = 0
        self.received: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[tuple[Relay, int]]:
    handler = Relay()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


class Receiver:
    """A merchant's webhook endpoint: keeps each request's headers and body."""

    def __init__(self) -> None:
        self.bodies: list[tuple[dict[str, str], bytes]] = []

    async def hook(self, request: Request) -> Response:
        self.bodies.append((dict(request.headers), await request.body()))
        return Response(status_code=204)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    handler = Receiver()
    app = Starlette(routes=[Route("/hooks", handler.hook, methods=["POST"])])
    with local_http_server(app) as base_url:
        yield handler, f"{base_url}/hooks"


@dataclass
class FakeTwilio:
    """Answers like Twilio's Messages resource; scripted failures first."""

    script: list[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    received: list[dict[str, str]] = field(default_factory=list)
    keys: list[str | None] = field(default_factory=list)

    async def create_message(self, request: Request) -> JSONResponse:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        if request.headers.get("authorization") != expected or request.path_params["account"] != ACCOUNT:
            return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, status_code=401)
        if self.script:
            status, body, headers = self.script.pop(0)
            return JSONResponse(body, status_code=status, headers=headers)
        form = {key: str(value) for key, value in (await request.form()).items()}
        self.received.append(form)
        self.keys.append(request.headers.get("idempotency-key"))
        sid = f"SM{len(self.received):032d}"
        return JSONResponse(
            {"sid": sid, "status": "queued", "to": form["To"], "body": form["Body"]}, status_code=201
        )


@dataclass
class Provider:
    twilio: FakeTwilio
    config: SmsConfig


@pytest.fixture
def provider() -> Iterator[Provider]:
    twilio = FakeTwilio()
    app = Starlette(
        routes=[
            Route("/2010-04-01/Accounts/{account}/Messages.json", twilio.create_message, methods=["POST"])
        ]
    )
    with local_http_server(app) as base_url:
        yield Provider(
            twilio, SmsConfig(base_url=base_url, account=ACCOUNT, token=TOKEN, from_number="+15005550006")
        )
