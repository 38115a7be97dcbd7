"""Pydantic building blocks shared by every feature's API shapes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
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


# Declared on every string of an input model that has no pattern of its own (the patterns
# below admit no NUL), so the OpenAPI document says what storable_text enforces.
NO_NUL_PATTERN = "^[^\\x00]*$"


# The white space input models strip from both ends of a string (pydantic's strip: Unicode
# White_Space): a required text must have something else in it.
_WHITE = "\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
NOT_BLANK_PATTERN = f"^[^\\x00]*[^\\x00{_WHITE}][^\\x00]*$"


def _declare_no_nul(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and not ({"pattern", "enum", "const", "format"} & schema.keys()):
        schema["pattern"] = NOT_BLANK_PATTERN if schema.get("minLength", 0) > 0 else NO_NUL_PATTERN
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for part in schema.get(key, ()):
            _declare_no_nul(part)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _declare_no_nul(schema[key])
    for part in schema.get("properties", {}).values():
        _declare_no_nul(part)


def _input_schema(schema: dict[str, Any], model: type) -> None:
    _declare_no_nul(schema)


def declaring(rules: dict[str, Any]) -> Callable[[dict[str, Any], type], None]:
    """``json_schema_extra`` for an input model whose rules span fields (``not``, ``if``...)."""

    def declare(schema: dict[str, Any], model: type) -> None:
        schema.update(rules)
        _declare_no_nul(schema)

    return declare


_JSON_TYPES: dict[type, tuple[type, ...]] = {bool: (bool,), int: (int,), float: (int, float)}
_JSON_NAMES = {bool: "boolean", int: "integer", float: "number"}


def _scalar_kind(annotation: Any) -> type | None:
    """bool, int or float when a field holds one of them (or null), else None."""
    if get_origin(annotation) in (Union, UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        annotation = kinds[0] if len(kinds) == 1 else None
    return annotation if annotation in _JSON_TYPES else None


class ApiModel(BaseModel):
    """Input models refuse unknown fields, so a typo is an error instead of silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra=_input_schema)

    @field_validator("*", mode="before")
    @classmethod
    def _json_type(cls, value: Any, info: ValidationInfo) -> Any:
        # A JSON true is not the number 1, nor 0 or "0" false: the type is what the document says.
        kind = _scalar_kind(cls.model_fields[info.field_name].annotation) if info.field_name else None
        if kind is None or value is None:
            return value
        if kind is int and isinstance(value, float) and value.is_integer():
            return int(value)  # JSON Schema counts 1.0 as an integer
        if isinstance(value, bool) != (kind is bool) or not isinstance(value, _JSON_TYPES[kind]):
            raise ValueError(f"must be a JSON {_JSON_NAMES[kind]}")
        return value

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
Sku = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\s\x00][^\x00\n\r]*$")]

# The zones of the tz database this server has, declared as the list they are, so the
# OpenAPI document names exactly the values the server takes.
ZONE_NAMES = frozenset(available_timezones())


def _iana_zone(value: str) -> str:
    if value not in ZONE_NAMES:
        raise ValueError(f"unknown IANA time zone {value!r}")
    return value


TimeZoneName = Annotated[
    str,
    AfterValidator(_iana_zone),
    WithJsonSchema({"type": "string", "enum": sorted(ZONE_NAMES), "description": "an IANA time zone"}),
]

_CARRIER = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,39}$")


def _carrier_slug(value: str) -> str:
    slug = value.strip().lower().replace(" ", "_")
    if not _CARRIER.match(slug):
        raise ValueError("carrier must be a slug of letters, digits, '_' or '-' (at most 40)")
    return slug


CarrierSlug = Annotated[str, StringConstraints(min_length=1, max_length=40), AfterValidator(_carrier_slug)]

# Letters, digits and '-', 3 to 64 of them once the spaces, tabs and no-break spaces that
# carriers print between groups are taken out. The pattern is checked here as it is declared.
_GAP = "[ \\t\\u00a0]"
TRACKING_NUMBER_PATTERN = f"^{_GAP}*[A-Za-z0-9](?:{_GAP}*[A-Za-z0-9-]){{2,63}}{_GAP}*$"


def normalise_tracking_number(value: str) -> str:
    """Carriers print tracking numbers with spaces and mixed case; store one canonical form."""
    if not re.fullmatch(TRACKING_NUMBER_PATTERN, value):
        raise ValueError("tracking number must be 3 to 64 letters, digits or '-'")
    return re.sub(_GAP, "", value).upper()


# No maxLength: the surrounding white space is stripped before any length is counted, and the
# pattern bounds what is left.
TrackingNumber = Annotated[
    str,
    AfterValidator(normalise_tracking_number),
    Field(json_schema_extra={"pattern": TRACKING_NUMBER_PATTERN}),
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


# An amount: 14 digits, 4 of them after the point. As a string it is exact and must say so
# (digits, then at most 4 after a point: no sign, exponent or grouping); a JSON number is a
# binary float, so it is read to the nearest 0.0001 (0.1 + 0.2 is 0.3).
MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,4})?$"
MONEY_MAX = Decimal("9999999999.9999")
_MONEY_STEP = Decimal("0.0001")
_MONEY_ERROR = "must be an amount of at most 10 digits and 4 decimals, e.g. 19.99, not below 0"


def _money(value: Any) -> Decimal:
    if isinstance(value, str):
        if not re.fullmatch(MONEY_PATTERN, value):
            raise ValueError(_MONEY_ERROR)
        return Decimal(value)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(_MONEY_ERROR)
    if not 0 <= value <= (float(MONEY_MAX) if isinstance(value, float) else MONEY_MAX):
        raise ValueError(_MONEY_ERROR)
    if isinstance(value, float):
        return Decimal(value).quantize(_MONEY_STEP, rounding=ROUND_HALF_EVEN)
    amount = Decimal(value)
    if amount != amount.quantize(_MONEY_STEP):
        raise ValueError(_MONEY_ERROR)
    return amount


Money = Annotated[
    Decimal,
    PlainValidator(_money),
    # Said outright: with a plain validator pydantic no longer knows the value is a Decimal.
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": MONEY_PATTERN},
                {"type": "number", "minimum": 0, "maximum": float(MONEY_MAX)},
            ],
            "description": 'an amount: a string such as "19.99" (exact), or a JSON number',
        }
    ),
]


def format_amount(value: Decimal) -> str:
    """Money as text, never less than two decimals and no trailing noise: 410.5000 -> 410.50."""
    normal = value.normalize()
    if normal.as_tuple().exponent > -2:  # type: ignore[operator]
        normal = value.quantize(Decimal("0.01"))
    return format(normal, "f")


Amount = Annotated[Decimal, PlainSerializer(format_amount, return_type=str, when_used="json")]


class ErrorDetail(BaseModel):
    """One thing wrong, of several: where (``field``, ``index``), what (``code``) and why (``message``).

    An item may carry facts of its own beside these, named by its code: ``sku``, ``requested``
    and ``available`` for ``insufficient_stock``; ``max`` and ``got`` for ``too_many_items``;
    ``carrier`` and ``status`` for ``carrier_unavailable``.
    """

    model_config = ConfigDict(extra="allow")

    field: str | None = Field(
        default=None, description="the input it is about, dotted (e.g. lines.0.quantity), when one"
    )
    index: int | None = Field(default=None, description="the batch item it is about, counted from 0")
    code: str = Field(description="machine-readable code of this item")
    message: str = Field(description="what is wrong with it, for a human")


class ErrorBody(BaseModel):
    code: str = Field(description="machine-readable error code")
    message: str = Field(description="what went wrong, for a human")
    details: list[ErrorDetail] | None = Field(
        default=None, description="each thing wrong, when the error has parts (always a list)"
    )


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
    """Every list answers ``{"items": [...], "next_cursor": ...}``."""

    next_cursor: str | None = Field(description="pass as ?cursor= to get the next page; null at the end")


# --- references and addresses, one shape each everywhere ----------------------------------------


class OrderRef(OutModel):
    """An order named in an answer: both keys it is found by (requests take either as ``order``)."""

    id: str
    number: str


class WarehouseRef(OutModel):
    """A warehouse named in an answer (requests name it by its code as ``warehouse``)."""

    code: str


PostalCode = Annotated[str, StringConstraints(min_length=1, max_length=20)]


class AddressIn(ApiModel):
    """A postal address: a street line, a city and a country are needed to reach it."""

    name: Text | None = Field(default=None, description="who is there: the recipient, or the site's name")
    line1: Text
    line2: Text | None = None
    city: ShortText
    region: ShortText | None = None
    postal_code: PostalCode | None = None
    country: CountryCode


class AddressOut(OutModel):
    """A postal address as given (older records may lack a street or a city)."""

    name: str | None
    line1: str | None
    line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
