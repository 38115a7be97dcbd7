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

from ordertrack.demo.catalog_data import Place
from ordertrack.tracking.schemas import zone
from ordertrack.tracking.status import ShipmentStatus as S

# Final state of one demo parcel; each name says where its journey stops.
IN_FLIGHT = frozenset({
    "label", "in_transit", "out_for_delivery", "failed_attempt", "pickup_ready",
    "exception_address", "exception_damaged", "exception_weather", "exception_customs",
    "refused_returning",
})
SETTLED = frozenset({
    "delivered", "failed_then_delivered", "weather_then_delivered", "refused_returned",
    "customer_return",
})
OUTCOMES = IN_FLIGHT | SETTLED

# The words each carrier uses for each step, as (raw code, description). The codes are
# shaped like the carrier's own but illustrative: the carriers' real code tables live in
# ordertrack.carriers, and the demo feeds already unified events.
_WORDING: dict[str, dict[str, tuple[str, str]]] = {
    "ups": {
        "label": ("MP", "Shipper created a label, UPS has not received the package yet."),
        "pickup": ("OR", "Pickup Scan"),
        "depart": ("DP", "Departed from Facility"),
        "arrive": ("AR", "Arrived at Facility"),
        "customs_cleared": ("IR", "Your package was released by the clearing agency."),
        "destination": ("DS", "Destination Scan"),
        "out_for_delivery": ("OT", "Out For Delivery Today"),
        "delivered": ("KB", "Delivered"),
        "failed_attempt": ("48", "The receiver was not available for delivery. We'll make a second attempt the next business day."),
        "pickup_ready": ("ZP", "Delivered to UPS Access Point location and awaiting customer pickup."),
        "exception_customs": ("CH", "Your package is being held for customs clearance: import charges are due."),
        "exception_damaged": ("DM", "Damage reported. The contents are being inspected."),
        "exception_weather": ("WX", "A severe weather condition has delayed delivery."),
        "exception_address": ("UA", "The address is incomplete. We're trying to contact the receiver."),
        "exception_refused": ("RF", "The receiver refused the delivery."),
        "returning": ("RS", "Returning to shipper."),
        "return_dropoff": ("RP", "Return package dropped off at a UPS Access Point location."),
        "returned": ("RT", "Returned to shipper."),
    },
    "fedex": {
        "label": ("OC", "Shipment information sent to FedEx"),
        "pickup": ("PU", "Picked up"),
        "depart": ("DP", "Departed FedEx hub"),
        "arrive": ("AR", "Arrived at FedEx hub"),
        "customs_cleared": ("CC", "International shipment release - Import"),
        "destination": ("AL", "At local FedEx facility"),
        "out_for_delivery": ("OD", "On FedEx vehicle for delivery"),
        "delivered": ("DL", "Delivered"),
        "failed_attempt": ("DE", "Delivery exception: customer not available or business closed"),
        "pickup_ready": ("HL", "Ready for pickup at FedEx retail location"),
        "exception_customs": ("CD", "Clearance delay: import documentation required"),
        "exception_damaged": ("SE", "Shipment exception: package damaged"),
        "exception_weather": ("SW", "Delay: severe weather in the area"),
        "exception_address": ("DA", "Delivery exception: incorrect address"),
        "exception_refused": ("RR", "Delivery exception: refused by recipient"),
        "returning": ("RS", "Return to shipper initiated"),
        "return_dropoff": ("RD", "Return shipment dropped off at FedEx location"),
        "returned": ("RT", "Delivered to shipper"),
    },
    "usps": {
        "label": ("GX", "Shipping Label Created, USPS Awaiting Item"),
        "pickup": ("03", "Accepted at USPS Origin Facility"),
        "depart": ("L1", "Departed USPS Regional Facility"),
        "arrive": ("10", "Arrived at USPS Regional Facility"),
        "customs_cleared": ("CR", "Customs Clearance Processing Complete"),
        "destination": ("07", "Arrived at Post Office"),
        "out_for_delivery": ("OF", "Out for Delivery"),
        "delivered": ("01", "Delivered, In/At Mailbox"),
        "failed_attempt": ("02", "Notice Left (No Authorized Recipient Available)"),
        "pickup_ready": ("14", "Available for Pickup"),
        "exception_customs": ("CH", "Held in Customs"),
        "exception_damaged": ("DX", "Damaged item: processing delayed"),
        "exception_weather": ("WX", "Delivery delayed due to severe weather"),
        "exception_address": ("21", "No Such Number"),
        "exception_refused": ("04", "Refused"),
        "returning": ("09", "Return to Sender Processed"),
        "return_dropoff": ("RA", "USPS in possession of item (return)"),
        "returned": ("RD", "Delivered to Sender"),
    },
    "dhl": {
        "label": ("SD", "Shipment information received"),
        "pickup": ("PU", "Shipment picked up"),
        "depart": ("DF", "Departed Facility"),
        "arrive": ("AF", "Arrived at Sort Facility"),
        "customs_cleared": ("CR", "Clearance processing complete"),
        "destination": ("AR", "Arrived at Delivery Facility"),
        "out_for_delivery": ("WC", "With delivery courier"),
        "delivered": ("OK", "Delivered"),
        "failed_attempt": ("NH", "Delivery attempted - consignee not home"),
        "pickup_ready": ("CA", "Awaiting collection at DHL ServicePoint"),
        "exception_customs": ("CD", "Clearance delay: duties and taxes payable by the receiver"),
        "exception_damaged": ("DM", "Shipment damaged; inspection in progress"),
        "exception_weather": ("HW", "Delay due to adverse weather conditions"),
        "exception_address": ("BA", "Incorrect address - contacting receiver"),
        "exception_refused": ("RD", "Refused delivery"),
        "returning": ("RT", "Returned to shipper - in transit"),
        "return_dropoff": ("RP", "Return shipment received at DHL ServicePoint"),
        "returned": ("RS", "Delivered to shipper"),
    },
    "royalmail": {
        "label": ("EVNMI", "The sender has told us your item is on its way"),
        "pickup": ("EVAIP", "We've received your item"),
        "depart": ("EVDPT", "Your item has left our hub"),
        "arrive": ("EVAHB", "Your item has arrived at our hub"),
        "customs_cleared": ("EVCCL", "Your item has cleared customs"),
        "destination": ("EVDOF", "Your item has arrived at your local delivery office"),
        "out_for_delivery": ("EVOFD", "Your item is out for delivery"),
        "delivered": ("EVKSP", "Delivered"),
        "failed_attempt": ("EVKNR", "Sorry, we missed you: we'll try again or you can collect it"),
        "pickup_ready": ("EVKCL", "Your item is ready to collect from your local delivery office"),
        "exception_customs": ("EVCHD", "Your item is being held by Border Force"),
        "exception_damaged": ("EVDMG", "Your item was damaged in transit and is being reviewed"),
        "exception_weather": ("EVWTH", "Severe weather is delaying deliveries in this area"),
        "exception_address": ("EVADR", "We could not deliver your item: the address is incomplete"),
        "exception_refused": ("EVRFD", "The recipient refused the item"),
        "returning": ("EVRTS", "Your item is being returned to the sender"),
        "return_dropoff": ("EVRDO", "Return received at the Post Office"),
        "returned": ("EVRTD", "Returned to sender"),
    },
    "dpd": {
        "label": ("PREADV", "Order information has been transmitted to DPD"),
        "pickup": ("PICKUP", "Parcel collected from the sender"),
        "depart": ("HUBOUT", "Parcel has left the parcel hub"),
        "arrive": ("HUBIN", "Parcel is at the parcel hub"),
        "customs_cleared": ("CUSTOK", "Customs clearance completed"),
        "destination": ("DEPOT", "Parcel has arrived at the delivery depot"),
        "out_for_delivery": ("OUTDEL", "The parcel is out for delivery"),
        "delivered": ("DELIV", "Delivered"),
        "failed_attempt": ("NOTHOME", "Unfortunately we missed you: we'll try again on the next working day"),
        "pickup_ready": ("PSHOP", "Your parcel is ready for collection at a DPD Pickup parcelshop"),
        "exception_customs": ("CUSTHLD", "Held by customs: duties to be paid"),
        "exception_damaged": ("DAMAGE", "The parcel was damaged; we are checking the contents"),
        "exception_weather": ("WEATHER", "Delay due to severe weather"),
        "exception_address": ("ADDR", "The address is incorrect or incomplete"),
        "exception_refused": ("REFUSED", "Acceptance refused by the recipient"),
        "returning": ("RETURN", "Parcel is being returned to the sender"),
        "return_dropoff": ("RETIN", "Return handed in at a DPD Pickup parcelshop"),
        "returned": ("RETDEL", "Returned to the sender"),
    },
}

_FAILED_REASONS = ("recipient_unavailable", "no_safe_place", "business_closed")


@dataclass(frozen=True)
class Scan:
    """One step of a journey; ``at`` is aware, in the zone of ``place``."""

    at: datetime
    step: str  # key into the carrier's wording
    status: S
    place: Place
    reason: str | None = None

    def shifted(self, delta: timedelta) -> Scan:
        """The same scan ``delta`` later on the local wall clock (whole days keep the hour)."""
        return Scan(self.at + delta, self.step, self.status, self.place, self.reason)

    def as_event(self, tracking_number: str, carrier: str) -> dict[str, Any]:
        """The unified event the scan API would receive for this scan."""
        code, description = _WORDING[carrier][self.step]
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
        self.scans: list[Scan] = []

    def wait(self, low_hours: float, high_hours: float) -> None:
        self.now += timedelta(hours=self.rng.uniform(low_hours, high_hours))

    def during(self, place: Place, first_hour: int, last_hour: int) -> None:
        """Move on to the next time the local clock at ``place`` is in [first, last) hours."""
        local = self.now.astimezone(zone(place.timezone))
        if first_hour <= local.hour < last_hour:
            return
        day = local.date() if local.hour < first_hour else local.date() + timedelta(days=1)
        opening = datetime(day.year, day.month, day.day, first_hour, tzinfo=zone(place.timezone))
        self.now = opening + timedelta(minutes=self.rng.randint(3, 55))

    def scan(self, step: str, status: S, place: Place, reason: str | None = None) -> None:
        at = self.now.astimezone(zone(place.timezone)).replace(second=0, microsecond=0)
        self.scans.append(Scan(at, step, status, place, reason))
        self.now = at + timedelta(minutes=1)


def parcel_journey(
    rng: random.Random,
    outcome: str,
    origin: Place,
    hubs: tuple[Place, ...],
    home: Place,
    handed_over: datetime,
) -> list[Scan]:
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


def _out_for_delivery(j: _Journey, home: Place) -> None:
    j.wait(1, 4)
    j.during(home, 7, 10)
    j.scan("out_for_delivery", S.out_for_delivery, home)


def _back_to_sender(j: _Journey, home: Place, hubs: tuple[Place, ...], origin: Place) -> None:
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
# Each follows the carrier's published layout and check digit, so carrier detection
# recognises it; the numbers themselves are random.

_DIGITS = "0123456789"
_UPS_CHARS = "0123456789ABCDEFGHJKLMNPRSTVWXY"


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(_DIGITS) for _ in range(count))


def _ups(rng: random.Random) -> str:
    """1Z + 6-character shipper account + 2-digit service + 7-digit package + check digit."""
    body = "".join(rng.choice(_UPS_CHARS) for _ in range(6)) + rng.choice(("01", "02", "03")) + _digits(rng, 7)
    total = 0
    for index, char in enumerate(body):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value * 2 if index % 2 else value
    return f"1Z{body}{(10 - total % 10) % 10}"


def _fedex(rng: random.Random) -> str:
    """FedEx Express: 11 digits and a mod-11 check digit (weights 1, 3, 7 from the right)."""
    body = rng.choice("4567") + _digits(rng, 10)
    weights = (1, 3, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(body)))
    return body + str(total % 11 % 10)


def _usps(rng: random.Random) -> str:
    """Intelligent Mail package barcode: 22 digits with a mod-10 check digit."""
    body = "9400111" + _digits(rng, 14)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def _dhl(rng: random.Random) -> str:
    """DHL Express waybill: 9 digits and their remainder modulo 7."""
    body = rng.choice("123456789") + _digits(rng, 8)
    return body + str(int(body) % 7)


def _royalmail(rng: random.Random) -> str:
    """UPU S10: 2 letters, 8 digits, a weighted mod-11 check digit, country GB."""
    body = _digits(rng, 8)
    check = 11 - sum(int(d) * w for d, w in zip(body, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"{rng.choice(('TT', 'JV', 'RN'))}{body}{check}GB"


def _dpd(rng: random.Random) -> str:
    """DPD parcel number: 14 digits, the first four naming the depot."""
    return rng.choice(("0163", "0155", "1550")) + _digits(rng, 10)


_NUMBERS = {"ups": _ups, "fedex": _fedex, "usps": _usps, "dhl": _dhl, "royalmail": _royalmail, "dpd": _dpd}


def tracking_number(rng: random.Random, carrier: str, taken: set[str]) -> str:
    """A fresh plausible number for ``carrier``, never one in ``taken`` (which it joins)."""
    while True:
        number = _NUMBERS[carrier](rng)
        if number not in taken:
            taken.add(number)
            return number
