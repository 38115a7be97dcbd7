"""Pure arithmetic of receiving: what a count at the dock means for one line.

No session, no clock. A line's counts are added up (good units go into stock, damaged ones do
not) and its outcome — received, short, over or damaged — is derived from the totals against
what was expected; nobody types it. Over-receipts are kept as counted and flagged, never cut
down to what was expected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ordertrack.kit.errors import Unprocessable

# The most units one count may carry: far beyond any pallet, well inside a 32-bit column.
MAX_COUNT = 1_000_000


class CountOutcome(StrEnum):
    received = "received"  # what was expected, all of it good
    short = "short"  # fewer units than expected arrived (none of them damaged)
    over = "over"  # more units than expected arrived: accepted and flagged
    damaged = "damaged"  # some units arrived unusable (whatever else is true of the line)


class InvalidCount(Unprocessable):
    code = "invalid_count"


class NothingCounted(Unprocessable):
    code = "nothing_counted"


@dataclass(frozen=True)
class Count:
    """One count of one line: ``good`` units into stock, ``damaged`` units recorded only."""

    good: int
    damaged: int = 0


@dataclass(frozen=True)
class Tally:
    """A line's expected quantity and the sums of its counts so far."""

    expected: int
    good: int = 0
    damaged: int = 0

    @property
    def counted(self) -> int:
        return self.good + self.damaged

    @property
    def missing(self) -> int:
        """Units expected that did not arrive at all."""
        return max(0, self.expected - self.counted)

    @property
    def over(self) -> int:
        """Units that arrived beyond what was expected (kept, and flagged)."""
        return max(0, self.counted - self.expected)

    @property
    def discrepancy(self) -> int:
        """Units that differ from "all expected units, good": missing + over + damaged."""
        return self.missing + self.over + self.damaged

    @property
    def outcome(self) -> CountOutcome:
        # Over first: extra units are the one surprise that needs a decision (keep, return, pay).
        if self.over:
            return CountOutcome.over
        if self.damaged:
            return CountOutcome.damaged
        if self.missing:
            return CountOutcome.short
        return CountOutcome.received

    def add(self, count: Count) -> Tally:
        check_count(count)
        return Tally(self.expected, self.good + count.good, self.damaged + count.damaged)


def check_count(count: Count) -> None:
    """A count is whole, non-negative units, and counts something."""
    for name, value in (("good", count.good), ("damaged", count.damaged)):
        if value < 0:
            raise InvalidCount(f"{name} is {value}: a count is never negative")
        if value > MAX_COUNT:
            raise InvalidCount(f"{name} is {value}: at most {MAX_COUNT:,} units in one count")
    if count.good + count.damaged == 0:
        raise NothingCounted("a count of 0 good and 0 damaged counts nothing: leave the line out")


def tally(expected: int, counts: Iterable[Count]) -> Tally:
    """The totals of ``counts`` against ``expected``."""
    result = Tally(expected)
    for count in counts:
        result = result.add(count)
    return result


def count_key(merchant_id: str, line_id: str, client_key: str | None) -> str:
    """The natural key of one count of one line (64 hex characters).

    ``client_key`` is the count's own id or the request's Idempotency-Key; without one the key
    is the line's "first count", so a double scan or a retried request finds the count it made
    and changes nothing. Counting the same line again on purpose takes a new count id."""
    parts = (merchant_id, line_id, "key:" + client_key if client_key is not None else "first count")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
