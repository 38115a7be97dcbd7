"""What a merchant's deliveries teach the promise: transit times per lane and leg, cached a while.

The caller reads the deliveries (shipments, their orders and first scans belong to other
features) and passes them in as :class:`PastDelivery`; this module only learns and caches.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ordertrack.eta.calendar import dispatch_date
from ordertrack.eta.learning import Lane, TransitHistory
from ordertrack.eta.places import Origin, Place

# How long a process reuses what it learned from a merchant's deliveries, and how many of the
# newest deliveries it learns from.
HISTORY_TTL_SECONDS = 600.0
HISTORY_DEPTH = 5000


@dataclass(frozen=True)
class PastDelivery:
    """One delivered shipment, as learning needs it."""

    carrier: str
    service: str | None
    origin: Origin
    destination: Place
    ordered_at: datetime
    left_at: datetime  # the hand-off, else the first carrier scan, else the label
    delivered_at: datetime


_learned: dict[str, tuple[float, TransitHistory]] = {}


def forget_history() -> None:
    """Drop every cached history (tests; a merchant importing old deliveries)."""
    _learned.clear()


def learned_history(merchant_id: str, deliveries: Callable[[int], Iterable[PastDelivery]]) -> TransitHistory:
    """Transit times of the merchant's newest deliveries (``deliveries(HISTORY_DEPTH)`` reads
    them, newest first), per lane and leg; cached for ``HISTORY_TTL_SECONDS``."""
    cached = _learned.get(merchant_id)
    if cached is not None and clock.monotonic() - cached[0] < HISTORY_TTL_SECONDS:
        return cached[1]
    history = learn(deliveries(HISTORY_DEPTH))
    _learned[merchant_id] = (clock.monotonic(), history)
    return history


def learn(deliveries: Iterable[PastDelivery]) -> TransitHistory:
    """Each delivery on its lane, twice: from the hand-off ("handoff" leg) and from the dispatch
    day its warehouse's cut-off gives the order ("order" leg), in business days of the destination."""
    history = TransitHistory()
    for past in deliveries:
        origin, destination = past.origin, past.destination
        lane = Lane(past.carrier, past.service, origin.place.lane_name, destination.lane_name)
        delivered_on = past.delivered_at.astimezone(ZoneInfo(destination.timezone)).date()
        left = past.left_at.astimezone(ZoneInfo(origin.place.timezone)).date()
        history.add(
            lane,
            past.delivered_at,
            destination.calendar.business_days_between(left, delivered_on),
            leg="handoff",
        )
        planned = dispatch_date(
            past.ordered_at,
            timezone=origin.place.timezone,
            cutoff=origin.cutoff,
            processing_days=origin.processing_days,
            calendar=origin.place.calendar,
        )
        history.add(
            lane,
            past.delivered_at,
            destination.calendar.business_days_between(planned, delivered_on),
            leg="order",
        )
    return history
