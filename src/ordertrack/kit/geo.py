"""Where a place is on the globe, roughly, and how far apart two places are.

Read from ``places.csv.gz`` beside this module (made by ``tools/build_places.py`` from
GeoNames' cities of 15,000 people or more; nothing downloads at run time): each country's
continent and the population-weighted centre of its cities, each region's centre the same
way, and every town of 50,000 people or more to one decimal (about 10 km). A smaller town
is placed at its region's centre, an unknown region at its country's: enough to rank
warehouses by distance and to bound a parcel's transit, not to route a van.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import math
import unicodedata
from dataclasses import dataclass
from importlib import resources

EARTH_RADIUS_KM = 6371.0

# The EU customs union's members and the territories inside it by agreement (Monaco): a parcel
# between two of them is declared at no border.
EU_CUSTOMS_UNION = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "MC",
    ]
)


@dataclass(frozen=True, slots=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class _Places:
    countries: dict[str, Point]
    continents: dict[str, str]
    regions: dict[tuple[str, str], Point]
    towns: dict[tuple[str, str], list[tuple[str, Point]]]  # (country, folded name) -> (region, point)


def _fold(text: str) -> str:
    """Case, accents, dashes and spaces ignored: "Saint-Étienne" and "saint etienne" match."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.lower().replace("-", " ").replace(".", " ").split())


@functools.cache
def _places() -> _Places:
    data = resources.files(__package__).joinpath("places.csv.gz").read_bytes()
    places = _Places({}, {}, {}, {})
    for row in csv.DictReader(io.StringIO(gzip.decompress(data).decode("utf-8"))):
        point = Point(float(row["latitude"]), float(row["longitude"]))
        kind, country, region = row["kind"], row["country"], row["region"]
        if kind == "C":
            places.countries[country] = point
            if row["name"]:
                places.continents[country] = row["name"]
        elif kind == "R":
            places.regions[(country, region)] = point
        else:
            places.towns.setdefault((country, _fold(row["name"])), []).append((region, point))
    return places


def continent(country: str | None) -> str | None:
    """The country's continent (GeoNames' codes: AF, AN, AS, EU, NA, OC, SA), None if unknown."""
    return _places().continents.get((country or "").strip().upper())


def customs_area(country: str | None) -> str:
    """The area a parcel crosses no customs border inside: "EU", else the country itself."""
    code = (country or "").strip().upper()
    return "EU" if code in EU_CUSTOMS_UNION else code


def locate(country: str | None, region: str | None = None, city: str | None = None) -> Point | None:
    """The town in that country (the one in ``region`` when several share the name, else the
    largest), else the region's centre, else the country's; None for a country the file does
    not know."""
    places = _places()
    code = (country or "").strip().upper()
    area = (region or "").strip().upper()
    if city and city.strip():
        name = _fold(city)
        # GeoNames names some towns "X City" (New York City, Mexico City) that addresses call "X".
        found = places.towns.get((code, name)) or places.towns.get((code, f"{name} city"))
        if found:
            in_region = [point for where, point in found if where == area]
            return (in_region or [found[0][1]])[0]
    if area and (code, area) in places.regions:
        return places.regions[(code, area)]
    return places.countries.get(code)


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine on a spherical Earth)."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
