"""Pure supplier performance: on-time rate, lead time p50/p90, fill rate and discrepancy rate
computed from plain facts about each purchase order.

No session, no clock: :mod:`ordertrack.suppliers.performance` reads the facts and passes
today and the supplier's calendar in. The definitions (docs/suppliers.md, "Supplier
performance"):

- **Arrival** of a unit is when its ASN's parcels were all delivered (``arrived_at``), or when
  it was counted at the dock when no ASN says so (the earlier of the two): a slow count at the
  dock is not the supplier's lateness. Dates are the supplier's own (its time zone), as its
  promises are.
- **On time**: a purchase order with a promised arrival date is measured once it is closed
  (every line received or short-closed) or once its promised date has passed. It is on time
  when closed and its last unit arrived on or before the promised date. An order still open
  after its promise counts as late: a supplier that never delivers must not look perfect.
- **Lead time**: business days in the supplier's calendar from the day the order was sent to
  the day its first goods arrived; p50 and p90 by nearest rank. With fewer than
  :data:`MIN_LEAD_TIME_SAMPLES` orders it falls back to the supplier's stated lead time, and
  says so (``basis="default"``).
- **Fill rate**: good units received ÷ units ordered, over the lines of closed orders (short-
  closed lines count against; damaged units do not fill; a line's over-receipt is capped at
  what was ordered so it cannot hide another line's shortfall).
- **Discrepancy rate**: lines with a discrepancy ÷ lines that received anything. A line is
  discrepant when it is over-received, has damaged units, or is closed short of what the
  supplier confirmed (or, without a confirmation, of what was ordered).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

# Fewer purchase orders than this with an arrival, and the stated lead time is used instead.
MIN_LEAD_TIME_SAMPLES = 3
# The window performance looks back over, in days (orders sent within it).
WINDOW_DAYS = 180

LeadTimeBasis = Literal["learned", "default"]


@dataclass(frozen=True)
class LineOutcome:
    """One purchase order line's quantities."""

    ordered: int
    confirmed: int | None = None
    received: int = 0  # good units, put into stock
    damaged: int = 0
    short_closed: bool = False

    @property
    def expected(self) -> int:
        return self.ordered if self.confirmed is None else self.confirmed

    @property
    def counted(self) -> bool:
        return self.received + self.damaged > 0


@dataclass(frozen=True)
class PurchaseOutcome:
    """What happened to one sent purchase order, in the supplier's dates."""

    sent_on: date
    promised_arrival: date | None
    first_arrival: date | None  # the first of its goods arrived
    last_arrival: date | None  # the last of its goods arrived so far
    closed: bool  # every line received or short-closed (status received)
    lines: Sequence[LineOutcome] = ()


@dataclass(frozen=True)
class LeadTime:
    """Business days from sending an order to its goods arriving."""

    p50_days: int
    p90_days: int
    basis: LeadTimeBasis  # learned from history, or the supplier's stated lead time
    samples: int  # orders it was learned from (those found, even when too few)


@dataclass(frozen=True)
class Rate:
    """A share with what it is a share of: ``numerator`` of ``denominator``."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator


@dataclass(frozen=True)
class Scorecard:
    on_time: Rate  # orders on time of orders measured
    fill: Rate  # units received of units ordered
    discrepancy: Rate  # lines with a discrepancy of lines counted
    lead_time: LeadTime
    orders: int  # orders sent in the window


def nearest_rank(values: Sequence[int], percentile: float) -> int:
    """The nearest-rank percentile of ``values`` (not empty): always one of the values."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return ordered[rank - 1]


def learn_lead_time(
    samples: Sequence[int], default_days: int, *, min_samples: int = MIN_LEAD_TIME_SAMPLES
) -> LeadTime:
    """p50/p90 of ``samples`` (business days), or the stated default when there are too few."""
    if len(samples) < min_samples:
        return LeadTime(default_days, default_days, "default", len(samples))
    return LeadTime(nearest_rank(samples, 50), nearest_rank(samples, 90), "learned", len(samples))


def lead_time_samples(
    outcomes: Sequence[PurchaseOutcome], business_days_between: Callable[[date, date], int]
) -> list[int]:
    """Business days from sent to first arrival, one per order whose goods have arrived."""
    return [
        business_days_between(o.sent_on, o.first_arrival) for o in outcomes if o.first_arrival is not None
    ]


def on_time_rate(outcomes: Sequence[PurchaseOutcome], today: date) -> Rate:
    measured = on_time = 0
    for o in outcomes:
        if o.promised_arrival is None:
            continue
        if o.closed:
            measured += 1
            if o.last_arrival is not None and o.last_arrival <= o.promised_arrival:
                on_time += 1
        elif o.promised_arrival < today:
            measured += 1  # still open after its promise: late
    return Rate(on_time, measured)


def fill_rate(outcomes: Sequence[PurchaseOutcome]) -> Rate:
    received = ordered = 0
    for o in outcomes:
        if not o.closed:
            continue
        for line in o.lines:
            ordered += line.ordered
            received += min(line.received, line.ordered)
    return Rate(received, ordered)


def line_discrepant(line: LineOutcome, closed: bool) -> bool:
    """Over, damaged, or (once closed) short of what the supplier said it would send."""
    if line.damaged > 0 or line.received > line.expected:
        return True
    done = closed or line.short_closed
    return done and line.received < line.expected


def discrepancy_rate(outcomes: Sequence[PurchaseOutcome]) -> Rate:
    counted = discrepant = 0
    for o in outcomes:
        for line in o.lines:
            if not line.counted:
                continue
            counted += 1
            if line_discrepant(line, o.closed):
                discrepant += 1
    return Rate(discrepant, counted)


def scorecard(
    outcomes: Sequence[PurchaseOutcome],
    *,
    today: date,
    default_lead_time_days: int,
    business_days_between: Callable[[date, date], int],
) -> Scorecard:
    """The supplier's performance over ``outcomes`` (its orders sent in the window)."""
    return Scorecard(
        on_time=on_time_rate(outcomes, today),
        fill=fill_rate(outcomes),
        discrepancy=discrepancy_rate(outcomes),
        lead_time=learn_lead_time(lead_time_samples(outcomes, business_days_between), default_lead_time_days),
        orders=len(outcomes),
    )
