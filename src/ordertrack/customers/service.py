"""Find or create the customer an order is for."""

from __future__ import annotations

from datetime import datetime

from ordertrack.customers import repository
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
