"""Find or create the customer an order is for."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Select

from ordertrack.customers import repository
from ordertrack.customers.model import Customer
from ordertrack.customers.schemas import CustomerIn
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.ids import new_id
from ordertrack.kit.number_keys import digits_of


def upsert_customer(
    uow: UnitOfWork, merchant_id: str, data: CustomerIn, *, now: datetime | None = None
) -> Customer:
    """The merchant's customer with this email, updated with any newer details given."""
    email = data.email.lower()
    customer = repository.customer_with_email(uow, merchant_id, email)
    if customer is None:
        customer = Customer(
            id=new_id("cus"), merchant_id=merchant_id, email=email, created_at=now or utcnow()
        )
        repository.add_customer(uow, customer)
    for field in ("name", "phone", "locale"):
        value = getattr(data, field)
        if value is not None:
            setattr(customer, field, value)
    return customer


def get_customers(uow: UnitOfWork, merchant_id: str, ids: set[str]) -> dict[str, Customer]:
    if not ids:
        return {}
    return repository.customers_by_id(uow, merchant_id, ids)


def customer_ids_with_email(uow: UnitOfWork, merchant_id: str, email: str) -> list[str]:
    """The merchant's customers with this email (read-only; for searches)."""
    return repository.ids_with_email(uow, merchant_id, email.lower())


# What a phone number may be typed with: digits, a leading +, spaces, dots, dashes, brackets.
_PHONE_TYPED = re.compile(r"^\+?[0-9 ().\-]+$")
PHONE_DIGITS_AT_LEAST = 4  # "0123" finds the customer whose number ends in 0123; "12" finds too many


def customers_matching(merchant_id: str, text: str) -> Select[tuple[str]]:
    """The ids of the merchant's customers that support's search ``text`` names, as a query to
    use inside another (not run here): a name holding every typed word (any case), an email
    holding the text, or a phone holding the typed digits (at least 4, typed as a phone is)."""
    words = text.split()
    phone = ""
    if _PHONE_TYPED.fullmatch(text.strip()) and len(digits := digits_of(text)) >= PHONE_DIGITS_AT_LEAST:
        phone = digits.lstrip("0")  # a national number's trunk 0 is not in the E.164 form kept
        phone = phone if len(phone) >= PHONE_DIGITS_AT_LEAST else ""
    email = text.strip().lower() if len(words) == 1 else ""
    return repository.ids_matching(merchant_id, words, email, phone)
