"""The arithmetic of receiving (suppliers/counting): sums, derived outcomes, never negative,
over-receipts kept, and count keys that make a repeat count once."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.suppliers.counting import (
    MAX_COUNT,
    Count,
    CountOutcome,
    InvalidCount,
    NothingCounted,
    Tally,
    count_key,
    tally,
)

quantities = st.integers(min_value=0, max_value=10_000)
counts = st.builds(Count, good=quantities, damaged=quantities).filter(lambda c: c.good + c.damaged > 0)


@given(expected=st.integers(min_value=1, max_value=10_000), seen=st.lists(counts, max_size=20))
def test_a_lines_sums_are_the_sums_of_its_counts_and_never_negative(expected: int, seen: list[Count]) -> None:
    result = tally(expected, seen)
    assert result.good == sum(c.good for c in seen)
    assert result.damaged == sum(c.damaged for c in seen)
    assert min(result.good, result.damaged, result.missing, result.over) >= 0
    # Over-receipts are kept as counted: nothing is capped at what was expected.
    assert result.counted - result.over + result.missing == expected
    assert result.discrepancy == result.missing + result.over + result.damaged


@given(expected=st.integers(min_value=1, max_value=10_000), seen=st.lists(counts, max_size=20))
def test_the_order_counts_arrive_in_does_not_change_the_outcome(expected: int, seen: list[Count]) -> None:
    assert tally(expected, seen) == tally(expected, list(reversed(seen)))
    assert tally(expected, seen).outcome == tally(expected, sorted(seen, key=lambda c: c.good)).outcome


@given(expected=st.integers(min_value=1, max_value=10_000), good=quantities, damaged=quantities)
def test_the_outcome_is_derived_from_the_sums(expected: int, good: int, damaged: int) -> None:
    line = Tally(expected, good, damaged)
    if good + damaged > expected:
        assert line.outcome == CountOutcome.over
    elif damaged:
        assert line.outcome == CountOutcome.damaged
    elif good < expected:
        assert line.outcome == CountOutcome.short
    else:
        assert line.outcome == CountOutcome.received and line.discrepancy == 0


def test_all_expected_units_in_good_order_are_received() -> None:
    assert tally(100, [Count(60), Count(40)]).outcome == CountOutcome.received
    assert tally(100, [Count(98, 2)]).discrepancy == 2


@pytest.mark.parametrize(
    ("count", "error"),
    [
        (Count(-1), InvalidCount),
        (Count(1, -1), InvalidCount),
        (Count(MAX_COUNT + 1), InvalidCount),
        (Count(0, 0), NothingCounted),
    ],
)
def test_a_count_that_is_negative_huge_or_empty_is_refused(count: Count, error: type[Exception]) -> None:
    with pytest.raises(error):
        Tally(10).add(count)


@given(
    merchant=st.text(min_size=1, max_size=8),
    line=st.text(min_size=1, max_size=8),
    key=st.none() | st.text(max_size=8),
)
def test_a_repeat_of_the_same_count_has_the_same_key(merchant: str, line: str, key: str | None) -> None:
    assert count_key(merchant, line, key) == count_key(merchant, line, key)
    assert len(count_key(merchant, line, key)) == 64
    assert count_key(merchant, line, key) != count_key(merchant + "x", line, key)
    assert count_key(merchant, line, key) != count_key(merchant, line + "x", key)
    assert count_key(merchant, line, None) != count_key(merchant, line, "")


@given(expected=st.integers(min_value=1, max_value=1000), seen=st.lists(counts, max_size=10))
def test_counting_a_repeat_once_leaves_the_sums_as_one_count(expected: int, seen: list[Count]) -> None:
    """What the dock does with a double scan, as arithmetic: counts are kept by key, so adding
    every count twice under its key gives the sums of adding each once."""
    keyed = {count_key("m", "line", str(i)): count for i, count in enumerate(seen)}
    doubled = dict(keyed)
    for key, count in keyed.items():
        doubled.setdefault(key, count)
    assert tally(expected, doubled.values()) == tally(expected, seen)
