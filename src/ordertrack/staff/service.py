"""Staff accounts: create them, check a password at login, end every session of a user.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile).
The parameters are stored inside each hash, so raising them later needs no migration: a
hash made with older parameters is replaced at the user's next successful login.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import Conflict, NotFound, OrdertrackError, Unauthorized, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.staff import repository
from ordertrack.staff.model import StaffUser

HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # hashing megabytes of "password" is a denial of service
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
# Hashed once, so a login for an unknown email costs as much as one for a known email.
_DUMMY_HASH = HASHER.hash("not a password anybody has")
# owner: staff, settings and API keys as well as the day-to-day work; staff: the day-to-day work.
ROLES = ("owner", "staff")


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


class OwnersOnly(OrdertrackError):
    status_code = 403
    code = "owners_only"


class LastOwner(Conflict):
    code = "last_owner"


class NotOnYourself(Conflict):
    code = "not_on_yourself"


class StaffLinkInvalid(OrdertrackError):
    """An invite or reset link that was used already, replaced by a newer one, or expired."""

    status_code = 410
    code = "staff_link_invalid"


def status_of(user: StaffUser) -> str:
    """invited (no password yet), active or disabled."""
    if user.disabled:
        return "disabled"
    return "active" if user.password_hash else "invited"


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
    role: str = "owner",
    hasher: PasswordHasher = HASHER,
) -> StaffUser:
    """A new staff login for the merchant; the email must be new to that merchant. Logins made
    from the command line are owners (someone must be able to invite the rest)."""
    email, name = _checked_identity(uow, merchant_id, email, name, role)
    check_password_rules(password)
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
        role=role,
    )
    repository.add_user(uow, user)
    return user


def _checked_identity(uow: UnitOfWork, merchant_id: str, email: str, name: str, role: str) -> tuple[str, str]:
    email = normalise_email(email)
    name = " ".join(name.split())
    if not _EMAIL.match(email) or len(email) > 320:
        raise InvalidStaff(f"{email!r} is not an email address")
    if not 1 <= len(name) <= 200:
        raise InvalidStaff("a name must be 1 to 200 characters")
    if role not in ROLES:
        raise InvalidStaff(f"the role must be one of {', '.join(ROLES)}")
    if repository.email_taken(uow, merchant_id, email):
        raise DuplicateStaffEmail(f"{email} already has a login for this merchant")
    return email, name


def invite_staff(
    uow: UnitOfWork, merchant_id: str, *, email: str, name: str, role: str, now: datetime
) -> tuple[StaffUser, str]:
    """A login waiting for its owner to choose a password through an invite link; the nonce
    the link must carry (one link works at a time, once)."""
    email, name = _checked_identity(uow, merchant_id, email, name, role)
    nonce = secrets.token_urlsafe(18)
    user = StaffUser(
        id=new_id("stf"),
        merchant_id=merchant_id,
        email=email,
        name=name,
        password_hash="",  # no password: nobody can sign in until the invite is accepted
        session_version=1,
        created_at=now,
        last_login_at=None,
        disabled=False,
        role=role,
        link_nonce=nonce,
        invited_at=now,
    )
    repository.add_user(uow, user)
    return user, nonce


def new_link(uow: UnitOfWork, merchant_id: str, staff_id: str) -> tuple[StaffUser, str]:
    """A fresh invite (not yet accepted) or password-reset link's nonce; older links stop working."""
    user = repository.locked_user(uow, staff_id)
    if user is None or user.merchant_id != merchant_id:
        raise StaffNotFound(f"no staff user {staff_id!r}")
    if user.disabled:
        raise InvalidStaff("enable this login before sending it a link")
    user.link_nonce = secrets.token_urlsafe(18)
    return user, user.link_nonce


def link_holder(uow: UnitOfWork, staff_id: str, nonce: str) -> StaffUser:
    """The user a still-valid link belongs to (its nonce is the current one), else StaffLinkInvalid."""
    user = repository.user(uow, staff_id)
    if (
        user is None
        or user.disabled
        or not user.link_nonce
        or not secrets.compare_digest(user.link_nonce, nonce)
    ):
        raise StaffLinkInvalid("This link was used already, replaced by a newer one, or has expired.")
    return user


def accept_link(
    uow: UnitOfWork, staff_id: str, nonce: str, password: str, *, hasher: PasswordHasher = HASHER
) -> StaffUser:
    """Set the password an invite or reset link allows, once; every older session ends."""
    check_password_rules(password)
    user = repository.locked_user(uow, staff_id)
    if user is None:
        raise StaffLinkInvalid("This link was used already, replaced by a newer one, or has expired.")
    link_holder(uow, staff_id, nonce)
    user.password_hash = hasher.hash(password)
    user.link_nonce = None
    user.session_version += 1
    return user


def list_staff(uow: UnitOfWork, merchant_id: str) -> list[StaffUser]:
    return repository.merchant_users(uow, merchant_id)


def require_owner(uow: UnitOfWork, merchant_id: str, staff_id: str) -> StaffUser:
    user = repository.user(uow, staff_id)
    if user is None or user.merchant_id != merchant_id or user.role != "owner":
        raise OwnersOnly("Only an owner of this shop can do that. Ask an owner to change your role.")
    return user


def _other_active_owners(uow: UnitOfWork, merchant_id: str, staff_id: str) -> int:
    return sum(
        1
        for u in repository.merchant_users(uow, merchant_id)
        if u.id != staff_id and u.role == "owner" and status_of(u) == "active"
    )


def set_role(uow: UnitOfWork, merchant_id: str, staff_id: str, role: str, *, by: str) -> StaffUser:
    """Make a login owner or staff; the last active owner stays an owner."""
    if role not in ROLES:
        raise InvalidStaff(f"the role must be one of {', '.join(ROLES)}")
    user = repository.locked_user(uow, staff_id)
    if user is None or user.merchant_id != merchant_id:
        raise StaffNotFound(f"no staff user {staff_id!r}")
    if role != "owner" and user.role == "owner" and _other_active_owners(uow, merchant_id, staff_id) == 0:
        raise LastOwner("A shop needs at least one active owner: make someone else an owner first.")
    if staff_id == by and role != user.role:
        raise NotOnYourself("You cannot change your own role; another owner can.")
    user.role = role
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


def colleague(uow: UnitOfWork, merchant_id: str, staff_id: str) -> StaffUser:
    """An active staff member of this merchant (another merchant's is not found)."""
    user = repository.user(uow, staff_id)
    if user is None or user.merchant_id != merchant_id or user.disabled or not user.password_hash:
        raise StaffNotFound(f"no active staff member {staff_id!r}")
    return user


def set_disabled(
    uow: UnitOfWork, merchant_id: str, staff_id: str, disabled: bool, *, by: str | None = None
) -> StaffUser:
    """Disable a login (every session of it ends at once) or enable it again. Nobody disables
    themselves, and the last active owner stays."""
    user = repository.locked_user(uow, staff_id)
    if user is None or user.merchant_id != merchant_id:
        raise StaffNotFound(f"no staff user {staff_id!r}")
    if disabled and by == staff_id:
        raise NotOnYourself("You cannot disable your own login.")
    if disabled and user.role == "owner" and _other_active_owners(uow, merchant_id, staff_id) == 0:
        raise LastOwner("A shop needs at least one active owner: this is the last one.")
    if disabled:
        user.link_nonce = None
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
