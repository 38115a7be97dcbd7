"""Scan-location time zones: a country names a zone by itself only when it keeps one clock."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ordertrack.carriers.reading import CarrierEvent, Location, Notes
from ordertrack.carriers.scan_times import UnplacedScan, parse_scan_time, place_scan_times
from ordertrack.carriers.zones import (
    _points_by_cell,
    _zones_by_country,
    keeps_one_clock,
    nearest_city_zone,
    principal_zone,
    zone_for,
    zone_showing,
)
from ordertrack.statuses import EventStatus


@pytest.mark.parametrize("country", ["RU", "ES", "PT", "MX", "ID", "KZ", "CL", "CN", "UA"])
def test_a_country_of_several_clocks_names_no_zone_without_a_finer_place(country: str) -> None:
    assert zone_for(country, None, None, None) is None


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        ("GB", "Europe/London"),
        ("FR", "Europe/Paris"),
        ("DE", "Europe/Berlin"),
        ("AR", "America/Argentina/Buenos_Aires"),
    ],
)
def test_a_country_whose_zones_keep_one_clock_names_its_zone(country: str, zone: str) -> None:
    # Germany lists Busingen beside Berlin and Argentina twelve zones, but each keeps one clock.
    assert zone_for(country, None, None, None) == zone


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        ("RU", "Europe/Moscow"),  # zone.tab lists Kaliningrad first
        ("UA", "Europe/Kyiv"),  # zone.tab lists Simferopol first
        ("US", "America/New_York"),
        ("CA", "America/Toronto"),  # zone.tab lists St John's first
        ("AU", "Australia/Sydney"),  # zone.tab lists Lord Howe first
        ("BR", "America/Sao_Paulo"),  # zone.tab lists Noronha first
        ("ES", "Europe/Madrid"),
        ("ID", "Asia/Jakarta"),
        ("MX", "America/Mexico_City"),
    ],
)
def test_the_principal_zone_is_where_most_of_the_country_lives(country: str, zone: str) -> None:
    assert principal_zone(country) == zone


def test_every_country_names_its_principal_zone_by_itself_exactly_when_it_keeps_one_clock() -> None:
    for country, zones in _zones_by_country().items():
        principal = principal_zone(country)
        assert principal in zones, country
        named = zone_for(country, None, None, None)
        assert named == (principal if keeps_one_clock(country) else None), country


@pytest.mark.parametrize(
    ("country", "instant", "zone"),
    [
        ("CN", "2024-03-06T09:00:00+08:00", "Asia/Shanghai"),
        ("CN", "2024-03-06T09:00:00+06:00", "Asia/Urumqi"),
        ("RU", "2024-03-06T09:00:00+03:00", "Europe/Moscow"),
        ("US", "2024-01-10T09:00:00-05:00", "America/New_York"),
        ("US", "2024-07-10T09:00:00-05:00", "America/Chicago"),  # Central daylight time
        ("RU", "2024-03-06T09:00:00+01:00", None),  # no Russian clock shows +01:00
        (None, "2024-03-06T09:00:00+01:00", None),
    ],
)
def test_a_scan_with_an_offset_takes_the_zone_of_its_country_that_showed_it(
    country: str | None, instant: str, zone: str | None
) -> None:
    assert zone_showing(country, datetime.fromisoformat(instant)) == zone


def _unplaced(wall: str, place: Location | None) -> UnplacedScan:
    found = parse_scan_time(Notes(), "$", wall, place=place)
    assert not isinstance(found, datetime) and found is not None
    return UnplacedScan(
        found, CarrierEvent(datetime(1970, 1, 1, tzinfo=UTC), EventStatus.in_transit, location=place)
    )


def test_a_russian_scan_with_only_its_country_is_read_in_moscow_and_marked_approximate() -> None:
    (scan,) = place_scan_times([_unplaced("2024-03-06T09:00:00", Location(country="RU"))])
    assert scan.occurred_at.isoformat() == "2024-03-06T09:00:00+03:00"
    assert scan.time_precision == "approximate"


def test_a_russian_scan_borrows_the_clock_of_the_parcels_scan_with_an_offset_there() -> None:
    novosibirsk = CarrierEvent(
        datetime(2024, 3, 6, 18, 0, tzinfo=timezone(timedelta(hours=7))),
        EventStatus.in_transit,
        location=Location(city="Novosibirsk", country="RU"),
    )
    placed = place_scan_times([novosibirsk, _unplaced("2024-03-06T09:00:00", Location(country="RU"))])
    assert placed[0].time_precision == "exact"
    assert placed[0].location is not None and placed[0].location.timezone is not None
    assert placed[1].occurred_at.utcoffset() == timedelta(hours=7)
    assert placed[1].time_precision == "approximate"


# --- coordinates: the nearest known city's zone ------------------------------------------------


@pytest.mark.parametrize(
    ("country", "latitude", "longitude", "zone"),
    [
        ("US", 41.88, -87.62, "America/Chicago"),  # AfterShip's checkpoint coordinate
        ("US", 39.74, -104.99, "America/Denver"),  # a state of its own clock, no state named
        ("RU", 55.03, 82.92, "Asia/Novosibirsk"),  # a country of eleven clocks
        ("AU", -31.95, 115.86, "Australia/Perth"),
        (None, 35.68, 139.69, "Asia/Tokyo"),
    ],
)
def test_coordinates_take_the_zone_of_the_nearest_known_city(
    country: str | None, latitude: float, longitude: float, zone: str
) -> None:
    assert zone_for(country, None, latitude, longitude) == zone


def test_coordinates_take_a_city_of_the_scans_own_country_across_a_border() -> None:
    # San Ysidro, on the border: Tijuana is the nearer city, but a US scan is on a US clock's zone.
    assert zone_for("MX", None, 32.55, -117.04) == "America/Tijuana"
    assert zone_for("US", None, 32.55, -117.04) == "America/Los_Angeles"


def test_coordinates_far_from_every_city_name_no_zone_and_the_country_decides() -> None:
    assert nearest_city_zone(35.0, -40.0) is None  # mid-Atlantic
    assert zone_for("FR", None, 35.0, -40.0) == "Europe/Paris"
    assert zone_for("US", None, 35.0, -40.0) is None


def test_the_shipped_cities_agree_with_the_time_zone_polygons_near_cities() -> None:
    """The trade-off of shipping cities instead of timezonefinder (test extra only), measured."""
    timezonefinder = pytest.importorskip("timezonefinder")
    finder = timezonefinder.TimezoneFinder()
    rng = random.Random(19)
    points = [point for cell in sorted(_points_by_cell().values()) for point in cell]
    moments = [datetime(2025, month, 15, 12, tzinfo=UTC) for month in (1, 4, 7, 10)]

    def clock(name: str) -> tuple[timedelta | None, ...]:
        return tuple(moment.astimezone(ZoneInfo(name)).utcoffset() for moment in moments)

    tried = agreed = 0
    for latitude, longitude, country, _zone in rng.sample(points, 600):
        km, bearing = rng.uniform(0, 50), rng.uniform(0, 2 * math.pi)
        lat = latitude + km / 111 * math.cos(bearing)
        lon = longitude + km / (111 * math.cos(math.radians(latitude))) * math.sin(bearing)
        truth = finder.timezone_at(lng=lon, lat=lat)
        if not truth or truth.startswith("Etc/"):  # at sea
            continue
        found = zone_for(country, None, lat, lon)
        tried += 1
        agreed += found is not None and clock(found) == clock(truth)
    assert agreed / tried >= 0.97
