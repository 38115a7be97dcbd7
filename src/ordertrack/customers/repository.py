"""Queries of the customers' own table."""

from __future__ import annotations

from sqlalchemy import Select, and_, or_, select

from ordertrack.customers.model import Customer
from ordertrack.db.uow import UnitOfWork


def customer_with_email(uow: UnitOfWork, merchant_id: str, email: str) -> Customer | None:
    """The merchant's customer with this (already lower-cased) email."""
    return uow.session.scalars(
        select(Customer).where(Customer.merchant_id == merchant_id, Customer.email == email)
    ).first()


def add_customer(uow: UnitOfWork, customer: Customer) -> None:
    uow.session.add(customer)


def customers_by_id(uow: UnitOfWork, merchant_id: str, ids: set[str]) -> dict[str, Customer]:
    rows = uow.session.scalars(
        select(Customer).where(Customer.merchant_id == merchant_id, Customer.id.in_(ids))
    )
    return {c.id: c for c in rows}


def ids_with_email(uow: UnitOfWork, merchant_id: str, email: str) -> list[str]:
    """The ids of the merchant's customers with this (already lower-cased) email."""
    return list(
        uow.session.scalars(
            select(Customer.id).where(Customer.merchant_id == merchant_id, Customer.email == email)
        )
    )


def ids_matching(merchant_id: str, words: list[str], email: str, phone_digits: str) -> Select[tuple[str]]:
    """A query (not run) of the ids of the merchant's customers whose name holds every word, whose
    email holds ``email``, or whose phone holds ``phone_digits`` (each test skipped when empty)."""
    tests = []
    if words:
        tests.append(and_(*(Customer.name.icontains(word, autoescape=True) for word in words)))
    if email:
        tests.append(Customer.email.contains(email, autoescape=True))
    if phone_digits:
        tests.append(Customer.phone.contains(phone_digits, autoescape=True))
    return select(Customer.id).where(Customer.merchant_id == merchant_id, or_(*tests) if tests else False)
