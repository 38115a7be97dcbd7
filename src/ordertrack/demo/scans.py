"""How a demo parcel travels: plausible tracking numbers, and the scans of its journey from
the warehouse through real hubs to the shopper's door (and sometimes back).

Pure: a seeded ``random.Random`` and a start instant in, scans out. Every scan time is
aware, in the IANA zone of the place it happens, and falls in the hours a carrier works
there (labels in office hours, vans out in the morning, deliveries in the day).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ordertrack.carriers.tracking_numbers import (
    dhl_mod7,
    fedex_mod11,
    gs1_mod10,
    iso7064_mod_37_36,
    ups_mod10,
    upu_s10,
)
from ordertrack.demo.carrier_wording import WORDING
from ordertrack.demo.catalog_data import DemoPlace
from ordertrack.statuses import ShipmentStatus as S
from ordertrack.tracking.schemas import zone

# Final state of one demo parcel; each name says where its journey stops.
IN_FLIGHT = frozenset(
    {
        "label",
        "in_transit",
        "out_for_delivery",
        "failed_attempt",
        "pickup_ready",
        "exception_address",
        "exception_damaged",
        "exception_weather",
        "exception_customs",
        "refused_returning",
    }
)
SETTLED = frozenset(
    {
        "delivered",
        "failed_then_delivered",
        "weather_then_delivered",
        "refused_returned",
        "customer_return",
    }
)
OUTCOMES = IN_FLIGHT | SETTLED

_FAILED_REASONS = ("recipient_unavailable", "no_safe_place", "business_closed")


@dataclass(frozen=True)
class DemoScan:
    """One step of a journey; ``at`` is aware, in the zone of ``place``."""

    at: datetime
    step: str  # key into the carrier's wording
    status: S
    place: DemoPlace
    reason: str | None = None

    def shifted(self, delta: timedelta) -> DemoScan:
        """The same scan ``delta`` later on the local wall clock (whole days keep the hour)."""
        return DemoScan(self.at + delta, self.step, self.status, self.place, self.reason)

    def as_event(self, tracking_number: str, carrier: str) -> dict[str, Any]:
        """The unified event the scan API would receive for this scan."""
        code, description = WORDING[carrier][self.step]
        place = self.place
        return {
            "tracking_number": tracking_number,
            "carrier": carrier,
            "occurred_at": self.at.isoformat(),
            "status": str(self.status),
            "reason": self.reason,
            "code": code,
            "description": description,
            "location": {
                "city": place.city,
                "region": place.region,
                "postal_code": place.postal_code,
                "country": place.country,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "timezone": place.timezone,
            },
            "source": "demo",
        }


class _Journey:
    """A cursor moving forward in time and the scans recorded on the way."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.now = start
        self.scans: list[DemoScan] = []

    def wait(self, low_hours: float, high_hours: float) -> None:
        self.now += timedelta(hours=self.rng.uniform(low_hours, high_hours))

    def during(self, place: DemoPlace, first_hour: int, last_hour: int) -> None:
        """Move on to the next time the local clock at ``place`` is in [first, last) hours."""
        local = self.now.astimezone(zone(place.timezone))
        if first_hour <= local.hour < last_hour:
            return
        day = local.date() if local.hour < first_hour else local.date() + timedelta(days=1)
        opening = datetime(day.year, day.month, day.day, first_hour, tzinfo=zone(place.timezone))
        self.now = opening + timedelta(minutes=self.rng.randint(3, 55))

    def scan(self, step: str, status: S, place: DemoPlace, reason: str | None = None) -> None:
        at = self.now.astimezone(zone(place.timezone)).replace(second=0, microsecond=0)
        self.scans.append(DemoScan(at, step, status, place, reason))
        self.now = at + timedelta(minutes=1)


def parcel_journey(
    rng: random.Random,
    outcome: str,
    origin: DemoPlace,
    hubs: tuple[DemoPlace, ...],
    home: DemoPlace,
    handed_over: datetime,
) -> list[DemoScan]:
    """The scans of one parcel whose journey ends in ``outcome`` (one of :data:`OUTCOMES`)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown demo journey outcome {outcome!r}")
    j = _Journey(rng, handed_over)
    j.during(origin, 9, 16)
    j.scan("label", S.info_received, origin)
    if outcome == "label":
        return j.scans
    j.wait(2, 6)
    j.during(origin, 16, 21)
    j.scan("pickup", S.in_transit, origin)

    # The legs to the shopper's delivery office. An "in_transit" parcel was last seen
    # leaving the origin (0), at one of the hubs (1..n) or at the delivery office (n+1);
    # a problem stops the parcel at one hub.
    last_seen = rng.randint(0, len(hubs) + 1) if outcome == "in_transit" else None
    trouble_hub = rng.randrange(len(hubs))
    if outcome == "exception_customs":
        customs = [i for i, hub in enumerate(hubs) if hub.customs]
        if not customs:
            raise ValueError("a customs hold needs a lane that crosses a border")
        trouble_hub = customs[0]
    j.wait(1, 3)
    j.scan("depart", S.in_transit, origin)
    if last_seen == 0:
        return j.scans
    for index, hub in enumerate(hubs):
        j.wait(3, 10)
        j.scan("arrive", S.in_transit, hub)
        if index == trouble_hub and outcome in ("exception_damaged", "exception_weather"):
            j.wait(1, 4)
            j.scan(outcome, S.exception, hub, outcome.removeprefix("exception_"))
            return j.scans
        if index == trouble_hub and outcome == "weather_then_delivered":
            j.wait(1, 3)
            j.scan("exception_weather", S.exception, hub, "weather")
            j.wait(14, 30)
        if hub.customs:
            j.wait(1, 5)
            if outcome == "exception_customs":
                j.scan("exception_customs", S.exception, hub, "customs_hold")
                return j.scans
            j.scan("customs_cleared", S.in_transit, hub)
        if last_seen == index + 1:
            return j.scans
        j.wait(1, 5)
        j.scan("depart", S.in_transit, hub)
    j.wait(3, 10)
    j.scan("destination", S.in_transit, home)
    if outcome == "in_transit":
        return j.scans

    _out_for_delivery(j, home)
    if outcome == "out_for_delivery":
        return j.scans
    if outcome in ("failed_attempt", "pickup_ready", "failed_then_delivered"):
        j.wait(1.5, 8)
        j.scan("failed_attempt", S.failed_attempt, home, rng.choice(_FAILED_REASONS))
        if outcome == "failed_attempt":
            return j.scans
        j.wait(14, 20)
        if outcome == "pickup_ready":
            j.during(home, 9, 12)
            j.scan("pickup_ready", S.available_for_pickup, home)
            return j.scans
        _out_for_delivery(j, home)
    if outcome == "exception_address":
        j.wait(1, 5)
        j.scan("exception_address", S.exception, home, "address_issue")
        return j.scans
    if outcome in ("refused_returning", "refused_returned"):
        j.wait(1, 6)
        j.scan("exception_refused", S.exception, home, "refused")
        j.wait(10, 20)
        j.during(home, 7, 19)
        j.scan("returning", S.returning, home, "refused")
        if outcome == "refused_returning":
            j.wait(3, 8)
            j.scan("depart", S.in_transit, home)
            return j.scans
        _back_to_sender(j, home, hubs, origin)
        return j.scans

    j.wait(1.5, 8.5)
    j.scan("delivered", S.delivered, home)
    if outcome == "customer_return":
        j.wait(40, 110)
        j.during(home, 10, 18)
        j.scan("return_dropoff", S.returning, home, "customer_return")
        _back_to_sender(j, home, hubs, origin)
    return j.scans


def _out_for_delivery(j: _Journey, home: DemoPlace) -> None:
    j.wait(1, 4)
    j.during(home, 7, 10)
    j.scan("out_for_delivery", S.out_for_delivery, home)


def _back_to_sender(j: _Journey, home: DemoPlace, hubs: tuple[DemoPlace, ...], origin: DemoPlace) -> None:
    j.wait(3, 9)
    j.scan("depart", S.in_transit, home)
    for hub in reversed(hubs):
        j.wait(4, 14)
        j.scan("arrive", S.in_transit, hub)
        j.wait(1, 6)
        j.scan("depart", S.in_transit, hub)
    j.wait(4, 14)
    j.during(origin, 8, 17)
    j.scan("returned", S.returned, origin)


# --- tracking numbers ----------------------------------------------------------------------
# Each follows the carrier's published layout, with the check digit computed by the same
# rules that validate numbers, so the demo's shipments pass validation.

_DIGITS = "0123456789"
_UPS_CHARS = "0123456789ABCDEFGHJKLMNPRSTVWXY"


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(_DIGITS) for _ in range(count))


def _ups(rng: random.Random) -> str:
    """1Z + 6-character shipper account + 2-digit service + 7-digit package + check digit."""
    body = (
        "".join(rng.choice(_UPS_CHARS) for _ in range(6)) + rng.choice(("01", "02", "03")) + _digits(rng, 7)
    )
    return f"1Z{body}{ups_mod10(body)}"


def _fedex(rng: random.Random) -> str:
    """FedEx Express: 11 digits and a mod-11 check digit."""
    body = rng.choice("4567") + _digits(rng, 10)
    return body + fedex_mod11(body)


def _usps(rng: random.Random) -> str:
    """Intelligent Mail package barcode: 22 digits with a GS1 mod-10 check digit."""
    body = "9400111" + _digits(rng, 14)
    return body + gs1_mod10(body)


def _dhl(rng: random.Random) -> str:
    """DHL Express waybill: 9 digits and their remainder modulo 7."""
    body = rng.choice("123456789") + _digits(rng, 8)
    return body + dhl_mod7(body)


def _royalmail(rng: random.Random) -> str:
    """UPU S10: 2 letters, 8 digits, a weighted mod-11 check digit, country GB."""
    body = _digits(rng, 8)
    return f"{rng.choice(('TT', 'JV', 'RN'))}{body}{upu_s10(body)}GB"


def _dpd(rng: random.Random) -> str:
    """DPD parcel number: 14 digits (the first four naming the depot) and an ISO 7064
    Mod 37,36 check character."""
    body = rng.choice(("0163", "0155", "1550")) + _digits(rng, 10)
    return body + iso7064_mod_37_36(body)


_NUMBERS = {"ups": _ups, "fedex": _fedex, "usps": _usps, "dhl": _dhl, "royalmail": _royalmail, "dpd": _dpd}


def tracking_number(rng: random.Random, carrier: str, taken: set[str]) -> str:
    """A fresh plausible number for ``carrier``, never one in ``taken`` (which it joins)."""
    while True:
        number = _NUMBERS[carrier](rng)
        if number not in taken:
            taken.add(number)
            return number
