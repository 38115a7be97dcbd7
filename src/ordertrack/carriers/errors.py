"""What a carrier call that gave no answer to read raises (carrier faults in an answer are
messages beside its events, not exceptions)."""

from __future__ import annotations

from ordertrack.kit.errors import OrdertrackError

# Kept on errors so a log shows what the carrier said, without storing a whole page.
ERROR_BODY_LIMIT = 2000


class CarrierError(OrdertrackError):
    """A carrier call that did not give an answer to read."""

    status_code = 502
    code = "carrier_error"

    def __init__(self, message: str, *, carrier: str, status: int | None = None, body: bytes = b"") -> None:
        super().__init__(message, details={"carrier": carrier, "status": status})
        self.carrier = carrier
        self.status = status  # the carrier's last HTTP status; None when no answer came at all
        self.body = body[:ERROR_BODY_LIMIT]


class CarrierUnavailable(CarrierError):
    """Gave up after retries (or the carrier asked for a longer pause than one poll waits)."""

    status_code = 503
    code = "carrier_unavailable"

    def __init__(
        self,
        message: str,
        *,
        carrier: str,
        status: int | None = None,
        body: bytes = b"",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, carrier=carrier, status=status, body=body)
        self.retry_after = retry_after  # seconds the carrier asked to wait, when it said


class CarrierAuthFailed(CarrierError):
    """The carrier refused the account's credentials (fix the account, retrying will not help)."""

    code = "carrier_auth_failed"


class CarrierRequestRefused(CarrierError):
    """A 4xx other than 401/403/404/429: the carrier says the request itself is wrong."""

    code = "carrier_request_refused"


class CarrierTargetRefused(CarrierError):
    """The carrier's host resolved to an address outgoing requests may not reach."""

    code = "carrier_target_not_allowed"
