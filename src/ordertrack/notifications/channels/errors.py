"""What a channel reports when a message did not go out, and whether trying again can help."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx


class DeliveryFailed(Exception):
    """A message was not delivered; ``transient`` tells the worker whether a retry can succeed.

    Transient failures (the provider is down, slow, rate-limiting or answered 4xx on SMTP) are
    retried with backoff; permanent ones (a refused recipient, a gone endpoint) go straight to
    the dead-letter record, because sending the same message again would get the same answer.
    """

    def __init__(
        self,
        message: str,
        *,
        transient: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient
        # Seconds the provider asked us to wait before the next attempt, when it said so.
        self.retry_after = retry_after
        # The provider's answer code (SMTP reply code or HTTP status), for the notification log.
        self.status = status

    def __repr__(self) -> str:
        return f"DeliveryFailed({self.message!r}, transient={self.transient}, retry_after={self.retry_after})"


def retry_after_seconds(response: httpx.Response, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP-date (RFC 9110 section 10.2.3)."""
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None  # unreadable: the worker falls back to its own backoff
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # HTTP-dates are always GMT (RFC 9110 section 5.6.7)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def classify_http_status(status: int) -> bool | None:
    """Whether an HTTP answer is a transient failure (True), permanent (False) or success (None).

    429 Too Many Requests and 5xx are the provider's trouble and pass (RFC 9110 section 15.6,
    RFC 6585 section 4); 408 Request Timeout is the connection's. Any other 4xx is about the
    request itself and will be refused again.
    """
    if 200 <= status < 300:
        return None
    return status in (408, 429) or status >= 500
