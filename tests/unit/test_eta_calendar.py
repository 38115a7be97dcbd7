"""Business-day calendars and the dispatch day: cut-off, weekends, holidays on both ends, time zones."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ordertrack.eta.calendar import calendar_for, dispatch_date

WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def test_weekends_and_public_holidays_are_not_business_days() -> None:
    brazil = calendar_for("BR")
    assert brazil.is_business_day(date(2017, 12, 22))  # a Friday
    assert not brazil.is_business_day(date(2017, 12, 23))  # Saturday
    assert not brazil.is_business_day(date(2017, 12, 25))  # Christmas, a Monday
    assert not calendar_for("US").is_business_day(date(2024, 7, 4))
    assert calendar_for("BR").is_business_day(date(2024, 7, 4))


def test_unknown_country_falls_back_to_weekends_only() -> None:
    nowhere = calendar_for("QQ")
    assert nowhere.is_business_day(date(2024, 12, 25))
    assert not nowhere.is_business_day(date(2024, 12, 28))


def test_adding_business_days_skips_weekends_and_holidays() -> None:
    brazil = calendar_for("BR")
    assert brazil.add_business_days(date(2017, 12, 22), 0) == date(2017, 12, 22)
    assert brazil.add_business_days(date(2017, 12, 23), 0) == date(2017, 12, 26)  # Sat -> after Christmas
    assert brazil.add_business_days(date(2017, 12, 22), 1) == date(2017, 12, 26)
    assert brazil.add_business_days(date(2017, 12, 22), 3) == date(2017, 12, 28)


def test_business_days_between_inverts_adding() -> None:
    brazil = calendar_for("BR")
    for start in (date(2017, 12, 20), date(2017, 12, 23), date(2018, 2, 10)):
        for n in range(1, 25):
            assert brazil.business_days_between(start, brazil.add_business_days(start, n)) == n
    assert brazil.business_days_between(date(2017, 12, 22), date(2017, 12, 22)) == 0
    assert brazil.business_days_between(date(2017, 12, 22), date(2017, 12, 1)) == 0


def test_order_before_cutoff_dispatches_the_same_day() -> None:
    us = calendar_for("US")
    at = datetime(2024, 3, 5, 13, 59, tzinfo=ZoneInfo("America/New_York"))
    day = dispatch_date(
        at, timezone="America/New_York", cutoff=time(14), processing_days=WEEKDAYS, calendar=us
    )
    assert day == date(2024, 3, 5)


def test_order_after_cutoff_dispatches_the_next_processing_day() -> None:
    us = calendar_for("US")
    at = datetime(2024, 3, 8, 14, 0, tzinfo=ZoneInfo("America/New_York"))  # Friday, at the cut-off
    day = dispatch_date(
        at, timezone="America/New_York", cutoff=time(14), processing_days=WEEKDAYS, calendar=us
    )
    assert day == date(2024, 3, 11)


def test_holiday_at_the_warehouse_delays_dispatch_and_handling_days_follow() -> None:
    us = calendar_for("US")
    at = datetime(
        2024, 7, 3, 16, 0, tzinfo=ZoneInfo("America/New_York")
    )  # after cut-off; the 4th is a holiday
    day = dispatch_date(
        at,
        timezone="America/New_York",
        cutoff=time(14),
        processing_days=WEEKDAYS,
        calendar=us,
        handling_days=1,
    )
    assert day == date(2024, 7, 8)


def test_saturday_processing_counts_only_when_listed() -> None:
    uk = calendar_for("GB")
    at = datetime(2024, 3, 8, 18, 0, tzinfo=ZoneInfo("Europe/London"))
    saturday_shift = dispatch_date(
        at, timezone="Europe/London", cutoff=time(14), processing_days={1, 2, 3, 4, 5, 6}, calendar=uk
    )
    # Saturday is a processing day but not a business day in the calendar, so Monday it is.
    assert saturday_shift == date(2024, 3, 11)


def test_order_time_is_read_in_the_warehouse_zone_across_midnight() -> None:
    us = calendar_for("US")
    # 03:30 UTC Wednesday is 20:30 Tuesday in Los Angeles: after a 14:00 cut-off -> Wednesday.
    at = datetime(2024, 3, 6, 3, 30, tzinfo=ZoneInfo("UTC"))
    pacific = dispatch_date(
        at, timezone="America/Los_Angeles", cutoff=time(14), processing_days=WEEKDAYS, calendar=us
    )
    assert pacific == date(2024, 3, 6)
    # 23:30 UTC Tuesday is 08:30 Wednesday in Tokyo: before the cut-off -> Wednesday in Japan.
    late = datetime(2024, 3, 5, 23, 30, tzinfo=ZoneInfo("UTC"))
    tokyo = dispatch_date(
        late, timezone="Asia/Tokyo", cutoff=time(14), processing_days=WEEKDAYS, calendar=calendar_for("JP")
    )
    assert tokyo == date(2024, 3, 6)
