"""Business-day calendars (weekends and public holidays) and the day a warehouse dispatches an order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Holiday years are loaded lazily a few at a time; an estimate never looks further than this
# many days ahead, so a runaway loop over a broken calendar fails instead of spinning.
_LONGEST_SEARCH_DAYS = 3 * 366


class BusinessCalendar:
    """Monday to Friday minus the public holidays of a country (and optionally a subdivision)."""

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        self.country = country.upper()
        self.subdivision = subdivision
        try:
            self._holidays: holidays.HolidayBase | None = holidays.country_holidays(
                self.country, subdiv=subdivision
            )
        except NotImplementedError:
            # Unknown to the holidays library: weekends are still a safe, honest minimum.
            self._holidays = None

    def __repr__(self) -> str:
        where = self.country + (f"-{self.subdivision}" if self.subdivision else "")
        return f"BusinessCalendar({where})"

    def is_holiday(self, day: date) -> bool:
        return self._holidays is not None and day in self._holidays

    def is_business_day(self, day: date) -> bool:
        return day.isoweekday() <= 5 and not self.is_holiday(day)

    def next_business_day(self, day: date) -> date:
        """`day` itself when it is a business day, else the first one after it."""
        for _ in range(_LONGEST_SEARCH_DAYS):
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no business day within {_LONGEST_SEARCH_DAYS} days in {self!r}")

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after `day`; for n == 0, `day` itself or the next business day.
        For n >= 1 this inverts business_days_between: between(day, add(day, n)) == n."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return self.next_business_day(day)
        for _ in range(n):
            day = self.next_business_day(day + timedelta(days=1))
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end` (0 when end <= start)."""
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            if self.is_business_day(day):
                count += 1
            day += timedelta(days=1)
        return count


@lru_cache(maxsize=256)
def calendar_for(country: str, subdivision: str | None = None) -> BusinessCalendar:
    """The (shared, cached) calendar of a country; an unknown country gets weekends only."""
    return BusinessCalendar(country, subdivision)


def dispatch_date(
    ordered_at: datetime,
    *,
    timezone: str,
    cutoff: time,
    processing_days: Iterable[int],
    calendar: BusinessCalendar,
    handling_days: int = 0,
) -> date:
    """The day the warehouse hands an order over: the order day if it came before the cut-off on a
    processing business day, else the next such day; then `handling_days` more such days."""
    if ordered_at.tzinfo is None:
        raise ValueError("ordered_at must be timezone-aware")
    weekdays = frozenset(processing_days)
    if not weekdays:
        raise ValueError("processing_days must not be empty")

    def is_working(day: date) -> bool:
        return day.isoweekday() in weekdays and calendar.is_business_day(day)

    def next_working(day: date) -> date:
        for _ in range(_LONGEST_SEARCH_DAYS):
            if is_working(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no processing day within {_LONGEST_SEARCH_DAYS} days in {calendar!r}")

    local = ordered_at.astimezone(ZoneInfo(timezone))
    day = local.date()
    if not (is_working(day) and local.time() < cutoff):
        day = next_working(day + timedelta(days=1))
    for _ in range(handling_days):
        day = next_working(day + timedelta(days=1))
    return day
