"""Learned transit times: lane fallback, recency weighting, and never looking past the query instant."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from ordertrack.eta.learning import Lane, TransitHistory

T0 = datetime(2024, 1, 1, tzinfo=UTC)
SP_RJ = Lane(carrier="ups", service="ground", origin="SP", destination="RJ")


def test_fallbacks_go_from_the_lane_to_everything() -> None:
    steps = SP_RJ.fallbacks()
    assert steps[0] == SP_RJ
    assert steps[-1] == Lane()
    assert Lane(carrier="ups", origin="SP", destination="RJ") in steps
    assert Lane(carrier="ups") in steps
    assert len(steps) == len(set(steps))
    assert Lane().fallbacks() == [Lane()]


def test_refined_band_falls_back_to_its_coarse_band_before_dropping_the_band() -> None:
    refined = Lane(carrier="olist", band="promise+18d/holiday-ahead")
    assert refined.fallbacks() == [
        refined,
        Lane(band="promise+18d/holiday-ahead"),
        Lane(carrier="olist", band="promise+18d"),
        Lane(band="promise+18d"),
        Lane(carrier="olist"),
        Lane(),
    ]


def test_thin_refined_band_answers_from_its_coarse_band() -> None:
    history = TransitHistory(half_life_days=1000, min_weight=5)
    coarse = Lane(carrier="olist", band="promise+18d")
    for i in range(10):
        history.add(Lane(carrier="olist", band="promise+18d/no-holiday"), T0 + timedelta(hours=i), 4)
        history.add(Lane(carrier="olist", band="promise+30d/no-holiday"), T0 + timedelta(hours=i), 9)
    history.add(Lane(carrier="olist", band="promise+18d/holiday-ahead"), T0, 7)
    learned = history.window(
        Lane(carrier="olist", band="promise+18d/holiday-ahead"), T0 + timedelta(days=1), [0.5]
    )
    assert learned is not None
    assert learned.lane_used == coarse
    assert learned.values == (4.0,)


def test_thin_lane_falls_back_to_the_wider_lane() -> None:
    history = TransitHistory(half_life_days=1000, min_weight=5)
    for i in range(3):
        history.add(SP_RJ, T0 + timedelta(days=i), 2)
    for i in range(10):
        history.add(
            Lane(carrier="ups", service="ground", origin="SP", destination="BA"), T0 + timedelta(days=i), 6
        )
    window = history.window(SP_RJ, T0 + timedelta(days=30), [0.5])
    assert window is not None
    assert window.lane_used.destination is None
    assert window.values[0] == 6


def test_lane_with_enough_data_uses_its_own_deliveries() -> None:
    history = TransitHistory(half_life_days=1000, min_weight=5)
    for i in range(8):
        history.add(SP_RJ, T0 + timedelta(days=i), 2)
        history.add(Lane(carrier="ups", destination="BA"), T0 + timedelta(days=i), 9)
    window = history.window(SP_RJ, T0 + timedelta(days=30), [0.5])
    assert window is not None and window.lane_used == SP_RJ and window.values == (2.0,)


def test_no_window_when_even_everything_has_too_little_weight() -> None:
    history = TransitHistory(min_weight=30)
    history.add(SP_RJ, T0, 3)
    assert history.window(SP_RJ, T0 + timedelta(days=1), [0.5]) is None


def test_recent_deliveries_outweigh_old_ones() -> None:
    history = TransitHistory(half_life_days=10, min_weight=1)
    for i in range(20):
        history.add(SP_RJ, T0 + timedelta(days=i), 10)  # slow, long ago
    for i in range(10):
        history.add(SP_RJ, T0 + timedelta(days=100 + i), 2)  # fast, recent
    window = history.window(SP_RJ, T0 + timedelta(days=111), [0.5])
    assert window is not None and window.values[0] == 2
    # Without decay the older majority would win the median.
    flat = TransitHistory(half_life_days=1e9, min_weight=1)
    for i in range(20):
        flat.add(SP_RJ, T0 + timedelta(days=i), 10)
    for i in range(10):
        flat.add(SP_RJ, T0 + timedelta(days=100 + i), 2)
    flat_window = flat.window(SP_RJ, T0 + timedelta(days=111), [0.5])
    assert flat_window is not None and flat_window.values[0] == 10


def test_weight_halves_every_half_life() -> None:
    history = TransitHistory(half_life_days=30, min_weight=0.1)
    history.add(SP_RJ, T0, 4)
    window = history.window(SP_RJ, T0 + timedelta(days=60), [0.5])
    assert window is not None and window.weight == pytest.approx(0.25)


def test_only_deliveries_completed_strictly_before_the_instant_count() -> None:
    history = TransitHistory(half_life_days=1000, min_weight=0.5)
    history.add(SP_RJ, T0, 3)
    history.add(SP_RJ, T0 + timedelta(days=5), 9)
    at_second = history.window(SP_RJ, T0 + timedelta(days=5), [1.0])
    assert at_second is not None and at_second.values == (3.0,)
    after = history.window(SP_RJ, T0 + timedelta(days=5, seconds=1), [1.0])
    assert after is not None and after.values == (9.0,)


def test_answers_do_not_depend_on_insertion_or_query_order() -> None:
    rng = random.Random(7)
    observations = [
        (T0 + timedelta(hours=rng.randrange(0, 24 * 700)), rng.randrange(0, 30)) for _ in range(600)
    ]
    instants = [T0 + timedelta(hours=rng.randrange(0, 24 * 720)) for _ in range(60)]
    quantiles = (0.1, 0.5, 0.9)

    def answers(items: list[tuple[datetime, int]], queries: list[datetime]) -> dict[datetime, object]:
        history = TransitHistory(half_life_days=20, min_weight=1)
        for completed, days in items:
            history.add(SP_RJ, completed, days)
        return {at: history.window(SP_RJ, at, quantiles) for at in queries}

    reference = answers(sorted(observations), sorted(instants))
    shuffled = observations[:]
    rng.shuffle(shuffled)
    backwards = sorted(instants, reverse=True)
    other = answers(shuffled, backwards)
    for at in instants:
        a, b = reference[at], other[at]
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert a.values == b.values
            assert a.weight == pytest.approx(b.weight, rel=1e-9)


def test_long_histories_with_a_short_half_life_do_not_overflow() -> None:
    history = TransitHistory(half_life_days=1, min_weight=0.5)
    for i in range(3000):
        history.add(SP_RJ, T0 + timedelta(days=i), i % 7)
    window = history.window(SP_RJ, T0 + timedelta(days=3000), [0.5])
    assert window is not None and window.values[0] == 2999 % 7
