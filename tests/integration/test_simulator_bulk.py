"""The bulk loader writes what the services write: one stream, two merchants, same state.

A stream of a few hundred orders (with duplicate scans, late scans, scans before their
shipment, recycled tracking numbers, numbers nobody ships, a number still in use and a
duplicate order number) goes once through the services, record by record as the HTTP
edges would call them, and once through ``simulate.bulk.load``. Both run on the stream's
clock (a record's ``at`` is "now"). The derived state, keyed by what the stream names
(order numbers, tracking numbers, dedupe keys), must be identical.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from ordertrack.carriers import intake, registry
from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.fulfilment import shipping
from ordertrack.kit.errors import OrdertrackError
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order
from ordertrack.orders.schemas import OrderIn
from ordertrack.shipments.model import Shipment
from ordertrack.shipments.schemas import ShipmentIn
from ordertrack.simulate import bulk
from ordertrack.simulate.generator import SimConfig, generate
from ordertrack.simulate.journeys import FaultRates
from ordertrack.simulate.records import Record
from ordertrack.tracking import service as tracking_service
from ordertrack.tracking.model import Parcel, TrackingEvent

WINDOW = timedelta(days=60)
START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
CARRIER = "acme_post"
JOURNEY = ("info_received", "in_transit", "in_transit", "in_transit", "out_for_delivery", "delivered")


def synthetic_stream(orders: int, seed: int = 7) -> list[Record]:
    """Orders every 8 hours, shipped a day later, scanned over four days, with the faults."""
    rng = random.Random(seed)
    timed: list[tuple[datetime, int, str, dict[str, Any]]] = []
    shipped: list[tuple[datetime, str]] = []  # (label time, number) of earlier parcels

    def add(at: datetime, kind: str, body: dict[str, Any]) -> None:
        timed.append((at, len(timed), kind, body))

    for index in range(orders):
        placed = START + timedelta(hours=8 * index)
        number = f"SIM-{index:05d}"
        add(placed, "order", {"order": _order(number, placed, rng)})
        label = placed + timedelta(days=1)
        tracking = f"AC{index:08d}"
        old = [n for at, n in shipped if label - at > timedelta(days=70)]
        if old and rng.random() < 0.08:
            tracking = rng.choice(old)  # the carrier recycles a number
        elif index % 50 == 49:
            tracking = shipped[-1][1]  # still travelling: the shipment is refused
        shipped.append((label, tracking))
        add(label, "shipment", {"order_number": number, "shipment": _shipment(tracking)})
        if index % 40 == 3:
            add(placed + timedelta(hours=2), "order", {"order": _order(number, placed, rng)})  # twice
        for step, status in enumerate(JOURNEY):
            occurred = label + timedelta(hours=18 * step, minutes=rng.randrange(60))
            scan = _scan(tracking, occurred, status, f"{tracking}-{index}-{step}")
            if index % 7 == 0:
                scan["occurred_at"] = occurred.astimezone(timezone(timedelta(hours=-5))).isoformat()
            if index % 11 == 0 and step == 2:
                scan.pop("event_id")  # identified by its content
            sent = occurred + timedelta(minutes=rng.randrange(5, 90))
            if step == 0 and index % 5 == 0:
                sent = label - timedelta(hours=1)  # scanned before the shop registered it
                scan["occurred_at"] = (label - timedelta(hours=2)).isoformat()
            if rng.random() < 0.15:
                sent += timedelta(hours=30)  # late, after later scans
            batch = [scan, scan] if rng.random() < 0.05 else [scan]
            add(sent, "events", {"events": batch})
            if rng.random() < 0.08:
                add(sent + timedelta(hours=rng.randrange(1, 48)), "events", {"events": [scan]})
            if step == 3 and rng.random() < 0.1:
                # A scan of the number's previous life arriving now: it belongs to the old parcel.
                add(sent, "events", {"events": [_scan(tracking, label - timedelta(days=65), "in_transit")]})
        if index % 13 == 0:
            unknown = f"ZZ{index:08d}"
            add(
                placed + timedelta(days=2),
                "events",
                {"events": [_scan(unknown, placed, "in_transit", unknown)]},
            )
    timed.sort(key=lambda item: (item[0], item[1]))
    return [
        {"id": f"r{n:07d}", "kind": kind, "at": at.isoformat(), **body}
        for n, (at, _, kind, body) in enumerate(timed)
    ]


def _order(number: str, placed: datetime, rng: random.Random) -> dict[str, Any]:
    return {
        "number": number,
        "customer": {"email": f"shopper{rng.randrange(150)}@example.com", "name": "Ada Sim"},
        "shipping_address": {"line1": "1 Main St", "city": "Austin", "postal_code": "78701", "country": "US"},
        "lines": [
            {"sku": "TENT-2P", "quantity": rng.randrange(1, 3), "unit_price": "199.00"},
            {"sku": "MUG-STEEL", "quantity": 1, "unit_price": "12.50"},
        ],
        "currency": "USD",
        "placed_at": placed.isoformat(),
    }


def _shipment(tracking: str) -> dict[str, Any]:
    return {"carrier": CARRIER, "tracking_number": tracking, "service": "ground"}


def _scan(tracking: str, at: datetime, status: str, event_id: str | None = None) -> dict[str, Any]:
    scan: dict[str, Any] = {
        "tracking_number": tracking,
        "carrier": CARRIER,
        "occurred_at": at.isoformat(),
        "status": status,
        "location": {"city": "Austin", "country": "US"},
    }
    if event_id is not None:
        scan["event_id"] = event_id
    return scan


def replay_through_services(db: Database, merchant_id: str, records: list[Record]) -> Counter[str]:
    """Each record as its HTTP route would hand it to the service, one transaction each, with
    the record's ``at`` as the services' "now"."""
    refused: Counter[str] = Counter()
    for record in records:
        now = datetime.fromisoformat(record["at"]).astimezone(UTC)
        with db.uow() as uow:
            try:
                if record["kind"] == "order":
                    orders_service.place_order(
                        uow, merchant_id, OrderIn.model_validate(record["order"]), now=now
                    )
                elif record["kind"] == "shipment":
                    shipping.create_shipment(
                        uow,
                        merchant_id,
                        record["order_number"],
                        ShipmentIn.model_validate(record["shipment"]),
                        recycle_window=WINDOW,
                        now=now,
                    )
                elif record["kind"] == "events":
                    tracking_service.ingest_events(
                        uow, merchant_id, record["events"], received_at=now, recycle_window=WINDOW
                    )
                else:
                    intake.receive_payload(
                        uow,
                        merchant_id,
                        registry.connector(record["carrier"]),
                        json.dumps(record["body"]).encode(),
                        channel="webhook",
                        content_type="application/json",
                        recycle_window=WINDOW,
                        received_at=now,
                    )
            except OrdertrackError as error:
                refused[error.code] += 1
                continue
            uow.commit()
    return refused


def derived_state(db: Database, merchant_id: str) -> dict[str, Any]:
    """Everything derived, keyed by the stream's own names (ids differ between the two loads)."""
    with db.uow(write=False) as uow:
        s = uow.session
        orders = {
            o.number: (o.status, o.attention, _utc(o.confirmed_at), _utc(o.placed_at))
            for o in s.scalars(select(Order).where(Order.merchant_id == merchant_id))
        }
        number_of = dict(
            s.execute(select(Order.id, Order.number).where(Order.merchant_id == merchant_id)).all()
        )
        shipments = {}
        parcel_key = {}
        for shipment, parcel in s.execute(
            select(Shipment, Parcel)
            .join(Parcel, Parcel.shipment_id == Shipment.id)
            .where(Shipment.merchant_id == merchant_id)
        ).all():
            key = (number_of[shipment.order_id], parcel.tracking_number)
            parcel_key[parcel.id] = key
            shipments[key] = {
                "shipment": (shipment.status, shipment.reason, _utc(shipment.delivered_at)),
                "next_check_at": _utc(shipment.next_check_at),
                "created_at": _utc(shipment.created_at),
                "parcel": (
                    parcel.status,
                    parcel.reason,
                    _utc(parcel.delivered_at),
                    _utc(parcel.last_event_at),
                    parcel.last_event_rank,
                    parcel.last_event_key,
                    parcel.event_count,
                    _utc(parcel.created_at),
                ),
            }
        events = {
            e.dedupe_key: (
                parcel_key.get(e.parcel_id) if e.parcel_id else None,
                e.tracking_number,
                e.event_id,
                _utc(e.occurred_at),
                e.utc_offset_minutes,
                e.status,
                _utc(e.received_at),
                e.raw,
            )
            for e in s.scalars(select(TrackingEvent).where(TrackingEvent.merchant_id == merchant_id))
        }
    per_parcel = Counter(owner for owner, *_ in events.values())
    return {
        "orders": orders,
        "shipments": shipments,
        "events": events,
        "events_per_parcel": per_parcel,
        "unmatched": sorted(key for key, (owner, *_) in events.items() if owner is None),
    }


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive UTC; PostgreSQL aware.
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def test_bulk_load_derives_the_same_state_as_the_services(
    db: Database, make_merchant: Callable[[str], Any]
) -> None:
    records = synthetic_stream(300)
    by_services = make_merchant("Through the services").merchant_id
    by_bulk = make_merchant("Through the bulk loader").merchant_id

    refused = replay_through_services(db, by_services, records)
    report = bulk.load(db, by_bulk, records, chunk_orders=37)

    expected, got = derived_state(db, by_services), derived_state(db, by_bulk)
    assert got["orders"] == expected["orders"]
    assert got["shipments"] == expected["shipments"]
    assert got["events"] == expected["events"]
    assert got["events_per_parcel"] == expected["events_per_parcel"]
    assert got["unmatched"] == expected["unmatched"]
    assert dict(report.refused) == dict(refused)
    assert (report.events_stored, report.unmatched) == (len(expected["events"]), len(expected["unmatched"]))
    # The stream exercised what it is meant to.
    assert report.duplicates > 0 and report.unmatched > 0
    assert refused["tracking_number_in_use"] > 0 and refused["duplicate_order_number"] > 0
    recycled = Counter(number for _order, number in expected["shipments"])
    assert max(recycled.values()) > 1
    statuses = Counter(state["parcel"][0] for state in expected["shipments"].values())
    assert statuses["delivered"] > 0


def test_the_simulators_stream_loads_the_same_in_bulk(
    db: Database, make_merchant: Callable[[str], Any]
) -> None:
    """The generator's own faults (duplicates, late scans, EasyPost webhooks, recycled numbers)."""
    faults = FaultRates(duplicate=0.1, late=0.1, recycled_number=0.3)
    records = list(generate(SimConfig(seed=4, orders=150, days=100, faults=faults)))
    by_services = make_merchant("Simulated, through the services").merchant_id
    by_bulk = make_merchant("Simulated, in bulk").merchant_id

    refused = replay_through_services(db, by_services, records)
    report = bulk.load(db, by_bulk, records, chunk_orders=20)

    expected = derived_state(db, by_services)
    assert derived_state(db, by_bulk) == expected
    assert dict(report.refused) == dict(refused)
    assert report.webhooks > 0 and report.duplicates > 0
    assert max(Counter(number for _order, number in expected["shipments"]).values()) > 1


def test_chunk_size_does_not_change_what_is_loaded(db: Database, make_merchant: Callable[[str], Any]) -> None:
    records = synthetic_stream(120, seed=3)
    one_chunk = make_merchant("One chunk").merchant_id
    many_chunks = make_merchant("Many chunks").merchant_id
    bulk.load(db, one_chunk, records, chunk_orders=10_000)
    bulk.load(db, many_chunks, records, chunk_orders=5)
    assert derived_state(db, many_chunks) == derived_state(db, one_chunk)


def iter_once(records: list[Record]) -> Iterator[Record]:
    yield from records


def test_bulk_load_reads_the_stream_once(db: Database, make_merchant: Callable[[str], Any]) -> None:
    """The CLI hands the generator itself: a single pass, never a list."""
    records = synthetic_stream(40, seed=5)
    tenant = make_merchant("Streamed").merchant_id
    report = bulk.load(db, tenant, iter_once(records), chunk_orders=8)
    assert report.orders == len({r["order"]["number"] for r in records if r["kind"] == "order"})
    assert report.records == len(records)


def test_the_worker_makes_the_promises_a_bulk_load_leaves_out(
    db: Database, make_merchant: Callable[[str], Any]
) -> None:
    """Every loaded shipment is due for a check, and the check writes its promise and its order's."""
    tenant = make_merchant("Promised later").merchant_id
    bulk.load(db, tenant, synthetic_stream(30, seed=9))
    with db.uow(write=False) as uow:
        shipments = uow.session.scalars(select(Shipment).where(Shipment.merchant_id == tenant)).all()
        assert shipments and all(s.edd_latest is None and s.next_check_at is not None for s in shipments)
    shipment_checks.run_checks(db, datetime.now(UTC), limit=1000)
    with db.uow(write=False) as uow:
        shipments = uow.session.scalars(select(Shipment).where(Shipment.merchant_id == tenant)).all()
        orders = uow.session.scalars(
            select(Order).where(Order.merchant_id == tenant, Order.confirmed_at.is_not(None))
        ).all()
        assert all(s.edd_latest is not None and s.promised_latest is not None for s in shipments)
        assert all(o.edd_latest is not None for o in orders)
