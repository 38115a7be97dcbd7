"""Pydantic building blocks shared by every feature's API shapes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_validator,
)


def storable_text(value: str) -> str:
    """Refuse text no database can keep: NUL characters and unpaired UTF-16 surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


class ApiModel(BaseModel):
    """Input models refuse unknown fields, so a typo is an error instead of silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str):
            return storable_text(value)
        if isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, str):
                    storable_text(item)
        return value


class OutModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


Text = Annotated[str, StringConstraints(min_length=1, max_length=300)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=120)]
CountryCode = Annotated[
    str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{2}$", min_length=2, max_length=2)
]
CurrencyCode = Annotated[
    str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{3}$", min_length=3, max_length=3)
]
Sku = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\s].*$")]

_CARRIER = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,39}$")


def _carrier_slug(value: str) -> str:
    slug = value.strip().lower().replace(" ", "_")
    if not _CARRIER.match(slug):
        raise ValueError("carrier must be a slug of letters, digits, '_' or '-' (at most 40)")
    return slug


CarrierSlug = Annotated[str, StringConstraints(min_length=1, max_length=40), AfterValidator(_carrier_slug)]

_TRACKING = re.compile(r"^[A-Z0-9][A-Z0-9\-]{2,63}$")


def normalise_tracking_number(value: str) -> str:
    """Carriers print tracking numbers with spaces and mixed case; store one canonical form."""
    compact = re.sub(r"[\s]+", "", value).upper()
    if not _TRACKING.match(compact):
        raise ValueError("tracking number must be 3 to 64 letters, digits or '-'")
    return compact


TrackingNumber = Annotated[
    str, StringConstraints(min_length=1, max_length=80), AfterValidator(normalise_tracking_number)
]


def _iso_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 timestamp with a UTC offset, e.g. 2026-11-01T09:30:00-05:00")
    return value


def _within_utc_years(value: datetime) -> datetime:
    # 9999-12-31T23:00:00-12:00 is a valid timestamp whose UTC form is in the year 10000,
    # which no datetime (nor database column) can hold.
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must fall within the years 1 to 9999 once converted to UTC") from None
    return value


# An instant as ISO 8601 text with its offset: numbers (whose epoch and unit are a guess)
# and naive times (whose zone is a guess) are refused, and so are instants that cannot be
# stored in UTC.
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_within_utc_years)]


def format_amount(value: Decimal) -> str:
    """Money as text, never less than two decimals and no trailing noise: 410.5000 -> 410.50."""
    normal = value.normalize()
    if normal.as_tuple().exponent > -2:  # type: ignore[operator]
        normal = value.quantize(Decimal("0.01"))
    return format(normal, "f")


Amount = Annotated[Decimal, PlainSerializer(format_amount, return_type=str, when_used="json")]


class ErrorBody(BaseModel):
    code: str = Field(description="machine-readable error code")
    message: str = Field(description="what went wrong, for a human")
    details: Any | None = Field(default=None, description="structured detail when there is some")


class ErrorResponse(BaseModel):
    """The shape of every 4xx answer."""

    error: ErrorBody


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error shape for these status codes."""
    text = {
        400: "Malformed request",
        401: "Missing or invalid API key",
        404: "Not found (or owned by another merchant)",
        409: "Conflict with the current state",
        413: "Request body too large",
        415: "Body is not JSON",
        422: "Invalid input",
    }
    return {code: {"model": ErrorResponse, "description": text[code]} for code in codes}


class PageOut(BaseModel):
    next_cursor: str | None = Field(description="pass as ?cursor= to get the next page; null at the end")
