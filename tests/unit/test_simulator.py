"""The simulator's network, journeys and record stream: deterministic, plausible, and faulty on purpose."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import TypeAdapter

from ordertrack.carriers.registry import connector
from ordertrack.eta.calendar import calendar_for
from ordertrack.orders.schemas import OrderIn
from ordertrack.shipments.schemas import ShipmentIn
from ordertrack.simulate import journeys, network
from ordertrack.simulate.generator import SimConfig, generate
from ordertrack.simulate.journeys import FaultRates
from ordertrack.simulate.records import dumps, read_jsonl, write_jsonl
from ordertrack.tracking.schemas import UnifiedEventIn

EVENT = TypeAdapter(UnifiedEventIn)
NO_FAULTS = FaultRates(**dict.fromkeys(FaultRates.names(), 0.0))
START = datetime(2026, 9, 1, tzinfo=UTC)
# Every parcel reported as unified events (no carrier-format pushes).
UNIFIED: dict[str, float] = {"easypost_share": 0.0, "native_share": 0.0, "aftership_share": 0.0}


def run(orders: int = 300, seed: int = 4, **changes: object) -> list[dict]:
    return list(generate(replace(SimConfig(orders=orders, seed=seed, start=START, days=10), **changes)))


def scans(records: list[dict]) -> list[dict]:
    return [event for record in records if record["kind"] == "events" for event in record["events"]]


def test_the_same_seed_gives_the_same_stream_and_another_seed_another() -> None:
    first, again, other = run(seed=4), run(seed=4), run(seed=5)
    assert [dumps(r) for r in first] == [dumps(r) for r in again]
    assert [dumps(r) for r in first] != [dumps(r) for r in other]


def test_records_come_in_time_order_and_every_body_is_valid_input() -> None:
    records = run()
    times = [datetime.fromisoformat(r["at"]) for r in records]
    assert times == sorted(times)
    assert len({r["id"] for r in records}) == len(records)
    kinds = Counter(r["kind"] for r in records)
    assert kinds["order"] == kinds["shipment"] == 300 and kinds["events"] > 0 and kinds["webhook"] > 0
    orders = {r["order"]["number"] for r in records if r["kind"] == "order"}
    seen: set[str] = set()
    for record in records:
        if record["kind"] == "order":
            OrderIn.model_validate(record["order"])
            seen.add(record["order"]["number"])
        elif record["kind"] == "shipment":
            ShipmentIn.model_validate(record["shipment"])
            assert record["order_number"] in seen  # shipped after it was placed
        elif record["kind"] == "events":
            for event in record["events"]:
                EVENT.validate_python(event)
    assert seen == orders


def test_pushes_in_carrier_formats_read_cleanly_with_the_carriers_estimate() -> None:
    webhooks = [r for r in run(orders=400) if r["kind"] == "webhook"]
    assert {r["carrier"] for r in webhooks} == {
        "easypost",
        "aftership",
        "ups",
        "fedex",
        "usps",
        "dhl",
        "royalmail",
    }
    for record in webhooks:
        reading = connector(record["carrier"]).read(json.dumps(record["body"]).encode())
        assert not reading.messages
        (tracking,) = reading.trackings
        assert not tracking.messages, tracking.messages
        assert tracking.estimated_delivery is not None
        # The whole tracking again each time: at least the scans this push adds.
        assert len(tracking.events) >= len(record["event_ids"])


def test_without_faults_every_parcel_is_delivered_once_with_no_repeats() -> None:
    records = run(faults=NO_FAULTS, **UNIFIED)
    events = scans(records)
    ids = Counter(e["event_id"] for e in events)
    assert max(ids.values()) == 1
    delivered = Counter(e["tracking_number"] for e in events if e["status"] == "delivered")
    assert len(delivered) == 300 and set(delivered.values()) == {1}
    assert not [e for e in events if e["status"] in ("exception", "failed_attempt", "returning", "returned")]


def test_scan_faults_appear_at_their_rates() -> None:
    records = run(orders=400, faults=replace(NO_FAULTS, duplicate=0.2, late=0.2, missed_scan=0.2))
    events = scans(records)
    repeats = Counter(e["event_id"] for e in events)
    share_twice = sum(1 for n in repeats.values() if n == 2) / len(repeats)
    assert 0.15 < share_twice < 0.25
    # Missed: gaps in each parcel's scan positions (ids end in the position on the journey).
    positions: dict[str, set[int]] = {}
    for e in events:
        positions.setdefault(e["event_id"].rsplit("-", 1)[0], set()).add(int(e["event_id"].rsplit("-", 1)[1]))
    missing = sum(max(p) + 1 - len(p) for p in positions.values())
    total = sum(max(p) + 1 for p in positions.values())
    assert 0.12 < missing / total < 0.22
    # Late: some scans reach us after a later scan of the same parcel.
    out_of_order = 0
    last_seen: dict[str, str] = {}
    for e in events:
        number = e["tracking_number"]
        if number in last_seen and e["occurred_at"] < last_seen[number]:
            out_of_order += 1
        last_seen[number] = max(last_seen.get(number, ""), e["occurred_at"])
    assert out_of_order > 0.05 * len(repeats)


@pytest.mark.parametrize(
    ("fault", "status", "reason"),
    [
        ("failed_attempt", "failed_attempt", None),
        ("address_issue", "exception", "address_issue"),
        ("damaged", "exception", "damaged"),
        ("return_to_sender", "returned", None),
    ],
)
def test_parcel_faults_show_in_the_scans(fault: str, status: str, reason: str | None) -> None:
    events = scans(run(orders=60, faults=replace(NO_FAULTS, **{fault: 1.0}), **UNIFIED))
    hit = {
        e["tracking_number"]
        for e in events
        if e["status"] == status and (reason is None or e["reason"] == reason)
    }
    assert len(hit) >= 55


def test_a_failed_attempt_is_followed_by_a_redelivery() -> None:
    events = scans(run(orders=40, faults=replace(NO_FAULTS, failed_attempt=1.0), **UNIFIED))
    by_parcel: dict[str, list[str]] = {}
    for e in sorted(events, key=lambda e: datetime.fromisoformat(e["occurred_at"])):
        by_parcel.setdefault(e["tracking_number"], []).append(e["status"])
    for statuses in by_parcel.values():
        failed = statuses.index("failed_attempt")
        assert "out_for_delivery" in statuses[failed:] and statuses[-1] == "delivered"


def test_lost_parcels_go_silent_without_being_delivered() -> None:
    events = scans(run(orders=50, faults=replace(NO_FAULTS, lost=1.0), **UNIFIED))
    assert not [e for e in events if e["status"] in ("delivered", "out_for_delivery")]
    assert len({e["tracking_number"] for e in events}) == 50


def test_customs_holds_only_on_parcels_that_cross_a_border() -> None:
    records = run(orders=200, faults=replace(NO_FAULTS, customs_hold=1.0), **UNIFIED)
    held = {e["tracking_number"] for e in scans(records) if e.get("reason") == "customs_hold"}
    shipments = {
        r["shipment"]["tracking_number"]: r["order_number"] for r in records if r["kind"] == "shipment"
    }
    countries = {
        r["order"]["number"]: r["order"]["shipping_address"]["country"]
        for r in records
        if r["kind"] == "order"
    }
    origin = {"usps": "US", "ups": None, "fedex": None}
    assert held
    for record in records:
        if record["kind"] == "shipment" and record["shipment"]["tracking_number"] in held:
            destination = countries[record["order_number"]]
            assert origin.get(record["shipment"]["carrier"]) != destination
    assert len(held) < len(shipments)


def test_recycled_numbers_reuse_an_old_parcels_number_after_the_ingest_window() -> None:
    records = list(
        generate(
            SimConfig(
                orders=600, seed=2, start=START, days=120, faults=replace(NO_FAULTS, recycled_number=0.2)
            )
        )
    )
    shipped: dict[str, list[datetime]] = {}
    for record in records:
        if record["kind"] == "shipment":
            shipped.setdefault(record["shipment"]["tracking_number"], []).append(
                datetime.fromisoformat(record["at"])
            )
    reused = {number: times for number, times in shipped.items() if len(times) > 1}
    assert reused
    for times in reused.values():
        assert all(
            later - earlier > timedelta(days=60) for earlier, later in zip(times, times[1:], strict=False)
        )


def test_deliveries_and_pickups_happen_on_business_days_only() -> None:
    for e in scans(run(orders=300, faults=NO_FAULTS, **UNIFIED)):
        # Position 01 of every journey is the pickup at the warehouse.
        if e["status"] == "delivered" or e["event_id"].endswith("-01"):
            local = datetime.fromisoformat(e["occurred_at"])
            assert calendar_for(e["location"]["country"]).is_business_day(local.date()), e


def test_labels_respect_the_warehouse_cut_off() -> None:
    reno = network.warehouses()[0]
    rng = random.Random(1)
    tz = journeys.zone(reno.city.timezone)
    before = datetime(2026, 11, 18, 10, 0, tzinfo=tz)  # Wednesday, before the 14:00 cut-off
    after = datetime(2026, 11, 18, 15, 0, tzinfo=tz)
    friday_late = datetime(2026, 11, 20, 16, 0, tzinfo=tz)
    assert journeys.label_time(rng, reno, before).astimezone(tz).date() == before.date()
    assert journeys.label_time(rng, reno, after).astimezone(tz).date() == after.date() + timedelta(days=1)
    # Friday after the cut-off ships on Monday.
    assert journeys.label_time(rng, reno, friday_late).astimezone(tz).weekday() == 0


def test_hubs_are_real_cities_and_routes_cross_borders_through_gateways() -> None:
    reno, leipzig, _ = network.warehouses()
    assert reno.city.name == "Reno" and abs(reno.city.latitude - 39.5) < 0.2
    berlin = network.city("Berlin", "DE")
    stops = network.route(reno, berlin)
    customs = [hub for hub, clears in stops if clears]
    assert customs == [network.country("DE").gateway]
    assert all(not clears for _, clears in network.route(leipzig, berlin))
    assert network.distance_km(reno.city, berlin) == pytest.approx(8900, rel=0.05)


def test_jsonl_round_trip_and_bad_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    records = run(orders=20)
    path = tmp_path / "run.jsonl"
    assert write_jsonl(path, records) == len(records)
    assert list(read_jsonl(path)) == records
    path.write_text('{"kind": "order"}\n')
    with pytest.raises(ValueError, match="not a simulator record"):
        list(read_jsonl(path))
