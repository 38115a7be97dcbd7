"""Merchant webhooks: signed deliveries to a receiver on 127.0.0.1 that verifies them with the
Standard Webhooks reference library."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ordertrack.kit.outgoing import OutgoingPolicy, parse_networks
from ordertrack.notifications.channels import DeliveryFailed, new_webhook_secret, send_webhook, sign
from tests.notifications import local_http_server
from tests.notifications.servers import LOCAL_TARGETS
from tests.support import free_port

PAYLOAD: dict[str, Any] = {
    "type": "shipment.delivered",
    "timestamp": "2026-05-04T14:03:00Z",
    "data": {"order": "1042", "tracking_number": "1Z999AA10123456784", "recipient": "João Ñandú"},
}


@dataclass
class Receiver:
    """A merchant endpoint: verifies every delivery with the reference library, answers as scripted."""

    secret: str
    statuses: list[int] = field(default_factory=list)
    verified: list[Any] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    tamper: bool = False

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        if self.tamper:
            body = body.replace(b"1042", b"9999")
        headers = dict(request.headers)
        self.headers.append(headers)
        try:
            self.verified.append(Webhook(self.secret).verify(body, headers))
        except WebhookVerificationError as exc:
            self.refused.append(str(exc))
            return Response(status_code=401)
        status = self.statuses.pop(0) if self.statuses else 204
        return Response(status_code=status, headers={"Retry-After": "30"} if status == 503 else None)


@dataclass
class Endpoint:
    receiver: Receiver
    url: str


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    receiver = Receiver(secret=new_webhook_secret())
    with local_http_server(Starlette(routes=[Route("/hooks", receiver.endpoint, methods=["POST"])])) as base:
        yield Endpoint(receiver, f"{base}/hooks")


def deliver(
    url: str,
    secret: str,
    *,
    timestamp: datetime | None = None,
    message_id: str = "msg_2KWPBgLlAfxdpx",
    policy: OutgoingPolicy = LOCAL_TARGETS,
) -> int:
    """One delivery as the worker makes it: through the policy's guarded transport."""

    async def run() -> int:
        async with httpx.AsyncClient(transport=policy.transport()) as client:
            return await send_webhook(
                url,
                secret,
                message_id=message_id,
                timestamp=timestamp or datetime.now(UTC),
                payload=PAYLOAD,
                client=client,
                policy=policy,
            )

    return asyncio.run(run())


def test_delivery_verifies_with_the_reference_library(endpoint: Endpoint) -> None:
    assert deliver(endpoint.url, endpoint.receiver.secret) == 204
    assert endpoint.receiver.verified == [PAYLOAD]
    [headers] = endpoint.receiver.headers
    assert headers["webhook-id"] == "msg_2KWPBgLlAfxdpx"
    assert headers["content-type"] == "application/json"
    assert abs(int(headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 60
    assert headers["webhook-signature"].startswith("v1,")


def test_tampered_body_fails_verification(endpoint: Endpoint) -> None:
    endpoint.receiver.tamper = True
    with pytest.raises(DeliveryFailed):
        deliver(endpoint.url, endpoint.receiver.secret)
    assert endpoint.receiver.verified == []
    assert endpoint.receiver.refused == ["No matching signature found"]


def test_another_endpoints_secret_fails_verification(endpoint: Endpoint) -> None:
    with pytest.raises(DeliveryFailed) as failure:
        deliver(endpoint.url, new_webhook_secret())
    assert endpoint.receiver.refused == ["No matching signature found"]
    assert not failure.value.transient  # 401: the receiver refuses this request as made


def test_stale_timestamp_is_refused_by_the_receiver(endpoint: Endpoint) -> None:
    with pytest.raises(DeliveryFailed):
        deliver(endpoint.url, endpoint.receiver.secret, timestamp=datetime.now(UTC) - timedelta(minutes=10))
    assert endpoint.receiver.refused == ["Message timestamp too old"]


def test_signature_matches_the_reference_signer() -> None:
    secret = new_webhook_secret()
    when = datetime(2026, 5, 4, 14, 3, 7, tzinfo=UTC)
    body = '{"type":"shipment.delivered"}'
    expected = Webhook(secret).sign("msg_1", when, body)
    assert sign(secret, "msg_1", int(when.timestamp()), body.encode()) == expected


def test_new_secret_is_whsec_and_32_random_bytes() -> None:
    first, second = new_webhook_secret(), new_webhook_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32


def test_server_error_is_transient_and_the_retry_is_delivered(endpoint: Endpoint) -> None:
    endpoint.receiver.statuses = [500]
    with pytest.raises(DeliveryFailed) as failure:
        deliver(endpoint.url, endpoint.receiver.secret)
    assert failure.value.transient
    assert failure.value.status == 500
    assert deliver(endpoint.url, endpoint.receiver.secret) == 204
    ids = {headers["webhook-id"] for headers in endpoint.receiver.headers}
    assert ids == {"msg_2KWPBgLlAfxdpx"}  # the retry carries the same id, so the merchant can dedupe


def test_unavailable_endpoint_passes_on_its_retry_after(endpoint: Endpoint) -> None:
    endpoint.receiver.statuses = [503]
    with pytest.raises(DeliveryFailed) as failure:
        deliver(endpoint.url, endpoint.receiver.secret)
    assert failure.value.transient
    assert failure.value.retry_after == 30.0


def test_gone_endpoint_is_permanent(endpoint: Endpoint) -> None:
    endpoint.receiver.statuses = [410]
    with pytest.raises(DeliveryFailed) as failure:
        deliver(endpoint.url, endpoint.receiver.secret)
    assert not failure.value.transient
    assert failure.value.status == 410


@pytest.mark.parametrize(
    ("status", "transient"), [(400, False), (404, False), (408, True), (429, True), (502, True)]
)
def test_answer_classification(endpoint: Endpoint, status: int, transient: bool) -> None:
    endpoint.receiver.statuses = [status]
    with pytest.raises(DeliveryFailed) as failure:
        deliver(endpoint.url, endpoint.receiver.secret)
    assert failure.value.transient is transient


def test_redirect_is_not_followed(endpoint: Endpoint) -> None:
    endpoint.receiver.statuses = [307]
    with pytest.raises(DeliveryFailed) as failure:
        deliver(endpoint.url, endpoint.receiver.secret)
    assert not failure.value.transient
    assert len(endpoint.receiver.headers) == 1


def test_unreachable_endpoint_is_transient() -> None:
    with pytest.raises(DeliveryFailed) as failure:
        deliver(f"http://127.0.0.1:{free_port()}/hooks", new_webhook_secret())
    assert failure.value.transient


@pytest.mark.parametrize("secret", ["whsec_not base64!", "whsec_" + base64.b64encode(b"short").decode()])
def test_malformed_secret_is_a_permanent_failure(secret: str) -> None:
    with pytest.raises(DeliveryFailed) as failure:
        deliver("http://127.0.0.1:9/hooks", secret)
    assert not failure.value.transient


# --- where a delivery may go ------------------------------------------------------------------


def test_an_endpoint_on_a_loopback_address_is_refused_at_send_time_and_never_called(
    endpoint: Endpoint,
) -> None:
    production = OutgoingPolicy(allow_http=True)  # even with http allowed: not this machine
    with pytest.raises(DeliveryFailed, match="loopback") as failure:
        deliver(endpoint.url, endpoint.receiver.secret, policy=production)
    assert not failure.value.transient  # a dead letter the merchant sees, not retries
    assert endpoint.receiver.headers == []


def test_plain_http_is_refused_without_the_development_switch(endpoint: Endpoint) -> None:
    no_http = OutgoingPolicy(allowed_networks=parse_networks("127.0.0.0/8"))
    with pytest.raises(DeliveryFailed, match="https") as failure:
        deliver(endpoint.url, endpoint.receiver.secret, policy=no_http)
    assert not failure.value.transient
    assert endpoint.receiver.headers == []


def test_a_malformed_url_is_a_permanent_failure() -> None:
    with pytest.raises(DeliveryFailed, match="not a valid URL") as failure:
        deliver("http://[/", new_webhook_secret())
    assert not failure.value.transient


def test_a_name_rebound_between_the_check_and_the_connection_is_refused(endpoint: Endpoint) -> None:
    port = endpoint.url.rsplit(":", 1)[1].split("/")[0]
    asked: list[str] = []

    def rebinding(host: str, _port: int) -> list[str]:
        # The check before sending sees a public address; the connection would see loopback.
        asked.append(host)
        return ["93.184.215.14"] if len(asked) == 1 else ["127.0.0.1"]

    policy = OutgoingPolicy(allow_http=True, resolver=rebinding)
    with pytest.raises(DeliveryFailed, match="127.0.0.1, a loopback address") as failure:
        deliver(f"http://hooks.test:{port}/hooks", endpoint.receiver.secret, policy=policy)
    assert not failure.value.transient
    assert asked == ["hooks.test", "hooks.test"] and endpoint.receiver.headers == []


def test_a_name_that_does_not_resolve_at_send_time_is_retried() -> None:
    policy = OutgoingPolicy(resolver=lambda host, port: [])
    with pytest.raises(DeliveryFailed) as failure:
        deliver("https://hooks.test/hooks", new_webhook_secret(), policy=policy)
    assert failure.value.transient
