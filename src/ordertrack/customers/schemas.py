"""Customer shapes."""

from __future__ import annotations

from typing import Annotated

import phonenumbers
from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from ordertrack.kit.schema import ApiModel, OutModel


def _e164(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValueError("phone must be in international format, e.g. +14155550123") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("phone is not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


Phone = Annotated[str, StringConstraints(min_length=3, max_length=32), AfterValidator(_e164)]


class CustomerIn(ApiModel):
    email: EmailStr
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
