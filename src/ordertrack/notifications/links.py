"""Unsubscribe links that work without a login: the merchant, channel and address, signed."""

from __future__ import annotations

import base64
import hashlib
import hmac


def _sign(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), f"unsubscribe:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def unsubscribe_token(secret: str, merchant_id: str, channel: str, address: str) -> str:
    payload = (
        base64.urlsafe_b64encode(f"{merchant_id}|{channel}|{address.lower()}".encode()).decode().rstrip("=")
    )
    return f"{payload}.{_sign(secret, payload)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[str, str, str] | None:
    """(merchant id, channel, address), or None for a token this server did not sign."""
    payload, _, signature = token.partition(".")
    # Bytes, not str: compare_digest raises on non-ASCII text, and a link is typed by anyone.
    if not payload or not hmac.compare_digest(signature.encode(), _sign(secret, payload).encode()):
        return None
    try:
        merchant_id, channel, address = (
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().split("|", 2)
        )
    except (ValueError, UnicodeDecodeError):
        return None
    return merchant_id, channel, address


def unsubscribe_url(public_url: str, secret: str, merchant_id: str, channel: str, address: str) -> str:
    token = unsubscribe_token(secret, merchant_id, channel, address)
    return f"{public_url.rstrip('/')}/notifications/unsubscribe/{token}"
