"""What a channel reports when a message did not go out, and whether trying again can help."""

from __future__ import annotations

from ordertrack.kit.retry_after import retry_after_seconds

__all__ = ["DeliveryFailed", "classify_http_status", "retry_after_seconds"]


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


def classify_http_status(status: int) -> bool | None:
    """Whether an HTTP answer is a transient failure (True), permanent (False) or success (None).

    429 Too Many Requests and 5xx are the provider's trouble and pass (RFC 9110 section 15.6,
    RFC 6585 section 4); 408 Request Timeout is the connection's. Any other 4xx is about the
    request itself and will be refused again.
    """
    if 200 <= status < 300:
        return None
    return status in (408, 429) or status >= 500
