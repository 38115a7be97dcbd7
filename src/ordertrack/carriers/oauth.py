"""OAuth 2 client-credentials tokens for carrier calls (RFC 6749 section 4.4).

A token is cached until shortly before the carrier says it expires, shared by concurrent calls
(one token request at a time), and forgotten when the carrier answers 401 anyway (a token
revoked early) so the next call fetches a fresh one.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import httpx

from ordertrack.carriers.errors import CarrierAuthFailed, CarrierRequestRefused, CarrierUnavailable

if TYPE_CHECKING:
    from ordertrack.carriers.http import CarrierAccount

# A token is used until this long before the carrier says it expires (clock skew, slow calls).
TOKEN_REFRESH_MARGIN_SECONDS = 60.0
# expires_in is RECOMMENDED, not required (RFC 6749 section 5.1): without it, assume little.
TOKEN_LIFETIME_WHEN_UNSAID_SECONDS = 600.0


@dataclass(frozen=True)
class OAuthClientCredentials:
    """How a carrier wants the client-credentials grant asked for (RFC 6749 section 4.4)."""

    token_path: str
    # "basic": client_id:client_secret as HTTP Basic (RFC 6749 section 2.3.1, preferred there);
    # "form": both in the form body beside grant_type (the same section allows it).
    credentials_in: Literal["basic", "form"] = "form"
    scope: str | None = None
    # A header that carries the account number when the account has one (UPS: x-merchant-id).
    account_header: str | None = None


class PostForm(Protocol):
    """Posts a form to a path of the carrier's root, with the session's retries."""

    def __call__(
        self, path: str, *, headers: Mapping[str, str], data: Mapping[str, str]
    ) -> Awaitable[httpx.Response]: ...


@dataclass
class _Token:
    value: str
    usable_until: float  # on the monotonic clock


class OAuthTokens:
    """One account's client-credentials tokens, by token path."""

    def __init__(self, account: CarrierAccount, post_form: PostForm, clock: Callable[[], float]) -> None:
        self.account = account
        self._post_form = post_form
        self._clock = clock
        self._tokens: dict[str, _Token] = {}
        self._lock = asyncio.Lock()

    async def token(self, oauth: OAuthClientCredentials) -> str:
        async with self._lock:  # concurrent callers share one token request
            cached = self._tokens.get(oauth.token_path)
            if cached is not None and self._clock() < cached.usable_until:
                return cached.value
            fresh = await self._fetch(oauth)
            self._tokens[oauth.token_path] = fresh
            return fresh.value

    def forget(self, oauth: OAuthClientCredentials, value: str | None) -> None:
        cached = self._tokens.get(oauth.token_path)
        # Only the token that failed: a concurrent caller may already have a fresh one.
        if cached is not None and cached.value == value:
            del self._tokens[oauth.token_path]

    async def _fetch(self, oauth: OAuthClientCredentials) -> _Token:
        account = self.account
        carrier = account.carrier
        if not account.client_id or not account.client_secret:
            raise CarrierAuthFailed(f"the {carrier} account has no client id and secret", carrier=carrier)
        form = {"grant_type": "client_credentials"}
        headers = {"Accept": "application/json"}
        if oauth.credentials_in == "basic":
            pair = f"{account.client_id}:{account.client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        else:
            form |= {"client_id": account.client_id, "client_secret": account.client_secret}
        if oauth.scope:
            form["scope"] = oauth.scope
        if oauth.account_header and account.account_number:
            headers[oauth.account_header] = account.account_number
        response = await self._post_form(oauth.token_path, headers=headers, data=form)
        if response.status_code in (400, 401, 403):
            # RFC 6749 section 5.2: invalid_client is 401, a refused grant or scope 400.
            raise CarrierAuthFailed(
                f"{carrier} refused the client credentials (HTTP {response.status_code})",
                carrier=carrier,
                status=response.status_code,
                body=response.content,
            )
        try:
            payload = response.json()
        except ValueError:
            payload = None
        value = payload.get("access_token") if isinstance(payload, dict) else None
        if 400 <= response.status_code < 500:
            raise CarrierRequestRefused(
                f"{carrier} refused the token request (HTTP {response.status_code})",
                carrier=carrier,
                status=response.status_code,
                body=response.content,
            )
        if response.status_code >= 300 or not isinstance(value, str) or not value:
            raise CarrierUnavailable(
                f"{carrier} gave no access token (HTTP {response.status_code})",
                carrier=carrier,
                status=response.status_code,
                body=response.content,
            )
        lifetime = _seconds(payload.get("expires_in")) or TOKEN_LIFETIME_WHEN_UNSAID_SECONDS
        margin = min(TOKEN_REFRESH_MARGIN_SECONDS, lifetime / 2)
        return _Token(value, self._clock() + lifetime - margin)


def _seconds(value: object) -> float | None:
    """``expires_in`` as a positive number; carriers send it as a number or a string (UPS)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return seconds if seconds > 0 else None
