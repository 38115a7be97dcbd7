"""A demo staff login, so ``ordertrack serve --demo`` opens the dashboard at once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.staff import service as staff_service
from ordertrack.staff.model import StaffUser

DEMO_STAFF_EMAIL = "demo@northwind.example"
# A fixed, published password: the demo is for trying ordertrack out, never for real data.
DEMO_STAFF_PASSWORD = "northwind-demo"
DEMO_STAFF_NAME = "Demo Staff"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def ensure_demo_staff(uow: UnitOfWork, merchant_id: str) -> DemoLogin:
    """The demo merchant's staff login, created on first use (an existing one is left as it is)."""
    user = uow.session.scalars(
        select(StaffUser).where(StaffUser.merchant_id == merchant_id, StaffUser.email == DEMO_STAFF_EMAIL)
    ).first()
    if user is None:
        staff_service.create_staff(
            uow,
            merchant_id,
            email=DEMO_STAFF_EMAIL,
            name=DEMO_STAFF_NAME,
            password=DEMO_STAFF_PASSWORD,
            now=utcnow(),
        )
    return DemoLogin(DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD)
