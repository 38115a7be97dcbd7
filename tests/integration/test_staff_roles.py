"""Owners and staff on a real database (SQLite and PostgreSQL): invites and password resets are
single-use signed links, the last owner stays, nobody disables themselves, and disabling ends
every session at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from ordertrack.db.uow import Database
from ordertrack.kit.signing import SigningKeys
from ordertrack.links import Purpose, read_staff_link_token, staff_link_token
from ordertrack.staff import service as staff_service
from tests.conftest import TEST_SECRET

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
WEAK = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
KEYS = SigningKeys(TEST_SECRET)


def _owner(db: Database, merchant_id: str, email: str = "olga@acme.example") -> str:
    with db.uow() as uow:
        user = staff_service.create_staff(
            uow, merchant_id, email=email, name="Olga Owner", password="owner password", now=NOW, hasher=WEAK
        )
        uow.commit()
        return user.id


def _invite(db: Database, merchant_id: str, role: str = "staff") -> tuple[str, str]:
    with db.uow() as uow:
        user, nonce = staff_service.invite_staff(
            uow, merchant_id, email="Sam@Acme.example", name="Sam Staff", role=role, now=NOW
        )
        uow.commit()
        return user.id, nonce


def test_an_invited_login_cannot_sign_in_until_its_link_sets_a_password_once(
    db: Database, make_merchant
) -> None:
    merchant_id = make_merchant("Acme").merchant_id
    staff_id, nonce = _invite(db, merchant_id)
    with db.uow() as uow, pytest.raises(staff_service.LoginFailed):
        staff_service.authenticate(uow, "sam@acme.example", "", now=NOW, hasher=WEAK)
    token = staff_link_token(KEYS, Purpose.STAFF_INVITE, staff_id, nonce, now=NOW)
    assert read_staff_link_token(KEYS, Purpose.STAFF_INVITE, token, now=NOW) == (staff_id, nonce)
    assert read_staff_link_token(KEYS, Purpose.STAFF_RESET, token, now=NOW) is None  # purposes differ
    assert read_staff_link_token(KEYS, Purpose.STAFF_INVITE, token, now=NOW + timedelta(days=8)) is None
    with db.uow() as uow:
        staff_service.accept_link(uow, staff_id, nonce, "a brand new password", hasher=WEAK)
        uow.commit()
    with db.uow() as uow:
        user = staff_service.authenticate(
            uow, "sam@acme.example", "a brand new password", now=NOW, hasher=WEAK
        )
        assert (user.id, user.role, staff_service.status_of(user)) == (staff_id, "staff", "active")
    with db.uow() as uow, pytest.raises(staff_service.StaffLinkInvalid):
        staff_service.accept_link(uow, staff_id, nonce, "someone else's password", hasher=WEAK)


def test_a_newer_reset_link_voids_the_older_and_ends_sessions_when_used(db: Database, make_merchant) -> None:
    merchant_id = make_merchant("Acme").merchant_id
    staff_id = _owner(db, merchant_id)
    with db.uow() as uow:
        _user, old = staff_service.new_link(uow, merchant_id, staff_id)
        user, new = staff_service.new_link(uow, merchant_id, staff_id)
        version = user.session_version
        uow.commit()
    with db.uow() as uow, pytest.raises(staff_service.StaffLinkInvalid):
        staff_service.accept_link(uow, staff_id, old, "another password", hasher=WEAK)
    with db.uow() as uow:
        assert (
            staff_service.accept_link(uow, staff_id, new, "another password", hasher=WEAK).session_version
            > version
        )
        uow.commit()


def test_the_last_owner_stays_and_nobody_disables_themselves(db: Database, make_merchant) -> None:
    merchant_id = make_merchant("Acme").merchant_id
    owner = _owner(db, merchant_id)
    with db.uow() as uow, pytest.raises(staff_service.NotOnYourself):
        staff_service.set_disabled(uow, merchant_id, owner, True, by=owner)
    with db.uow() as uow, pytest.raises(staff_service.LastOwner):
        staff_service.set_disabled(uow, merchant_id, owner, True, by="stf_someone_else")
    with db.uow() as uow, pytest.raises(staff_service.LastOwner):
        staff_service.set_role(uow, merchant_id, owner, "staff", by="stf_someone_else")
    # An invited owner who never set a password does not count as a second owner.
    _invite(db, merchant_id, role="owner")
    with db.uow() as uow, pytest.raises(staff_service.LastOwner):
        staff_service.set_disabled(uow, merchant_id, owner, True, by="stf_someone_else")
    second = _owner(db, merchant_id, "otto@acme.example")
    with db.uow() as uow:
        staff_service.set_disabled(uow, merchant_id, owner, True, by=second)
        uow.commit()


def test_disabling_ends_sessions_and_voids_the_pending_link(db: Database, make_merchant) -> None:
    merchant_id = make_merchant("Acme").merchant_id
    owner = _owner(db, merchant_id)
    staff_id, nonce = _invite(db, merchant_id)
    with db.uow() as uow:
        staff_service.accept_link(uow, staff_id, nonce, "my own password", hasher=WEAK)
        uow.commit()
    with db.uow() as uow:
        _user, pending = staff_service.new_link(uow, merchant_id, staff_id)
        version = staff_service.colleague(uow, merchant_id, staff_id).session_version
        uow.commit()
    with db.uow() as uow:
        staff_service.set_disabled(uow, merchant_id, staff_id, True, by=owner)
        uow.commit()
    with db.uow() as uow:
        assert staff_service.active_user(uow, staff_id, version) is None
        with pytest.raises(staff_service.StaffLinkInvalid):
            staff_service.link_holder(uow, staff_id, pending)
        with pytest.raises(staff_service.StaffNotFound):
            staff_service.colleague(uow, merchant_id, staff_id)  # nobody assigns work to a disabled login


def test_another_merchants_owner_cannot_touch_the_login(db: Database, make_merchant) -> None:
    acme = make_merchant("Acme").merchant_id
    other = make_merchant("Other").merchant_id
    staff_id, _nonce = _invite(db, acme)
    with db.uow() as uow:
        for act in (
            lambda: staff_service.set_disabled(uow, other, staff_id, True, by="x"),
            lambda: staff_service.set_role(uow, other, staff_id, "owner", by="x"),
            lambda: staff_service.new_link(uow, other, staff_id),
            lambda: staff_service.colleague(uow, other, staff_id),
        ):
            with pytest.raises(staff_service.StaffNotFound):
                act()
