"""A scan's local time and zone: one way to name it, label it and write it, for every reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ordertrack.kit.localtime import (
    clock_text,
    local_moment,
    local_time_text,
    offset_name,
    zone_label,
    zone_name_of,
)

WINTER = datetime(2025, 11, 24, 20, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 1, 15, 0, tzinfo=UTC)


def test_an_iana_zone_is_named_and_labelled_with_the_abbreviation_of_the_day() -> None:
    local, name = local_moment(WINTER, "America/Chicago", -360)
    assert local.isoformat() == "2025-11-24T14:05:00-06:00" and name == "America/Chicago"
    assert zone_label(local, name) == "America/Chicago (CST)"
    summer, _ = local_moment(SUMMER, "America/Chicago")
    assert zone_label(summer, name) == "America/Chicago (CDT)"
    text = local_time_text(WINTER, "America/Chicago", "en_US")
    assert text == "Nov 24, 2025, 2:05\u202fPM America/Chicago (CST)"


def test_a_zone_whose_abbreviation_is_only_a_number_is_labelled_by_its_name() -> None:
    local, name = local_moment(WINTER, "America/Sao_Paulo")
    assert local.isoformat() == "2025-11-24T17:05:00-03:00"
    assert zone_label(local, name) == "America/Sao_Paulo"


def test_an_event_with_only_an_offset_keeps_that_offset_as_its_zone() -> None:
    local, name = local_moment(SUMMER, None, 120)
    assert local.isoformat() == "2026-07-01T17:00:00+02:00" and name == "UTC+02:00"
    assert zone_label(local, name) == "UTC+02:00"
    india, name = local_moment(SUMMER, None, 330)
    assert india.isoformat() == "2026-07-01T20:30:00+05:30" and name == "UTC+05:30"
    assert local_moment(SUMMER, None, -300)[1] == "UTC-05:00"
    aware = SUMMER.astimezone(timezone(timedelta(hours=-4)))
    assert local_time_text(aware, None, "en_US") == "Jul 1, 2026, 11:00\u202fAM UTC-04:00"


def test_utc_is_named_utc_with_or_without_a_zone() -> None:
    assert local_moment(SUMMER, None, 0) == (SUMMER, "UTC")
    assert local_moment(SUMMER, None)[1] == "UTC"
    assert offset_name(timedelta(0)) == "UTC"
    assert zone_name_of(SUMMER) == "UTC"
    assert local_time_text(SUMMER, None, "en_US") == "Jul 1, 2026, 3:00\u202fPM UTC"
    assert local_time_text(SUMMER, "UTC", "en_US") == "Jul 1, 2026, 3:00\u202fPM UTC"


def test_an_unknown_zone_falls_back_to_the_offset() -> None:
    local, name = local_moment(SUMMER, "Mars/Olympus_Mons", 60)
    assert local.isoformat() == "2026-07-01T16:00:00+01:00" and name == "UTC+01:00"
    assert zone_label(SUMMER, "Mars/Olympus_Mons") == "Mars/Olympus_Mons"


def test_the_clock_is_written_in_the_readers_language() -> None:
    local, _ = local_moment(WINTER, "Europe/Berlin")
    assert clock_text(local, "de_DE") == "24.11.2025, 21:05"
    assert local_time_text(WINTER, "Europe/Berlin", "de_DE") == "24.11.2025, 21:05 Europe/Berlin (CET)"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_time_text(datetime(2026, 7, 1, 15, 0), "Europe/Berlin", "en_US")
