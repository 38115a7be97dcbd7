"""Customer shapes."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from ordertrack.kit.schema import ApiModel, OutModel

# E.164: "+", a country code that does not start with 0, at most 15 digits in all; spaces,
# dots, dashes and brackets between digits are allowed and dropped. The shape is what the API
# declares and checks; whether a line exists is the SMS provider's answer, recorded on the message.
E164_PATTERN = r"^\+[1-9](?:[ .()-]{0,2}[0-9]){6,14}$"


def _e164(value: str) -> str:
    if not re.fullmatch(E164_PATTERN, value):
        raise ValueError("phone must be in international format, e.g. +14155550123")
    return "+" + re.sub(r"[^0-9]", "", value)


Phone = Annotated[
    str,
    StringConstraints(min_length=8, max_length=32),
    AfterValidator(_e164),
    Field(json_schema_extra={"pattern": E164_PATTERN}),
]


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c}]" for c in word)


# Mail to the special-use domains of RFC 6761 and 7686 never arrives, and the email check
# refuses them (email_validator.SPECIAL_USE_DOMAIN_NAMES): the document says so.
_SPECIAL_USE = "|".join(
    _any_case(name) for name in ("arpa", "invalid", "local", "localhost", "onion", "test")
)
DELIVERABLE_DOMAIN_PATTERN = f"^(?![^@]*@(?:[^@]*\\.)?(?:{_SPECIAL_USE})\\.?$)"


class CustomerIn(ApiModel):
    email: EmailStr = Field(json_schema_extra={"pattern": DELIVERABLE_DOMAIN_PATTERN})
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    phone: Phone | None = Field(default=None, description="E.164, e.g. +14155550123")
    locale: (
        Annotated[str, StringConstraints(max_length=35, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")]
        | None
    ) = None


class CustomerOut(OutModel):
    id: str
    email: str
    name: str | None
    phone: str | None
    locale: str | None
