"""Taking in a scan: believable times, one identity per event, the stored row, and which parcel
it belongs to. Pure rules, shared by ingest and the bulk loader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ordertrack.tracking.rules import (
    ELLIPSIS,
    TEXT_BYTES,
    claim_since,
    claims,
    dedupe_key,
    event_row,
    fitted_description,
    implausible_time,
    match_parcel,
    newest_first,
)
from ordertrack.tracking.schemas import UnifiedEventIn

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=60)


def scan(**fields: Any) -> UnifiedEventIn:
    base: dict[str, Any] = {
        "tracking_number": "AC00000001",
        "carrier": "acme_post",
        "occurred_at": "2026-04-30T09:15:00-05:00",
        "status": "in_transit",
    }
    return UnifiedEventIn.model_validate(base | fields)


@dataclass(frozen=True)
class Registered:
    id: str
    created_at: datetime


def test_a_scan_more_than_a_day_ahead_of_its_arrival_is_implausible() -> None:
    assert implausible_time(NOW + timedelta(days=1), NOW) is None
    assert implausible_time(NOW + timedelta(days=1, seconds=1), NOW) == "is more than a day in the future"


def test_a_scan_before_1990_is_implausible() -> None:
    assert implausible_time(datetime(1989, 12, 31, 23, 59, tzinfo=UTC), NOW) == "is before 1990"
    assert implausible_time(datetime(1990, 1, 1, tzinfo=UTC), NOW) is None


def test_the_carriers_event_id_is_the_identity_whatever_else_changes() -> None:
    first = scan(event_id="E1", description="Arrived")
    again = scan(event_id="E1", description="Arrived at hub", occurred_at="2026-04-30T15:15:00+01:00")
    assert dedupe_key(first) == dedupe_key(again)
    assert dedupe_key(first) != dedupe_key(scan(event_id="E2"))


def test_without_an_id_the_same_instant_place_and_code_is_the_same_event() -> None:
    here = {"city": "Austin", "country": "US"}
    one = scan(location=here)
    other_offset = scan(occurred_at="2026-04-30T14:15:00+00:00", location={"city": "AUSTIN", "country": "US"})
    assert dedupe_key(one) == dedupe_key(other_offset)
    assert dedupe_key(one) != dedupe_key(scan(location={"city": "Dallas", "country": "US"}))


def test_an_approximate_time_is_identified_by_the_carriers_wall_clock() -> None:
    placed_in_chicago = scan(time_precision="approximate", occurred_at="2026-04-30T09:15:00-05:00")
    placed_in_denver = scan(time_precision="approximate", occurred_at="2026-04-30T09:15:00-06:00")
    assert dedupe_key(placed_in_chicago) == dedupe_key(placed_in_denver)


def test_the_row_stores_the_instant_in_utc_with_its_offset_and_the_input_as_sent() -> None:
    raw = {"anything": "as sent"}
    row = event_row("mer_1", scan(event_id="E1"), raw, NOW)
    assert row["occurred_at"] == datetime(2026, 4, 30, 14, 15, tzinfo=UTC)
    assert row["utc_offset_minutes"] == -300
    assert (row["raw"], row["received_at"], row["parcel_id"]) == (raw, NOW, None)
    assert row["dedupe_key"] == dedupe_key(scan(event_id="E1"))


def test_an_ascii_description_is_never_shortened() -> None:
    assert fitted_description(scan(description="x" * 500)) == "x" * 500


# Letters of 1 to 4 bytes in UTF-8: a long description in a wide script must be shortened.
LETTERS = "a\u00e9\u0416\u6f22\U0001f4e6"


@given(st.text(LETTERS, min_size=1, max_size=500), st.text(LETTERS, min_size=1, max_size=100))
def test_a_description_is_cut_only_to_fit_the_index_and_keeps_its_beginning(
    description: str, city: str
) -> None:
    event = scan(description=description, event_id="E" * 128, code="C" * 64, location={"city": city})
    fitted = fitted_description(event) or ""
    texts = [fitted, "E" * 128, "C" * 64, city]
    assert sum(len(t.encode()) for t in texts) <= TEXT_BYTES
    if fitted != description:
        assert fitted.endswith(ELLIPSIS)
        assert description.startswith(fitted[: -len(ELLIPSIS)])
        assert sum(len(t.encode()) for t in [description, *texts[1:]]) > TEXT_BYTES


def test_a_scan_belongs_to_the_newest_parcel_whose_window_covers_it() -> None:
    old = Registered("p_old", NOW - timedelta(days=200))
    new = Registered("p_new", NOW)
    parcels = newest_first([old, new])
    assert match_parcel(parcels, NOW - timedelta(days=10), WINDOW) == new
    assert match_parcel(parcels, NOW - timedelta(days=150), WINDOW) == old
    assert match_parcel(parcels, NOW - timedelta(days=300), WINDOW) is None


# --- scans first or parcel first: the same owners ------------------------------------------

DAY = timedelta(days=1)


@given(
    st.lists(st.integers(0, 400), min_size=1, max_size=5),
    st.lists(st.integers(-100, 450), min_size=1, max_size=12),
)
def test_claiming_after_the_fact_gives_each_scan_the_parcel_matching_would_have(
    registered_days: list[int], scan_days: list[int]
) -> None:
    """Scans that came before their parcels end up where they would have gone had the parcels
    come first: claims (in registration order) and matching agree."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    parcels = [Registered(f"p{i}", start + day * DAY) for i, day in enumerate(registered_days)]
    scans = [start + day * DAY for day in scan_days]

    matched = [match_parcel(newest_first(parcels), at, WINDOW) for at in scans]

    owners: list[str | None] = [None] * len(scans)
    registered: list[Registered] = []
    for parcel in sorted(parcels, key=lambda p: (p.created_at, p.id)):
        older = {p.id for p in registered}
        since = claim_since(parcel.created_at, WINDOW)
        owners = [
            parcel.id if claims(o, at, since=since, older=older) else o
            for o, at in zip(owners, scans, strict=True)
        ]
        registered.append(parcel)

    assert owners == [p.id if p else None for p in matched]


@given(st.lists(st.integers(0, 400), min_size=1, max_size=6), st.integers(-100, 450))
def test_a_scan_never_goes_to_a_parcel_registered_more_than_a_window_after_it(
    registered_days: list[int], scan_day: int
) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    parcels = newest_first(Registered(f"p{i}", start + d * DAY) for i, d in enumerate(registered_days))
    at = start + scan_day * DAY
    hit = match_parcel(parcels, at, WINDOW)
    if hit is None:
        assert all(at < p.created_at - WINDOW for p in parcels)
    else:
        assert at >= hit.created_at - WINDOW
        assert all(p.created_at <= hit.created_at or at < p.created_at - WINDOW for p in parcels)


def test_an_offset_of_utc_is_zero_minutes() -> None:
    row = event_row("mer_1", scan(occurred_at="2026-04-30T09:00:00+00:00"), {}, NOW)
    assert row["utc_offset_minutes"] == 0
