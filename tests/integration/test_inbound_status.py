"""An inbound shipment's status and expected arrival follow its parcels' tracking, its carrier's
estimates, its lane's history and the dock's counts; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from ordertrack.db.uow import Database
from ordertrack.eta import service as eta_service
from ordertrack.events import CarrierEstimateChanged, InboundShipmentStatusChanged
from ordertrack.purchasing import inbound
from ordertrack.suppliers.model import InboundShipment, InboundShipmentLine
from tests.integration.scenario import event, ingest
from tests.integration.test_inbound_parcels import NOW, add, new_inbound, sent_purchase_order

WAREHOUSE_ZONE = ZoneInfo("America/Chicago")  # the test warehouse's (tests.integration.test_inventory)
TODAY = NOW.astimezone(WAREHOUSE_ZONE).date()  # its today: expected arrivals are its days


def asn(db: Database, merchant_id: str, inbound_id: str) -> InboundShipment:
    with db.uow(write=False) as uow:
        return uow.session.get_one(InboundShipment, inbound_id)


def rederive(db: Database, merchant_id: str, inbound_id: str, now=NOW) -> list[object]:
    """Derive again and return what was recorded."""
    with db.uow() as uow:
        inbound.rederive_inbound_shipments(uow, merchant_id, [inbound_id], now)
        recorded = list(uow.events)
        uow.commit()
    return recorded


def test_the_status_follows_the_parcels_through_ingest(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_purchase_order(db, m)
    inbound_id = new_inbound(db, m, po_id, units=60, expected_arrival_date=TODAY + timedelta(days=20))
    add(db, m, inbound_id, [("AB-11", "acme_post"), ("AB-12", "acme_post")])
    # Declared, nothing moved: the declared date, as told before, so nothing is recorded.
    assert rederive(db, m, inbound_id) == []
    row = asn(db, m, inbound_id)
    assert (row.arrival_estimate, row.arrival_basis) == (TODAY + timedelta(days=20), "declared")

    ingest(db, m, [event("AB-11", NOW - timedelta(hours=5), "in_transit")])
    row = asn(db, m, inbound_id)
    assert (row.status, row.arrived_at) == ("in_transit", None)
    assert (row.arrival_estimate, row.arrival_basis) == (TODAY + timedelta(days=20), "declared")

    first = NOW - timedelta(hours=3)
    last = NOW - timedelta(hours=1)
    ingest(db, m, [event("AB-11", first, "delivered"), event("AB-12", NOW - timedelta(hours=4), "exception")])
    assert asn(db, m, inbound_id).status == "exception"
    ingest(db, m, [event("AB-12", last, "delivered")])
    row = asn(db, m, inbound_id)
    assert (row.status, row.arrived_at, row.arrival_basis) == ("arrived", last, "arrived")
    assert row.arrival_estimate == last.astimezone(WAREHOUSE_ZONE).date()  # the warehouse's day


def test_what_changed_is_recorded_once(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_purchase_order(db, m)
    inbound_id = new_inbound(db, m, po_id, units=60, expected_arrival_date=TODAY + timedelta(days=9))
    [parcel_id] = add(db, m, inbound_id, [("AB-21", "acme_post")])
    assert rederive(db, m, inbound_id) == []
    with db.uow() as uow:
        eta_service.record_estimate(
            uow,
            m,
            parcel_id,
            earliest=TODAY + timedelta(days=11),
            latest=TODAY + timedelta(days=12),
            source="carrier:acme_post",
            reason="the carrier's estimate",
            recorded_at=NOW,
        )
        uow.commit()
    [moved] = rederive(db, m, inbound_id)
    assert (moved.cause, moved.skus) == ("supplier_delay", ("TENT-2P",))
    row = asn(db, m, inbound_id)
    assert (row.arrival_estimate, row.arrival_basis) == (TODAY + timedelta(days=12), "carrier")
    with db.uow(write=False) as uow:
        assert inbound.expected_arrival(uow, m, [inbound_id, "ibs_unknown"]) == {
            inbound_id: TODAY + timedelta(days=12),
            "ibs_unknown": None,
        }
    assert rederive(db, m, inbound_id) == []  # the same facts: nothing new


def test_a_carrier_estimate_event_about_an_inbound_parcel_rederives_it(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    inbound_id = new_inbound(db, m, sent_purchase_order(db, m), units=5)
    [parcel_id] = add(db, m, inbound_id, [("AB-31", "acme_post")])
    with db.uow() as uow:
        eta_service.record_estimate(
            uow,
            m,
            parcel_id,
            earliest=TODAY + timedelta(days=3),
            latest=TODAY + timedelta(days=4),
            source="carrier:acme_post",
            reason="the carrier's estimate",
            recorded_at=NOW,
        )
        uow.record(CarrierEstimateChanged(m, parcel_id, None, NOW, inbound_id))
        uow.commit()  # the outbound promise handler leaves it alone; purchasing derives it
    row = asn(db, m, inbound_id)
    assert (row.arrival_estimate, row.arrival_basis) == (TODAY + timedelta(days=4), "carrier")


def test_a_lane_that_never_kept_the_declared_date_is_believed_instead(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_purchase_order(db, m)
    # Three earlier notices of this supplier to this warehouse took 9, 10 and 10 days.
    for seq, took in ((1, 9), (2, 10), (3, 10)):
        old = new_inbound(db, m, po_id, seq, units=1)
        with db.uow() as uow:
            uow.session.execute(
                update(InboundShipment)
                .where(InboundShipment.id == old)
                .values(
                    created_at=NOW - timedelta(days=40 + took),
                    arrived_at=NOW - timedelta(days=40),
                    status="received",
                )
            )
            uow.commit()
    declared = TODAY + timedelta(days=3)
    inbound_id = new_inbound(db, m, po_id, 4, units=5, expected_arrival_date=declared)
    rederive(db, m, inbound_id)
    row = asn(db, m, inbound_id)
    assert (row.arrival_estimate, row.arrival_basis) == (
        row.created_at.astimezone(WAREHOUSE_ZONE).date() + timedelta(days=10),
        "learned",
    )


def test_a_date_gone_by_is_expected_today_not_in_the_past(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    inbound_id = new_inbound(
        db, m, sent_purchase_order(db, m), units=5, expected_arrival_date=date(2020, 1, 1)
    )
    rederive(db, m, inbound_id)
    assert asn(db, m, inbound_id).arrival_estimate == TODAY


def test_counts_and_cancelling_decide_over_the_parcels(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_purchase_order(db, m)
    inbound_id = new_inbound(db, m, po_id, units=10)
    add(db, m, inbound_id, [("AB-41", "acme_post")])
    with db.uow() as uow:
        uow.session.execute(
            update(InboundShipmentLine)
            .where(InboundShipmentLine.inbound_shipment_id == inbound_id)
            .values(received_quantity=6, damaged_quantity=1)
        )
        uow.commit()
    [changed, *_] = rederive(db, m, inbound_id)
    assert changed == InboundShipmentStatusChanged(
        m, po_id, inbound_id, "declared", "partially_received", NOW
    )
    with db.uow() as uow:
        uow.session.execute(
            update(InboundShipmentLine)
            .where(InboundShipmentLine.inbound_shipment_id == inbound_id)
            .values(received_quantity=8, damaged_quantity=2)
        )
        uow.commit()
    rederive(db, m, inbound_id)
    assert asn(db, m, inbound_id).status == "received"

    other = new_inbound(db, m, po_id, 2, units=3, expected_arrival_date=TODAY + timedelta(days=5))
    with db.uow() as uow:
        uow.session.execute(
            update(InboundShipment).where(InboundShipment.id == other).values(cancelled_at=NOW)
        )
        uow.commit()
    rederive(db, m, other)
    assert (asn(db, m, other).status, asn(db, m, other).arrival_estimate) == ("cancelled", None)
    with db.uow(write=False) as uow:
        assert inbound.expected_arrival(uow, m, [other]) == {other: None}


def test_the_same_scans_in_any_order_give_the_same_inbound_shipment(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_purchase_order(db, m)
    scans = [
        event("AC-1", NOW - timedelta(hours=30), "in_transit"),
        event("AC-2", NOW - timedelta(hours=20), "exception", reason="weather"),
        event("AC-1", NOW - timedelta(hours=10), "delivered"),
        event("AC-2", NOW - timedelta(hours=8), "in_transit"),
        event("AC-2", NOW - timedelta(hours=2), "delivered"),
    ]
    outcomes = set()
    for seq, order in enumerate(((0, 1, 2, 3, 4), (4, 3, 2, 1, 0), (2, 4, 0, 3, 1)), start=1):
        numbers = [f"AC-{seq}1", f"AC-{seq}2"]
        inbound_id = new_inbound(db, m, po_id, seq, units=5, expected_arrival_date=TODAY + timedelta(days=9))
        add(db, m, inbound_id, [(numbers[0], "acme_post"), (numbers[1], "acme_post")])
        for index in order:
            scan = scans[index]
            ingest(db, m, [{**scan, "tracking_number": f"AC-{seq}{scan['tracking_number'][-1]}"}])
        row = asn(db, m, inbound_id)
        outcomes.add((row.status, row.arrived_at, row.arrival_estimate, row.arrival_basis))
    last = NOW - timedelta(hours=2)
    assert outcomes == {("arrived", last, last.astimezone(WAREHOUSE_ZONE).date(), "arrived")}
