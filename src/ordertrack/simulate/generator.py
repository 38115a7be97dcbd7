"""Orders, shipments and carrier reports over simulated time, as a time-ordered record stream.

``generate(config)`` yields :mod:`records <ordertrack.simulate.records>` in the order a sender
sends them. Orders are placed evenly (with jitter) from ``start`` over ``days``; each ships
from the shop's warehouse in the shopper's country (else the nearest) after the cut-off rule,
and travels the network of :mod:`network` as :mod:`journeys` tells. The carrier then reports
each scan some minutes after it happens, gathered into pushes every ``push_minutes`` per
carrier; the scan faults (missed, duplicated, late) apply here. A share of USPS parcels is
tracked through EasyPost and reported as EasyPost ``tracker.updated`` webhooks carrying the
carrier's own (sometimes wrong) estimate.

Everything is drawn from ``random.Random`` seeded by ``config.seed`` and the order's place in
the run, so the same configuration gives the same stream, record for record.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ordertrack.demo.carrier_wording import WORDING
from ordertrack.demo.scans import tracking_number
from ordertrack.simulate import formats, inbound, journeys
from ordertrack.simulate.inbound import InboundFaults
from ordertrack.simulate.journeys import FaultRates, Journey, Scan
from ordertrack.simulate.network import City, Destinations, SimulatedWarehouse, warehouses
from ordertrack.simulate.records import Record
from ordertrack.statuses import EventStatus as E

MAX_EVENTS_PER_RECORD = 500
# Scan ids of inbound parcels are numbered from here (an order's from 0), so they never meet.
INBOUND_EVENT_INDEX = 100_000_000
# EasyPost's words for our statuses, for the webhooks of parcels it tracks.
_EASYPOST_STATUS = {
    E.info_received: ("pre_transit", "label_created"),
    E.in_transit: ("in_transit", "arrived_at_facility"),
    E.out_for_delivery: ("out_for_delivery", "out_for_delivery"),
    E.delivered: ("delivered", "arrived_at_destination"),
    E.failed_attempt: ("failure", "delivery_exception"),
    E.available_for_pickup: ("available_for_pickup", "arrived_at_pickup_location"),
    E.exception: ("failure", "delivery_exception"),
    E.returning: ("return_to_sender", "return"),
    E.returned: ("return_to_sender", "return"),
}
_EASYPOST_REASON_DETAIL = {
    "address_issue": "address_not_found",
    "damaged": "damaged",
    "refused": "refused",
    "customs_hold": "held",
}
_FIRST_NAMES = ("Ada", "Bea", "Carl", "Dora", "Emil", "Fay", "Gus", "Hana", "Ivo", "Jude", "Kira", "Leo")
_LAST_NAMES = ("Nakamura", "Okafor", "Schmidt", "Dubois", "García", "Rossi", "Smith", "Novak", "Lund")
_STREETS = ("Main St", "High Street", "Hauptstraße", "Rue de la Paix", "Calle Mayor", "Dorpsstraat")
PRODUCTS = (
    ("SIM-MUG", "Stoneware mug", Decimal("14.00")),
    ("SIM-TEE", "Organic tee", Decimal("24.00")),
    ("SIM-CAP", "Canvas cap", Decimal("19.50")),
    ("SIM-BAG", "Tote bag", Decimal("12.00")),
    ("SIM-LMP", "Desk lamp", Decimal("49.00")),
)
CURRENCY = {"US": "USD", "CA": "CAD", "GB": "GBP"}


@dataclass(frozen=True)
class SimConfig:
    seed: int = 1
    orders: int = 100
    start: datetime = datetime(2026, 9, 1, tzinfo=UTC)
    days: float = 30.0
    faults: FaultRates = field(default_factory=FaultRates)
    order_prefix: str = "SIM-"
    warehouses: tuple[SimulatedWarehouse, ...] | None = None
    push_minutes: int = 15  # carriers push what they scanned this often
    easypost_share: float = 0.3  # USPS parcels reported through EasyPost webhooks
    native_share: float = 0.25  # other parcels pushed in their carrier's own format, where it has one
    aftership_share: float = 0.3  # DPD parcels (no connector of their own) pushed through AfterShip
    recycle_after_days: int = 61  # a number is reused only after this long (ingest's window: 60)
    products: tuple[tuple[str, str, Decimal], ...] = PRODUCTS  # (sku, name, unit price)
    ship_from_warehouse: bool = False  # name the warehouse on shipments (a shop that keeps stock)
    # Purchase orders to suppliers and their inbound shipments (simulate.inbound); 0: none, and
    # the stream is exactly what it was before they existed.
    purchase_orders: int = 0
    inbound_faults: InboundFaults = field(default_factory=InboundFaults)
    # The supplier's dates in the requests too (a run sent as it happens; see simulate.inbound).
    purchase_order_promises: bool = False


@dataclass
class _Report:
    """One scan as the carrier will report it."""

    arrives: datetime
    event: dict[str, Any]
    via: str | None  # tracker key when pushed in a carrier's or aggregator's own format


@dataclass
class _Tracker:
    """What a carrier or aggregator pushing its own format has reported about one parcel so far
    (it sends the whole tracking again on every update)."""

    number: str
    carrier: str
    push_format: str  # connector slug: easypost, aftership, ups, fedex, usps, dhl, royalmail
    estimate: date
    details: list[dict[str, Any]] = field(default_factory=list)
    remaining: int = 0  # reports still to come; the tracker is forgotten after the last


def unified_only(config: SimConfig) -> SimConfig:
    """The same run with every parcel reporting unified events (no carrier-format pushes)."""
    return replace(config, easypost_share=0.0, native_share=0.0, aftership_share=0.0)


def generate(config: SimConfig) -> Iterator[Record]:
    """The run's records in sending order (their ``at`` never goes back)."""
    sites = config.warehouses or warehouses()
    destinations = Destinations()
    span = timedelta(days=config.days)
    pending: list[tuple[datetime, int, str, Any]] = []  # (when, tie-break, kind, payload)
    tie = 0
    taken: set[str] = set()
    recyclable: dict[str, deque[tuple[datetime, str]]] = {}
    trackers: dict[str, _Tracker] = {}
    record_ids = iter(range(1, 1 << 62))
    next_index = 0

    def placed_at(index: int) -> datetime:
        jitter = random.Random(f"{config.seed}:{index}:placed").random()
        return config.start + span * ((index + jitter) / max(config.orders, 1))

    def place(index: int) -> None:
        nonlocal tie
        rng = random.Random(f"{config.seed}:{index}")
        when = placed_at(index)
        town = destinations.draw(rng).town(rng)
        origin = journeys.origin_for(sites, town)
        service = journeys.choose_service(rng, origin, town)
        label_at = journeys.label_time(rng, origin, when)
        trip = journeys.journey(rng, origin, town, service, label_at, config.faults)
        number = _number(rng, service.carrier, label_at, taken, recyclable, config)
        order_number = f"{config.order_prefix}{index + 1:07d}"
        items: list[tuple[datetime, str, Any]] = [
            (when, "order", {"order": _order_body(rng, order_number, town, when, config.products)}),
            (
                label_at,
                "shipment",
                {
                    "order_number": order_number,
                    "shipment": _shipment_body(
                        trip, number, origin.code if config.ship_from_warehouse else None
                    ),
                },
            ),
        ]
        via = None
        push_format = _push_format(rng, service.carrier, config)
        if push_format is not None:
            via = f"{number}@{index}"
            estimate = journeys.carrier_estimate(rng, trip, town, config.faults)
            trackers[via] = _Tracker(number, service.carrier, push_format, estimate)
        reports = _reports(rng, trip, number, index, config.faults, via)
        if via is not None:
            trackers[via].remaining = len(reports)
        kind = f"push:{push_format}" if push_format else f"scan:{service.carrier}"
        for report in reports:
            items.append((report.arrives, kind, report))
        for when_, kind, payload in items:
            tie += 1
            heapq.heappush(pending, (when_, tie, kind, payload))

    def schedule(when: datetime, kind: str, payload: Any) -> None:
        nonlocal tie
        tie += 1
        heapq.heappush(pending, (when, tie, kind, payload))

    def buy() -> None:
        """The purchase orders' records, and their parcels' scans as the carriers report them."""
        sim_suppliers = inbound.suppliers(config.order_prefix)
        for item in inbound.setup_items(
            config.start - timedelta(hours=1), sites, config.products, sim_suppliers
        ):
            schedule(item.at, item.kind, item.payload)
        for index in range(config.purchase_orders):
            rng = random.Random(f"{config.seed}:po:{index}")
            supplier = rng.choice(sim_suppliers)
            warehouse = rng.choice(sites)
            items = inbound.purchase_order_items(
                rng,
                f"{config.order_prefix}PO-{index + 1:05d}",
                inbound.placed_at(config.start, span, index, config.purchase_orders, config.seed),
                supplier,
                warehouse,
                config.products,
                config.inbound_faults,
                config.faults,
                lambda rng_, carrier: tracking_number(rng_, carrier, taken),
                promises=config.purchase_order_promises,
            )
            for item in items:
                schedule(item.at, item.kind, item.payload)
                if item.parcel is None:
                    continue
                trip, number = item.parcel
                via = None
                push_format = _push_format(rng, trip.service.carrier, config)
                if push_format is not None:
                    via = f"{number}@po{index}"
                    estimate = journeys.carrier_estimate(rng, trip, warehouse.city, config.faults)
                    trackers[via] = _Tracker(number, trip.service.carrier, push_format, estimate)
                reports = _reports(rng, trip, number, INBOUND_EVENT_INDEX + index, config.faults, via)
                if via is not None:
                    trackers[via].remaining = len(reports)
                kind = f"push:{push_format}" if push_format else f"scan:{trip.service.carrier}"
                for report in reports:
                    schedule(report.arrives, kind, report)

    if config.purchase_orders:
        buy()
    while next_index < config.orders or pending:
        head = pending[0][0] if pending else None
        upcoming = placed_at(next_index) if next_index < config.orders else None
        first = min(t for t in (head, upcoming) if t is not None)
        window_end = _push_window_end(first, config.push_minutes)
        while next_index < config.orders and placed_at(next_index) < window_end:
            place(next_index)
            next_index += 1
        pushes: dict[str, list[_Report]] = {}
        while pending and pending[0][0] < window_end:
            when, _, kind, payload = heapq.heappop(pending)
            if not kind.startswith(("scan:", "push:")):
                yield {"id": f"r{next(record_ids):09d}", "kind": kind, "at": when.isoformat(), **payload}
            else:
                pushes.setdefault(kind, []).append(payload)
        for kind in sorted(pushes):
            yield from _push_records(pushes[kind], window_end, kind, trackers, record_ids)


def _push_window_end(when: datetime, minutes: int) -> datetime:
    """The end of the push window ``when`` falls in (windows are aligned on the epoch)."""
    step = minutes * 60
    stamp = int(when.timestamp())
    return datetime.fromtimestamp(stamp - stamp % step + step, UTC)


def _push_records(
    batch: list[_Report],
    sent_at: datetime,
    kind: str,
    trackers: dict[str, _Tracker],
    record_ids: Iterator[int],
) -> Iterator[Record]:
    if kind.startswith("scan:"):
        for start in range(0, len(batch), MAX_EVENTS_PER_RECORD):
            chunk = batch[start : start + MAX_EVENTS_PER_RECORD]
            yield {
                "id": f"r{next(record_ids):09d}",
                "kind": "events",
                "at": sent_at.isoformat(),
                "events": [report.event for report in chunk],
            }
        return
    # Pushes in a carrier's own format carry the whole tracking again on every update.
    touched: dict[str, list[str]] = {}
    for report in batch:
        assert report.via is not None
        tracker = trackers[report.via]
        tracker.details.append(report.event)
        tracker.remaining -= 1
        touched.setdefault(report.via, []).append(report.event["event_id"])
    for key, ids in touched.items():
        tracker = trackers[key]
        yield {
            "id": f"r{next(record_ids):09d}",
            "kind": "webhook",
            "at": sent_at.isoformat(),
            "carrier": tracker.push_format,
            "event_ids": ids,
            "body": _push_body(tracker, sent_at),
        }
        if tracker.remaining <= 0:
            del trackers[key]


def _push_format(rng: random.Random, carrier: str, config: SimConfig) -> str | None:
    """How this parcel's scans reach the shop: None for unified events, else a connector's format."""
    if carrier == "usps" and rng.random() < config.easypost_share:
        return "easypost"
    if carrier == "dpd":
        return "aftership" if rng.random() < config.aftership_share else None
    if carrier in formats.NATIVE_FORMATS and rng.random() < config.native_share:
        return carrier
    return None


def _push_body(tracker: _Tracker, sent_at: datetime) -> dict[str, Any]:
    if tracker.push_format == "easypost":
        return _easypost_body(tracker, sent_at)
    body = formats.encode(tracker.push_format, tracker.number, tracker.details, tracker.estimate)
    assert isinstance(body, dict)  # every simulated carrier's connector reads JSON
    return body


def _reports(
    rng: random.Random, trip: Journey, number: str, index: int, faults: FaultRates, via: str | None
) -> list[_Report]:
    """The scans as the carrier sends them: some never, some twice, some hours late."""
    reports: list[_Report] = []
    last = len(trip.scans) - 1
    for position, scan in enumerate(trip.scans):
        # The final scan is never missed: a parcel that silently stops is the "lost" fault.
        if 0 < position < last and rng.random() < faults.missed_scan:
            continue
        event = _event(scan, number, trip.service.carrier, f"sim{index:08d}-{position:02d}")
        delay = timedelta(minutes=rng.randint(1, 40))
        if rng.random() < faults.late:
            delay += timedelta(hours=rng.uniform(2, 48))
        reports.append(_Report(scan.at + delay, event, via))
        if rng.random() < faults.duplicate:
            reports.append(_Report(scan.at + delay + timedelta(minutes=rng.randint(5, 180)), event, via))
    return reports


# Steps the demo's carrier wording has no words for.
_MORE_WORDING = {
    "processed": ("PRC", "Processed at sort facility"),
    "en_route": ("ENR", "In transit to next facility"),
}


def _event(scan: Scan, number: str, carrier: str, event_id: str) -> dict[str, Any]:
    code, description = WORDING[carrier].get(scan.step) or _MORE_WORDING[scan.step]
    place = scan.place
    return {
        "tracking_number": number,
        "carrier": carrier,
        "event_id": event_id,
        "occurred_at": scan.at.isoformat(),
        "status": str(scan.status),
        "reason": scan.reason,
        "code": code,
        "description": description,
        "location": {
            "city": place.name,
            "region": place.region,
            "country": place.country,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "timezone": place.timezone,
        },
        "source": "simulator",
    }


def _easypost_detail(event: dict[str, Any]) -> dict[str, Any]:
    status, detail = _EASYPOST_STATUS[E(event["status"])]
    detail = _EASYPOST_REASON_DETAIL.get(event.get("reason") or "", detail)
    if event["status"] == "in_transit" and event["code"] in ("DP", "DEP"):
        detail = "departed_facility"
    place = event["location"]
    return {
        "object": "TrackingDetail",
        "message": event["description"],
        "status": status,
        "status_detail": detail,
        "datetime": datetime.fromisoformat(event["occurred_at"])
        .astimezone(UTC)
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": "USPS",
        "tracking_location": {
            "object": "TrackingLocation",
            "city": place["city"],
            "state": place["region"],
            "country": place["country"],
            "zip": None,
        },
    }


def _easypost_body(tracker: _Tracker, sent_at: datetime) -> dict[str, Any]:
    latest = _easypost_detail(tracker.details[-1])
    return {
        "object": "Event",
        "description": "tracker.updated",
        "created_at": sent_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "result": {
            "object": "Tracker",
            "tracking_code": tracker.number,
            "carrier": tracker.carrier.upper(),
            "status": latest["status"],
            "status_detail": latest["status_detail"],
            "est_delivery_date": f"{tracker.estimate.isoformat()}T00:00:00Z",
            "carrier_detail": {
                "object": "CarrierDetail",
                "est_delivery_date_local": tracker.estimate.isoformat(),
            },
            "tracking_details": [_easypost_detail(event) for event in tracker.details],
        },
    }


def _number(
    rng: random.Random,
    carrier: str,
    label_at: datetime,
    taken: set[str],
    recyclable: dict[str, deque[tuple[datetime, str]]],
    config: SimConfig,
) -> str:
    """A fresh number, or now and then an old parcel's number the carrier has recycled."""
    old = recyclable.setdefault(carrier, deque(maxlen=2000))
    if old and rng.random() < config.faults.recycled_number:
        first_used, number = old[0]
        if label_at - first_used > timedelta(days=config.recycle_after_days):
            old.popleft()
            return number
    number = tracking_number(rng, carrier, taken)
    old.append((label_at, number))
    return number


def _order_body(
    rng: random.Random,
    number: str,
    town: City,
    placed_at: datetime,
    products: tuple[tuple[str, str, Decimal], ...],
) -> dict[str, Any]:
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    lines = []
    for sku, name, price in rng.sample(products, min(len(products), rng.randint(1, 3))):
        lines.append({"sku": sku, "name": name, "quantity": rng.randint(1, 3), "unit_price": str(price)})
    return {
        "number": number,
        "customer": {"email": f"{number.lower()}@shoppers.example", "name": f"{first} {last}"},
        "shipping_address": {
            "name": f"{first} {last}",
            "line1": f"{rng.randint(1, 220)} {rng.choice(_STREETS)}",
            "city": town.name,
            "region": town.region,
            "country": town.country,
        },
        "lines": lines,
        "currency": CURRENCY.get(town.country, "EUR"),
        "placed_at": placed_at.isoformat(),
        "source": "simulator",
    }


def _shipment_body(trip: Journey, number: str, warehouse: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "carrier": trip.service.carrier,
        "service": trip.service.name,
        "tracking_number": number,
    }
    if warehouse is not None:
        body["warehouse"] = warehouse
    return body
