"""Login throttle: a delay that doubles with each recent failure, per address and per email.

A fixed lockout ("five wrong passwords lock the account for 15 minutes") hands anyone who
knows a staff member's email a way to keep them out. Here nothing is ever locked: each
failure only pushes the next try further away, and the waits are counted so that a guesser
pays and the owner does not:

- **Per address**, every failure from that client address, whatever the email: after
  ``address_free`` of them each next try from it waits 1 s, 2 s, 4 s... (capped). One
  address spraying many emails slows down; an office behind one NAT keeps room for typos.
- **Per email**, failures for that email from every address: after ``email_free`` of them
  the wait doubles the same way, but it applies only to addresses that themselves failed
  for this email recently. An address with no recent failure for the email (the owner's
  desk, their phone) signs in at once with the right password; a guesser's addresses, each
  after its first wrong try, wait as long as the email's count says.

Failures are forgotten after their window (an hour per address, a day per email, so a slow
guesser cannot stay under the ramp by pacing tries at the cap). A success forgets its
address's failures for that email.

Counted in this process's memory: with several ``serve`` processes each one counts on its
own (an attacker spread over N processes gets N times the budget), which still turns an
online guessing attack from thousands of tries a second into a handful an hour.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

ADDRESS_WINDOW_SECONDS = 3600
EMAIL_WINDOW_SECONDS = 24 * 3600
FREE_FAILURES_PER_ADDRESS = 20
FREE_FAILURES_PER_EMAIL = 3
FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 15 * 60
# Beyond this many remembered keys the oldest are dropped: a flood of distinct addresses or
# emails must not eat the memory (a forgotten key only means fewer delays, never a lockout).
MAX_KEYS = 100_000


def backoff(
    failures: int, free: int, first: float = FIRST_DELAY_SECONDS, cap: float = MAX_DELAY_SECONDS
) -> float:
    """Seconds to wait after the newest of ``failures``: none while within ``free``, then doubling."""
    if failures < free:
        return 0.0
    return min(cap, first * 2.0 ** min(failures - free, 64))


class LoginThrottle:
    """Remembers recent failures; ``wait_seconds`` says how long the next try must wait."""

    def __init__(
        self,
        *,
        address_window: float = ADDRESS_WINDOW_SECONDS,
        email_window: float = EMAIL_WINDOW_SECONDS,
        address_free: int = FREE_FAILURES_PER_ADDRESS,
        email_free: int = FREE_FAILURES_PER_EMAIL,
        first_delay: float = FIRST_DELAY_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.windows = {"address": address_window, "email": email_window, "pair": email_window}
        self.free = {"address": address_free, "email": email_free}
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.max_keys = max_keys
        self._clock = clock
        self._failures: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, ...], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        cutoff = now - self.windows[key[0]]
        while times and times[0] <= cutoff:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def _until(self, times: deque[float], free: int) -> float:
        if not times:
            return 0.0
        return times[-1] + backoff(len(times), free, self.first_delay, self.max_delay)

    def wait_seconds(self, address: str, email: str) -> float:
        """How long a try for ``email`` from ``address`` must wait; 0 when it may go ahead now."""
        now = self._clock()
        with self._lock:
            until = self._until(self._recent(("address", address), now), self.free["address"])
            if self._recent(("pair", address, email), now):
                until = max(until, self._until(self._recent(("email", email), now), self.free["email"]))
        return max(0.0, until - now)

    def failed(self, address: str, email: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (("address", address), ("email", email), ("pair", address, email)):
                times = self._failures.pop(key, None) or deque()
                times.append(now)
                self._failures[key] = times  # re-inserted: the dict's order is least recent first
            while len(self._failures) > self.max_keys:
                del self._failures[next(iter(self._failures))]

    def succeeded(self, address: str, email: str) -> None:
        """The right password from ``address``: its own failures for ``email`` are forgiven.

        The email's count stays: someone else may still be guessing it from elsewhere.
        """
        with self._lock:
            self._failures.pop(("pair", address, email), None)
