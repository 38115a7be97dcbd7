"""The HTTP side of polling: one careful session per carrier account, over ``httpx``.

Carriers that only answer requests (UPS, FedEx, USPS, DHL) are polled by a worker job, never
from a request transaction. Everything a polite, robust client needs lives in this session, so
each carrier's ``client.py`` is only paths, headers and bodies:

- a token bucket per account (:mod:`ordertrack.carriers.ratelimit`), shared by concurrent calls;
- retries on transport errors, 5xx and 429 with the one retry policy
  (:mod:`ordertrack.kit.retry`: exponential backoff with full jitter), honouring a
  ``Retry-After`` the carrier sends;
- OAuth 2 client-credentials tokens (:mod:`ordertrack.carriers.oauth`), fetched again once when
  the carrier answers 401 anyway (a token revoked early);
- connections only to public addresses (:mod:`ordertrack.kit.outgoing`), no redirects followed.

Time, randomness and the transport are injected so tests replay carriers without waiting
and without patching.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
from tenacity import RetryCallState

from ordertrack.carriers.errors import (
    CarrierAuthFailed,
    CarrierRequestRefused,
    CarrierTargetRefused,
    CarrierUnavailable,
)
from ordertrack.carriers.oauth import OAuthClientCredentials, OAuthTokens
from ordertrack.carriers.ratelimit import Sleep, TokenBucket
from ordertrack.kit.outgoing import OutgoingPolicy, TargetRefused
from ordertrack.kit.retry import RetryPolicy
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


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and how to call one carrier for one merchant: a carrier account (``carriers.model.
    CarrierAccount``) resolved to its environment's base URL. Built for a poll, never stored."""

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


class TrackingClient(Protocol):
    """Fetches raw tracking payloads for a carrier's own ``read(payload: bytes)``."""

    async def fetch(self, tracking_numbers: Sequence[str]) -> list[bytes]:
        """One raw response body per request the carrier needed, in request order."""
        ...


class _TryAgain(Exception):
    """A try worth another: no answer at all, or a 5xx or 429."""

    def __init__(
        self,
        *,
        status: int | None = None,
        body: bytes = b"",
        retry_after: float | None = None,
        error: httpx.TransportError | None = None,
    ) -> None:
        super().__init__(f"HTTP {status}" if status is not None else repr(error))
        self.status = status
        self.body = body
        self.retry_after = retry_after  # seconds the carrier asked to wait, when it said
        self.error = error


def _asked_wait(failure: BaseException) -> float | None:
    return failure.retry_after if isinstance(failure, _TryAgain) else None


class CarrierHttp:
    """An async HTTP session for one carrier account: rate limit, retries, OAuth tokens."""

    def __init__(
        self,
        account: ConnectionSettings,
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
        self.account = account
        self.retries = RetryPolicy(max_attempts=max_attempts, base=backoff_base, cap=backoff_cap)
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
        self._tokens = OAuthTokens(account, self._post_form, clock)

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
                token = await self._tokens.token(oauth)
                sent_headers["Authorization"] = f"Bearer {token}"
            response = await self._send(
                method, self.url(path), headers=sent_headers, params=params, json=json
            )
            status = response.status_code
            if status == 401 and oauth is not None and not refreshed:
                # The token may have been revoked before its expiry: one fresh token, one retry.
                log.info("%s answered 401; fetching a fresh token", self.carrier)
                self._tokens.forget(oauth, token)
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

    async def _post_form(
        self, path: str, *, headers: Mapping[str, str], data: Mapping[str, str]
    ) -> httpx.Response:
        return await self._send("POST", self.url(path), headers=headers, data=data)

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
        """One logical call: rate-limited tries until an answer that is not worth retrying."""
        retrying = self.retries.retrying(
            _TryAgain, rng=self._rng, asked=_asked_wait, sleep=self._sleep, before_sleep=self._log_retry
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._try(method, url, headers=headers, params=params, json=json, data=data)
        except _TryAgain as last:
            raise self._gave_up(last) from last.error
        raise AssertionError("unreachable: the last try returns or raises")

    async def _try(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None,
        json: Any,
        data: Mapping[str, str] | None,
    ) -> httpx.Response:
        await self.limiter.acquire()
        try:
            response = await self._client.request(
                method, url, headers=headers, params=params, json=json, data=data
            )
        except TargetRefused as error:  # asking again resolves to the same refusal
            raise CarrierTargetRefused(f"{self.carrier}: {error.message}", carrier=self.carrier) from error
        except httpx.TransportError as error:
            raise _TryAgain(error=error) from error
        status = response.status_code
        if status != 429 and status < 500:
            return response
        retry_after = retry_after_seconds(response, self._now()) if status in (429, 503) else None
        if retry_after is not None and retry_after > self.max_retry_after:
            raise CarrierUnavailable(
                f"{self.carrier} asked to wait {retry_after:.0f}s (HTTP {status})",
                carrier=self.carrier,
                status=status,
                body=response.content,
                retry_after=retry_after,
            )
        raise _TryAgain(status=status, body=response.content, retry_after=retry_after)

    def _gave_up(self, last: _TryAgain) -> CarrierUnavailable:
        attempts = self.retries.max_attempts
        if last.status is None:
            return CarrierUnavailable(
                f"{self.carrier} did not answer after {attempts} attempts: {last.error!r}",
                carrier=self.carrier,
            )
        return CarrierUnavailable(
            f"{self.carrier} still answered HTTP {last.status} after {attempts} attempts",
            carrier=self.carrier,
            status=last.status,
            body=last.body,
            retry_after=last.retry_after,
        )

    def _log_retry(self, state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome is not None else None
        log.info(
            "%s: %s; retry %d in %.2fs", self.carrier, failure, state.attempt_number, state.upcoming_sleep
        )


def chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    """``items`` in consecutive slices of at most ``size`` (for carriers that take batches)."""
    return [items[start : start + size] for start in range(0, len(items), size)]
