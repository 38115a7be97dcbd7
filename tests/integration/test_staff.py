"""Staff logins and dashboard sessions on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest
from argon2 import PasswordHasher

from ordertrack.db.uow import Database
from ordertrack.kit.signing import SigningKeys
from ordertrack.staff import service as staff_service
from ordertrack.staff.model import StaffUser
from ordertrack.web.dashboard import sessions
from ordertrack.web.dashboard.throttle import LoginThrottle
from tests.conftest import TEST_SECRET, Tenant
from tests.support import LiveServer

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
# Cheap parameters keep the suite fast; the production hasher is argon2-cffi's default.
WEAK = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def make_staff(db: Database, merchant_id: str, email: str = "Pat@Example.com", **kw: object) -> str:
    with db.uow() as uow:
        user = staff_service.create_staff(
            uow,
            merchant_id,
            email=email,
            name="Pat Doe",
            password=PASSWORD,
            now=NOW,
            **kw,  # type: ignore[arg-type]
        )
        uow.commit()
        return user.id


def login(db: Database, email: str, password: str) -> StaffUser:
    with db.uow() as uow:
        user = staff_service.authenticate(uow, email, password, now=NOW)
        uow.commit()
        return user


def test_password_is_stored_as_an_argon2id_hash(db: Database, make_merchant: Callable[[str], Tenant]) -> None:
    merchant = make_merchant("Acme")
    staff_id = make_staff(db, merchant.merchant_id)
    with db.uow() as uow:
        user = uow.session.get(StaffUser, staff_id)
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert user.email == "pat@example.com"


def test_right_password_signs_in_and_records_the_time(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme")
    staff_id = make_staff(db, merchant.merchant_id)
    user = login(db, "PAT@example.com ", PASSWORD)
    assert user.id == staff_id and user.last_login_at == NOW


@pytest.mark.parametrize(
    "email, password", [("pat@example.com", "wrong password!"), ("nobody@example.com", PASSWORD)]
)
def test_wrong_password_or_unknown_email_get_the_same_answer(
    db: Database, make_merchant, email, password
) -> None:
    make_staff(db, make_merchant("Acme").merchant_id)
    with pytest.raises(staff_service.LoginFailed) as failed:
        login(db, email, password)
    assert failed.value.message == "email or password is wrong"


def test_disabled_user_cannot_sign_in(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme")
    staff_id = make_staff(db, merchant.merchant_id, role="staff")
    with db.uow() as uow:
        staff_service.set_disabled(uow, merchant.merchant_id, staff_id, True)
        uow.commit()
    with pytest.raises(staff_service.LoginFailed):
        login(db, "pat@example.com", PASSWORD)


def test_hash_with_old_parameters_is_upgraded_at_login(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme")
    staff_id = make_staff(db, merchant.merchant_id, hasher=WEAK)
    with db.uow() as uow:
        before = uow.session.get(StaffUser, staff_id).password_hash  # type: ignore[union-attr]
    assert staff_service.HASHER.check_needs_rehash(before)
    login(db, "pat@example.com", PASSWORD)
    with db.uow() as uow:
        after = uow.session.get(StaffUser, staff_id).password_hash  # type: ignore[union-attr]
    assert after != before and not staff_service.HASHER.check_needs_rehash(after)
    assert login(db, "pat@example.com", PASSWORD).id == staff_id


def test_email_is_unique_per_merchant_but_not_across_merchants(db: Database, make_merchant) -> None:
    first, second = make_merchant("Acme"), make_merchant("Globex")
    make_staff(db, first.merchant_id)
    with pytest.raises(staff_service.DuplicateStaffEmail):
        make_staff(db, first.merchant_id, email="pat@example.com")
    other = make_staff(db, second.merchant_id)
    assert other


def test_short_password_is_refused(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme")
    with db.uow() as uow, pytest.raises(staff_service.InvalidStaff):
        staff_service.create_staff(
            uow, merchant.merchant_id, email="a@b.example", name="A", password="short", now=NOW
        )


def test_ending_sessions_invalidates_the_session_version(db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme")
    staff_id = make_staff(db, merchant.merchant_id)
    with db.uow() as uow:
        assert staff_service.active_user(uow, staff_id, 1) is not None
        staff_service.end_sessions(uow, staff_id)
        uow.commit()
    with db.uow() as uow:
        assert staff_service.active_user(uow, staff_id, 1) is None
        assert staff_service.active_user(uow, staff_id, 2) is not None


# --- over HTTP: the session cookie and the CSRF check ----------------------------------------


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@contextlib.contextmanager
def signed_in(server: LiveServer, email: str = "pat@example.com") -> Iterator[httpx.Client]:
    with server.client() as http:
        form = http.get("/dashboard/login")
        answer = http.post(
            "/dashboard/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(form.text)}
        )
        assert answer.status_code == 303, answer.text
        yield http


def test_dashboard_pages_redirect_to_login_without_a_session(server: LiveServer, db: Database) -> None:
    with server.client() as http:
        answer = http.get("/dashboard/orders?status=pending")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/dashboard/login?next=%2Fdashboard%2Forders")


def test_login_sets_a_signed_http_only_lax_cookie(server: LiveServer, db: Database, make_merchant) -> None:
    make_staff(db, make_merchant("Acme").merchant_id)
    with signed_in(server) as http:
        cookie = [h for h in http.cookies.jar if h.name == sessions.SESSION_COOKIE][0]
        assert cookie.has_nonstandard_attr("HttpOnly")
        assert http.get("/dashboard/orders").status_code == 200


def test_wrong_password_shows_the_generic_error(server: LiveServer, db: Database, make_merchant) -> None:
    make_staff(db, make_merchant("Acme").merchant_id)
    with server.client() as http:
        form = http.get("/dashboard/login")
        answer = http.post(
            "/dashboard/login",
            data={"email": "pat@example.com", "password": "nope nope nope", "csrf_token": _csrf(form.text)},
        )
    assert answer.status_code == 401
    assert "email or password is wrong" in answer.text


def test_tampered_cookie_is_not_a_session(server: LiveServer, db: Database, make_merchant) -> None:
    staff_id = make_staff(db, make_merchant("Acme").merchant_id)
    genuine = sessions.issue_session(SigningKeys(TEST_SECRET), staff_id, 1, now=datetime.now(UTC))
    payload, _, signature = genuine.rpartition(".")
    forged = sessions.issue_session(SigningKeys("another secret"), staff_id, 1, now=datetime.now(UTC))
    for value in (f"{payload}.{signature[:-2]}xx", forged, f"{payload}x.{signature}", "garbage"):
        with server.client() as http:
            http.cookies.set(sessions.SESSION_COOKIE, value)
            assert http.get("/dashboard/orders").status_code == 303
    with server.client() as http:
        http.cookies.set(sessions.SESSION_COOKIE, genuine)
        assert http.get("/dashboard/orders").status_code == 200


def test_expired_cookie_is_not_a_session(server: LiveServer, db: Database, make_merchant) -> None:
    staff_id = make_staff(db, make_merchant("Acme").merchant_id)
    old = sessions.issue_session(SigningKeys(TEST_SECRET), staff_id, 1, now=datetime(2020, 1, 1, tzinfo=UTC))
    with server.client() as http:
        http.cookies.set(sessions.SESSION_COOKIE, old)
        assert http.get("/dashboard/orders").status_code == 303


def test_logout_ends_the_session_even_for_a_kept_cookie(
    server: LiveServer, db: Database, make_merchant
) -> None:
    make_staff(db, make_merchant("Acme").merchant_id)
    with signed_in(server) as http:
        kept = http.cookies.get(sessions.SESSION_COOKIE, path="/dashboard")
        page = http.get("/dashboard/orders")
        assert http.post("/dashboard/logout", data={"csrf_token": _csrf(page.text)}).status_code == 303
    with server.client() as other:
        other.cookies.set(sessions.SESSION_COOKIE, kept)
        assert other.get("/dashboard/orders").status_code == 303


def test_post_without_or_with_a_wrong_csrf_token_is_refused(
    server: LiveServer, db: Database, make_merchant
) -> None:
    make_staff(db, make_merchant("Acme").merchant_id)
    with signed_in(server) as http:
        for data in ({"label": "x"}, {"label": "x", "csrf_token": "forged"}):
            answer = http.post("/dashboard/settings/api-keys", data=data)
            assert answer.status_code == 403
            assert "text/html" in answer.headers["content-type"]
        assert http.post("/dashboard/logout", data={}).status_code == 403
        assert http.get("/dashboard/orders").status_code == 200  # still signed in


def test_login_form_needs_its_csrf_token(server: LiveServer, db: Database, make_merchant) -> None:
    make_staff(db, make_merchant("Acme").merchant_id)
    with server.client() as http:
        http.get("/dashboard/login")
        answer = http.post("/dashboard/login", data={"email": "pat@example.com", "password": PASSWORD})
    assert answer.status_code == 403


def test_bad_input_gets_a_4xx_page_never_a_500(server: LiveServer, db: Database, make_merchant) -> None:
    make_staff(db, make_merchant("Acme").merchant_id)
    with signed_in(server) as http:
        token = _csrf(http.get("/dashboard/orders").text)
        for path in (
            "/dashboard/orders?from=yesterday",
            "/dashboard/orders?status=lost",
            "/dashboard/orders?after=%%%",
            "/dashboard/orders/ord_nothere",
            "/dashboard/orders/nothere/ship?parcels=0",
            "/dashboard/shipments/shp_nothere/label.pdf",
            "/dashboard/shipments/x/packing-slip.pdf",
            "/dashboard/no/such/page",
        ):
            answer = http.get(path)
            assert 400 <= answer.status_code < 500, (path, answer.status_code)
            assert "text/html" in answer.headers["content-type"], path
        for path, body in (
            ("/dashboard/orders/ord_nothere/confirm", {"csrf_token": token}),
            ("/dashboard/settings/api-keys/key_nothere/revoke", {"csrf_token": token}),
            ("/dashboard/settings/branding", {"csrf_token": token, "primary_colour": "red"}),
        ):
            answer = http.post(path, data=body)
            assert 400 <= answer.status_code < 500, (path, answer.status_code)
        answer = http.post(
            "/dashboard/settings/api-keys", content=b"\xff\xfe", headers={"content-type": "text/plain"}
        )
        assert answer.status_code == 415


def _from(server: LiveServer, address: str) -> httpx.Client:
    """A client whose connections leave from ``address`` (any 127.x address reaches the server)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.base_url, transport=transport, timeout=30)


def _try_password(http: httpx.Client, email: str, password: str) -> httpx.Response:
    token = _csrf(http.get("/dashboard/login").text)
    return http.post("/dashboard/login", data={"email": email, "password": password, "csrf_token": token})


def test_a_guesser_slows_down_but_never_locks_the_owner_out(
    server: LiveServer, db: Database, make_merchant
) -> None:
    server.server.config.app.state.dashboard_login_throttle = LoginThrottle()
    make_staff(db, make_merchant("Acme").merchant_id, email="owner@example.com")
    with _from(server, "127.0.0.2") as guesser:
        answers = [_try_password(guesser, "owner@example.com", f"guess number {n}") for n in range(8)]
    assert [a.status_code for a in answers] == [401] * 3 + [429] * 5
    assert answers[-1].headers["Retry-After"] == "1" and "Wait 1 second" in answers[-1].text
    with _from(server, "127.0.0.1") as owner:
        assert _try_password(owner, "owner@example.com", PASSWORD).status_code == 303


def test_the_wait_grows_with_each_failure_and_the_password_is_not_checked_meanwhile(
    server: LiveServer, db: Database, make_merchant
) -> None:
    clock = [1000.0]
    server.server.config.app.state.dashboard_login_throttle = LoginThrottle(clock=lambda: clock[0])
    make_staff(db, make_merchant("Acme").merchant_id, email="limited@example.com")
    with server.client() as http:
        for _ in range(3):
            assert _try_password(http, "limited@example.com", "wrong guess!").status_code == 401
        waits = []
        for _ in range(4):
            held = _try_password(http, "limited@example.com", PASSWORD)  # even the right one waits
            assert held.status_code == 429
            waits.append(int(held.headers["Retry-After"]))
            clock[0] += waits[-1]
            assert _try_password(http, "limited@example.com", "wrong guess!").status_code == 401
        assert waits == [1, 2, 4, 8]
        clock[0] += 16
        assert _try_password(http, "limited@example.com", PASSWORD).status_code == 303


def test_api_keys_are_created_once_shown_and_revoked(server: LiveServer, db: Database, make_merchant) -> None:
    merchant = make_merchant("Acme")
    make_staff(db, merchant.merchant_id)
    with signed_in(server) as http:
        token = _csrf(http.get("/dashboard/settings").text)
        created = http.post("/dashboard/settings/api-keys", data={"csrf_token": token, "label": "shop"})
        assert created.status_code == 200
        key = re.search(r'value="(otk_[^"]+)"', created.text).group(1)  # type: ignore[union-attr]
        with server.client(key) as api:
            assert api.get("/api/v1/orders").status_code == 200
        listing = http.get("/dashboard/settings").text
        assert key not in listing and key[:12] in listing
        key_id = re.findall(r"/dashboard/settings/api-keys/(key_[a-z0-9]+)/revoke", listing)
        assert len(key_id) == 2
        for kid in key_id:
            # Without the confirmation nothing is revoked; with it, the key stops working.
            refused = http.post(f"/dashboard/settings/api-keys/{kid}/revoke", data={"csrf_token": token})
            assert refused.status_code == 400
        with server.client(key) as api:
            assert api.get("/api/v1/orders").status_code == 200
        for kid in key_id:
            http.post(
                f"/dashboard/settings/api-keys/{kid}/revoke", data={"csrf_token": token, "confirm": "yes"}
            )
        with server.client(key) as api:
            assert api.get("/api/v1/orders").status_code == 401


def test_demo_staff_login_is_created_once_and_signs_in(db: Database, make_merchant) -> None:
    from ordertrack.demo.staff import ensure_demo_staff

    merchant = make_merchant("Northwind")
    for _ in range(2):
        with db.uow() as uow:
            demo = ensure_demo_staff(uow, merchant.merchant_id)
            uow.commit()
    assert login(db, demo.email, demo.password).merchant_id == merchant.merchant_id
