"""The rules around text-update sign-ups on the tracking page that are not the notification
feature's own: how often one order or one number may be signed up, whether a form came from
this site, and how a number is shown back.

The tracking link travels on the label as a QR code, so anyone holding the parcel can open
the page; sign-ups therefore need the email proof (``proof.py``), and on top of it these
buckets bound what one order or one number can be made to receive: 3 sign-ups an hour per
order, 3 a day per number, in the serving process (like the lookup limiter; several
processes each allow that much). The notification feature caps the numbers an order texts.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ordertrack.web.track.ratelimit import LookupLimiter

SIGNUPS_PER_ORDER_PER_HOUR = 3
SIGNUPS_PER_NUMBER_PER_DAY = 3
PROOF_TRIES_PER_ORDER_PER_HOUR = 10


class SignupLimits:
    """Token buckets per order (sign-ups and email tries) and per phone number."""

    def __init__(
        self,
        *,
        per_order: LookupLimiter | None = None,
        per_number: LookupLimiter | None = None,
        proof_per_order: LookupLimiter | None = None,
    ) -> None:
        self.per_order = per_order or LookupLimiter(
            per_minute=SIGNUPS_PER_ORDER_PER_HOUR / 60, capacity=SIGNUPS_PER_ORDER_PER_HOUR
        )
        self.per_number = per_number or LookupLimiter(
            per_minute=SIGNUPS_PER_NUMBER_PER_DAY / (24 * 60), capacity=SIGNUPS_PER_NUMBER_PER_DAY
        )
        self.proof_per_order = proof_per_order or LookupLimiter(
            per_minute=PROOF_TRIES_PER_ORDER_PER_HOUR / 60, capacity=PROOF_TRIES_PER_ORDER_PER_HOUR
        )

    def take_signup(self, order_id: str, phone: str) -> int:
        """Spend one sign-up of the order and of the number; 0 when allowed, else seconds to wait."""
        if not self.per_order.take(order_id):
            return self.per_order.retry_after(order_id)
        if not self.per_number.take(phone):
            return self.per_number.retry_after(phone)
        return 0

    def take_proof(self, order_id: str) -> int:
        """Spend one email try for the order; 0 when allowed, else seconds to wait."""
        if not self.proof_per_order.take(order_id):
            return self.proof_per_order.retry_after(order_id)
        return 0


def same_origin(origin: str | None, *allowed: str) -> bool:
    """A form post is ours when the browser's ``Origin`` is one of ``allowed`` (scheme://host[:port]).

    Browsers send Origin on every cross-site POST; a request without it (an old browser, a
    privacy setting) is left to the form token.
    """
    if not origin:
        return True
    return origin.rstrip("/").lower() in {_origin_of(url) for url in allowed}


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def masked(phone: str) -> str:
    """The last digits of an E.164 number, enough for its owner to recognise it."""
    return phone[-4:]
