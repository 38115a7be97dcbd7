"""The HTTP side of polling: one careful session per carrier account, over ``httpx``.

Carriers that only answer requests (UPS, FedEx, USPS, DHL) are polled by a worker job, never
from a request transaction. Everything a polite, robust client needs lives here once, so
each carrier's ``client.py`` is only paths, headers and bodies:

- a token bucket per account, shared by concurrent calls, because carriers count requests
  per credential and answer 429 (or block the key) when a shop polls too eagerly;
- retries with exponential backoff and full jitter on transport errors, 5xx and 429 (full
  jitter spreads a herd of retries evenly instead of in synchronised waves), honouring a
  ``Retry-After`` the carrier sends;
- OAuth 2 client-credentials tokens (RFC 6749 section 4.4) cached until shortly before they
  expire, and fetched again once when the carrier answers 401 anyway (a token revoked early);
- connections only to public addresses (:mod:`ordertrack.kit.outgoing`), no redirects followed.

Time, randomness and the transport are injected so tests replay carriers without waiting
and without patching.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import httpx

from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.outgoing import OutgoingPolicy, TargetRefused
from ordertrack.kit.retry_after import retry_after_seconds

log = logging.getLogger("ordertrack.carriers.http")

# When an account does not say and its carrier's client.py does not either.
FALLBACK_REQUESTS_PER_SECOND = 5.0
DEFAULT_MAX_ATTEMPTS = 4
# Full-jitter backoff: attempt n waits uniform(0, min(cap, base * 2 ** (n - 1))) seconds.
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 30.0
# A Retry-After longer than this is not waited out inside one poll (FedEx answers an exhausted
# daily quota with 429 "try again after 12:00 AM GMT"): the call gives up and says how long.
MAX_RETRY_AFTER_SECONDS = 60.0
# A token is used until this long before the carrier says it expires (clock skew, slow calls).
TOKEN_REFRESH_MARGIN_SECONDS = 60.0
# expires_in is RECOMMENDED, not required (RFC 6749 section 5.1): without it, assume little.
TOKEN_LIFETIME_WHEN_UNSAID_SECONDS = 600.0
# Kept on errors so a log shows what the carrier said, without storing a whole page.
ERROR_BODY_LIMIT = 2000

Sleep = Callable[[float], Awaitable[None]]


# --- errors -----------------------------------------------------------------------------------


class CarrierError(OrdertrackError):
    """A carrier call that did not give an answer to read."""

    status_code = 502
    code = "carrier_error"

    def __init__(self, message: str, *, carrier: str, status: int | None = None, body: bytes = b"") -> None:
        super().__init__(message, details={"carrier": carrier, "status": status})
        self.carrier = carrier
        self.status = status  # the carrier's last HTTP status; None when no answer came at all
        self.body = body[:ERROR_BODY_LIMIT]


class CarrierUnavailable(CarrierError):
    """Gave up after retries (or the carrier asked for a longer pause than one poll waits)."""

    status_code = 503
    code = "carrier_unavailable"

    def __init__(
        self,
        message: str,
        *,
        carrier: str,
        status: int | None = None,
        body: bytes = b"",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, carrier=carrier, status=status, body=body)
        self.retry_after = retry_after  # seconds the carrier asked to wait, when it said


class CarrierAuthFailed(CarrierError):
    """The carrier refused the account's credentials (fix the account, retrying will not help)."""

    code = "carrier_auth_failed"


class CarrierRequestRefused(CarrierError):
    """A 4xx other than 401/403/404/429: the carrier says the request itself is wrong."""

    code = "carrier_request_refused"


class CarrierTargetRefused(CarrierError):
    """The carrier's host resolved to an address outgoing requests may not reach."""

    code = "carrier_target_not_allowed"


# --- configuration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CarrierAccount:
    """One merchant's access to one carrier: where to call and with what."""

    carrier: str  # the connector slug, e.g. "ups"
    # The connector's production or sandbox root (or the operator's override), never text a
    # merchant typed: see ordertrack.carriers.environments.
    base_url: str
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    account_number: str | None = None
    # None: the carrier's documented default, which its make_client applies.
    requests_per_second: float | None = None
    timeout_seconds: float = 20

    def __post_init__(self) -> None:
        if self.requests_per_second is not None and self.requests_per_second <= 0:
            raise ValueError("requests_per_second must be positive")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")


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


class TrackingClient(Protocol):
    """Fetches raw tracking payloads for a carrier's own ``read(payload: bytes)``."""

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[bytes]:
        """One raw response body per request the carrier needed, in request order."""
        ...


# --- rate limit -------------------------------------------------------------------------------


class TokenBucket:
    """An async token bucket: ``rate`` requests per second, bursts of up to ``burst``.

    One lock serialises waiters, so concurrent callers queue in arrival order and together
    never exceed the rate.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        # One second's worth, but at least one request (USPS allows 1 per minute).
        self.burst = burst if burst is not None else max(1.0, rate)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self) -> None:
        async with self._lock:
            self._refill()
            while self._tokens < 1:
                await self._sleep((1 - self._tokens) / self.rate)
                self._refill()
            self._tokens -= 1


# --- the session ------------------------------------------------------------------------------


@dataclass
class _Token:
    value: str
    usable_until: float  # on the monotonic clock


class CarrierHttp:
    """An async HTTP session for one carrier account: rate limit, retries, OAuth tokens."""

    def __init__(
        self,
        account: CarrierAccount,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        outgoing: OutgoingPolicy | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff_base: float = BACKOFF_BASE_SECONDS,
        backoff_cap: float = BACKOFF_CAP_SECONDS,
        max_retry_after: float = MAX_RETRY_AFTER_SECONDS,
        rng: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.account = account
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self._rng = rng if rng is not None else random.Random()
        self._sleep = sleep
        self._clock = clock
        self._now = now
        # Without a transport of the test's, connections go only where ``outgoing`` allows
        # (public addresses by default); redirects are never followed.
        if transport is None:
            transport = (outgoing or OutgoingPolicy()).transport()
        self._client = httpx.AsyncClient(
            transport=transport, timeout=account.timeout_seconds, follow_redirects=False
        )
        self.limiter = TokenBucket(
            account.requests_per_second or FALLBACK_REQUESTS_PER_SECOND, clock=clock, sleep=sleep
        )
        self._tokens: dict[str, _Token] = {}
        self._token_lock = asyncio.Lock()

    @property
    def carrier(self) -> str:
        return self.account.carrier

    def adopt_carrier_rate(self, requests_per_second: float) -> None:
        """Use the carrier's documented rate unless the account set its own."""
        if self.account.requests_per_second is None:
            self.limiter = TokenBucket(requests_per_second, clock=self._clock, sleep=self._sleep)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> CarrierHttp:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def url(self, path: str) -> str:
        return self.account.base_url.rstrip("/") + "/" + path.lstrip("/")

    async def request(
        self,
        method: str,
        path: str,
        *,
        oauth: OAuthClientCredentials | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        body_statuses: Collection[int] = (404,),
    ) -> httpx.Response:
        """Call the carrier and return its answer: 2xx, or a status in ``body_statuses``.

        ``body_statuses`` are answers the carrier's mapping reads (a 404 "not found" becomes a
        ``not_found`` message, not an exception). With ``oauth``, a bearer token is sent; a 401
        fetches a fresh token and tries once more. Raises :class:`CarrierUnavailable`,
        :class:`CarrierAuthFailed` or :class:`CarrierRequestRefused`.
        """
        refreshed = False
        while True:
            sent_headers = dict(headers or {})
            token: str | None = None
            if oauth is not None:
                token = await self._token(oauth)
                sent_headers["Authorization"] = f"Bearer {token}"
            response = await self._send(
                method, self.url(path), headers=sent_headers, params=params, json=json
            )
            status = response.status_code
            if status == 401 and oauth is not None and not refreshed:
                # The token may have been revoked before its expiry: one fresh token, one retry.
                log.info("%s answered 401; fetching a fresh token", self.carrier)
                self._forget_token(oauth, token)
                refreshed = True
                continue
            if status in (401, 403):
                raise CarrierAuthFailed(
                    f"{self.carrier} refused the credentials (HTTP {status})",
                    carrier=self.carrier,
                    status=status,
                    body=response.content,
                )
            if 200 <= status < 300 or status in body_statuses:
                return response
            raise CarrierRequestRefused(
                f"{self.carrier} refused {method} {path} (HTTP {status})",
                carrier=self.carrier,
                status=status,
                body=response.content,
            )

    # --- tokens ---------------------------------------------------------------------------

    async def _token(self, oauth: OAuthClientCredentials) -> str:
        async with self._token_lock:  # concurrent callers share one token request
            cached = self._tokens.get(oauth.token_path)
            if cached is not None and self._clock() < cached.usable_until:
                return cached.value
            fresh = await self._fetch_token(oauth)
            self._tokens[oauth.token_path] = fresh
            return fresh.value

    def _forget_token(self, oauth: OAuthClientCredentials, value: str | None) -> None:
        cached = self._tokens.get(oauth.token_path)
        # Only the token that failed: a concurrent caller may already have a fresh one.
        if cached is not None and cached.value == value:
            del self._tokens[oauth.token_path]

    async def _fetch_token(self, oauth: OAuthClientCredentials) -> _Token:
        account = self.account
        if not account.client_id or not account.client_secret:
            raise CarrierAuthFailed(
                f"the {self.carrier} account has no client id and secret", carrier=self.carrier
            )
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
        response = await self._send("POST", self.url(oauth.token_path), headers=headers, data=form)
        if response.status_code in (400, 401, 403):
            # RFC 6749 section 5.2: invalid_client is 401, a refused grant or scope 400.
            raise CarrierAuthFailed(
                f"{self.carrier} refused the client credentials (HTTP {response.status_code})",
                carrier=self.carrier,
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
                f"{self.carrier} refused the token request (HTTP {response.status_code})",
                carrier=self.carrier,
                status=response.status_code,
                body=response.content,
            )
        if response.status_code >= 300 or not isinstance(value, str) or not value:
            raise CarrierUnavailable(
                f"{self.carrier} gave no access token (HTTP {response.status_code})",
                carrier=self.carrier,
                status=response.status_code,
                body=response.content,
            )
        lifetime = _seconds(payload.get("expires_in")) or TOKEN_LIFETIME_WHEN_UNSAID_SECONDS
        margin = min(TOKEN_REFRESH_MARGIN_SECONDS, lifetime / 2)
        return _Token(value, self._clock() + lifetime - margin)

    # --- sending with retries -------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One logical call: rate-limited attempts until an answer that is not worth retrying."""
        for attempt in range(1, self.max_attempts + 1):
            await self.limiter.acquire()
            try:
                response = await self._client.request(
                    method, url, headers=headers, params=params, json=json, data=data
                )
            except TargetRefused as error:  # asking again resolves to the same refusal
                raise CarrierTargetRefused(
                    f"{self.carrier}: {error.message}", carrier=self.carrier
                ) from error
            except httpx.TransportError as error:
                if attempt == self.max_attempts:
                    raise CarrierUnavailable(
                        f"{self.carrier} did not answer after {attempt} attempts: {error!r}",
                        carrier=self.carrier,
                    ) from error
                delay = self._backoff(attempt)
                log.info("%s: %r; retry %d in %.2fs", self.carrier, error, attempt, delay)
                await self._sleep(delay)
                continue
            status = response.status_code
            if status != 429 and status < 500:
                return response
            retry_after = self._retry_after(response) if status in (429, 503) else None
            if retry_after is not None and retry_after > self.max_retry_after:
                raise CarrierUnavailable(
                    f"{self.carrier} asked to wait {retry_after:.0f}s (HTTP {status})",
                    carrier=self.carrier,
                    status=status,
                    body=response.content,
                    retry_after=retry_after,
                )
            if attempt == self.max_attempts:
                raise CarrierUnavailable(
                    f"{self.carrier} still answered HTTP {status} after {attempt} attempts",
                    carrier=self.carrier,
                    status=status,
                    body=response.content,
                    retry_after=retry_after,
                )
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            log.info("%s answered HTTP %d; retry %d in %.2fs", self.carrier, status, attempt, delay)
            await self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, attempt: int) -> float:
        """Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015)."""
        return self._rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)))

    def _retry_after(self, response: httpx.Response) -> float | None:
        return retry_after_seconds(response, self._now())


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


def chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    """``items`` in consecutive slices of at most ``size`` (for carriers that take batches)."""
    return [items[start : start + size] for start in range(0, len(items), size)]
