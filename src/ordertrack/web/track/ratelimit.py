"""Lookups per client: an in-process token bucket, so guessing order numbers is slow.

Each client (IP address) holds a bucket of ``capacity`` lookups that refills at ``per_minute``
a minute. It lives in the serving process: several processes behind a load balancer each
allow that much, which still bounds guessing; a shared store would be needed for an exact
global limit. The number of remembered clients is capped so a flood of addresses cannot
grow memory without bound (a full bucket is the same as a forgotten one). The operator sets
the burst and the rate (``ORDERTRACK_TRACK_LOOKUP_BURST``, ``ORDERTRACK_TRACK_LOOKUPS_PER_MINUTE``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ordertrack.config import Settings


class LookupLimiter:
    """Token buckets by client key."""

    def __init__(
        self,
        *,
        per_minute: float = 10,
        capacity: int = 10,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(capacity)
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LookupLimiter:
        """The limiter the operator configured."""
        return cls(per_minute=settings.track_lookups_per_minute, capacity=settings.track_lookup_burst)

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.capacity, now))
        return min(self.capacity, tokens + (now - at) * self.rate)

    def take(self, key: str) -> bool:
        """Spend one lookup for ``key``; False when its bucket is empty."""
        with self._lock:
            now = self.clock()
            tokens = self._tokens(key, now)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)
            self._buckets.move_to_end(key)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until ``key`` may look up again."""
        with self._lock:
            missing = 1.0 - self._tokens(key, self.clock())
        return max(1, int(missing / self.rate + 0.999)) if missing > 0 else 0
