"""The IANA time zone of a scan location, for carriers that write local times without an offset.

Coordinates go through timezonefinder (the time-zone polygons, shipped offline with the
package). Without coordinates, in the large countries with several zones the carriers here
serve (US, CA, AU, BR), the region (state, province) decides, from the tables below, and
without a region the zone is unknown: the caller refuses to guess. Elsewhere the country's
first zone in the tz database's ``zone.tab`` (shipped with ``tzdata``) is taken: the table
lists each country's most populous zone first, and outside those four countries the other
zones are small territories (Germany's Busingen, Spain's Canary Islands).
"""

from __future__ import annotations

import functools
from importlib import resources

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


@functools.cache
def _finder():  # type: ignore[no-untyped-def]
    from timezonefinder import TimezoneFinder  # noqa: PLC0415 - loads its data on first use only

    return TimezoneFinder()


def zone_for(
    country: str | None, region: str | None, latitude: float | None, longitude: float | None
) -> str | None:
    """The IANA zone of a place, or None when it cannot be known without guessing."""
    if latitude is not None and longitude is not None:
        found = _finder().timezone_at(lng=longitude, lat=latitude)
        if found:
            return str(found)
    if country is None:
        return None
    country = country.upper()
    if country in REGION_ZONES:
        return REGION_ZONES[country].get(region.strip().upper()) if region else None
    zones = _zones_by_country().get(country, ())
    return zones[0] if zones else None


def principal_zone(country: str | None) -> str | None:
    """The country's most populous zone, even where it has several; None for an unknown country.

    Only for a time already marked approximate: in the US it puts a Denver scan two hours off.
    ``zone.tab`` lists the four countries of the region tables from their eastern edge (Lord Howe,
    Noronha, St John's), so their tables' first zone is taken instead.
    """
    if country is None:
        return None
    country = country.upper()
    if country in _REGION_TABLES:
        return next(iter(_REGION_TABLES[country]))
    zones = _zones_by_country().get(country, ())
    return zones[0] if zones else None
