"""Times and places as a shopper reads them, in the page's language (babel, CLDR data).

- A scan's time is the wall clock where it happened with the zone's short name, "Mon, Dec 7,
  4:31 AM EST": the abbreviation the time zone database gives for that moment when it is a
  real one (EST, CET, JST, GMT), else the offset ("UTC−3" for São Paulo, whose abbreviation
  is only "-03"). The IANA name ("America/Kentucky/Louisville") stays in the ``title`` and the
  API, never in the sentence.
- A place is "Louisville KY" in the United States and Canada (the state or province code
  after the city, as addresses there write it) and the city alone elsewhere; the country is
  added, by its name in the page's language, when it differs from the order's destination
  country: "Leipzig, Germany" on an order going to Austin, "Leipzig, Alemania" in Spanish.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time, get_datetime_format

from ordertrack.kit.localtime import clock_text, in_zone, short_zone, zone_label
from ordertrack.kit.money import format_money

# Where the region after the city is a short code everyone there writes ("Louisville KY").
_REGION_CODE_COUNTRIES = frozenset({"US", "CA"})


@dataclass(frozen=True)
class ShownPlace:
    """Where a scan happened (or where the order goes), as the carrier or the shop wrote it."""

    city: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    postal_code: str | None = None


def country_name(code: str | None, locale: str) -> str | None:
    """ "Germany", "Alemania", "Alemanha"; an unknown code as it was written."""
    if not code:
        return None
    try:
        names = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError):
        return code
    return str(names.get(code.upper(), code))


def _city_part(place: ShownPlace) -> str | None:
    city = place.city or place.postal_code
    country = (place.country or "").upper()
    region = (place.region or "").strip()
    if city and region and country in _REGION_CODE_COUNTRIES and len(region) <= 3:
        return f"{city} {region.upper()}"
    if not city and region and country in _REGION_CODE_COUNTRIES:
        return region
    return city


def place_words(place: ShownPlace | None, locale: str, home_country: str | None) -> str | None:
    """The place in the page's words; the country named when it is not ``home_country``."""
    if place is None:
        return None
    where = _city_part(place)
    country = (place.country or "").upper() or None
    if country and (home_country is None or country != home_country.upper() or not where):
        name = country_name(country, locale)
        return f"{where}, {name}" if where else name
    return where


def scan_day(local: datetime, locale: str) -> str:
    """ "Mon, Dec 7": the day on the clock where it happened (the order's date carries the year)."""
    return str(format_skeleton("MMMEd", local, locale=locale))


def scan_clock(local: datetime, locale: str, zone: str | None = None, *, with_zone: bool = True) -> str:
    """ "Mon, Dec 7, 4:31 AM EST" in ``locale``'s own pattern, on the clock of ``zone`` (the
    scan's IANA zone) when given; ``with_zone`` off for a clock the carrier gave without its zone."""
    local = in_zone(local, zone) if with_zone else local
    pattern = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    clock = format_time(local, "short", locale=locale)
    if with_zone:
        clock = f"{clock} {short_zone(local)}"
    return pattern.replace("{1}", scan_day(local, locale)).replace("{0}", clock)


def page_helpers(locale: str, home_country: str | None) -> dict[str, Callable[..., str | None]]:
    """What the tracking page's templates call to write times, places and money in ``locale``."""
    return {
        "scan_time": lambda value: clock_text(value, locale),
        "scan_clock": lambda value, zone=None, with_zone=True: scan_clock(
            value, locale, zone, with_zone=with_zone
        ),
        "zone_label": zone_label,
        "place_words": lambda place, home=home_country: place_words(place, locale, home),
        "money": lambda amount, currency: format_money(amount, currency, locale),
    }
