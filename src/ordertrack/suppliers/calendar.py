"""A supplier's business days: Monday to Friday minus the public holidays it keeps.

The same rule and the same `holidays` library as ``eta.calendar`` (which sits above this layer
and so cannot be imported here): lead times are counted in the supplier's working days, so a
week of Chinese New Year or a German state's holiday is not held against it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Never search further than this for a business day (a calendar that is all holidays fails).
_LONGEST_SEARCH_DAYS = 3 * 366


@lru_cache(maxsize=256)
def _holidays(country: str, subdivision: str | None) -> holidays.HolidayBase | None:
    try:
        return holidays.country_holidays(country.upper(), subdiv=subdivision)
    except NotImplementedError:
        return None  # unknown to the library: weekends only, an honest minimum


class SupplierCalendar:
    """The business days of one supplier's calendar."""

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        self._holidays = _holidays(country, subdivision)

    def is_business_day(self, day: date) -> bool:
        return day.isoweekday() <= 5 and (self._holidays is None or day not in self._holidays)

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after ``start`` up to and including ``end`` (0 when end <= start)."""
        count = 0
        day = start + timedelta(days=1)
        while day <= end:
            count += self.is_business_day(day)
            day += timedelta(days=1)
        return count

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after ``day`` (n >= 0; for 0, ``day`` or the next business day)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        for _ in range(_LONGEST_SEARCH_DAYS):
            if n == 0 and self.is_business_day(day):
                return day
            day += timedelta(days=1)
            if n > 0 and self.is_business_day(day):
                n -= 1
                if n == 0:
                    return day
        raise ValueError("no business day found")


def local_date(at: datetime, timezone: str) -> date:
    """The date it was where the supplier is."""
    return at.astimezone(ZoneInfo(timezone)).date()
