"""Staff sessions and CSRF tokens: signed cookies, checked on every request.

A session cookie is a token of :mod:`ordertrack.kit.signing` (purpose: dashboard session)
carrying the staff user, the user's session version and a random nonce, good for twelve
hours. The cookie is only half the check: the user's current session version is read from
the database on every request, so logging out (which bumps the version) or disabling the
user ends every session at once, server side.

The CSRF token of a session is a signature of its nonce (synchroniser token without server
state): every form carries it in a hidden field and every POST must send it back. The
login form, which has no session yet, gets the same from a short-lived random cookie.
Tokens made before a key rotation still pass, like the sessions they belong to.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ordertrack.kit.signing import Signer, SigningKeys
from ordertrack.links import Purpose

SESSION_COOKIE = "ot_staff"
LOGIN_COOKIE = "ot_login"
SESSION_LIFETIME = timedelta(hours=12)
LOGIN_FORM_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class SessionClaims:
    staff_id: str
    version: int
    nonce: str


def issue_session(keys: SigningKeys, staff_id: str, version: int, *, now: datetime) -> str:
    """The cookie value for a fresh session of this user."""
    claims = {"u": staff_id, "v": version, "n": secrets.token_urlsafe(18)}
    return Signer(keys, Purpose.DASHBOARD_SESSION).sign(claims, expires_at=now + SESSION_LIFETIME)


def read_session(keys: SigningKeys, value: str | None, *, now: datetime) -> SessionClaims | None:
    """The claims of a cookie signed by us and not expired; None for anything else."""
    data = Signer(keys, Purpose.DASHBOARD_SESSION).unsign(value, now=now)
    try:
        return SessionClaims(str(data["u"]), int(data["v"]), str(data["n"]))
    except (KeyError, TypeError, ValueError):
        return None


def csrf_token(keys: SigningKeys, claims: SessionClaims) -> str:
    return Signer(keys, Purpose.DASHBOARD_CSRF).signature(claims.nonce)


def csrf_matches(keys: SigningKeys, claims: SessionClaims, given: str | None) -> bool:
    return Signer(keys, Purpose.DASHBOARD_CSRF).verifies(claims.nonce, given)


def new_login_nonce() -> str:
    return secrets.token_urlsafe(18)


def login_csrf_token(keys: SigningKeys, nonce: str) -> str:
    return Signer(keys, Purpose.DASHBOARD_LOGIN_CSRF).signature(nonce)


def login_csrf_matches(keys: SigningKeys, nonce: str, given: str | None) -> bool:
    return Signer(keys, Purpose.DASHBOARD_LOGIN_CSRF).verifies(nonce, given)
