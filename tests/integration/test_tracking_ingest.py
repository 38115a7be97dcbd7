"""Ingest on a real database (SQLite and PostgreSQL): idempotency, matching, derivation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.tracking.model import Parcel, TrackingEvent
from ordertrack.tracking.status import EventFact, derive_tracking_state
from tests.integration.scenario import event, ingest, lookup, order, place_order, ship, shipment

NOW = datetime.now(UTC).replace(microsecond=0)


def test_the_same_event_twice_is_stored_once(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    scan = event("1Z001", NOW - timedelta(hours=3), "in_transit", event_id="ev-1")
    first = ingest(db, tenant.merchant_id, [scan, scan])
    again = ingest(db, tenant.merchant_id, [scan])
    assert (first.accepted, first.duplicates) == (1, 1)
    assert (again.accepted, again.duplicates) == (0, 1)
    with db.uow(write=False) as uow:
        assert len(uow.session.scalars(select(TrackingEvent)).all()) == 1


def test_events_without_carrier_id_are_identified_by_their_content(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    at = NOW - timedelta(hours=3)
    loc = {"city": "Louisville", "country": "US"}
    same = [
        event("1Z002", at, "in_transit", location=loc),
        event("1Z002", at, "in_transit", location={**loc, "city": "LOUISVILLE"}),
    ]
    other_place = event("1Z002", at, "in_transit", location={"city": "Memphis", "country": "US"})
    result = ingest(db, tenant.merchant_id, [*same, other_place])
    assert (result.accepted, result.duplicates) == (2, 1)


def test_bad_event_is_rejected_alone(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    good = event("1Z003", NOW - timedelta(hours=1), "in_transit")
    naive = {**good, "occurred_at": "2026-11-01T10:00:00"}
    unknown = {**good, "status": "teleported"}
    result = ingest(db, tenant.merchant_id, [naive, good, unknown])
    assert result.accepted == 1
    assert [r.index for r in result.rejected] == [0, 2]
    assert [r.code for r in result.rejected] == ["invalid_event", "invalid_event"]
    assert "occurred_at" in result.rejected[0].message
    assert "status" in result.rejected[1].message


def test_every_stored_event_keeps_its_raw_input(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    scan = event("1z 004", NOW - timedelta(hours=1), "in_transit", description="Arrived at facility")
    ingest(db, tenant.merchant_id, [scan])
    with db.uow(write=False) as uow:
        stored = uow.session.scalars(select(TrackingEvent)).one()
    assert stored.raw == scan
    assert stored.tracking_number == "1Z004"


def test_unmatched_events_attach_when_the_shipment_is_created(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    ingest(
        db,
        tenant.merchant_id,
        [
            event("1Z005", NOW - timedelta(hours=5), "info_received"),
            event("1Z005", NOW - timedelta(hours=2), "in_transit"),
        ],
    )
    before = lookup(db, tenant.merchant_id, "1Z005")
    assert (before.matched, before.status, before.order) == (False, "in_transit", None)

    order_id = place_order(db, tenant.merchant_id)
    shipment_id = ship(db, tenant.merchant_id, order_id, "1Z005")
    after = lookup(db, tenant.merchant_id, "1Z005")
    assert (after.matched, after.status, after.shipment_id) == (True, "in_transit", shipment_id)
    assert after.event_count == 2
    assert shipment(db, tenant.merchant_id, shipment_id).status == "in_transit"


def test_event_much_older_than_the_shipment_is_not_attached(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    order_id = place_order(db, tenant.merchant_id)
    ancient = event("1Z006", NOW - timedelta(days=90), "delivered")
    ingest(db, tenant.merchant_id, [ancient])
    shipment_id = ship(db, tenant.merchant_id, order_id, "1Z006")
    assert shipment(db, tenant.merchant_id, shipment_id).status == "pending"
    ingest(db, tenant.merchant_id, [event("1Z006", NOW - timedelta(days=61), "in_transit", event_id="old")])
    assert shipment(db, tenant.merchant_id, shipment_id).status == "pending"
    ingest(db, tenant.merchant_id, [event("1Z006", NOW - timedelta(days=59), "in_transit")])
    assert shipment(db, tenant.merchant_id, shipment_id).status == "in_transit"


def test_recycled_number_events_go_to_the_newest_parcel_they_fit(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    first_order = place_order(db, tenant.merchant_id, "A-1")
    old_shipment = ship(db, tenant.merchant_id, first_order, "1Z007")
    ingest(db, tenant.merchant_id, [event("1Z007", NOW - timedelta(days=1), "delivered")])
    # The old parcel was registered long ago: pretend 200 days have passed since.
    with db.uow() as uow:
        uow.session.execute(update(Parcel).values(created_at=NOW - timedelta(days=200)))
        uow.session.execute(update(TrackingEvent).values(occurred_at=NOW - timedelta(days=199)))
        uow.commit()
    second_order = place_order(db, tenant.merchant_id, "A-2")
    new_shipment = ship(db, tenant.merchant_id, second_order, "1Z007")
    ingest(db, tenant.merchant_id, [event("1Z007", NOW - timedelta(hours=1), "in_transit")])
    assert shipment(db, tenant.merchant_id, old_shipment).status == "delivered"
    assert shipment(db, tenant.merchant_id, new_shipment).status == "in_transit"
    assert lookup(db, tenant.merchant_id, "1Z007").shipment_id == new_shipment


def test_late_in_transit_scan_does_not_reopen_delivered_order(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    order_id = place_order(db, tenant.merchant_id)
    ship(db, tenant.merchant_id, order_id, "1Z008")
    ingest(db, tenant.merchant_id, [event("1Z008", NOW - timedelta(hours=2), "delivered")])
    ingest(db, tenant.merchant_id, [event("1Z008", NOW - timedelta(hours=1), "in_transit")])
    assert order(db, tenant.merchant_id, order_id).status == "delivered"
    ingest(
        db, tenant.merchant_id, [event("1Z008", NOW - timedelta(minutes=30), "exception", reason="damaged")]
    )
    shipment_checks.run_checks(db, datetime.now(UTC))  # the new scan made it due: an exception item
    view = order(db, tenant.merchant_id, order_id)
    assert (view.status, view.attention) == ("shipped", True)
    assert view.shipments[0].reason == "damaged"


@pytest.mark.parametrize("seed", range(4))
def test_stored_state_equals_derivation_from_all_events_whatever_the_arrival(
    db: Database, make_merchant, seed: int
) -> None:
    rng = random.Random(seed)
    tenant = make_merchant()
    order_id = place_order(db, tenant.merchant_id)
    ship(db, tenant.merchant_id, order_id, "1Z009")
    statuses = [
        "info_received",
        "in_transit",
        "in_transit",
        "out_for_delivery",
        "failed_attempt",
        "delivered",
        "exception",
        "returning",
    ]
    events = [
        event("1Z009", NOW - timedelta(hours=rng.randint(1, 300)), rng.choice(statuses), event_id=f"e{i}")
        for i in range(30)
    ]
    rng.shuffle(events)
    for start in range(0, len(events), 4):
        batch = events[start : start + 4] + rng.sample(events, 2)  # replays mixed in
        ingest(db, tenant.merchant_id, batch)
    with db.uow(write=False) as uow:
        stored = uow.session.scalars(select(TrackingEvent)).all()
        parcel = uow.session.scalars(select(Parcel)).one()
    expected = derive_tracking_state(
        EventFact(e.occurred_at, e.status, e.reason, e.dedupe_key) for e in stored
    )
    assert len(stored) == 30
    assert (parcel.status, parcel.reason, parcel.delivered_at, parcel.event_count) == (
        expected.status,
        expected.reason,
        expected.delivered_at,
        expected.event_count,
    )
    view = lookup(db, tenant.merchant_id, "1Z009")
    times = [e.occurred_at for e in view.events]
    assert times == sorted(times)


def test_one_merchants_events_never_attach_to_anothers_parcel(db: Database, make_merchant) -> None:
    alice, bob = make_merchant("Alice"), make_merchant("Bob")
    order_id = place_order(db, alice.merchant_id)
    shipment_id = ship(db, alice.merchant_id, order_id, "1Z010")
    ingest(db, bob.merchant_id, [event("1Z010", NOW - timedelta(hours=1), "delivered")])
    assert shipment(db, alice.merchant_id, shipment_id).status == "pending"
    assert lookup(db, bob.merchant_id, "1Z010").matched is False


def test_every_field_of_an_event_is_stored_as_sent(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    sent = event(
        "1Z011",
        datetime(2026, 11, 3, 14, 5, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=-6))),
        "exception",
        reason="weather",
        code="WX",
        description="Delayed: severe weather",
        source="carrier_webhook",
        event_id="evt-77",
        location={
            "city": "Memphis",
            "region": "TN",
            "postal_code": "38118",
            "country": "us",
            "latitude": 35.04,
            "longitude": -89.98,
            "timezone": "America/Chicago",
        },
    )
    bare = event("1Z011", datetime(2026, 11, 3, 20, 0, tzinfo=UTC), "in_transit")
    ingest(db, tenant.merchant_id, [sent, bare])
    with db.uow(write=False) as uow:
        full, minimal = uow.session.scalars(select(TrackingEvent).order_by(TrackingEvent.occurred_at)).all()
    assert (full.merchant_id, full.parcel_id, full.tracking_number, full.carrier, full.source) == (
        tenant.merchant_id,
        None,
        "1Z011",
        "acme_post",
        "carrier_webhook",
    )
    assert (full.event_id, full.status, full.reason, full.code, full.description) == (
        "evt-77",
        "exception",
        "weather",
        "WX",
        "Delayed: severe weather",
    )
    assert full.occurred_at == datetime(2026, 11, 3, 14, 5, 30, tzinfo=UTC)
    assert (full.utc_offset_minutes, full.timezone) == (-360, "America/Chicago")
    assert (full.city, full.region, full.postal_code, full.country) == ("Memphis", "TN", "38118", "US")
    assert (full.latitude, full.longitude) == (35.04, -89.98)
    assert full.received_at.tzinfo is not None and len(full.dedupe_key) == 64
    assert full.raw == sent
    assert (minimal.event_id, minimal.reason, minimal.city, minimal.latitude, minimal.timezone) == (None,) * 5
    assert minimal.utc_offset_minutes == 0


def _wide_text(rng: random.Random, length: int) -> str:
    """Characters of 4 bytes in UTF-8, random so that no compression can shrink them."""
    return "".join(chr(rng.randrange(0x20000, 0x2A6DF)) for _ in range(length))


def test_the_widest_event_the_schema_allows_is_stored_and_shown(db: Database, make_merchant) -> None:
    """Every text at its length limit in 4-byte characters: the description is shortened to fit
    the timeline index's entry, everything else is stored as sent."""
    tenant = make_merchant()
    rng = random.Random(8)
    order_id = place_order(db, tenant.merchant_id)
    carrier = "c" * 40
    ship(db, tenant.merchant_id, order_id, "WIDE-" + "9" * 59, carrier=carrier)
    widest = event(
        "WIDE-" + "9" * 59,
        NOW - timedelta(hours=1),
        "exception",
        carrier=carrier,
        event_id=_wide_text(rng, 128),
        code=_wide_text(rng, 64),
        reason="r" * 64,
        source="s" * 32,
        description=_wide_text(rng, 500),
        location={
            "city": _wide_text(rng, 120),
            "region": _wide_text(rng, 120),
            "postal_code": _wide_text(rng, 20),
            "country": "US",
            "timezone": "America/Argentina/ComodRivadavia",
        },
    )
    result = ingest(db, tenant.merchant_id, [widest])
    assert (result.accepted, result.rejected) == (1, [])
    with db.uow(write=False) as uow:
        stored = uow.session.scalars(select(TrackingEvent)).one()
    loc = widest["location"]
    assert (stored.event_id, stored.code, stored.city, stored.region, stored.postal_code) == (
        widest["event_id"],
        widest["code"],
        loc["city"],
        loc["region"],
        loc["postal_code"],
    )
    texts = (stored.event_id, stored.code, stored.city, stored.region, stored.postal_code, stored.description)
    assert sum(len(text.encode()) for text in texts) <= 2000
    assert stored.description.endswith("\u2026")
    assert widest["description"].startswith(stored.description[:-1])
    assert stored.raw == widest
    shown = lookup(db, tenant.merchant_id, widest["tracking_number"])
    assert [e.description for e in shown.events] == [stored.description]


def test_a_description_that_fits_is_kept_whole(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    rng = random.Random(9)
    ascii_long = event(
        "1Z901", NOW - timedelta(hours=2), "in_transit", description="x" * 500, event_id="e" * 128
    )
    wide_short = event("1Z902", NOW - timedelta(hours=2), "in_transit", description=_wide_text(rng, 300))
    ingest(db, tenant.merchant_id, [ascii_long, wide_short])
    with db.uow(write=False) as uow:
        stored = dict(
            uow.session.execute(select(TrackingEvent.tracking_number, TrackingEvent.description)).all()
        )
    assert stored == {"1Z901": "x" * 500, "1Z902": wide_short["description"]}
