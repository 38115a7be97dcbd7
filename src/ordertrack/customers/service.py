"""Find or create the customer an order is for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ordertrack.customers.model import Customer
from ordertrack.customers.schemas import CustomerIn
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.ids import new_id


def upsert_customer(
    uow: UnitOfWork, merchant_id: str, data: CustomerIn, *, now: datetime | None = None
) -> Customer:
    """The merchant's customer with this email, updated with any newer details given."""
    email = data.email.lower()
    customer = uow.session.scalars(
        select(Customer).where(Customer.merchant_id == merchant_id, Customer.email == email)
    ).first()
    if customer is None:
        customer = Customer(
            id=new_id("cus"), merchant_id=merchant_id, email=email, created_at=now or utcnow()
        )
        uow.session.add(customer)
    for field in ("name", "phone", "locale"):
        value = getattr(data, field)
        if value is not None:
            setattr(customer, field, value)
    return customer


def get_customers(uow: UnitOfWork, merchant_id: str, ids: set[str]) -> dict[str, Customer]:
    if not ids:
        return {}
    rows = uow.session.scalars(
        select(Customer).where(Customer.merchant_id == merchant_id, Customer.id.in_(ids))
    )
    return {c.id: c for c in rows}


def customer_ids_with_email(uow: UnitOfWork, merchant_id: str, email: str) -> list[str]:
    """The merchant's customers with this email (read-only; for searches)."""
    return list(
        uow.session.scalars(
            select(Customer.id).where(Customer.merchant_id == merchant_id, Customer.email == email.lower())
        )
    )
