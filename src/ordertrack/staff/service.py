"""Staff accounts: create them, check a password at login, end every session of a user.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile).
The parameters are stored inside each hash, so raising them later needs no migration: a
hash made with older parameters is replaced at the user's next successful login.
"""

from __future__ import annotations

import re
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import Conflict, NotFound, Unauthorized, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.staff import repository
from ordertrack.staff.model import StaffUser

HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # hashing megabytes of "password" is a denial of service
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
# Hashed once, so a login for an unknown email costs as much as one for a known email.
_DUMMY_HASH = HASHER.hash("not a password anybody has")


class LoginFailed(Unauthorized):
    """Wrong email, wrong password or a disabled account: the answer never says which."""

    code = "login_failed"

    def __init__(self) -> None:
        super().__init__("email or password is wrong")


class InvalidStaff(Unprocessable):
    code = "invalid_staff"


class DuplicateStaffEmail(Conflict):
    code = "duplicate_staff_email"


class StaffNotFound(NotFound):
    code = "staff_not_found"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidStaff(
            f"a password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long"
        )


def create_staff(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    email: str,
    name: str,
    password: str,
    now: datetime,
    hasher: PasswordHasher = HASHER,
) -> StaffUser:
    """A new staff login for the merchant; the email must be new to that merchant."""
    email = normalise_email(email)
    name = " ".join(name.split())
    if not _EMAIL.match(email):
        raise InvalidStaff(f"{email!r} is not an email address")
    if not 1 <= len(name) <= 200:
        raise InvalidStaff("a name must be 1 to 200 characters")
    check_password_rules(password)
    if repository.email_taken(uow, merchant_id, email):
        raise DuplicateStaffEmail(f"{email} already has a login for this merchant")
    user = StaffUser(
        id=new_id("stf"),
        merchant_id=merchant_id,
        email=email,
        name=name,
        password_hash=hasher.hash(password),
        session_version=1,
        created_at=now,
        last_login_at=None,
        disabled=False,
    )
    repository.add_user(uow, user)
    return user


def authenticate(
    uow: UnitOfWork, email: str, password: str, *, now: datetime, hasher: PasswordHasher = HASHER
) -> StaffUser:
    """The staff user this email and password belong to, or :class:`LoginFailed`.

    One email may sign in to several merchants; the password picks the account. A hash made
    with weaker parameters than ``hasher``'s is upgraded on the way.
    """
    if len(password) > MAX_PASSWORD_LENGTH:
        raise LoginFailed()
    candidates = repository.users_with_email(uow, normalise_email(email))
    if not candidates:
        _verify(hasher, _DUMMY_HASH, password)
        raise LoginFailed()
    for user in candidates:
        if _verify(hasher, user.password_hash, password):
            if user.disabled:
                raise LoginFailed()
            if hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hasher.hash(password)
            user.last_login_at = now
            return user
    raise LoginFailed()


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def active_user(uow: UnitOfWork, staff_id: str, session_version: int) -> StaffUser | None:
    """The user a session cookie names, while the session still stands (not ended, not disabled)."""
    user = repository.user(uow, staff_id)
    if user is None or user.disabled or user.session_version != session_version:
        return None
    return user


def end_sessions(uow: UnitOfWork, staff_id: str) -> None:
    """Log the user out everywhere: every cookie issued before now stops working."""
    user = repository.locked_user(uow, staff_id)
    if user is not None:
        user.session_version += 1


def set_disabled(uow: UnitOfWork, merchant_id: str, staff_id: str, disabled: bool) -> StaffUser:
    user = repository.locked_user(uow, staff_id)
    if user is None or user.merchant_id != merchant_id:
        raise StaffNotFound(f"no staff user {staff_id!r}")
    if disabled and not user.disabled:
        user.session_version += 1
    user.disabled = disabled
    return user


def set_password(uow: UnitOfWork, staff_id: str, password: str, *, hasher: PasswordHasher = HASHER) -> None:
    check_password_rules(password)
    user = repository.locked_user(uow, staff_id)
    if user is None:
        raise StaffNotFound(f"no staff user {staff_id!r}")
    user.password_hash = hasher.hash(password)
    user.session_version += 1


def active_staff_emails(uow: UnitOfWork, merchant_id: str) -> list[str]:
    """The email of every staff login not disabled, in order (who staff alerts go to)."""
    return repository.active_emails(uow, merchant_id)
