"""One error base: every expected failure has a code, a message and an HTTP status."""

from __future__ import annotations

from typing import Any


class OrdertrackError(Exception):
    """Base of all expected errors; the API renders them as ``{"error": {code, message}}``."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(OrdertrackError):
    status_code = 404
    code = "not_found"


class Conflict(OrdertrackError):
    status_code = 409
    code = "conflict"


class Unprocessable(OrdertrackError):
    status_code = 422
    code = "validation_error"


class Unauthorized(OrdertrackError):
    status_code = 401
    code = "unauthorized"
