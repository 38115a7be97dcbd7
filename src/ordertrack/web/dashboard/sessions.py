"""Staff sessions and CSRF tokens: signed cookies, checked on every request.

A session cookie is ``payload.signature``: the payload names the staff user, the user's
session version, an expiry and a random nonce; the signature is HMAC-SHA256 with a key
derived from the server secret. The cookie is only half the check: the user's current
session version is read from the database on every request, so logging out (which bumps
the version) or disabling the user ends every session at once, server side.

The CSRF token of a session is an HMAC of its nonce (synchroniser token without server
state): every form carries it in a hidden field and every POST must send it back. The
login form, which has no session yet, gets the same from a short-lived random cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_COOKIE = "ot_staff"
LOGIN_COOKIE = "ot_login"
SESSION_LIFETIME = timedelta(hours=12)
LOGIN_FORM_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class SessionClaims:
    staff_id: str
    version: int
    expires_at: int  # Unix seconds
    nonce: str


def _key(secret: str, purpose: str) -> bytes:
    """One key per purpose, so a value signed for one use never verifies for another."""
    return hmac.new(secret.encode(), f"ordertrack dashboard {purpose}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, purpose: str, message: str) -> str:
    return _b64(hmac.new(_key(secret, purpose), message.encode(), hashlib.sha256).digest())


def issue_session(secret: str, staff_id: str, version: int, *, now: datetime) -> str:
    """The cookie value for a fresh session of this user."""
    claims = {
        "u": staff_id,
        "v": version,
        "e": int((now + SESSION_LIFETIME).timestamp()),
        "n": secrets.token_urlsafe(18),
    }
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, 'session', payload)}"


def read_session(secret: str, value: str | None, *, now: datetime) -> SessionClaims | None:
    """The claims of a cookie signed by us and not expired; None for anything else."""
    if not value or len(value) > 1000 or value.count(".") != 1:
        return None
    payload, signature = value.split(".")
    # Bytes, not str: compare_digest raises on non-ASCII text, and a cookie is whatever is sent.
    if not hmac.compare_digest(signature.encode(), _mac(secret, "session", payload).encode()):
        return None
    try:
        data = json.loads(_unb64(payload))
        claims = SessionClaims(str(data["u"]), int(data["v"]), int(data["e"]), str(data["n"]))
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    if claims.expires_at <= now.timestamp():
        return None
    return claims


def csrf_token(secret: str, claims: SessionClaims) -> str:
    return _mac(secret, "csrf", claims.nonce)


def new_login_nonce() -> str:
    return secrets.token_urlsafe(18)


def login_csrf_token(secret: str, nonce: str) -> str:
    return _mac(secret, "login csrf", nonce)


def tokens_match(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
