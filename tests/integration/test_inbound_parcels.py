"""A supplier's parcels are tracking parcels: registered with the outbound checks (carrier,
check digit, a number still travelling), claiming scans that came first, moved by ingest like
any parcel, and never found by a shopper's lookup; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ordertrack.carriers.tracking_numbers import InvalidTrackingNumber
from ordertrack.db.uow import Database
from ordertrack.events import ParcelStatusChanged
from ordertrack.fulfilment import shipping
from ordertrack.kit.ids import new_id
from ordertrack.purchasing import inbound
from ordertrack.shipments.rules import TrackingNumberInUse
from ordertrack.shipments.schemas import ShipmentIn
from ordertrack.suppliers import purchase_orders as pos
from ordertrack.suppliers.model import InboundShipment, InboundShipmentLine, PurchaseOrderLine
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking import service as tracking_service
from ordertrack.tracking.model import Parcel
from ordertrack.tracking.timeline import TrackingNotFound
from tests.integration.scenario import event, ingest, lookup, place_order, ship
from tests.integration.test_purchase_orders import draft, setup

NOW = datetime.now(UTC).replace(microsecond=0)
UPS = "1Z999AA10123456784"
UPS_BAD_CHECK = "1Z999AA10123456785"
USPS = "9400111899223100000000"


def sent_purchase_order(db: Database, merchant_id: str) -> str:
    """The test PO (100 tents and 10 mugs to EAST, from Kessler in Munich), sent."""
    po_id = draft(db, merchant_id, setup(db, merchant_id))
    with db.uow() as uow:
        pos.send_purchase_order(uow, merchant_id, po_id)
        uow.commit()
    return po_id


def new_inbound(
    db: Database, merchant_id: str, po_id: str, seq: int = 1, *, units: int = 0, **columns: object
) -> str:
    """An ASN row with ``units`` of the PO's first line (declaring is another part's; these tests
    need the row)."""
    with db.uow() as uow:
        po = pos.find_purchase_order(uow, merchant_id, po_id)
        first = uow.session.scalars(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.purchase_order_id == po.id)
            .order_by(PurchaseOrderLine.line_no)
        ).first()
        row = InboundShipment(
            id=new_id("ibs"),
            merchant_id=merchant_id,
            purchase_order_id=po_id,
            seq=seq,
            number=f"PO-7-{seq}",
            carrier=None,
            status="declared",
            declared_by="api",
            created_at=NOW,
            updated_at=NOW,
            **columns,
        )
        uow.session.add(row)
        if units:
            uow.session.add(
                InboundShipmentLine(
                    id=new_id("isl"),
                    merchant_id=merchant_id,
                    inbound_shipment_id=row.id,
                    purchase_order_line_id=first.id,
                    sku=first.sku,
                    quantity=units,
                )
            )
        uow.commit()
        return row.id


def add(db: Database, merchant_id: str, inbound_id: str, parcels: list[tuple[str, str | None]]) -> list[str]:
    with db.uow() as uow:
        ids = inbound.add_inbound_parcels(uow, merchant_id, inbound_id, parcels, now=NOW)
        uow.commit()
        return ids


def parcels_of(db: Database, inbound_id: str) -> list[Parcel]:
    with db.uow(write=False) as uow:
        return list(
            uow.session.scalars(
                select(Parcel).where(Parcel.inbound_shipment_id == inbound_id).order_by(Parcel.seq)
            )
        )


class TestCheckingInboundNumbers:
    def test_named_carriers_are_checked_and_missing_ones_detected(self) -> None:
        checked = inbound.check_inbound_numbers(
            [("1z999aa1 0123456784", "ups"), (USPS, None), ("AB-77", "van")]
        )
        assert checked == [(UPS, "ups"), (USPS, "usps"), ("AB-77", "van")]

    def test_a_bad_check_digit_is_refused_named_or_detected(self) -> None:
        for carrier in ("ups", None):
            with pytest.raises(InvalidTrackingNumber) as refused:
                inbound.check_inbound_numbers([(UPS_BAD_CHECK, carrier)])
            assert (refused.value.code, refused.value.status_code) == ("invalid_tracking_number", 422)
            assert refused.value.reason == "check digit does not match"

    def test_a_number_of_no_known_form_needs_its_carrier(self) -> None:
        with pytest.raises(inbound.CarrierNotDetected) as refused:
            inbound.check_inbound_numbers([("XYZ123", None)])
        assert (refused.value.code, refused.value.status_code) == ("carrier_not_detected", 422)
        assert inbound.check_inbound_numbers([("XYZ123", "local_courier")]) == [("XYZ123", "local_courier")]

    def test_a_number_two_carriers_can_own_is_not_guessed(self) -> None:
        with pytest.raises(inbound.CarrierAmbiguous) as refused:
            inbound.check_inbound_numbers([("475067752083", None)])
        assert refused.value.details["carriers"] == ["fedex", "purolator"]
        assert inbound.check_inbound_numbers([("475067752083", "fedex")]) == [("475067752083", "fedex")]

    def test_unreadable_and_repeated_numbers_are_refused(self) -> None:
        with pytest.raises(InvalidTrackingNumber):
            inbound.check_inbound_numbers([("a", None)])
        with pytest.raises(inbound.DuplicateTrackingNumber) as refused:
            inbound.check_inbound_numbers([(UPS, "ups"), ("1z999aa10123456784", None)])
        assert (refused.value.code, refused.value.status_code) == ("duplicate_tracking_number", 422)


def test_parcels_are_registered_on_the_inbound_shipment(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    inbound_id = new_inbound(db, m, sent_purchase_order(db, m))
    ids = add(db, m, inbound_id, [(UPS, None), (USPS, "usps")])
    more = add(db, m, inbound_id, [("AB-77", "van")])
    rows = parcels_of(db, inbound_id)
    assert [p.id for p in rows] == [*ids, *more]
    assert [(p.seq, p.tracking_number, p.carrier, p.status) for p in rows] == [
        (1, UPS, "ups", "pending"),
        (2, USPS, "usps", "pending"),
        (3, "AB-77", "van", "pending"),
    ]
    assert all(p.shipment_id is None and p.merchant_id == m for p in rows)


def test_a_refused_number_writes_nothing(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    inbound_id = new_inbound(db, m, sent_purchase_order(db, m))
    with db.uow() as uow, pytest.raises(InvalidTrackingNumber):
        inbound.add_inbound_parcels(uow, m, inbound_id, [(UPS, None), (UPS_BAD_CHECK, None)], now=NOW)
    assert parcels_of(db, inbound_id) == []


def test_a_number_still_travelling_either_way_is_taken(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    ship(db, m, place_order(db, m), "AB-1")  # an outbound parcel, carrier acme_post (before stock is kept)
    po_id = sent_purchase_order(db, m)
    first = new_inbound(db, m, po_id, 1)
    with db.uow() as uow, pytest.raises(inbound.InboundNumberInUse) as refused:
        inbound.add_inbound_parcels(uow, m, first, [("AB-1", "acme_post")], now=NOW)
    assert (refused.value.code, refused.value.status_code) == ("tracking_number_in_use", 409)
    add(db, m, first, [("AB-2", "acme_post")])
    second = new_inbound(db, m, po_id, 2)
    with db.uow() as uow, pytest.raises(inbound.InboundNumberInUse):
        inbound.add_inbound_parcels(uow, m, second, [("AB-2", "acme_post")], now=NOW)
    # Shipping an order with a supplier's number still travelling is the same typo.
    order_id = place_order(db, m, "1002")
    with db.uow() as uow, pytest.raises(TrackingNumberInUse):
        shipping.create_shipment(
            uow,
            m,
            order_id,
            ShipmentIn(carrier="acme_post", tracking_number="AB-2", warehouse="EAST"),
            recycle_window=timedelta(days=60),
        )
    # Another merchant's parcels are no clash.
    other = make_merchant("Other Shop").merchant_id
    add(db, other, new_inbound(db, other, sent_purchase_order(db, other)), [("AB-2", "acme_post")])


def test_scans_that_came_first_are_claimed_and_later_ones_move_the_parcel(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    inbound_id = new_inbound(db, m, sent_purchase_order(db, m))
    ingest(db, m, [event("AB-9", NOW - timedelta(hours=6), "info_received")])
    ingest(db, m, [event("AB-9", NOW - timedelta(hours=4), "in_transit")])
    [parcel_id] = add(db, m, inbound_id, [("AB-9", "acme_post")])
    [row] = parcels_of(db, inbound_id)
    assert (row.id, row.status, row.event_count) == (parcel_id, "in_transit", 2)

    with db.uow() as uow:
        tracking_service.ingest_events(
            uow,
            m,
            [event("AB-9", NOW - timedelta(hours=1), "delivered")],
            received_at=NOW,
            recycle_window=timedelta(days=60),
        )
        changed = [e for e in uow.events if isinstance(e, ParcelStatusChanged)]
        assert changed == [ParcelStatusChanged(m, parcel_id, None, "in_transit", "delivered", inbound_id)]
        uow.commit()  # the outbound handlers leave an inbound parcel alone
    [row] = parcels_of(db, inbound_id)
    assert (row.status, row.event_count) == ("delivered", 3)


def test_no_public_lookup_finds_an_inbound_parcel(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    inbound_id = new_inbound(db, m, sent_purchase_order(db, m))
    [parcel_id] = add(db, m, inbound_id, [("AB-5", "acme_post")])
    ingest(db, m, [event("AB-5", NOW - timedelta(hours=2), "in_transit")])
    with db.uow(write=False) as uow:
        assert tracking_parcels.parcel_for_tracking_link(uow, parcel_id) is None
        assert tracking_parcels.newest_parcel_with_number(uow, "AB-5") is None
        assert tracking_parcels.newest_parcel_with_number(uow, "AB-5", m) is None
        assert tracking_parcels.merchants_holding_number(uow, "AB-5") == 0
        assert tracking_parcels.shipment_ids_with_number(uow, m, "AB-5") == []
    # The merchant's own API lookup answers it as what it is: a supplier's parcel, no order.
    found = lookup(db, m, "AB-5")
    assert (found.matched, found.status, found.order, found.shipment_id) == (True, "in_transit", None, None)
    assert (found.inbound_shipment_id, found.event_count) == (inbound_id, 1)
    other = make_merchant("Other Shop").merchant_id
    with pytest.raises(TrackingNotFound):
        lookup(db, other, "AB-5")
