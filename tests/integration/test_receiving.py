"""Receiving at the dock on a real database (SQLite and PostgreSQL): counts become ledger
receipts, line sums equal their receipts, over-receipts are kept and flagged, repeats count
once, backorders fill oldest order first."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ordertrack.db.uow import Database
from ordertrack.events import BackorderFilled, GoodsReceived, InboundExpectationChanged
from ordertrack.inventory.model import StockMovement
from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.ids import new_id
from ordertrack.purchasing import receiving as dock
from ordertrack.suppliers import counting, receipts, receiving
from ordertrack.suppliers import purchase_orders as pos
from ordertrack.suppliers.model import (
    InboundShipment,
    InboundShipmentLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
)
from ordertrack.suppliers.receiving import LineCount, Photo
from tests.integration.test_inventory import (
    MUG,
    TENT,
    assert_levels_equal_ledger,
    backordered,
    confirm,
    held,
    levels,
    place,
)
from tests.integration.test_purchase_orders import draft, setup

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60


def sent_po(db: Database, merchant_id: str) -> str:
    """PO-7 (100 tents, 10 mugs to EAST), sent to the supplier."""
    po_id = draft(db, merchant_id, setup(db, merchant_id))
    with db.uow() as uow:
        pos.send_purchase_order(uow, merchant_id, po_id)
        uow.commit()
    return po_id


def declare(db: Database, merchant_id: str, po_id: str, quantities: dict[str, int], seq: int = 1) -> str:
    """An ASN written straight to the model (declaring it is another part's work)."""
    with db.uow() as uow:
        po = pos.find_purchase_order(uow, merchant_id, po_id)
        asn = InboundShipment(
            id=new_id("ibs"),
            merchant_id=merchant_id,
            purchase_order_id=po_id,
            seq=seq,
            number=f"PO-7-{seq}",
            status="in_transit",
            declared_by="api",
            created_at=NOW,
            updated_at=NOW,
        )
        uow.session.add(asn)
        for line in po.lines:
            if line.sku in quantities:
                uow.session.add(
                    InboundShipmentLine(
                        id=new_id("ibl"),
                        merchant_id=merchant_id,
                        inbound_shipment_id=asn.id,
                        purchase_order_line_id=line.id,
                        sku=line.sku,
                        quantity=quantities[line.sku],
                    )
                )
                line.shipped_quantity += quantities[line.sku]
        uow.commit()
        return asn.id


def count_in(db: Database, merchant_id: str, *, asn: str | None = None, po: str | None = None, **kw):
    with db.uow() as uow:
        result = dock.receive(
            uow,
            merchant_id,
            inbound_shipment_ref=asn,
            purchase_order_ref=po,
            actor="staff:dock@example.com",
            now=NOW,
            **kw,
        )
        events = list(uow.events)
        uow.commit()
        return result, events


def line_sums(db: Database, merchant_id: str) -> None:
    """Every PO line's and ASN line's received/damaged equal the sums of its receipts, and every
    receipt's good units are its ledger movement's."""
    with db.uow(write=False) as uow:
        receipts = list(uow.session.scalars(select(Receipt).where(Receipt.merchant_id == merchant_id)))
        for line in uow.session.scalars(
            select(PurchaseOrderLine).where(PurchaseOrderLine.merchant_id == merchant_id)
        ):
            own = [r for r in receipts if r.purchase_order_line_id == line.id]
            assert line.received_quantity == sum(r.good_quantity for r in own)
            assert line.damaged_quantity == sum(r.damaged_quantity for r in own)
        for line in uow.session.scalars(
            select(InboundShipmentLine).where(InboundShipmentLine.merchant_id == merchant_id)
        ):
            own = [r for r in receipts if r.inbound_shipment_line_id == line.id]
            assert line.received_quantity == sum(r.good_quantity for r in own)
            assert line.damaged_quantity == sum(r.damaged_quantity for r in own)
        for receipt in receipts:
            if receipt.good_quantity:
                movement = uow.session.get(StockMovement, receipt.stock_movement_id)
                assert movement is not None and movement.kind == "receipt"
                assert (movement.sku, movement.on_hand_delta) == (receipt.sku, receipt.good_quantity)
            else:
                assert receipt.stock_movement_id is None


def test_receiving_98_good_and_2_damaged_stocks_98_records_2_and_fills_the_oldest_backorder(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    asn = declare(db, m, po_id, {TENT: 100})
    newer = place(db, m, "new", [(TENT, 60)], placed_at="2026-11-05T10:00:00Z")
    older = place(db, m, "old", [(TENT, 50)], placed_at="2026-11-01T10:00:00Z")
    confirm(db, m, newer)
    confirm(db, m, older)

    result, events = count_in(
        db,
        m,
        asn="po 7 1",
        counts=[LineCount(sku=TENT, good=98, damaged=2, note="2 crushed", photo=Photo(JPEG, "image/jpeg"))],
    )

    (line,) = result.lines
    assert (line.tally.good, line.tally.damaged, line.tally.outcome) == (98, 2, counting.CountOutcome.damaged)
    assert result.stock_after[TENT] == (98, 98)
    assert levels(db, m)[("EAST", TENT)] == (98, 98)
    # The older order is filled first, in full; the newer gets what is left.
    assert held(db, m, older) == {f"EAST:{TENT}": 50} and backordered(db, older) == {}
    assert backordered(db, newer) == {TENT: 12}
    assert [(e.order_id, e.quantity) for e in result.backorders_filled] == [(older, 50), (newer, 48)]
    assert [e for e in events if isinstance(e, GoodsReceived)][0].good == 98
    assert any(isinstance(e, InboundExpectationChanged) and e.cause == "stock_arrived" for e in events)
    assert any(isinstance(e, BackorderFilled) for e in events)

    with db.uow(write=False) as uow:
        po = pos.find_purchase_order(uow, m, po_id)
        assert po.status == "partially_received"
        found = receipts.discrepancies(uow, m, po)
        assert [(d.sku, d.missing, d.damaged, d.over, d.outcome) for d in found] == [
            (TENT, 0, 2, 0, counting.CountOutcome.damaged)
        ]
        assert found[0].notes == ["2 crushed"] and len(found[0].photo_receipt_ids) == 1
        assert uow.session.get(InboundShipment, asn).status == "received"
        photo, kind = receipts.receipt_photo(uow, m, found[0].photo_receipt_ids[0])
        assert (photo, kind) == (JPEG, "image/jpeg")
    line_sums(db, m)
    assert_levels_equal_ledger(db, m)


def test_a_double_scan_or_a_retried_request_counts_once(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    asn = declare(db, m, po_id, {TENT: 40, MUG: 10})
    counts = [LineCount(sku=TENT, good=40), LineCount(sku=MUG, good=9, count_id="scan-1")]
    first, _ = count_in(db, m, asn=asn, counts=counts, request_key="req-1")
    again, events = count_in(db, m, asn=asn, counts=counts, request_key="req-1")

    assert [line.duplicate for line in first.lines] == [False, False]
    assert [line.duplicate for line in again.lines] == [True, True]
    assert [line.receipt.id for line in again.lines] == [line.receipt.id for line in first.lines]
    assert not [e for e in events if isinstance(e, GoodsReceived)]
    assert levels(db, m)[("EAST", TENT)] == (40, 0)
    # Without a key the line's first count is the key: scanning it again changes nothing.
    no_key, _ = count_in(db, m, asn=asn, counts=[LineCount(sku=TENT, good=40)])
    assert no_key.lines[0].duplicate is False
    repeat, _ = count_in(db, m, asn=asn, counts=[LineCount(sku=TENT, good=40)])
    assert repeat.lines[0].duplicate is True
    assert levels(db, m)[("EAST", TENT)] == (80, 0)
    with db.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Receipt)) == 3
    line_sums(db, m)


def test_an_over_receipt_is_kept_as_counted_and_flagged(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    asn = declare(db, m, po_id, {MUG: 10})
    result, _ = count_in(db, m, asn=asn, counts=[LineCount(sku=MUG, good=13)])
    assert result.lines[0].tally.outcome == counting.CountOutcome.over
    assert levels(db, m)[("EAST", MUG)] == (13, 0)
    with db.uow(write=False) as uow:
        po = pos.find_purchase_order(uow, m, po_id)
        assert [(d.sku, d.over) for d in receipts.discrepancies(uow, m, po)] == [(MUG, 3)]
    line_sums(db, m)


def test_a_line_left_uncounted_on_a_counted_asn_is_missing(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    asn = declare(db, m, po_id, {TENT: 30, MUG: 10})
    count_in(db, m, asn=asn, counts=[LineCount(sku=TENT, good=25)])
    with db.uow(write=False) as uow:
        po = pos.find_purchase_order(uow, m, po_id)
        assert [(d.sku, d.missing) for d in receipts.discrepancies(uow, m, po)] == [(TENT, 5), (MUG, 10)]
        assert uow.session.get(InboundShipment, asn).status == "partially_received"


def test_goods_without_an_asn_are_counted_against_the_order(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    count_in(db, m, po="PO-7", counts=[LineCount(sku=TENT, good=100), LineCount(sku=MUG, good=10)])
    with db.uow(write=False) as uow:
        assert uow.session.get(PurchaseOrder, po_id).status == "received"
    line_sums(db, m)


@pytest.mark.parametrize(
    ("counts", "code"),
    [
        ([LineCount(sku=TENT, good=-1)], "invalid_count"),
        ([LineCount(sku=TENT, good=0, damaged=0)], "nothing_counted"),
        ([], "nothing_counted"),
        ([LineCount(sku="NOPE", good=1)], "unknown_line"),
        ([LineCount(line_id="ibl_nope", good=1)], "unknown_line"),
        ([LineCount(sku=TENT, good=1), LineCount(sku=TENT, good=2)], "duplicate_count"),
        ([LineCount(sku=TENT, good=1, photo=Photo(b"GIF89a....", "image/gif"))], "unsupported_photo_type"),
        ([LineCount(sku=TENT, good=1, photo=Photo(b"not a jpeg", "image/jpeg"))], "unsupported_photo_type"),
        (
            [
                LineCount(
                    sku=TENT, good=1, photo=Photo(JPEG + b"\x00" * receiving.MAX_PHOTO_BYTES, "image/jpeg")
                )
            ],
            "photo_too_large",
        ),
    ],
)
def test_bad_counts_are_refused_and_write_nothing(db: Database, make_merchant, counts, code) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    asn = declare(db, m, po_id, {TENT: 10})
    with pytest.raises(OrdertrackError) as refused:
        count_in(db, m, asn=asn, counts=counts)
    assert refused.value.code == code
    assert levels(db, m) == {}


def test_a_cancelled_order_or_a_draft_cannot_be_received(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    supplier = setup(db, m)
    po_id = draft(db, m, supplier)
    with pytest.raises(OrdertrackError) as refused:
        count_in(db, m, po=po_id, counts=[LineCount(sku=TENT, good=1)])
    assert refused.value.code == "purchase_order_not_sent"
    with db.uow() as uow:
        pos.cancel_purchase_order(uow, m, po_id)
        uow.commit()
    with pytest.raises(OrdertrackError) as refused:
        count_in(db, m, po=po_id, counts=[LineCount(sku=TENT, good=1)])
    assert refused.value.code == "purchase_order_cancelled"


def test_another_merchants_shipment_is_not_found(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    other = make_merchant("Other").merchant_id
    asn = declare(db, m, sent_po(db, m), {TENT: 10})
    with pytest.raises(OrdertrackError) as refused:
        count_in(db, other, asn=asn, counts=[LineCount(sku=TENT, good=1)])
    assert refused.value.code == "inbound_shipment_not_found"
    with db.uow(write=False) as uow, pytest.raises(OrdertrackError):
        dock.find_scanned(uow, other, "PO-7-1")
    with db.uow(write=False) as uow:
        assert dock.find_scanned(uow, m, " po-7-1 ").id == asn


count_steps = st.lists(
    st.tuples(
        st.sampled_from([TENT, MUG]),
        st.integers(min_value=0, max_value=30),
        st.integers(min_value=0, max_value=5),
        st.sampled_from(["a", "b", "c", None]),  # a few count ids: repeats are likely
    ).filter(lambda step: step[1] + step[2] > 0),
    min_size=1,
    max_size=8,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=count_steps)
def test_any_counts_and_repeats_keep_sums_equal_to_receipts_and_stock_to_the_ledger(
    db: Database, make_merchant, steps: list[tuple[str, int, int, str | None]]
) -> None:
    """Random counts, some repeated under the same id: each distinct count is stocked once, the
    line sums equal their receipts, levels equal the ledger, and nothing is ever negative."""
    m = make_merchant(f"Shop {new_id('t')}").merchant_id
    po_id = sent_po(db, m)
    asn = declare(db, m, po_id, {TENT: 40, MUG: 10})
    distinct: dict[tuple[str, str | None], int] = {}
    for sku, good, damaged, count_id in steps:
        count_in(db, m, asn=asn, counts=[LineCount(sku=sku, good=good, damaged=damaged, count_id=count_id)])
        distinct.setdefault((sku, count_id), good)
    stocked = {sku: sum(g for (s, _key), g in distinct.items() if s == sku) for sku in (TENT, MUG)}
    # A level is made by the first good unit; damaged units alone make none.
    on_hand = {sku: units for (_code, sku), (units, _reserved) in levels(db, m).items()}
    assert on_hand == {sku: units for sku, units in stocked.items() if units}
    line_sums(db, m)
    assert_levels_equal_ledger(db, m)


def test_a_scanned_order_number_opens_its_one_shipment_on_the_way_or_names_them(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    first = declare(db, m, po_id, {TENT: 50})
    with db.uow(write=False) as uow:
        assert dock.find_scanned(uow, m, "po 7").id == first
    declare(db, m, po_id, {TENT: 50}, seq=2)
    with db.uow(write=False) as uow, pytest.raises(OrdertrackError) as refused:
        dock.find_scanned(uow, m, "PO-7")
    assert "PO-7-1, PO-7-2" in refused.value.message
    count_in(db, m, asn=first, counts=[LineCount(sku=TENT, good=50)])
    with db.uow(write=False) as uow:
        assert dock.find_scanned(uow, m, "PO-7").number == "PO-7-2"
    count_in(db, m, asn="PO-7-2", counts=[LineCount(sku=TENT, good=50)])
    with db.uow(write=False) as uow:
        # Nothing on its way and mugs still expected: the order itself, for goods without a notice.
        assert isinstance(dock.find_scanned(uow, m, "PO-7"), PurchaseOrder)


def test_the_same_count_sent_from_two_devices_at_once_counts_once(db: Database, make_merchant) -> None:
    """Two scanners (or a retry racing its first try) send the same counts together: the order's
    row lock makes one wait, and it then finds the other's receipts."""
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    asn = declare(db, m, po_id, {TENT: 40, MUG: 10})
    counts = [
        LineCount(sku=TENT, good=40, count_id="pallet-1"),
        LineCount(sku=MUG, good=10, count_id="pallet-1"),
    ]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    duplicates: list[bool] = []

    def scan() -> None:
        try:
            barrier.wait()
            result, _events = count_in(db, m, asn=asn, counts=counts)
            duplicates.append(all(line.duplicate for line in result.lines))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(duplicates) == [False, True, True, True]
    assert levels(db, m) == {("EAST", MUG): (10, 0), ("EAST", TENT): (40, 0)}
    line_sums(db, m)
    assert_levels_equal_ledger(db, m)
