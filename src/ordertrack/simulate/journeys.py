"""One parcel's true journey through the simulated network, and how the carrier reports it.

Pure and deterministic: a ``random.Random`` in, scans out. Parcels move by road (or by air on
long express and international legs), wait at hubs, are picked up and delivered only on the
business days of their country (weekends and public holidays from the ``holidays`` library),
and meet the troubles real parcels meet, at the rates in :class:`FaultRates`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from ordertrack.eta.calendar import BusinessCalendar, calendar_for
from ordertrack.simulate.network import City, SimulatedWarehouse, distance_km, route
from ordertrack.statuses import EventStatus as E
from ordertrack.tracking.schemas import zone

_FAILED_REASONS = ("recipient_unavailable", "no_safe_place", "business_closed")


@dataclass(frozen=True)
class FaultRates:
    """How often each trouble happens. Parcel faults are per parcel, scan faults per scan."""

    missed_scan: float = 0.04  # a scan the carrier never sends
    duplicate: float = 0.03  # a scan sent twice
    late: float = 0.04  # a scan sent hours late, after later ones
    failed_attempt: float = 0.05  # nobody home: failed attempt, redelivered next business day
    address_issue: float = 0.01  # address problem at the door: fixed (half) or returned
    damaged: float = 0.004  # damaged at a hub, sent back
    customs_hold: float = 0.15  # held at import customs (international parcels only)
    lost: float = 0.004  # scans stop for good
    return_to_sender: float = 0.008  # refused at the door, sent back
    recycled_number: float = 0.002  # the carrier reuses an old parcel's number
    wrong_carrier_edd: float = 0.10  # the carrier's own estimate is days too early

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class Service:
    carrier: str
    name: str
    express: bool
    promised_days: int  # the carrier's advertised business days, for its own estimate


# The carriers a warehouse's country hands parcels to, domestic and abroad.
SERVICES: dict[tuple[str, bool], tuple[Service, ...]] = {
    ("US", False): (
        Service("usps", "Ground Advantage", False, 4),
        Service("ups", "Ground", False, 4),
        Service("fedex", "Express Saver", True, 3),
    ),
    ("US", True): (
        Service("ups", "Worldwide Expedited", True, 6),
        Service("fedex", "International Economy", True, 6),
    ),
    ("DE", False): (Service("dhl", "Paket", False, 2), Service("dpd", "Classic", False, 2)),
    ("DE", True): (
        Service("dhl", "Paket International", False, 5),
        Service("dpd", "Classic Europe", False, 4),
    ),
    ("GB", False): (Service("royalmail", "Tracked 48", False, 2), Service("dpd", "Next Day", True, 1)),
    ("GB", True): (
        Service("dhl", "Express Worldwide", True, 3),
        Service("royalmail", "International Tracked", False, 6),
    ),
}


@dataclass(frozen=True)
class Scan:
    """One true scan: when and where it happened, what it says."""

    at: datetime  # aware, in the zone of ``place``
    step: str  # key of the carrier's wording (ordertrack.demo.carrier_wording)
    status: E
    place: City
    reason: str | None = None


@dataclass
class Journey:
    service: Service
    label_at: datetime
    scans: list[Scan] = field(default_factory=list)
    delivered_on: date | None = None


@lru_cache(maxsize=64)
def _calendar(code: str) -> BusinessCalendar:
    return calendar_for(code)


def origin_for(warehouses: tuple[SimulatedWarehouse, ...], destination: City) -> SimulatedWarehouse:
    """The warehouse in the destination's country, else the nearest one."""
    for warehouse in warehouses:
        if warehouse.city.country == destination.country:
            return warehouse
    return min(warehouses, key=lambda w: distance_km(w.city, destination))


def choose_service(rng: random.Random, origin: SimulatedWarehouse, destination: City) -> Service:
    international = origin.city.country != destination.country
    choices = SERVICES.get((origin.city.country, international)) or SERVICES[("US", international)]
    return rng.choice(choices)


class _Clock:
    """A cursor moving forward in true time, recording scans."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.now = start
        self.scans: list[Scan] = []

    def wait(self, low_hours: float, high_hours: float) -> None:
        self.now += timedelta(hours=self.rng.uniform(low_hours, high_hours))

    def business_hours(self, place: City, first_hour: int, last_hour: int) -> None:
        """On to the next business-day moment the local clock at ``place`` is in [first, last)."""
        tz = zone(place.timezone)
        calendar = _calendar(place.country)
        local = self.now.astimezone(tz)
        day = local.date()
        if local.hour >= last_hour:
            day += timedelta(days=1)
        if not calendar.is_business_day(day):
            day = calendar.next_business_day(day)
        if day == local.date() and first_hour <= local.hour < last_hour:
            return
        opening = datetime.combine(day, time(first_hour), tzinfo=tz)
        self.now = max(self.now, opening + timedelta(minutes=self.rng.randint(2, 50)))

    def scan(self, step: str, status: E, place: City, reason: str | None = None) -> None:
        at = self.now.astimezone(zone(place.timezone)).replace(second=0, microsecond=0)
        self.scans.append(Scan(at, step, status, place, reason))
        self.now = at + timedelta(minutes=1)


def _leg_hours(rng: random.Random, a: City, b: City, service: Service) -> float:
    km = distance_km(a, b)
    if km > 900 and (service.express or a.country != b.country):
        return 5.0 + km / 750.0 + rng.uniform(0, 4)  # by air, with the drive to and from
    speed = 70.0 if service.express else 55.0
    return 1.0 + km / speed * rng.uniform(1.0, 1.35)


def label_time(rng: random.Random, origin: SimulatedWarehouse, placed_at: datetime) -> datetime:
    """When the warehouse prints the label: same business day before the cut-off, else the next."""
    clock = _Clock(rng, placed_at)
    tz = zone(origin.city.timezone)
    local = placed_at.astimezone(tz)
    calendar = _calendar(origin.city.country)
    if not calendar.is_business_day(local.date()) or local.hour >= origin.cut_off_hour:
        day = calendar.next_business_day(local.date() + timedelta(days=1))
        clock.now = datetime.combine(day, time(9), tzinfo=tz)
    clock.wait(0.5, 3.0)
    clock.business_hours(origin.city, 9, 17)
    return clock.now


def journey(
    rng: random.Random,
    origin: SimulatedWarehouse,
    destination: City,
    service: Service,
    label_at: datetime,
    faults: FaultRates,
) -> Journey:
    """The true scans of one parcel from its label to its end (delivery, return, or silence)."""
    international = origin.city.country != destination.country
    trouble = _draw_trouble(rng, faults, international)
    result = Journey(service=service, label_at=label_at)
    clock = _Clock(rng, label_at)
    clock.scan("label", E.info_received, origin.city)
    clock.wait(1, 4)
    clock.business_hours(origin.city, 16, 20)
    clock.scan("pickup", E.in_transit, origin.city)
    stops = route(origin, destination)
    lost_at = rng.randrange(len(stops) + 1) if "lost" in trouble else None
    damaged_at = rng.randrange(len(stops)) if "damaged" in trouble else None
    where = origin.city
    visited: list[City] = []
    for index, (hub, customs) in enumerate(stops):
        if lost_at == index:
            return _finish(result, clock)
        clock.wait(0.5, 2)
        clock.scan("depart", E.in_transit, where)
        _travel(clock, where, hub, service)
        clock.scan("arrive", E.in_transit, hub)
        clock.wait(0.3, 3)
        clock.scan("processed", E.in_transit, hub)
        visited.append(hub)
        where = hub
        if damaged_at == index:
            clock.wait(1, 6)
            clock.scan("exception_damaged", E.exception, hub, "damaged")
            clock.wait(20, 50)
            clock.scan("returning", E.returning, hub, "damaged")
            _back_to_sender(clock, visited[:-1], hub, origin)
            return _finish(result, clock)
        if customs:
            clock.wait(2, 8)
            if "customs_hold" in trouble:
                clock.scan("exception_customs", E.exception, hub, "customs_hold")
                clock.wait(20, 110)
                clock.business_hours(hub, 8, 18)
            clock.scan("customs_cleared", E.in_transit, hub)
        clock.wait(1, 6 if service.express else 10)
    if lost_at == len(stops):
        return _finish(result, clock)
    clock.scan("depart", E.in_transit, where)
    _travel(clock, where, destination, service)
    clock.scan("destination", E.in_transit, destination)
    clock.wait(0.5, 3)
    clock.scan("processed", E.in_transit, destination)
    _out_for_delivery(clock, destination)
    if "failed_attempt" in trouble:
        clock.wait(1.5, 7)
        clock.scan("failed_attempt", E.failed_attempt, destination, rng.choice(_FAILED_REASONS))
        clock.wait(12, 20)
        _out_for_delivery(clock, destination)
    if "address_issue" in trouble:
        clock.wait(1, 5)
        clock.scan("exception_address", E.exception, destination, "address_issue")
        if rng.random() < 0.5:
            clock.wait(16, 40)
            _out_for_delivery(clock, destination)
        else:
            clock.wait(30, 80)
            clock.scan("returning", E.returning, destination, "address_issue")
            _back_to_sender(clock, visited, destination, origin)
            return _finish(result, clock)
    if "return_to_sender" in trouble:
        clock.wait(1, 6)
        clock.scan("exception_refused", E.exception, destination, "refused")
        clock.wait(10, 30)
        clock.scan("returning", E.returning, destination, "refused")
        _back_to_sender(clock, visited, destination, origin)
        return _finish(result, clock)
    clock.wait(1.5, 8)
    clock.business_hours(destination, 9, 19)
    clock.scan("delivered", E.delivered, destination)
    return _finish(result, clock)


def _travel(clock: _Clock, a: City, b: City, service: Service) -> None:
    """The line haul from ``a`` to ``b``, with an en-route scan every few hours of it."""
    hours = _leg_hours(clock.rng, a, b, service)
    scans = int(hours // 7)
    for _ in range(scans):
        clock.now += timedelta(hours=hours / (scans + 1))
        clock.scan("en_route", E.in_transit, a)
    clock.now += timedelta(hours=hours / (scans + 1))


def _draw_trouble(rng: random.Random, faults: FaultRates, international: bool) -> tuple[str, ...]:
    """At most one trouble on the way and one at the door (a failed attempt may precede both)."""
    drawn: list[str] = []
    way = rng.random()
    if way < faults.lost:
        return ("lost",)
    way -= faults.lost
    if way < faults.damaged:
        return ("damaged",)
    if international and rng.random() < faults.customs_hold:
        drawn.append("customs_hold")
    if rng.random() < faults.failed_attempt:
        drawn.append("failed_attempt")
    door = rng.random()
    if door < faults.address_issue:
        drawn.append("address_issue")
    elif door < faults.address_issue + faults.return_to_sender:
        drawn.append("return_to_sender")
    return tuple(drawn)


def _out_for_delivery(clock: _Clock, home: City) -> None:
    clock.wait(1, 4)
    clock.business_hours(home, 7, 10)
    clock.scan("out_for_delivery", E.out_for_delivery, home)


def _back_to_sender(clock: _Clock, visited: list[City], here: City, origin: SimulatedWarehouse) -> None:
    where = here
    for hub in reversed(visited):
        clock.wait(3, 12)
        clock.scan("depart", E.in_transit, where)
        clock.now += timedelta(hours=_leg_hours(clock.rng, where, hub, Service("", "", False, 0)))
        clock.scan("arrive", E.in_transit, hub)
        where = hub
    clock.wait(4, 14)
    clock.business_hours(origin.city, 8, 17)
    clock.scan("returned", E.returned, origin.city)


def _finish(result: Journey, clock: _Clock) -> Journey:
    result.scans = clock.scans
    last = clock.scans[-1]
    if last.status == E.delivered:
        result.delivered_on = last.at.date()
    return result


def carrier_estimate(rng: random.Random, journey_: Journey, destination: City, faults: FaultRates) -> date:
    """The carrier's own delivery estimate at label time.

    Usually right (the day it delivers, or its advertised days when it never does); at the
    ``wrong_carrier_edd`` rate two to four business days too early."""
    calendar = _calendar(destination.country)
    start = journey_.label_at.astimezone(zone(destination.timezone)).date()
    estimate = journey_.delivered_on or calendar.add_business_days(start, journey_.service.promised_days)
    if rng.random() < faults.wrong_carrier_edd:
        earlier = estimate
        for _ in range(rng.randint(2, 4)):
            earlier -= timedelta(days=1)
            while not calendar.is_business_day(earlier):
                earlier -= timedelta(days=1)
        estimate = max(earlier, calendar.next_business_day(start))
    return estimate
