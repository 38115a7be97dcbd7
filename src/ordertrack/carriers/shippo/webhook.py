"""Shippo's webhook signature.

Shippo offers three protections (https://docs.goshippo.com/docs/tracking/webhooksecurity): an
IP allowlist, a self-generated token in the webhook URL, and HMAC, which Shippo's team enables
per account on request. With HMAC, the ``Shippo-Auth-Signature`` header reads
``t=<unix seconds>,v1=<hex>``, the hex HMAC-SHA256 of ``"<t>.<raw body>"`` keyed with the
shared secret (the layout public integrations verify, the same as Stripe's). A ``t`` further
than :data:`TOLERANCE_SECONDS` from now is refused as a replay.

Merchants without HMAC enabled should put a secret token in the webhook URL (``?token=...``);
checking it belongs to the endpoint, not to this verifier.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

from ordertrack.carriers.registry import BadSignature

TOLERANCE_SECONDS = 5 * 60
HEADER = "shippo-auth-signature"
# ASCII digits only, and few enough to be a time: str.isdigit() also accepts "²" and "١٢٣",
# and int() refuses more than 4,300 digits.
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


def verify(body: bytes, headers: Mapping[str, str], secret: str, *, now: float) -> None:
    """Return when Shippo signed ``body`` with ``secret`` recently; else BadSignature."""
    given = headers.get(HEADER)
    if not given:
        raise BadSignature(f"Shippo webhook without the {HEADER} header")
    fields = dict(part.strip().split("=", 1) for part in given.split(",") if "=" in part)
    stamp, signature = fields.get("t", ""), fields.get("v1", "")
    if not _UNIX_SECONDS.fullmatch(stamp) or not signature:
        raise BadSignature(f"Shippo {HEADER} header {given!r} lacks t=<seconds> and v1=<hex>")
    if abs(now - int(stamp)) > TOLERANCE_SECONDS:
        raise BadSignature(
            f"Shippo signature time {stamp} is more than {TOLERANCE_SECONDS} s from now (replayed)"
        )
    expected = hmac.new(
        secret.encode("utf-8"), stamp.encode("ascii") + b"." + body, hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(signature.lower().encode("ascii", "replace"), expected.encode("ascii")):
        raise BadSignature("Shippo webhook signature does not match (wrong secret or altered body)")
