"""Unguessable, expiring links to a shopper's tracking page: the order id, the day the link
stops working, and an HMAC over both.

Anyone holding the link may see that order's tracking (that is what the label's QR code and
the emails are for); nobody can forge a link to another order, or stretch a link's life,
without the secret key. Links live long by default (a parcel can take weeks, and a shopper
opens the email again for a return); an expired link answers like a forged one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta

_SIGNATURE_BYTES = 16
_EPOCH = date(2020, 1, 1)
# How long a link printed on a label or sent in an email keeps working.
LINK_LIFETIME = timedelta(days=180)


def _sign(secret: str, order_id: str, expires: str) -> str:
    digest = hmac.new(secret.encode(), f"track:{order_id}:{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).decode().rstrip("=")


def _day_number(day: date) -> str:
    return format((day - _EPOCH).days, "x")


def tracking_token(secret: str, order_id: str, *, expires_on: date | None = None) -> str:
    """``{order id}.{expiry day}.{signature}``; the link works until the end of ``expires_on`` (UTC)."""
    expiry = expires_on or (datetime.now(UTC) + LINK_LIFETIME).date()
    expires = _day_number(expiry)
    return f"{order_id}.{expires}.{_sign(secret, order_id, expires)}"


def read_tracking_token(secret: str, token: str, *, today: date | None = None) -> str | None:
    """The order id a token opens, or None for a token this server did not sign or that expired."""
    order_id, _, rest = token.partition(".")
    expires, _, signature = rest.partition(".")
    if not order_id or not expires or not signature:
        return None
    # Bytes, not str: compare_digest raises on non-ASCII text, and a link is typed by anyone.
    if not hmac.compare_digest(signature.encode(), _sign(secret, order_id, expires).encode()):
        return None
    try:
        expiry = _EPOCH + timedelta(days=int(expires, 16))
    except (ValueError, OverflowError):
        return None
    if (today or datetime.now(UTC).date()) > expiry:
        return None
    return order_id


def tracking_url(public_url: str, secret: str, order_id: str, *, expires_on: date | None = None) -> str:
    return f"{public_url.rstrip('/')}/track/{tracking_token(secret, order_id, expires_on=expires_on)}"
