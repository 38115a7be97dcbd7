"""Transit times learned from a merchant's own deliveries: recency-weighted quantiles per lane."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

# Which stretch of the journey an observation measures, in business days of the destination:
# "handoff" runs from the carrier hand-off to delivery; "order" from the computed dispatch date
# (cut-off and processing days applied) to delivery, so it includes the merchant's own handling.
Leg = Literal["handoff", "order"]

# Transit days are bucketed to this resolution; business days are whole numbers in practice.
_BUCKETS_PER_DAY = 2
# Decayed weights are stored relative to a reference instant that is moved forward once the
# newest weight would exceed e**_REBASE_EXPONENT, long before a float could overflow.
_REBASE_EXPONENT = 50.0
# A snapshot of a lane's histogram is kept every this many observations so that a query at an
# earlier instant than the previous one replays at most this many observations.
_CHECKPOINT_EVERY = 128
# Separates a band from its refinement, e.g. "promise+18d/handling-2": lead band, then handling delay.
BAND_REFINEMENT = "/"


@dataclass(frozen=True)
class Lane:
    """Where a parcel travels and with whom; None fields mean "any"."""

    carrier: str | None = None
    service: str | None = None
    origin: str | None = None
    destination: str | None = None
    # A stand-in for the lane when the real one is unknown, e.g. the band of a promised lead time.
    band: str | None = None

    def fallbacks(self) -> list[Lane]:
        """Most specific first, ending with Lane(); each step drops the detail with least data behind it:
        the whole lane; without the band; without the service; carrier and destination only;
        carrier only; everything. Steps equal to the previous one are skipped."""
        steps = [
            self,
            replace(self, band=None),
            replace(self, band=None, service=None),
            Lane(carrier=self.carrier, destination=self.destination),
            Lane(carrier=self.carrier),
            Lane(),
        ]
        # The band alone is a strong signal (it carries the promise's own notion of distance), so
        # a banded lane also falls back to "this band, any carrier" before dropping the band.
        if self.band is not None and self.carrier is not None:
            steps.insert(1, Lane(band=self.band))
        # A refined band ("coarse/fine") is tried whole, then as its coarse part, before the band goes.
        if self.band is not None and BAND_REFINEMENT in self.band:
            coarse = self.band.rsplit(BAND_REFINEMENT, 1)[0]
            position = steps.index(replace(self, band=None))
            coarser = [replace(self, band=coarse)]
            if self.carrier is not None:
                coarser.append(Lane(band=coarse))
            steps[position:position] = coarser
        unique: list[Lane] = []
        for step in steps:
            if step not in unique:
                unique.append(step)
        return unique

    def describe(self) -> str:
        parts = [self.carrier, self.service]
        route = (
            f"{self.origin or '*'}->{self.destination or '*'}" if self.origin or self.destination else None
        )
        parts.extend([route, self.band])
        named = [part for part in parts if part]
        return " ".join(named) if named else "all lanes"


@dataclass(frozen=True)
class LaneWindow:
    """Weighted transit-day quantiles of the lane that had enough recent data."""

    lane_used: Lane
    values: tuple[float, ...]
    weight: float


@dataclass
class _LaneSeries:
    """One lane's observations in completion order, with a replay cursor and checkpoints."""

    times: list[float] = field(default_factory=list)  # completion instants, epoch days, sorted
    buckets: list[int] = field(default_factory=list)
    checkpoints: list[_HistogramState] = field(default_factory=list)
    cursor: _HistogramState | None = None
    dirty: bool = True


@dataclass
class _HistogramState:
    """The histogram of the first `count` observations, weighted exp((t - reference) / tau)."""

    count: int
    reference: float
    weights: list[float]

    def copy(self) -> _HistogramState:
        return _HistogramState(self.count, self.reference, list(self.weights))


class TransitHistory:
    """Completed deliveries per leg and lane; answers "what did transit look like before this instant"."""

    def __init__(self, *, half_life_days: float = 90.0, min_weight: float = 30.0) -> None:
        if half_life_days <= 0:
            raise ValueError("half_life_days must be > 0")
        self.half_life_days = half_life_days
        self.min_weight = min_weight
        self._tau = half_life_days / math.log(2)
        self._series: dict[tuple[Leg, Lane], _LaneSeries] = {}

    def add(self, lane: Lane, completed_at: datetime, transit_days: float, *, leg: Leg = "handoff") -> None:
        """Record one delivery under its lane and every wider lane (any order of insertion)."""
        if completed_at.tzinfo is None:
            raise ValueError("completed_at must be timezone-aware")
        instant = completed_at.timestamp() / 86400.0
        bucket = max(0, round(transit_days * _BUCKETS_PER_DAY))
        for step in lane.fallbacks():
            series = self._series.setdefault((leg, step), _LaneSeries())
            if series.times and instant < series.times[-1]:
                position = bisect_left(series.times, instant)
                series.times.insert(position, instant)
                series.buckets.insert(position, bucket)
                series.dirty = True
            else:
                series.times.append(instant)
                series.buckets.append(bucket)
                # Appending keeps every checkpoint and the cursor valid.

    def window(
        self, lane: Lane, at: datetime, quantiles: Sequence[float], *, leg: Leg = "handoff"
    ) -> LaneWindow | None:
        """Weighted quantiles over deliveries completed strictly before `at`, each weighted
        0.5 ** (age_days / half_life_days), from the first lane in lane.fallbacks() with enough weight."""
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        instant = at.timestamp() / 86400.0
        for step in lane.fallbacks():
            series = self._series.get((leg, step))
            if series is None:
                continue
            state = self._state_before(series, instant)
            if state is None:
                continue
            scale = math.exp((state.reference - instant) / self._tau)
            total = sum(state.weights) * scale
            if total < self.min_weight or total <= 0:
                continue
            values = tuple(_weighted_quantile(state.weights, q) for q in quantiles)
            return LaneWindow(lane_used=step, values=values, weight=total)
        return None

    def count_before(self, lane: Lane, at: datetime, *, leg: Leg = "handoff") -> int:
        """How many deliveries of exactly this lane completed before `at`."""
        series = self._series.get((leg, lane))
        if series is None:
            return 0
        return bisect_left(series.times, at.timestamp() / 86400.0)

    def _state_before(self, series: _LaneSeries, instant: float) -> _HistogramState | None:
        if series.dirty:
            series.dirty = False
            series.checkpoints.clear()
            series.cursor = None
        count = bisect_left(series.times, instant)
        if count == 0:
            return None
        cursor = series.cursor
        if cursor is None or cursor.count > count:
            index = bisect_left([c.count for c in series.checkpoints], count + 1) - 1
            cursor = series.checkpoints[index].copy() if index >= 0 else _HistogramState(0, 0.0, [])
        while cursor.count < count:
            self._include(series, cursor)
        series.cursor = cursor
        return cursor

    def _include(self, series: _LaneSeries, state: _HistogramState) -> None:
        instant = series.times[state.count]
        bucket = series.buckets[state.count]
        if state.count == 0:
            state.reference = instant
        exponent = (instant - state.reference) / self._tau
        if exponent > _REBASE_EXPONENT:
            shrink = math.exp(-exponent)
            state.weights = [w * shrink for w in state.weights]
            state.reference = instant
            exponent = 0.0
        if bucket >= len(state.weights):
            state.weights.extend([0.0] * (bucket + 1 - len(state.weights)))
        state.weights[bucket] += math.exp(exponent)
        state.count += 1
        if (
            state.count % _CHECKPOINT_EVERY == 0
            and len(series.checkpoints) < state.count // _CHECKPOINT_EVERY
        ):
            series.checkpoints.append(state.copy())


def _weighted_quantile(weights: list[float], q: float) -> float:
    """The smallest bucket value whose cumulative weight reaches q of the total."""
    total = sum(weights)
    target = min(max(q, 0.0), 1.0) * total
    running = 0.0
    last = 0
    for bucket, weight in enumerate(weights):
        if weight <= 0:
            continue
        running += weight
        last = bucket
        if running >= target - 1e-12 * total:
            return bucket / _BUCKETS_PER_DAY
    return last / _BUCKETS_PER_DAY
