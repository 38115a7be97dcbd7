"""EasyPost's webhook signature.

Two schemes, both HMAC-SHA256 keyed with the webhook secret after Unicode NFKD normalisation
(as EasyPost's own client libraries do, e.g. easypost-python ``validate_webhook``):

* current (``X-Hmac-Signature-V2``, with ``X-Timestamp`` in RFC 2822 and ``X-Path``): the
  signed text is timestamp + ``POST`` + path + raw body, the value ``hmac-sha256-hex=<hex>``
  (https://support.easypost.com/hc/en-us/articles/39826034964237-Webhook-HMAC-Validation).
  A timestamp further than :data:`TOLERANCE` from now, either way, is refused as a replay.
* legacy (``X-Hmac-Signature``): the signed text is the raw body alone. It carries no time, so
  it cannot stop a replay; it is accepted only when the V2 header is absent, and a replayed
  genuine body is harmless because ingest stores each event once (DESIGN.md, invariant 1).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from ordertrack.carriers.registry import BadSignature

# How far X-Timestamp may be from our clock: EasyPost sends at once and clocks are NTP-synced.
TOLERANCE_SECONDS = 5 * 60
PREFIX = "hmac-sha256-hex="


def verify(body: bytes, headers: Mapping[str, str], secret: str, *, now: float) -> None:
    """Return when EasyPost signed ``body`` with ``secret`` (recently, for V2); else BadSignature."""
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    v2 = headers.get("x-hmac-signature-v2")
    if v2 is not None:
        _verify_v2(body, headers, key, v2, now)
        return
    legacy = headers.get("x-hmac-signature")
    if legacy is None:
        raise BadSignature("EasyPost webhook without an X-Hmac-Signature-V2 or X-Hmac-Signature header")
    _compare(legacy, hmac.new(key, body, hashlib.sha256).hexdigest())


def _verify_v2(body: bytes, headers: Mapping[str, str], key: bytes, given: str, now: float) -> None:
    stamp, path = headers.get("x-timestamp"), headers.get("x-path")
    if not stamp or not path:
        raise BadSignature("EasyPost V2 signature without its X-Timestamp or X-Path header")
    sent = _sent_at(stamp)
    if sent is None:
        raise BadSignature(f"EasyPost X-Timestamp {stamp!r} is not an RFC 2822 or ISO 8601 date")
    if abs(now - sent) > TOLERANCE_SECONDS:
        raise BadSignature(
            f"EasyPost X-Timestamp {stamp!r} is more than {TOLERANCE_SECONDS} s from now (replayed or stale)"
        )
    signed = stamp.encode("utf-8") + b"POST" + path.encode("utf-8") + body
    _compare(given, hmac.new(key, signed, hashlib.sha256).hexdigest())


def _sent_at(stamp: str) -> float | None:
    """X-Timestamp as Unix time; a stamp without a zone is UTC (never the server's local time)."""
    try:
        sent = parsedate_to_datetime(stamp)
    except (TypeError, ValueError, IndexError):
        # Integrations seen in public code send ISO 8601 as well; the signed text is the same.
        try:
            sent = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    return sent.timestamp()


def _compare(given: str, expected_hex: str) -> None:
    value = given.strip()
    if value.lower().startswith(PREFIX):
        value = value[len(PREFIX) :]
    if not hmac.compare_digest(value.lower().encode("ascii", "replace"), expected_hex.encode("ascii")):
        raise BadSignature("EasyPost webhook signature does not match (wrong secret or altered body)")
