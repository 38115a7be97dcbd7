"""AfterShip's webhook signature.

Header ``aftership-hmac-sha256``: base64 of HMAC-SHA256 over the raw body, keyed with the
webhook secret (https://www.aftership.com/docs/tracking/webhook/webhook-signature).

Replays: the signature covers the body, and the body's ``ts`` is "the UTC unix timestamp that
the event occurred" (Webhook Specifications). AfterShip keeps that body when it retries a
failed delivery, up to 14 attempts with exponential back-off, 245,730 s (about 68 hours) after
the first (https://developers.aftership.com/reference/webhook, "Retry Webhooks"). So
:data:`TOLERANCE_SECONDS` is 72 hours: a genuine retry passes, an older body is refused; a
``ts`` more than 5 minutes ahead of our clock is refused too. Within the window a replayed
genuine body is harmless, because ingest stores each event once.

A correctly signed body with no usable ``ts`` (one that is not JSON at all, say) is genuine
but cannot be dated: it is let through to be read, so an unreadable one is kept in the
quarantine and answered 202, as an EasyPost or Shippo push is, instead of a 401 that would
make AfterShip retry it for three days and then drop it. Nobody without the secret can make
such a body, and reading it twice stores nothing twice.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping

from ordertrack.carriers.registry import BadSignature

TOLERANCE_SECONDS = 72 * 60 * 60
FUTURE_SKEW_SECONDS = 5 * 60
HEADER = "aftership-hmac-sha256"


def verify(body: bytes, headers: Mapping[str, str], secret: str, *, now: float) -> None:
    """Return when AfterShip signed ``body`` with ``secret`` and its ``ts`` (if any) is recent."""
    given = headers.get(HEADER)
    if not given:
        raise BadSignature(f"AfterShip webhook without the {HEADER} header")
    expected = base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest())
    if not hmac.compare_digest(given.strip().encode("ascii", "replace"), expected):
        raise BadSignature("AfterShip webhook signature does not match (wrong secret or altered body)")
    sent = _timestamp(body)
    if sent is None:
        return  # genuine but undatable: read it, and quarantine it if it cannot be read
    if now - sent > TOLERANCE_SECONDS:
        raise BadSignature(f"AfterShip webhook ts {sent} is older than {TOLERANCE_SECONDS} s (replayed)")
    if sent - now > FUTURE_SKEW_SECONDS:
        raise BadSignature(f"AfterShip webhook ts {sent} is in the future")


def _timestamp(body: bytes) -> float | None:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    stamp = document.get("ts") if isinstance(document, dict) else None
    if isinstance(stamp, bool) or not isinstance(stamp, (int, float)):
        return None
    return float(stamp)
