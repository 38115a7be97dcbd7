"""What distance and the service allow: the fewest and the most business days a parcel can
plausibly take from the day it leaves to the day it arrives, per origin → destination pair and
service class (docs/delivery-dates.md, "Bounds"). Pure: places and names in, days out.

A window learned from a wider lane (another route, all lanes) and the cold-start table are
held inside these bounds; the merchant's own deliveries on the same route are not (they are
what actually happened there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from ordertrack.kit import geo

# The carrier name under which a merchant delivers with its own vans (tracking_numbers.OWN_CARRIER).
OWN_COURIER = "own"


class ServiceClass(StrEnum):
    express = "express"  # air network, next day at home
    standard = "standard"  # the carrier's everyday road network
    economy = "economy"  # consolidated, postal or deferred
    own_courier = "own_courier"  # the merchant's own vans


class Scope(StrEnum):
    domestic = "domestic"
    cross_border = "cross_border"  # another country on the same continent
    intercontinental = "intercontinental"


# Words in a service's name that say which class it is (checked in this order).
_EXPRESS_WORDS = (
    "express",
    "overnight",
    "next_day",
    "2day",
    "2nd_day",
    "3_day",
    "priority",
    "special_delivery",
    "tracked_24",
    "xpresspost",
    "saver",
)
_ECONOMY_WORDS = ("economy", "media_mail", "ecommerce", "regular", "second_class", "deferred", "smartpost")
_EXPRESS_CARRIERS = frozenset({"dhl_express"})


def service_class(carrier: str | None, service: str | None) -> ServiceClass:
    """The class of a carrier's service, by its name; the carrier's everyday service when unknown."""
    carrier_key = (carrier or "").strip().lower()
    service_key = (service or "").strip().lower().replace(" ", "_").replace("-", "_")
    if carrier_key == OWN_COURIER:
        return ServiceClass.own_courier
    # "economy_select" is an express carrier's slow service: economy wins over the carrier.
    if any(word in service_key for word in _ECONOMY_WORDS):
        return ServiceClass.economy
    if carrier_key in _EXPRESS_CARRIERS or any(word in service_key for word in _EXPRESS_WORDS):
        return ServiceClass.express
    return ServiceClass.standard


@dataclass(frozen=True)
class Route:
    """Where a parcel travels, as the bounds need it."""

    origin_country: str
    destination_country: str
    distance_km: float | None  # None: one end could not be placed

    @property
    def scope(self) -> Scope:
        if self.origin_country == self.destination_country:
            return Scope.domestic
        origin, destination = geo.continent(self.origin_country), geo.continent(self.destination_country)
        if origin is not None and origin == destination:
            return Scope.cross_border
        return Scope.intercontinental

    @property
    def customs(self) -> bool:
        """A border where the parcel is declared: any border outside the EU customs union."""
        return geo.customs_area(self.origin_country) != geo.customs_area(self.destination_country)


def route(
    origin_country: str,
    origin_point: geo.Point | None,
    destination_country: str,
    destination_point: geo.Point | None,
) -> Route:
    distance = (
        geo.distance_km(origin_point, destination_point)
        if origin_point is not None and destination_point is not None
        else None
    )
    return Route(origin_country, destination_country, distance)


@dataclass(frozen=True)
class TransitBounds:
    """Business days from the day the parcel leaves to its delivery: never fewer than
    ``fewest``, and a window need not reach past ``most``."""

    fewest: int
    most: int
    service: ServiceClass
    scope: Scope
    customs: bool
    widest: int = 5  # a window wider than this many business days says too little to be useful


# Distance a class covers in a business day on the ground (road network, sort centres, the
# van's last mile); air services are bounded by their scope instead.
_KM_PER_DAY = {ServiceClass.standard: 1000.0, ServiceClass.economy: 700.0, ServiceClass.own_courier: 600.0}
# Unknown distance: a typical one for the scope.
_TYPICAL_KM = {Scope.domestic: 800.0, Scope.cross_border: 1200.0, Scope.intercontinental: 7000.0}
# Customs at a border outside a customs union: (fewest, most) business days it adds.
_CUSTOMS_DAYS = {
    ServiceClass.express: (0, 1),
    ServiceClass.standard: (1, 3),
    ServiceClass.economy: (1, 5),
    ServiceClass.own_courier: (1, 3),
}


def transit_bounds(carrier: str | None, service: str | None, journey: Route) -> TransitBounds:
    """The fewest and most business days this service can take on this route (the table and
    formula are in docs/delivery-dates.md, "Bounds")."""
    kind = service_class(carrier, service)
    scope = journey.scope
    distance = journey.distance_km if journey.distance_km is not None else _TYPICAL_KM[scope]
    if scope is Scope.intercontinental:
        # An ocean is crossed by air (express, standard) or by sea/deferred air (economy); the
        # merchant's vans hand such a parcel to a line-haul partner, so they are standard here.
        far = math.floor(distance / 5000)
        fewest, most = {
            ServiceClass.express: (2, 5 + far),
            ServiceClass.standard: (4 + far, 12 + far),
            ServiceClass.own_courier: (4 + far, 12 + far),
            ServiceClass.economy: (8 + far, 25 + far),
        }[kind]
        return TransitBounds(fewest, most, kind, scope, True, _widest(kind, scope))
    if kind is ServiceClass.express:
        fewest, most = (1, 2 + (distance > 1500)) if scope is Scope.domestic else (1, 3 + (distance > 2000))
    else:
        road = math.floor(distance / _KM_PER_DAY[kind])
        # A van can deliver the same day nearby; a carrier's network sorts overnight at least once.
        floor = 0 if kind is ServiceClass.own_courier else 1
        fewest = max(floor, road) + (1 if scope is Scope.cross_border else 0)
        spread = {ServiceClass.standard: 4, ServiceClass.economy: 7, ServiceClass.own_courier: 2}[kind]
        most = fewest + spread + road // 2 + (2 if scope is Scope.cross_border else 0)
    customs = journey.customs
    if customs:
        extra_fewest, extra_most = _CUSTOMS_DAYS[kind]
        fewest, most = fewest + extra_fewest, most + extra_most
    return TransitBounds(fewest, most, kind, scope, customs, _widest(kind, scope))


def _widest(kind: ServiceClass, scope: Scope) -> int:
    """The widest useful window: a few days at home, more abroad, more again for economy."""
    base = {Scope.domestic: 3, Scope.cross_border: 4, Scope.intercontinental: 6}[scope]
    return base + (4 if kind is ServiceClass.economy else 0) - (1 if kind is ServiceClass.express else 0)


@dataclass(frozen=True)
class Held:
    """Transit days (from the day the parcel leaves) after the bounds, and what they changed."""

    low: int
    middle: int
    high: int
    raised: bool  # the window started too soon for the distance and was moved later
    narrowed: bool  # the window reached implausibly far and was cut


def hold_within(low: float, middle: float, high: float, bounds: TransitBounds) -> Held:
    """A learned window moved to start no sooner than ``bounds.fewest`` (keeping its width), cut
    to end no later than ``bounds.most`` and to span at most ``bounds.widest`` business days."""
    low_days, middle_days, high_days = math.floor(low), round(middle), math.ceil(high)
    raised = low_days < bounds.fewest
    if raised:
        shift = bounds.fewest - low_days
        low_days, middle_days, high_days = low_days + shift, middle_days + shift, high_days + shift
    cut = min(bounds.most, low_days + bounds.widest)
    narrowed = high_days > cut
    if narrowed:
        high_days = max(cut, low_days)
    middle_days = min(max(middle_days, low_days), high_days)
    return Held(low_days, middle_days, high_days, raised, narrowed)
