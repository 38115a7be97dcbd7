"""Where a journey starts and ends, as the promise engine needs it: plain data, no lookups.

The caller resolves a place's time zone (``carriers.zones`` knows the regions of the large
countries) and a warehouse's working rules; eta only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from ordertrack.eta.calendar import BusinessCalendar, calendar_for
from ordertrack.kit.geo import Point, locate

DEFAULT_CUTOFF = time(14, 0)
DEFAULT_PROCESSING_DAYS = frozenset({1, 2, 3, 4, 5})


@dataclass(frozen=True)
class Place:
    """Where a journey starts or ends: country, region, time zone and business calendar."""

    country: str
    region: str | None
    timezone: str
    calendar: BusinessCalendar
    point: Point | None = None  # roughly where on the globe (town, else region, else country)

    @property
    def lane_name(self) -> str:
        return f"{self.country}-{self.region}" if self.region else self.country


def place(
    country: str | None,
    region: str | None,
    timezone: str,
    city: str | None = None,
    point: Point | None = None,
) -> Place:
    """A place in ``country`` (US when unknown), its region upper-cased, in ``timezone``; placed
    on the globe at ``point`` when known, else by its town, region or country."""
    country = (country or "").upper() or "US"
    region = region.strip().upper() if region and region.strip() else None
    where = point or locate(country, region, city)
    return Place(country, region, timezone, calendar_for(country), where)


@dataclass(frozen=True)
class Origin:
    """Where parcels leave from, with the warehouse's daily cut-off and its working weekdays."""

    place: Place
    cutoff: time
    processing_days: frozenset[int]


def origin_of(
    country: str,
    region: str | None,
    timezone: str,
    cutoff_time: str,
    processing_days: str,
    *,
    city: str | None = None,
    point: Point | None = None,
) -> Origin:
    """A warehouse's origin from its stored settings ("14:00", "1,2,3,4,5")."""
    hours, minutes = (int(part) for part in cutoff_time.split(":"))
    days = frozenset(int(day) for day in processing_days.split(",") if day.strip())
    return Origin(
        place(country, region, timezone, city, point), time(hours, minutes), days or DEFAULT_PROCESSING_DAYS
    )


def default_origin(destination: Place) -> Origin:
    """Without a warehouse: the destination's place, 14:00 on weekdays."""
    return Origin(destination, DEFAULT_CUTOFF, DEFAULT_PROCESSING_DAYS)
