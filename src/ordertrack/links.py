"""Signed links that services and pages both make: the shopper's tracking page and unsubscribe.

Every kind of signed value in the product is listed in :class:`Purpose`; each is signed with
its own purpose (see :mod:`ordertrack.kit.signing`), so a tracking link never opens an
unsubscribe page or a dashboard session, and the other way round.

Anyone holding a tracking link may see that order's tracking (that is what the label's QR
code and the emails are for); nobody can forge a link to another order, or stretch a link's
life, without the secret key. Links live long (a parcel can take weeks, and a shopper opens
the email again for a return); an expired link answers like a forged one. Makers take the
secret that signs now; readers take every key that still verifies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from ordertrack.kit.clock import utcnow
from ordertrack.kit.signing import Signer, SigningKeys

# How long a link printed on a label or sent in an email keeps working.
LINK_LIFETIME = timedelta(days=180)


class Purpose(StrEnum):
    """What a signed value is for (the itsdangerous salt): one kind never passes for another."""

    TRACKING_PAGE = "ordertrack.tracking-page"
    UNSUBSCRIBE = "ordertrack.unsubscribe"
    EMAIL_PROOF = "ordertrack.email-proof"
    SMS_FORM = "ordertrack.sms-form"
    DASHBOARD_SESSION = "ordertrack.dashboard-session"
    DASHBOARD_CSRF = "ordertrack.dashboard-csrf"
    DASHBOARD_LOGIN_CSRF = "ordertrack.dashboard-login-csrf"
    STAFF_INVITE = "ordertrack.staff-invite"
    STAFF_RESET = "ordertrack.staff-reset"
    SUPPLIER_LINK = "ordertrack.supplier-link"
    SUPPLIER_FORM = "ordertrack.supplier-form"
    RATING_LINK = "ordertrack.rating-link"
    MESSAGE_CLICK = "ordertrack.message-click"


def tracking_token(secret: str, order_id: str, *, expires_on: date | None = None) -> str:
    """The token of the order's tracking page; it works until the end of ``expires_on`` (UTC)."""
    last_day = expires_on or (utcnow() + LINK_LIFETIME).date()
    expires_at = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=UTC)
    return Signer(SigningKeys(secret), Purpose.TRACKING_PAGE).sign(order_id, expires_at=expires_at)


def read_tracking_token(keys: SigningKeys, token: str, *, now: datetime | None = None) -> str | None:
    """The order id a token opens, or None for a token this server did not sign or that expired."""
    order_id = Signer(keys, Purpose.TRACKING_PAGE).unsign(token, now=now or utcnow())
    return order_id if isinstance(order_id, str) and order_id else None


def tracking_url(public_url: str, secret: str, order_id: str, *, expires_on: date | None = None) -> str:
    return f"{public_url.rstrip('/')}/track/{tracking_token(secret, order_id, expires_on=expires_on)}"


# The rating request's link: it opens the rating form on the order's page. Holding the tracking
# link alone (printed on the label) is not enough to rate; this one only travels in the request.
RATING_LINK_LIFETIME = timedelta(days=30)


def rating_token(secret: str, order_id: str, *, now: datetime | None = None) -> str:
    expires_at = (now or utcnow()) + RATING_LINK_LIFETIME
    return Signer(SigningKeys(secret), Purpose.RATING_LINK).sign(order_id, expires_at=expires_at)


def read_rating_token(keys: SigningKeys, token: str | None, *, now: datetime | None = None) -> str | None:
    """The order a rating token lets its holder rate, or None (forged, expired, absent)."""
    order_id = Signer(keys, Purpose.RATING_LINK).unsign(token, now=now or utcnow())
    return order_id if isinstance(order_id, str) and order_id else None


def rating_url(public_url: str, secret: str, order_id: str, *, now: datetime | None = None) -> str:
    """The order's page with the rating form open: the tracking link plus the rating token."""
    page = tracking_url(public_url, secret, order_id)
    return f"{page}?rate={rating_token(secret, order_id, now=now)}#rate"


def unsubscribe_token(secret: str, merchant_id: str, channel: str, address: str) -> str:
    """The merchant, channel and address a one-click unsubscribe stops; it does not expire."""
    return Signer(SigningKeys(secret), Purpose.UNSUBSCRIBE).sign([merchant_id, channel, address.lower()])


def read_unsubscribe_token(keys: SigningKeys, token: str) -> tuple[str, str, str] | None:
    """(merchant id, channel, address), or None for a token this server did not sign."""
    found = Signer(keys, Purpose.UNSUBSCRIBE).unsign(token, now=utcnow())
    if not isinstance(found, list) or len(found) != 3 or not all(isinstance(part, str) for part in found):
        return None
    merchant_id, channel, address = found
    return merchant_id, channel, address


def unsubscribe_url(public_url: str, secret: str, merchant_id: str, channel: str, address: str) -> str:
    token = unsubscribe_token(secret, merchant_id, channel, address)
    return f"{public_url.rstrip('/')}/notifications/unsubscribe/{token}"


# An invite waits a week for the new colleague; a password reset is for today.
STAFF_LINK_LIFETIME = {Purpose.STAFF_INVITE: timedelta(days=7), Purpose.STAFF_RESET: timedelta(hours=24)}


def staff_link_token(keys: SigningKeys, purpose: Purpose, staff_id: str, nonce: str, *, now: datetime) -> str:
    """An invite or password-reset token: the staff member and the nonce that makes it single-use."""
    return Signer(keys, purpose).sign([staff_id, nonce], expires_at=now + STAFF_LINK_LIFETIME[purpose])


def read_staff_link_token(
    keys: SigningKeys, purpose: Purpose, token: str, *, now: datetime
) -> tuple[str, str] | None:
    """(staff id, nonce) of a token this server signed for ``purpose`` and not expired; else None."""
    found = Signer(keys, purpose).unsign(token, now=now)
    if not isinstance(found, list) or len(found) != 2 or not all(isinstance(p, str) and p for p in found):
        return None
    return found[0], found[1]


def staff_link_url(
    public_url: str, keys: SigningKeys, purpose: Purpose, staff_id: str, nonce: str, *, now: datetime
) -> str:
    kind = "invite" if purpose is Purpose.STAFF_INVITE else "reset"
    token = staff_link_token(keys, purpose, staff_id, nonce, now=now)
    return f"{public_url.rstrip('/')}/dashboard/{kind}/{token}"


# A supplier's link lives as long as a slow purchase order does: production, a sea crossing and
# the last shipment declared. Sending the order's email again gives a fresh link, from that day.
SUPPLIER_LINK_LIFETIME = timedelta(days=120)


def supplier_link_token(secret: str, merchant_id: str, purchase_order_id: str, *, now: datetime) -> str:
    """The token of one purchase order's page for its supplier: that order of that merchant,
    nothing else, until ``now`` + :data:`SUPPLIER_LINK_LIFETIME`."""
    signer = Signer(SigningKeys(secret), Purpose.SUPPLIER_LINK)
    return signer.sign([merchant_id, purchase_order_id], expires_at=now + SUPPLIER_LINK_LIFETIME)


def read_supplier_link_token(keys: SigningKeys, token: str, *, now: datetime) -> tuple[str, str] | None:
    """(merchant id, purchase order id) of a token this server signed and that has not expired;
    None for anything else (the page answers it as not found)."""
    found = Signer(keys, Purpose.SUPPLIER_LINK).unsign(token, now=now)
    if not isinstance(found, list) or len(found) != 2 or not all(isinstance(p, str) and p for p in found):
        return None
    return found[0], found[1]


def supplier_link_url(
    public_url: str, secret: str, merchant_id: str, purchase_order_id: str, *, now: datetime
) -> str:
    token = supplier_link_token(secret, merchant_id, purchase_order_id, now=now)
    return f"{public_url.rstrip('/')}/supplier/{token}"


def supplier_form_token(keys: SigningKeys, link_token: str) -> str:
    """The hidden field of the supplier page's forms, bound to its link: a form posted from
    another site does not hold it."""
    return Signer(keys, Purpose.SUPPLIER_FORM).signature(link_token)


def supplier_form_token_matches(keys: SigningKeys, link_token: str, given: str | None) -> bool:
    return Signer(keys, Purpose.SUPPLIER_FORM).verifies(link_token, given)


# Where a message's link may lead: named here, never carried as a URL, so a link can only ever
# open this server's own pages (no open redirect, whatever the token says).
CLICK_TARGETS = frozenset({"track"})


def message_click_url(public_url: str, secret: str, message_id: str, *, target: str = "track") -> str:
    """The link a message carries: it counts the click, then opens ``target`` for the message's
    order. Only the message id and the target are signed, to keep text messages short."""
    expires_at = utcnow() + LINK_LIFETIME
    token = Signer(SigningKeys(secret), Purpose.MESSAGE_CLICK).sign(
        [message_id, target], expires_at=expires_at
    )
    return f"{public_url.rstrip('/')}/m/{token}"


def read_message_click_token(keys: SigningKeys, token: str, *, now: datetime) -> tuple[str, str] | None:
    """(message id, target) of a click link this server signed and that has not expired, for a
    target it knows; None for anything else."""
    found = Signer(keys, Purpose.MESSAGE_CLICK).unsign(token, now=now)
    if not isinstance(found, list) or len(found) != 2 or not all(isinstance(p, str) and p for p in found):
        return None
    message_id, target = found
    return (message_id, target) if target in CLICK_TARGETS else None
