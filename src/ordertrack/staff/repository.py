"""Queries of the staff's own table: staff logins."""

from __future__ import annotations

from sqlalchemy import select

from ordertrack.db.uow import UnitOfWork
from ordertrack.staff.model import StaffUser


def email_taken(uow: UnitOfWork, merchant_id: str, email: str) -> bool:
    return (
        uow.session.scalar(
            select(StaffUser.id).where(StaffUser.merchant_id == merchant_id, StaffUser.email == email)
        )
        is not None
    )


def add_user(uow: UnitOfWork, user: StaffUser) -> None:
    uow.session.add(user)
    uow.flush()


def users_with_email(uow: UnitOfWork, email: str) -> list[StaffUser]:
    """Every merchant's login with this (normalised) email, in id order."""
    return list(uow.session.scalars(select(StaffUser).where(StaffUser.email == email).order_by(StaffUser.id)))


def user(uow: UnitOfWork, staff_id: str) -> StaffUser | None:
    return uow.session.get(StaffUser, staff_id)


def locked_user(uow: UnitOfWork, staff_id: str) -> StaffUser | None:
    """The user's row, locked ``FOR UPDATE`` (its session version is about to change)."""
    return uow.session.get(StaffUser, staff_id, with_for_update=True)


def active_emails(uow: UnitOfWork, merchant_id: str) -> list[str]:
    return list(
        uow.session.scalars(
            select(StaffUser.email)
            .where(StaffUser.merchant_id == merchant_id, StaffUser.disabled.is_(False))
            .order_by(StaffUser.email)
        )
    )


def merchant_users(uow: UnitOfWork, merchant_id: str) -> list[StaffUser]:
    """Every login of the merchant, by name."""
    return list(
        uow.session.scalars(
            select(StaffUser)
            .where(StaffUser.merchant_id == merchant_id)
            .order_by(StaffUser.name, StaffUser.id)
        )
    )
