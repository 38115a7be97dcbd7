"""The polling schedule: how often each status is asked about, when polling stops, jitter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.carriers.schedule import (
    FIRST_POLL_SPREAD,
    JITTER_FRACTION,
    POLL_INTERVALS,
    SILENCE_LIMIT,
    next_poll_at,
)
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES, ShipmentStatus

NOW = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)
CREATED = NOW - timedelta(days=2)


def due(
    status: str, *, since_poll: timedelta, since_event: timedelta | None, key: str = ""
) -> datetime | None:
    return next_poll_at(
        status=status,
        last_event_at=NOW - since_event if since_event is not None else None,
        last_polled_at=NOW - since_poll,
        created_at=CREATED,
        now=NOW,
        key=key,
    )


def wait_after_poll(
    status: str, since_event: timedelta | None = timedelta(hours=1), key: str = ""
) -> timedelta:
    """How long after a poll made just now the next one comes."""
    when = due(status, since_poll=timedelta(0), since_event=since_event, key=key)
    assert when is not None
    return when - NOW


def within_jitter(wait: timedelta, interval: timedelta) -> bool:
    return interval <= wait <= interval * (1 + JITTER_FRACTION)


@pytest.mark.parametrize("status", ["out_for_delivery", "failed_attempt"])
def test_parcel_about_to_arrive_is_polled_every_half_hour(status: str) -> None:
    assert within_jitter(wait_after_poll(status, key="1Z999"), timedelta(minutes=30))


def test_parcel_in_transit_with_recent_scans_is_polled_every_two_hours() -> None:
    assert within_jitter(wait_after_poll("in_transit", timedelta(hours=3), key="1Z1"), timedelta(hours=2))


def test_parcel_in_transit_quiet_for_a_day_is_polled_every_four_hours() -> None:
    wait = wait_after_poll("in_transit", timedelta(days=2), key="1Z1")
    assert within_jitter(wait, timedelta(hours=4))


@pytest.mark.parametrize("status", ["info_received", "pending"])
def test_label_not_yet_scanned_is_polled_every_six_hours(status: str) -> None:
    since_event = None if status == "pending" else timedelta(hours=5)
    assert within_jitter(wait_after_poll(status, since_event, key="LBL"), timedelta(hours=6))


@pytest.mark.parametrize("status", ["delivered", "returned"])
def test_finished_parcel_is_not_polled_again(status: str) -> None:
    assert due(status, since_poll=timedelta(days=1), since_event=timedelta(hours=1)) is None


def test_parcel_silent_for_thirty_days_since_its_last_scan_is_no_longer_polled() -> None:
    thirty_days = timedelta(days=30)
    assert due("in_transit", since_poll=timedelta(hours=5), since_event=thirty_days) is None
    assert (
        due("in_transit", since_poll=timedelta(hours=5), since_event=thirty_days - timedelta(hours=1))
        is not None
    )


def test_label_never_scanned_stops_thirty_days_after_creation() -> None:
    old = NOW - SILENCE_LIMIT
    stopped = next_poll_at(status="pending", last_event_at=None, last_polled_at=NOW, created_at=old, now=NOW)
    young = old + timedelta(minutes=1)
    still = next_poll_at(status="pending", last_event_at=None, last_polled_at=NOW, created_at=young, now=NOW)
    assert stopped is None
    assert still is not None


def test_parcel_never_polled_is_due_within_minutes() -> None:
    when = next_poll_at(
        status="pending", last_event_at=None, last_polled_at=None, created_at=NOW, now=NOW, key="X"
    )
    assert when is not None and NOW <= when < NOW + FIRST_POLL_SPREAD


def test_overdue_parcel_is_due_now_not_in_the_past() -> None:
    assert due("out_for_delivery", since_poll=timedelta(days=1), since_event=timedelta(hours=2)) == NOW


def test_jitter_is_the_same_for_a_tracking_number_every_time_and_differs_between_numbers() -> None:
    first = wait_after_poll("in_transit", key="1Z0001")
    assert wait_after_poll("in_transit", key="1Z0001") == first
    waits = {wait_after_poll("in_transit", key=f"1Z{n:04d}") for n in range(20)}
    assert len(waits) > 15
    assert all(within_jitter(w, timedelta(hours=2)) for w in waits)


def test_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError):
        due("lost_in_space", since_poll=timedelta(hours=1), since_event=None)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        next_poll_at(
            status="in_transit",
            last_event_at=None,
            last_polled_at=None,
            created_at=CREATED,
            now=datetime(2024, 5, 6),
        )


def test_every_unfinished_status_has_an_interval() -> None:
    assert set(POLL_INTERVALS) | FINISHED_SHIPMENT_STATUSES == set(ShipmentStatus)


# --- properties ------------------------------------------------------------------------------

aware_times = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]),
)
offsets = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60))
statuses = st.sampled_from(list(ShipmentStatus))


@given(
    status=statuses,
    now=aware_times,
    since_created=offsets,
    since_event=st.none() | offsets,
    since_poll=st.none() | st.timedeltas(min_value=timedelta(days=-1), max_value=timedelta(days=60)),
    key=st.text(max_size=30),
)
def test_next_poll_is_never_in_the_past(
    status: ShipmentStatus,
    now: datetime,
    since_created: timedelta,
    since_event: timedelta | None,
    since_poll: timedelta | None,
    key: str,
) -> None:
    when = next_poll_at(
        status=status,
        last_event_at=now - since_event if since_event is not None else None,
        last_polled_at=now - since_poll if since_poll is not None else None,
        created_at=now - since_created,
        now=now,
        key=key,
    )
    assert when is None or when >= now
    if when is not None and since_poll is not None:
        # Never later than the slowest pace with full jitter after the last poll (or now).
        slowest = max(POLL_INTERVALS.values()) * (1 + JITTER_FRACTION)
        assert when <= max(now, now - since_poll + slowest)


@given(
    status=st.sampled_from(sorted(FINISHED_SHIPMENT_STATUSES)),
    now=aware_times,
    since_event=st.none() | offsets,
    since_poll=st.none() | offsets,
)
def test_finished_parcels_are_never_polled(
    status: ShipmentStatus, now: datetime, since_event: timedelta | None, since_poll: timedelta | None
) -> None:
    assert (
        next_poll_at(
            status=status,
            last_event_at=now - since_event if since_event is not None else None,
            last_polled_at=now - since_poll if since_poll is not None else None,
            created_at=now - timedelta(days=3),
            now=now,
        )
        is None
    )


@given(
    status=statuses,
    now=aware_times,
    silence=st.timedeltas(min_value=SILENCE_LIMIT, max_value=timedelta(days=400)),
)
def test_long_silence_always_stops_polling(status: ShipmentStatus, now: datetime, silence: timedelta) -> None:
    assert (
        next_poll_at(
            status=status,
            last_event_at=now - silence,
            last_polled_at=now - timedelta(hours=1),
            created_at=now - silence - timedelta(days=1),
            now=now,
        )
        is None
    )
