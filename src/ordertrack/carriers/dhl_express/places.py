"""Where a DHL Express service area is, for the local ``Date``/``Time`` of its checkpoints.

XML-PI checkpoints carry a wall-clock time and no offset; the only place is the service area,
``<ServiceAreaCode>`` and a ``<Description>`` such as ``Barcelona - Spain``, ``KINGSTON-JAM``,
``SPRINGFIELD GARDENS,NY-USA`` or ``CINCINNATI HUB - CINCINNATI - USA``: the country is the last
dash-separated part (a name or an ISO alpha-3 code), the town the part before it, and a state
may follow the town after a comma. Country names are matched against the tz database's
``iso3166.tab`` (shipped with ``tzdata``), so no country list lives here.

For the countries with several zones (US, CA, AU, BR) a description without a state leaves the
zone unknown. DHL Express service-area codes are the IATA code of the area's gateway airport
(BCN Barcelona, LEJ Leipzig, HKG Hong Kong, LGA New York-LaGuardia in the samples), so the small
table below places the gateways of those countries; elsewhere the time is refused, not guessed.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from ordertrack.carriers.reading import Location, location, text

# ISO 3166-1 alpha-3 and the short forms DHL writes, for the countries the tz table names otherwise.
_ALIASES = {
    "USA": "US",
    "UNITED STATES OF AMERICA": "US",
    "UK": "GB",
    "UNITED KINGDOM": "GB",
    "GREAT BRITAIN": "GB",
    "JAM": "JM",
    "CAN": "CA",
    "AUS": "AU",
    "BRA": "BR",
    "DEU": "DE",
    "GER": "DE",
    "ESP": "ES",
    "ITA": "IT",
    "FRA": "FR",
    "NLD": "NL",
    "HKG": "HK",
    "SGP": "SG",
    "CHN": "CN",
    "JPN": "JP",
    "MEX": "MX",
    "IND": "IN",
    "KOREA, REPUBLIC OF": "KR",
    "SOUTH KOREA": "KR",
}

# Gateway airports (IATA) of multi-zone countries: code -> (country, state/province).
SERVICE_AREAS = {
    "CVG": ("US", "KY"),  # Cincinnati/Northern Kentucky, DHL's Americas hub (Hebron, KY)
    "LGA": ("US", "NY"),
    "JFK": ("US", "NY"),
    "EWR": ("US", "NJ"),
    "BOS": ("US", "MA"),
    "PHL": ("US", "PA"),
    "IAD": ("US", "VA"),
    "ATL": ("US", "GA"),
    "MIA": ("US", "FL"),
    "ORD": ("US", "IL"),
    "DFW": ("US", "TX"),
    "IAH": ("US", "TX"),
    "DEN": ("US", "CO"),
    "PHX": ("US", "AZ"),
    "LAX": ("US", "CA"),
    "SFO": ("US", "CA"),
    "SEA": ("US", "WA"),
    "YYZ": ("CA", "ON"),
    "YUL": ("CA", "QC"),
    "YVR": ("CA", "BC"),
    "YYC": ("CA", "AB"),
    "SYD": ("AU", "NSW"),
    "MEL": ("AU", "VIC"),
    "BNE": ("AU", "QLD"),
    "PER": ("AU", "WA"),
    "GRU": ("BR", "SP"),
    "VCP": ("BR", "SP"),
}

_SEPARATOR = re.compile(r"\s*-\s*")


@functools.cache
def _countries() -> dict[str, str]:
    table = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")[:2]
            names[name.upper()] = code
            names[re.sub(r"\s*\(.*\)", "", name).upper()] = code  # "Korea (South)" -> also "KOREA"
    return {**names, **_ALIASES}


def country_of(name: str) -> str | None:
    return _countries().get(name.strip().upper())


def service_area(code: object, description: object) -> Location | None:
    """The place of a service area, with its zone when it can be known."""
    area_code = (text(code) or "").upper()
    parts = [p for p in _SEPARATOR.split(text(description) or "") if p]
    country = country_of(parts[-1]) if parts else None
    town = parts[-2] if len(parts) >= 2 else None
    region = None
    if town is not None and "," in town:
        town, _, region = (p.strip() for p in town.partition(","))
    gateway = SERVICE_AREAS.get(area_code)
    if gateway is not None and (country is None or country == gateway[0]):
        country, region = gateway[0], region or gateway[1]
    return location(city=town, region=region, country=country)
