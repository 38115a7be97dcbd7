"""The merchant webhook channel, signed to the Standard Webhooks specification.

Standard Webhooks (standardwebhooks.com, "Signature scheme"): the sender POSTs the JSON body
with three headers — ``webhook-id`` (the message id, the same on every retry so the receiver
can drop duplicates), ``webhook-timestamp`` (integer Unix seconds, which the receiver checks
against its clock to refuse replays) and ``webhook-signature`` (``v1,`` and the base64
HMAC-SHA256 of ``{id}.{timestamp}.{body}``, keyed with the base64-decoded part of the
``whsec_`` secret). Several space-separated signatures may be sent during a key rotation;
this channel signs with one secret per endpoint.

Endpoints are typed by merchants, so where a delivery may go is checked twice: when the
endpoint is registered and again at every send (:mod:`ordertrack.kit.outgoing`): https only,
every address of the host public, and the connection made by a transport that vets the
address it connects to, so a name rebound to a private address after registration is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import datetime
from typing import Any

import httpx

from ordertrack.config import Settings
from ordertrack.kit.clock import ensure_aware
from ordertrack.kit.outgoing import OutgoingPolicy, TargetRefused, TargetUnresolved, parse_networks
from ordertrack.notifications.channels.errors import DeliveryFailed, classify_http_status, retry_after_seconds

SECRET_PREFIX = "whsec_"
# New secrets carry 256 random bits, the size of an HMAC-SHA256 output (RFC 2104 section 3
# recommends keys no shorter than the hash output); secrets brought from elsewhere are
# accepted down to 128 bits, below which guessing becomes a real risk.
SECRET_BYTES = 32
MIN_SECRET_BYTES = 16
DEFAULT_TIMEOUT_SECONDS = 15.0
USER_AGENT = "ordertrack-webhooks/1"


def endpoint_policy(settings: Settings) -> OutgoingPolicy:
    """Where merchant endpoints may point in this process: public https, unless the operator
    allowed private networks or plain http (development)."""
    return OutgoingPolicy(
        allowed_networks=parse_networks(settings.outgoing_allowed_networks),
        allow_http=settings.webhooks_allow_http,
    )


def new_webhook_secret() -> str:
    """A fresh endpoint secret, ``whsec_`` + base64 of 32 random bytes, shown to the merchant once."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value ``v1,<base64 HMAC-SHA256>`` of ``{id}.{timestamp}.{body}``."""
    signed = message_id.encode("utf-8") + b"." + str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(_secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def encode_payload(payload: dict[str, Any]) -> bytes:
    """The exact body bytes that are signed and sent.

    Compact and ASCII-only (non-ASCII as ``\\uXXXX`` escapes): receivers must verify the raw
    bytes, and a body with nothing for a proxy or framework to re-encode survives best.
    """
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")


async def send_webhook(
    url: str,
    secret: str,
    *,
    message_id: str,
    timestamp: datetime,
    payload: dict[str, Any],
    client: httpx.AsyncClient,
    policy: OutgoingPolicy,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> int:
    """POST one signed event to a merchant endpoint and return the 2xx status it answered.

    ``timestamp`` is the moment of this attempt (the receiver refuses old ones, five minutes
    in the reference libraries), so a retry is signed afresh with the same ``message_id``.
    Redirects are not followed: a signed delivery goes only where the merchant registered it.
    The response body is never read, so a misbehaving endpoint cannot make the worker buffer it.
    ``url`` is checked against ``policy`` first (scheme, every resolved address); ``client``
    should carry ``policy.transport()``, which checks again at connect time (DNS rebinding).

    Raises :class:`DeliveryFailed`: transient for transport errors, timeouts, 408, 429 and 5xx
    (``retry_after`` from ``Retry-After``) and a host that does not resolve; permanent for 410
    Gone (the endpoint is retired: the caller may disable it, see ``status``), any other 4xx and
    3xx, a malformed secret, and a URL or address the policy refuses.
    """
    ensure_aware(timestamp, "timestamp")
    try:
        await policy.check_url_async(url)
    except TargetUnresolved as exc:
        raise DeliveryFailed(f"webhook endpoint unreachable: {exc.message}", transient=True) from exc
    except TargetRefused as exc:
        raise DeliveryFailed(f"webhook URL not allowed: {exc.message}", transient=False) from exc
    seconds = int(timestamp.timestamp())
    try:
        body = encode_payload(payload)
        signature = sign(secret, message_id, seconds, body)
    except ValueError as exc:
        raise DeliveryFailed(f"webhook cannot be signed: {exc}", transient=False) from exc
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(seconds),
        "webhook-signature": signature,
    }
    try:
        async with client.stream(
            "POST", url, content=body, headers=headers, timeout=timeout, follow_redirects=False
        ) as response:
            status = response.status_code
            retry_after = retry_after_seconds(response)
    except TargetRefused as exc:  # the transport's own check, at connect time
        raise DeliveryFailed(f"webhook URL not allowed: {exc.message}", transient=False) from exc
    except httpx.TransportError as exc:  # connect/read timeouts, refused and reset connections
        raise DeliveryFailed(
            f"webhook endpoint unreachable: {type(exc).__name__}: {exc}", transient=True
        ) from exc
    except httpx.InvalidURL as exc:
        raise DeliveryFailed(f"webhook URL is invalid: {exc}", transient=False) from exc
    transient = classify_http_status(status)
    if transient is None:
        return status
    raise DeliveryFailed(
        f"webhook endpoint answered {status}",
        transient=transient,
        retry_after=retry_after if transient else None,
        status=status,
    )


def _secret_key(secret: str) -> bytes:
    """The HMAC key: the base64 after ``whsec_`` (the prefix is optional in the specification)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("webhook secret is not whsec_ followed by base64") from None
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"webhook secret must hold at least {MIN_SECRET_BYTES} bytes, not {len(key)}")
    return key
