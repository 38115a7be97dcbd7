"""Proof that this browser knew the order's email: a signed, short-lived cookie.

The tracking link itself may travel far (it is printed as a QR code on the parcel), so it
never shows the shopper's name. A lookup by order number *and email* sets this cookie for
that order; while it is valid the page greets the shopper by name. A lookup by postal code
or tracking number, or a link opened elsewhere, shows no name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

COOKIE = "ot_email_proof"
LIFETIME_SECONDS = 2 * 3600


def _sign(secret: str, order_id: str, expires: int) -> str:
    digest = hmac.new(secret.encode(), f"email-proof:{order_id}:{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def email_proof(secret: str, order_id: str, *, now: float) -> str:
    expires = int(now) + LIFETIME_SECONDS
    return f"{order_id}.{expires:x}.{_sign(secret, order_id, expires)}"


def proves_email(secret: str, cookie: str | None, order_id: str, *, now: float) -> bool:
    """True when ``cookie`` was signed here for ``order_id`` and has not expired."""
    if not cookie or len(cookie) > 200:
        return False
    proven_id, _, rest = cookie.partition(".")
    expires_hex, _, signature = rest.partition(".")
    try:
        expires = int(expires_hex, 16)
    except ValueError:
        return False
    return (
        proven_id == order_id
        # Bytes, not str: compare_digest raises on non-ASCII text, and a cookie is whatever is sent.
        and hmac.compare_digest(signature.encode(), _sign(secret, order_id, expires).encode())
        and now <= expires
    )
