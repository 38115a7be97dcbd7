"""The spans lane cells are read in: every day of a period counted exactly once, from weekly cells
for the whole Monday-to-Sunday weeks and daily ones for the days around them."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ordertrack.analytics import store

DAYS = st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31))


@given(DAYS, st.integers(min_value=0, max_value=400))
def test_every_day_is_read_once_and_no_day_outside(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    spans = store._week_spans(first, last)  # noqa: SLF001 - the spans every lane read goes by
    for offset in range(length + 1):
        day = first + timedelta(days=offset)
        monday = day - timedelta(days=day.weekday())
        # A day's counts are in its daily cell and in its week's (keyed by the Monday).
        found = [weekly for start, stop, weekly in spans if start <= (monday if weekly else day) <= stop]
        assert len(found) == 1, (day, spans)
    for start, stop, weekly in spans:
        assert first <= start <= stop <= last
        if weekly:
            assert start.weekday() == 0 and (stop - start).days % 7 == 6
    assert sum((stop - start).days + 1 for start, stop, weekly in spans if not weekly) <= 12
