"""The spans lane cells are read in: every day of a period counted exactly once, from daily,
weekly or four-weekly cells, and the coarsest that fit."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ordertrack.analytics import store

DAYS = st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31))


def _cell_day(day: date, level: str) -> date:
    """The day of the cell a day's counts go to at that level (what ``coarse_keys`` keys it by)."""
    if level == store.FOUR_WEEKS:
        return store.four_weeks_start(day)
    if level == store.WEEK:
        return day - timedelta(days=day.weekday())
    return day


@given(DAYS, st.integers(min_value=0, max_value=400), st.booleans())
def test_every_day_is_read_once_and_no_day_outside(first: date, length: int, four_weeks: bool) -> None:
    last = first + timedelta(days=length)
    spans = store.lane_spans(first, last, four_weeks=four_weeks)
    # Each day of the period: its cell at exactly one span's level lies inside that span.
    for offset in range(length + 1):
        day = first + timedelta(days=offset)
        found = [level for start, stop, level in spans if start <= _cell_day(day, level) <= stop]
        assert len(found) == 1, (day, spans)
    # A span reads only cells all of whose days are in the period.
    for start, stop, level in spans:
        assert first <= start <= stop <= last
        if level == store.WEEK:
            assert start.weekday() == 0 and (stop - start).days % 7 == 6
        if level == store.FOUR_WEEKS:
            assert store.four_weeks_start(start) == start and (stop - start).days % 28 == 27
    assert four_weeks or all(level != store.FOUR_WEEKS for *_, level in spans)


@given(DAYS)
def test_ninety_days_take_whole_blocks_of_four_weeks_and_at_most_six_single_days(first: date) -> None:
    spans = store.lane_spans(first, first + timedelta(days=89))
    lengths = {
        level: sum((stop - start).days + 1 for start, stop, lvl in spans if lvl == level)
        for level in (store.ALL, store.WEEK, store.FOUR_WEEKS)
    }
    assert lengths[store.FOUR_WEEKS] >= 56
    assert lengths[store.ALL] == 6
    assert lengths[store.WEEK] <= 28


def test_blocks_of_four_weeks_start_every_fourth_monday_from_the_epoch() -> None:
    epoch = store.FOUR_WEEKS_EPOCH
    assert epoch.weekday() == 0
    assert store.four_weeks_start(epoch + timedelta(days=27)) == epoch
    assert store.four_weeks_start(epoch + timedelta(days=28)) == epoch + timedelta(days=28)
    assert store.four_weeks_start(epoch - timedelta(days=1)) == epoch - timedelta(days=28)
