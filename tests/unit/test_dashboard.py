"""Pure parts of the dashboard: session cookies, CSRF tokens, login throttle (forms: test_forms)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ordertrack.kit.signing import SigningKeys
from ordertrack.web.dashboard import sessions
from ordertrack.web.dashboard.throttle import LoginThrottle

KEYS = SigningKeys("unit-test-secret")
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _middle_changed(value: str) -> str:
    middle = len(value) // 2
    return value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1 :]


def test_a_session_cookie_reads_back_until_it_expires() -> None:
    cookie = sessions.issue_session(KEYS, "stf_1", 3, now=NOW)
    claims = sessions.read_session(KEYS, cookie, now=NOW + timedelta(hours=11))
    assert claims is not None and (claims.staff_id, claims.version) == ("stf_1", 3)
    assert sessions.read_session(KEYS, cookie, now=NOW + sessions.SESSION_LIFETIME) is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: c[:-1] + ("A" if c[-1] != "A" else "Q"),
        _middle_changed,
        lambda c: "x" + c,
        lambda c: c + ".x",
        lambda c: "",
    ],
)
def test_a_tampered_session_cookie_is_refused(mangle) -> None:  # type: ignore[no-untyped-def]
    cookie = sessions.issue_session(KEYS, "stf_1", 1, now=NOW)
    assert sessions.read_session(KEYS, mangle(cookie), now=NOW) is None


def test_a_cookie_signed_with_another_secret_is_refused() -> None:
    cookie = sessions.issue_session(SigningKeys("other secret"), "stf_1", 1, now=NOW)
    assert sessions.read_session(KEYS, cookie, now=NOW) is None


def test_a_session_and_its_csrf_token_survive_a_key_rotation() -> None:
    cookie = sessions.issue_session(KEYS, "stf_1", 1, now=NOW)
    claims = sessions.read_session(KEYS, cookie, now=NOW)
    assert claims is not None
    token = sessions.csrf_token(KEYS, claims)
    rotated = SigningKeys("the new secret", previous=(KEYS.current,))
    assert sessions.read_session(rotated, cookie, now=NOW) == claims
    assert sessions.csrf_matches(rotated, claims, token)
    assert sessions.csrf_matches(rotated, claims, sessions.csrf_token(rotated, claims))


def test_csrf_token_belongs_to_one_session() -> None:
    first = sessions.read_session(KEYS, sessions.issue_session(KEYS, "stf_1", 1, now=NOW), now=NOW)
    second = sessions.read_session(KEYS, sessions.issue_session(KEYS, "stf_1", 1, now=NOW), now=NOW)
    assert first is not None and second is not None
    token = sessions.csrf_token(KEYS, first)
    assert sessions.csrf_matches(KEYS, first, token)
    assert not sessions.csrf_matches(KEYS, second, token)
    assert not sessions.csrf_matches(KEYS, first, None)
    assert not sessions.csrf_matches(KEYS, first, "")


def test_login_csrf_token_is_not_a_session_csrf_token() -> None:
    claims = sessions.read_session(KEYS, sessions.issue_session(KEYS, "stf_1", 1, now=NOW), now=NOW)
    assert claims is not None
    login_token = sessions.login_csrf_token(KEYS, claims.nonce)
    assert sessions.login_csrf_matches(KEYS, claims.nonce, login_token)
    assert not sessions.csrf_matches(KEYS, claims, login_token)
    assert not sessions.login_csrf_matches(KEYS, claims.nonce, sessions.csrf_token(KEYS, claims))


def test_the_wait_doubles_with_each_failure_for_an_email_past_its_free_tries() -> None:
    clock = [0.0]
    throttle = LoginThrottle(email_free=3, address_free=100, clock=lambda: clock[0])
    for _ in range(3):
        assert throttle.wait_seconds("1.2.3.4", "a@x") == 0
        throttle.failed("1.2.3.4", "a@x")
    waits = []
    for _ in range(5):
        waits.append(throttle.wait_seconds("1.2.3.4", "a@x"))
        clock[0] += waits[-1]
        throttle.failed("1.2.3.4", "a@x")
    assert waits == [1, 2, 4, 8, 16]
    assert throttle.wait_seconds("1.2.3.4", "b@x") == 0  # another email is not slowed


def test_guessing_an_email_never_keeps_its_owner_out_from_a_clean_address() -> None:
    clock = [0.0]
    throttle = LoginThrottle(email_free=3, clock=lambda: clock[0])
    for n in range(200):  # a guesser on many addresses, each waiting after its first wrong try
        throttle.failed(f"10.0.{n // 250}.{n % 250}", "owner@x")
    assert throttle.wait_seconds("10.0.0.7", "owner@x") == 15 * 60  # the cap, not a lockout
    assert throttle.wait_seconds("192.0.2.1", "owner@x") == 0  # the owner's desk: no wait at all


def test_the_wait_is_capped_and_failures_are_forgotten_after_their_window() -> None:
    clock = [0.0]
    throttle = LoginThrottle(email_free=3, email_window=600, max_delay=60, clock=lambda: clock[0])
    for _ in range(20):
        throttle.failed("1.2.3.4", "a@x")
    assert throttle.wait_seconds("1.2.3.4", "a@x") == 60
    clock[0] = 601
    assert throttle.wait_seconds("1.2.3.4", "a@x") == 0


def test_a_success_forgives_its_own_address_but_not_the_guessers() -> None:
    throttle = LoginThrottle(email_free=1, clock=lambda: 0.0)
    throttle.failed("1.2.3.4", "a@x")
    throttle.failed("5.6.7.8", "a@x")
    throttle.succeeded("1.2.3.4", "a@x")
    assert throttle.wait_seconds("1.2.3.4", "a@x") == 0
    assert throttle.wait_seconds("5.6.7.8", "a@x") > 0


def test_an_address_trying_many_emails_waits_longer_and_longer() -> None:
    clock = [0.0]
    throttle = LoginThrottle(address_free=4, email_free=100, clock=lambda: clock[0])
    for n in range(4):
        assert throttle.wait_seconds("1.2.3.4", f"{n}@x") == 0
        throttle.failed("1.2.3.4", f"{n}@x")
    assert throttle.wait_seconds("1.2.3.4", "new@x") == 1
    throttle.failed("1.2.3.4", "new@x")
    assert throttle.wait_seconds("1.2.3.4", "other@x") == 2
    assert throttle.wait_seconds("9.9.9.9", "new@x") == 0


def test_the_throttle_remembers_a_bounded_number_of_keys() -> None:
    throttle = LoginThrottle(max_keys=30, clock=lambda: 0.0)
    for n in range(1000):
        throttle.failed(f"10.0.{n // 250}.{n % 250}", f"{n}@x")
    assert len(throttle._failures) <= 30
