"""Proof that this browser knew the order's email: a signed, short-lived cookie.

The tracking link itself may travel far (it is printed as a QR code on the parcel), so it
never shows the shopper's name. A lookup by order number *and email* sets this cookie for
that order; while it is valid the page greets the shopper by name. A lookup by postal code
or tracking number, or a link opened elsewhere, shows no name.

The same proof is what lets a visitor manage text updates for the order (sign a number up,
see and stop the numbers texted): the link alone, printed on the label, is not enough. The
SMS forms carry :func:`form_token`, an HMAC of the proof cookie itself, so a form posted from
another site (which can neither read the HttpOnly cookie nor, with SameSite=Lax, send it) is
refused even by a browser that ignores SameSite.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from starlette.responses import Response

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


def form_token(secret: str, cookie: str) -> str:
    """The hidden field of the SMS forms, bound to this browser's proof cookie."""
    digest = hmac.new(secret.encode(), f"sms-form:{cookie}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def form_token_matches(secret: str, cookie: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(form_token(secret, cookie), (given or "")[:64])


def give_proof(response: Response, secret: str, order_id: str, *, secure: bool, now: float) -> None:
    """Set the email-proof cookie for ``order_id`` on ``response`` (the tracking pages only)."""
    response.set_cookie(
        COOKIE,
        email_proof(secret, order_id, now=now),
        max_age=LIFETIME_SECONDS,
        path="/track",
        httponly=True,
        samesite="lax",
        secure=secure,
    )
