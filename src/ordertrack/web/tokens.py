"""Unguessable links to a shopper's tracking page: the order id and an HMAC over it.

Anyone holding the link may see that order's tracking (that is what the label's QR code and
the emails are for); nobody can forge a link to another order without the secret key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_SIGNATURE_BYTES = 16


def _sign(secret: str, order_id: str) -> str:
    digest = hmac.new(secret.encode(), f"track:{order_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_SIGNATURE_BYTES]).decode().rstrip("=")


def tracking_token(secret: str, order_id: str) -> str:
    return f"{order_id}.{_sign(secret, order_id)}"


def read_tracking_token(secret: str, token: str) -> str | None:
    """The order id a token opens, or None for a token this server did not sign."""
    order_id, _, signature = token.rpartition(".")
    if not order_id or not hmac.compare_digest(signature, _sign(secret, order_id)):
        return None
    return order_id


def tracking_url(public_url: str, secret: str, order_id: str) -> str:
    return f"{public_url.rstrip('/')}/track/{tracking_token(secret, order_id)}"
