"""The IANA time zone of a scan location, for carriers that write local times without an offset.

Coordinates take the zone of the nearest city of the scan's country (any country when it names
none) among GeoNames' cities of 15,000 people or more, within :data:`NEAREST_CITY_KM`: a small
table shipped with the product (``zone_points.csv.gz``, 160 kB, made by
``tools/build_places.py``), instead of timezonefinder's time-zone polygons (32 MB of data, with
numpy and h3). The trade-off: a point within a few tens of kilometres of a border between zones
inside one country (Indiana, the Dakotas, Russia's oblasts) may take the zone across it, and a
point far from every city (at sea) takes none and is placed as if it had no coordinates. For
points within 50 km of a city the clock agrees with the polygons' for 99% of them, the zone's
name for 96% (``tests/carriers/test_zones.py`` measures it).

Without coordinates, in the large countries with several zones the carriers here serve (US, CA,
AU, BR), the region (state, province) decides, from the tables below. Elsewhere the country
decides when all of its zones keep one clock (``zone.tab``, shipped with ``tzdata``: France,
Germany with Busingen, Argentina's twelve); a country whose zones tell different times (Russia,
Spain with the Canaries, Mexico) names no zone by itself, and neither does a large country
without its region: the caller does not guess an exact time there (see
``scan_times.place_scan_times``, which places such a scan approximately, in
:func:`principal_zone`).
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import math
from datetime import UTC, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

# States and provinces by zone. The zone is the one most of the region's people live in;
# split states (e.g. most of Indiana, Florida's panhandle) follow their majority.
_US_REGIONS = {
    "America/New_York": "CT DE DC FL GA IN KY ME MD MA MI NH NJ NY NC OH PA RI SC VT VA WV",
    "America/Chicago": "AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI",
    "America/Denver": "CO MT NM UT WY ID",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "HI",
    "America/Puerto_Rico": "PR VI",
    "Pacific/Guam": "GU MP",
}
_CA_REGIONS = {
    "America/Toronto": "ON QC",
    "America/Halifax": "NS NB PE",
    "America/St_Johns": "NL",
    "America/Winnipeg": "MB",
    "America/Regina": "SK",
    "America/Edmonton": "AB NT",
    "America/Vancouver": "BC",
    "America/Whitehorse": "YT",
    "America/Iqaluit": "NU",
}
_AU_REGIONS = {
    "Australia/Sydney": "NSW ACT",
    "Australia/Melbourne": "VIC",
    "Australia/Brisbane": "QLD",
    "Australia/Adelaide": "SA",
    "Australia/Perth": "WA",
    "Australia/Hobart": "TAS",
    "Australia/Darwin": "NT",
}
_BR_REGIONS = {
    "America/Sao_Paulo": "SP RJ MG ES PR SC RS GO DF BA SE AL PE PB RN CE PI MA PA AP TO",
    "America/Manaus": "AM RR RO MS MT",
    "America/Rio_Branco": "AC",
}


def _by_region(table: dict[str, str]) -> dict[str, str]:
    return {region: zone for zone, regions in table.items() for region in regions.split()}


# Each table lists its most populous zone first.
_REGION_TABLES = {"US": _US_REGIONS, "CA": _CA_REGIONS, "AU": _AU_REGIONS, "BR": _BR_REGIONS}
REGION_ZONES: dict[str, dict[str, str]] = {
    country: _by_region(table) for country, table in _REGION_TABLES.items()
}


@functools.cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    for line in table.splitlines():
        if not line or line.startswith("#"):
            continue
        country, _coordinates, name = line.split("\t")[:3]
        found.setdefault(country, []).append(name)
    return {country: tuple(names) for country, names in found.items()}


# How far a scan's coordinates may be from the nearest known city for its zone to be taken.
NEAREST_CITY_KM = 300.0
_EARTH_RADIUS_KM = 6371.0
_KM_PER_DEGREE = math.pi * _EARTH_RADIUS_KM / 180

# (latitude, longitude, country, zone) of every known city, by the whole degrees of its position.
_Point = tuple[float, float, str, str]


@functools.cache
def _points_by_cell() -> dict[tuple[int, int], list[_Point]]:
    packed = resources.files(__package__).joinpath("zone_points.csv.gz").read_bytes()
    cells: dict[tuple[int, int], list[_Point]] = {}
    for row in csv.DictReader(io.StringIO(gzip.decompress(packed).decode("utf-8"))):
        lat, lon = float(row["latitude"]), float(row["longitude"])
        cells.setdefault((math.floor(lat), math.floor(lon)), []).append(
            (lat, lon, row["country"], row["timezone"])
        )
    return cells


def nearest_city_zone(latitude: float, longitude: float, country: str | None = None) -> str | None:
    """The zone of the known city (of ``country``, when given) nearest the point, within
    :data:`NEAREST_CITY_KM`; None when there is none that near."""
    # The cells next to the point first: a city there nearer than the box's edge is the nearest.
    near = _nearest_in_box(latitude, longitude, country, 1, 1)
    lat_cell, lon_cell = math.floor(latitude), math.floor(longitude)
    edge_km = _KM_PER_DEGREE * min(
        latitude - (lat_cell - 1),
        lat_cell + 2 - latitude,
        math.cos(math.radians(min(89.9, abs(latitude) + 2)))
        * min(longitude - (lon_cell - 1), lon_cell + 2 - longitude),
    )
    if near is None or near[0] > edge_km:
        rows = math.ceil(NEAREST_CITY_KM / _KM_PER_DEGREE)
        # A degree of longitude shrinks towards the poles: the box widens to keep its reach.
        shrink = math.cos(math.radians(min(89.9, abs(latitude) + rows)))
        near = _nearest_in_box(latitude, longitude, country, rows, math.ceil(rows / shrink))
    return near[1] if near is not None and near[0] <= NEAREST_CITY_KM else None


def _nearest_in_box(
    latitude: float, longitude: float, country: str | None, rows: int, columns: int
) -> tuple[float, str] | None:
    cells = _points_by_cell()
    lat_cell, lon_cell = math.floor(latitude), math.floor(longitude)
    best: tuple[float, str] | None = None
    for dlat in range(-rows, rows + 1):
        for dlon in range(-min(columns, 180), min(columns, 180) + 1):
            wrapped = (lon_cell + dlon + 180) % 360 - 180
            for lat, lon, where, zone_name in cells.get((lat_cell + dlat, wrapped), ()):
                if country is None or where == country:
                    km = _distance_km(latitude, longitude, lat, lon)
                    if best is None or km < best[0]:
                        best = (km, zone_name)
    return best


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# Where zone.tab's first zone for a country is not where most of its people live (it lists
# Russia from Kaliningrad and Ukraine from Simferopol, both an hour off the capital).
_PRINCIPAL = {"RU": "Europe/Moscow", "UA": "Europe/Kyiv", "UZ": "Asia/Tashkent"}

# Zones of one country that showed the same offset at noon UTC every day of these years count as one
# clock (Busingen keeps Berlin's; Almaty joined the rest of Kazakhstan only in March 2024, so
# Kazakhstan does not count).
_ONE_CLOCK_SINCE, _ONE_CLOCK_UNTIL = datetime(2024, 1, 1, 12, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)


def zone_for(
    country: str | None, region: str | None, latitude: float | None, longitude: float | None
) -> str | None:
    """The IANA zone of a place, or None when it cannot be known without guessing."""
    country = country.upper() if country else None
    if latitude is not None and longitude is not None:
        found = nearest_city_zone(latitude, longitude, country)
        if found:
            return found
    if country is None:
        return None
    if country in REGION_ZONES:
        return REGION_ZONES[country].get(region.strip().upper()) if region else None
    return principal_zone(country) if keeps_one_clock(country) else None


def principal_zone(country: str | None) -> str | None:
    """The country's most populous zone, even where it has several; None for an unknown country.

    Where the country has several clocks, only for a time marked approximate: in the US it puts
    a Denver scan two hours off. ``zone.tab`` lists the four countries of the region
    tables from their eastern edge (Lord Howe, Noronha, St John's), so their tables' first zone
    is taken instead, and :data:`_PRINCIPAL` corrects the others it does not list first.
    """
    if country is None:
        return None
    country = country.upper()
    if country in _REGION_TABLES:
        return next(iter(_REGION_TABLES[country]))
    zones = _zones_by_country().get(country, ())
    return _PRINCIPAL.get(country, zones[0]) if zones else None


def zone_showing(country: str | None, instant: datetime) -> str | None:
    """The country's zone whose clock showed ``instant``'s own offset then, the principal first.

    For a scan whose offset the carrier gave but whose place names no zone (a country of several
    clocks, a US scan without its state): any zone that agrees at that moment shows the scan's
    local time as the carrier wrote it, and lets the parcel's unplaced scans borrow it.
    """
    if country is None or instant.utcoffset() is None:
        return None
    country = country.upper()
    principal = principal_zone(country)
    listed = (*_REGION_TABLES.get(country, {}), *_zones_by_country().get(country, ()))
    for name in dict.fromkeys(filter(None, (principal, *listed))):
        if instant.astimezone(ZoneInfo(name)).utcoffset() == instant.utcoffset():
            return name
    return None


@functools.cache
def keeps_one_clock(country: str) -> bool:
    """True when every zone of a known country tells the same time (one zone, or zones that agree)."""
    names = _zones_by_country().get(country.upper(), ())
    if len(names) < 2:
        return bool(names)
    first, *others = (ZoneInfo(name) for name in names)
    moment = _ONE_CLOCK_SINCE
    while moment < _ONE_CLOCK_UNTIL:
        offset = moment.astimezone(first).utcoffset()
        if any(moment.astimezone(zone).utcoffset() != offset for zone in others):
            return False
        moment += timedelta(days=1)
    return True
