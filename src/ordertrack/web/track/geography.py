"""What the route map knows of the world: country outlines and where the shipped cities are.

Both come from files inside the package, read once per process; nothing is fetched:

- ``land.json.gz`` beside this module: Natural Earth's 1:50m countries (public domain, "Made
  with Natural Earth"), made by ``tools/build_land.py`` (see it for the format and provenance).
  Loaded, every point is turned into Web Mercator world units once, so drawing a map only
  scales, clips and thins.
- ``ordertrack/simulate/cities.csv`` and ``ordertrack/kit/places.csv.gz`` (GeoNames, made by
  ``tools/build_places.py``): a scan a carrier reported with a city and a country but no
  coordinates, and the order's ship-to city, are placed at the city of that name (the region
  breaks ties, then the larger city); see :func:`locate`.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ordertrack.kit import geo

# Web Mercator stops at the latitude that makes the world square.
MAX_LATITUDE = 85.05112878


def mercator(longitude: float, latitude: float) -> tuple[float, float]:
    """The point in Web Mercator world units: x and y in [0, 1) for the world, y down."""
    latitude = max(-MAX_LATITUDE, min(MAX_LATITUDE, latitude))
    x = (longitude + 180.0) / 360.0
    sin = math.sin(math.radians(latitude))
    y = 0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)
    return x, y


def longitude_of(x: float) -> float:
    return x * 360.0 - 180.0


@dataclass(frozen=True)
class Ring:
    """One ring of a country's polygon, in world units, with its bounding box."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    box: tuple[float, float, float, float]  # min x, min y, max x, max y


@dataclass(frozen=True)
class CountryOutline:
    code: str  # ISO 3166-1 numeric, as Natural Earth gives it ("" for a few disputed areas)
    name: str
    polygons: tuple[tuple[Ring, ...], ...]  # outer ring first, then holes
    box: tuple[float, float, float, float]


def _ring(flat: list[int], unit: int) -> Ring:
    """A ring in world units. The outlines are spherical: a ring that crosses the antimeridian
    (Fiji, Kiribati, Russia's east) jumps by a whole turn there; it is unwrapped instead, so it
    runs past the world's edge and is drawn again a world to the left or right (routemap)."""
    lon, lat = flat[0], flat[1]
    xs, ys = [], []
    turn = 0.0
    for index in range(0, len(flat), 2):
        if index:
            step = flat[index]
            if step > 180 * unit:
                turn -= 1.0
            elif step < -180 * unit:
                turn += 1.0
            lon += step
            lat += flat[index + 1]
        x, y = mercator(lon / unit, lat / unit)
        xs.append(x + turn)
        ys.append(y)
    return Ring(tuple(xs), tuple(ys), (min(xs), min(ys), max(xs), max(ys)))


@lru_cache(maxsize=1)
def countries() -> tuple[CountryOutline, ...]:
    """Every country's outline, parsed once per process."""
    data = resources.files(__package__).joinpath("land.json.gz").read_bytes()
    document = json.loads(gzip.decompress(data))
    unit = document["unit"]
    out = []
    for country in document["countries"]:
        polygons = tuple(tuple(_ring(ring, unit) for ring in polygon) for polygon in country["polygons"])
        boxes = [polygon[0].box for polygon in polygons]
        box = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        out.append(CountryOutline(country["id"], country["name"], polygons, box))
    return tuple(out)


def land_source() -> str:
    data = resources.files(__package__).joinpath("land.json.gz").read_bytes()
    return str(json.loads(gzip.decompress(data))["source"])


# --- places by name ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownCity:
    name: str
    region: str | None
    country: str
    latitude: float
    longitude: float
    population: int


def name_key(name: str) -> str:
    """A city's name as matched: accents, case, punctuation and spaces ignored ("SAINT-ÉTIENNE")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


@lru_cache(maxsize=1)
def _cities() -> dict[tuple[str, str], tuple[KnownCity, ...]]:
    by_key: dict[tuple[str, str], list[KnownCity]] = {}
    source = resources.files("ordertrack.simulate").joinpath("cities.csv")
    with source.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            city = KnownCity(
                name=row["name"],
                region=row["admin1"] or None,
                country=row["country"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                population=int(row["population"]),
            )
            by_key.setdefault((row["country"], name_key(row["name"])), []).append(city)
    return {key: tuple(sorted(found, key=lambda c: -c.population)) for key, found in by_key.items()}


def locate(city: str | None, country: str | None, region: str | None = None) -> KnownCity | None:
    """The city of that name in that country (ISO alpha-2), or None when unknown.

    First the simulator's cities (exact GeoNames positions, every town the demo ships to), then
    any town of 50,000 people or more worldwide (:mod:`ordertrack.kit.geo`, to about 10 km). A
    town neither knows is left off the map rather than put at its region's or country's centre,
    which could be hundreds of kilometres out."""
    if not city or not country:
        return None
    code = country.strip().upper()
    found = _cities().get((code, name_key(city)))
    if found:
        wanted = (region or "").strip().upper()
        return next((c for c in found if wanted and (c.region or "").upper() == wanted), found[0])
    town = geo.locate(code, region, city)
    if town is None or town == geo.locate(code, region, None):
        return None  # only the region's or the country's centre is known
    return KnownCity(city, region, code, town.latitude, town.longitude, population=0)
