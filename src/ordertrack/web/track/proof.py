"""Proof that this browser knew the order's email: a signed, short-lived cookie.

The tracking link itself may travel far (it is printed as a QR code on the parcel), so it
never shows the shopper's name. A lookup by order number *and email* sets this cookie for
that order; while it is valid the page greets the shopper by name. A lookup by postal code
or tracking number, or a link opened elsewhere, shows no name.

The same proof is what lets a visitor manage text updates for the order (sign a number up,
see and stop the numbers texted): the link alone, printed on the label, is not enough. The
SMS forms carry :func:`form_token`, a signature of the proof cookie itself, so a form posted
from another site (which can neither read the HttpOnly cookie nor, with SameSite=Lax, send
it) is refused even by a browser that ignores SameSite.

Both are signed by :mod:`ordertrack.kit.signing`, each with its own purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.responses import Response

from ordertrack.kit.signing import Signer, SigningKeys
from ordertrack.links import Purpose

COOKIE = "ot_email_proof"
LIFETIME_SECONDS = 2 * 3600


def _moment(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)


def email_proof(keys: SigningKeys, order_id: str, *, now: float) -> str:
    """The cookie value proving the email of ``order_id`` for the next two hours."""
    expires_at = _moment(now) + timedelta(seconds=LIFETIME_SECONDS)
    return Signer(keys, Purpose.EMAIL_PROOF).sign(order_id, expires_at=expires_at)


def proves_email(keys: SigningKeys, cookie: str | None, order_id: str, *, now: float) -> bool:
    """True when ``cookie`` was signed here for ``order_id`` and has not expired."""
    return Signer(keys, Purpose.EMAIL_PROOF).unsign(cookie, now=_moment(now)) == order_id


def form_token(keys: SigningKeys, cookie: str) -> str:
    """The hidden field of the SMS forms, bound to this browser's proof cookie."""
    return Signer(keys, Purpose.SMS_FORM).signature(cookie)


def form_token_matches(keys: SigningKeys, cookie: str, given: str | None) -> bool:
    return Signer(keys, Purpose.SMS_FORM).verifies(cookie, given)


def give_proof(response: Response, keys: SigningKeys, order_id: str, *, secure: bool, now: float) -> None:
    """Set the email-proof cookie for ``order_id`` on ``response`` (the tracking pages only)."""
    response.set_cookie(
        COOKIE,
        email_proof(keys, order_id, now=now),
        max_age=LIFETIME_SECONDS,
        path="/track",
        httponly=True,
        samesite="lax",
        secure=secure,
    )
