"""One retry policy for everything that calls out: exponential backoff with full jitter.

Try ``n`` that failed waits ``uniform(0, min(cap, base * 2 ** (n - 1)))`` seconds before the
next (the "Full Jitter" of the AWS Architecture Blog's "Exponential Backoff And Jitter", 2015:
a herd of retries spreads evenly instead of arriving in synchronised waves), never less than
``floor``. The wait comes from tenacity's ``wait_random_exponential``, drawn from a random
source the caller may pass in, so tests replay the same waits. A wait the other side asked for
(``Retry-After``) replaces the backoff.

Two uses: a loop that sleeps between tries (:meth:`RetryPolicy.retrying`, tenacity's
``AsyncRetrying``; carrier polling), and a retry scheduled in the database for a later worker
round (:meth:`RetryPolicy.delay`; the notification outbox).
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

# What a failed try asks for: seconds to wait, or None for the policy's own backoff.
AskedWait = Callable[[BaseException], float | None]


class FullJitter(wait_random_exponential):
    """tenacity's full-jitter wait, with an injectable random source, a floor, and the wait a
    failure asked for (``asked``) taking the backoff's place."""

    def __init__(
        self,
        *,
        base: float,
        cap: float,
        floor: float = 0.0,
        rng: random.Random | None = None,
        asked: AskedWait | None = None,
    ) -> None:
        super().__init__(multiplier=base, max=cap)
        self.floor = floor
        self.rng = rng
        self.asked = asked

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        if self.asked is not None and outcome is not None and outcome.failed:
            failure = outcome.exception()
            wanted = self.asked(failure) if failure is not None else None
            if wanted is not None:
                return wanted
        ceiling = self.ceiling(retry_state.attempt_number)
        draw = self.rng.uniform if self.rng is not None else random.uniform
        return max(self.floor, draw(0, ceiling))

    def ceiling(self, attempt: int) -> float:
        """The widest wait after failed try ``attempt`` (1-based): ``min(cap, base * 2 ** (n - 1))``."""
        return super(wait_random_exponential, self).__call__(_after(attempt))


@dataclass(frozen=True)
class RetryPolicy:
    """How many tries, and how long to wait between them (seconds)."""

    max_attempts: int
    base: float  # the first wait's ceiling
    cap: float  # no wait's ceiling passes this
    floor: float = 0.0  # no wait is shorter than this

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def wait(self, rng: random.Random | None = None, asked: AskedWait | None = None) -> FullJitter:
        return FullJitter(base=self.base, cap=self.cap, floor=self.floor, rng=rng, asked=asked)

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed try ``attempt`` (1-based), for a retry scheduled later."""
        return self.wait(rng)(_after(attempt))

    def retrying(
        self,
        retry_on: type[BaseException] | tuple[type[BaseException], ...],
        *,
        rng: random.Random | None = None,
        asked: AskedWait | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        before_sleep: Callable[[RetryCallState], None] | None = None,
    ) -> AsyncRetrying:
        """tenacity's async loop: up to ``max_attempts`` tries while a try raises ``retry_on``;
        the last failure is raised as it was."""
        options = {"sleep": sleep} if sleep is not None else {}
        return AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self.wait(rng, asked),
            retry=retry_if_exception_type(retry_on),
            before_sleep=before_sleep,
            reraise=True,
            **options,
        )


def _after(attempt: int) -> RetryCallState:
    """The state tenacity's waits read after try ``attempt`` failed (only its number counts)."""
    state = RetryCallState(None, None, (), {})  # type: ignore[arg-type]
    state.attempt_number = attempt
    return state
