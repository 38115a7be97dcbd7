"""Login rate limits: failed attempts per client address and per email, in a sliding window.

Counted in this process's memory: with several ``serve`` processes each one counts on its
own (an attacker spread over N processes gets N times the budget), which still turns an
online guessing attack from thousands of tries a second into a handful a minute.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_ADDRESS = 20
MAX_FAILURES_PER_EMAIL = 5


class LoginThrottle:
    """Remembers recent failures; ``blocked`` says whether another try must wait."""

    def __init__(
        self,
        *,
        window: float = WINDOW_SECONDS,
        per_address: int = MAX_FAILURES_PER_ADDRESS,
        per_email: int = MAX_FAILURES_PER_EMAIL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window
        self.limits = {"address": per_address, "email": per_email}
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def blocked(self, address: str, email: str) -> bool:
        now = self._clock()
        with self._lock:
            return (
                len(self._recent(("address", address), now)) >= self.limits["address"]
                or len(self._recent(("email", email), now)) >= self.limits["email"]
            )

    def failed(self, address: str, email: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) > 100_000:
                self._failures.clear()  # a flood of distinct keys must not eat the memory
            for key in (("address", address), ("email", email)):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(("email", email), None)
