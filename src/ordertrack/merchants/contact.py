"""How shoppers reach the store: a support email, a phone number and a help page.

The tracking page shows them where a shopper needs the store (an address problem, a parcel
going back, a failed delivery) and in its footer. They are kept in the merchant's settings
(``settings["contact"]``), beside the branding; each one is optional.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import NotFound, Unprocessable
from ordertrack.merchants import repository

MAX_EMAIL = 254
MAX_URL = 500
MAX_PHONE = 40
# An https page on a named host (no port, no user info), so a link on the page can only open
# a web page; the API declares the same pattern.
HELP_URL_PATTERN = (
    r"^https://[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
    r"(?:[/?#][^\s\x00-\x1f\x7f]*)?$"
)


class InvalidStoreContact(Unprocessable):
    code = "invalid_store_contact"


@dataclass(frozen=True)
class StoreContact:
    """The store's support channels; any may be None."""

    email: str | None = None
    phone: str | None = None  # E.164, "+15025550100"
    help_url: str | None = None  # https only

    @property
    def phone_display(self) -> str | None:
        """The number as people write it across borders: "+1 502-555-0100"."""
        if not self.phone:
            return None
        try:
            parsed = phonenumbers.parse(self.phone, None)
        except phonenumbers.NumberParseException:
            return self.phone
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

    @property
    def any(self) -> bool:
        return bool(self.email or self.phone or self.help_url)


def store_contact(uow: UnitOfWork, merchant_id: str) -> StoreContact:
    merchant = repository.merchant(uow, merchant_id)
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id!r}")
    stored = (merchant.settings or {}).get("contact", {})
    return StoreContact(email=stored.get("email"), phone=stored.get("phone"), help_url=stored.get("help_url"))


def normalise_email(raw: str) -> str | None:
    """One address, no display name (the page writes it into a mailto: link), whose domain can
    receive mail (not a special-use one such as ``.test``); the domain is written in lower case."""
    text = raw.strip()
    if not text:
        return None
    problem = "the support email must be one address, like help@example.com"
    if len(text) > MAX_EMAIL:
        raise InvalidStoreContact(problem)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidStoreContact(problem) from exc
    return f"{checked.local_part}@{checked.ascii_domain.lower()}"


def normalise_phone(raw: str) -> str | None:
    """The number in E.164; it must be written with its country code (``+1 502 555 0100``),
    since the store's shoppers may call from anywhere."""
    text = raw.strip()
    if not text:
        return None
    problem = "the support phone must be a valid number with its country code, like +1 502 555 0100"
    if len(text) > MAX_PHONE:
        raise InvalidStoreContact(problem)
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidStoreContact(problem) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidStoreContact(problem)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_help_url(raw: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    if len(text) > MAX_URL or not re.fullmatch(HELP_URL_PATTERN, text):
        raise InvalidStoreContact(
            "the help page must be an https:// address on a named host, like https://example.com/help"
        )
    return text


def set_store_contact(
    uow: UnitOfWork, merchant_id: str, *, email: str, phone: str, help_url: str
) -> StoreContact:
    """Replace the store's contact; an empty value removes that channel. Bad input is a 422."""
    merchant = repository.merchant(uow, merchant_id)
    if merchant is None:
        raise NotFound(f"no merchant {merchant_id!r}")
    contact = StoreContact(
        email=normalise_email(email), phone=normalise_phone(phone), help_url=normalise_help_url(help_url)
    )
    stored = {key: value for key, value in vars(contact).items() if value}
    merchant.settings = {**(merchant.settings or {}), "contact": stored}
    uow.flush()
    return contact
