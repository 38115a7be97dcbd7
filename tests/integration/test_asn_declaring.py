"""Advance shipping notices in the database, on SQLite and PostgreSQL: a CSV file declares all its
notices or none, every bad row is named, and cancelling gives the units back."""

from __future__ import annotations

import pytest

from ordertrack.db.uow import Database
from ordertrack.events import InboundExpectationChanged, InboundShipmentDeclared
from ordertrack.purchasing import asn_csv, declaring
from ordertrack.suppliers import history, inbound_shipments
from ordertrack.suppliers import purchase_orders as pos
from ordertrack.suppliers.inbound_schemas import InboundShipmentIn
from tests.integration.test_purchase_orders import draft, setup

UPS = "1Z5R89390357567127"
UPS_2 = "1Z999AA10123456784"
UPS_BAD = "1Z5R89390357567128"


def sent_po(db: Database, merchant_id: str) -> str:
    po_id = draft(db, merchant_id, setup(db, merchant_id))
    with db.uow() as uow:
        pos.send_purchase_order(uow, merchant_id, po_id)
        uow.commit()
    return po_id


def shipped(db: Database, merchant_id: str, po_id: str) -> tuple[str, list[int]]:
    with db.uow(write=False) as uow:
        po = pos.find_purchase_order(uow, merchant_id, po_id)
        return po.status, [line.shipped_quantity for line in po.lines]


def test_a_file_of_two_notices_declares_both_with_their_parcels(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    data = (
        "asn_number,sku,line_no,quantity,tracking_number,carrier,expected_arrival_date\n"
        "KO-A,TENT-2P,,60,1Z5R8939 0357567127,,2099-01-10\n"
        "KO-A,MUG-STEEL,,10,1Z5R89390357567127,,2099-01-10\n"
        f"KO-B,,1,40,{UPS_2},ups,\n"
    ).encode()
    with db.uow() as uow:
        declared = asn_csv.import_notices(uow, m, po_id, data, file_name="asn.csv")
        events = list(uow.events)
        uow.commit()

    assert [d.shipment.number for d in declared] == ["KO-A", "KO-B"]
    assert sum(isinstance(e, InboundShipmentDeclared) for e in events) == 2
    assert sum(isinstance(e, InboundExpectationChanged) for e in events) == 2
    assert shipped(db, m, po_id) == ("shipped", [100, 10])
    with db.uow(write=False) as uow:
        notices = inbound_shipments.of_purchase_order(uow, m, po_id)
        views = declaring.views(uow, m, notices)
        changes = history.changes(uow, m, po_id)
    assert [(v.number, [p.tracking_number for p in v.parcels]) for v in views] == [
        ("KO-A", [UPS]),
        ("KO-B", [UPS_2]),
    ]
    assert [line.parcel for line in views[0].lines] == [1, 1]
    assert [(c.action, c.actor) for c in changes][-2:] == [("asn_declared", "csv asn.csv")] * 2


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    data = (
        "asn_number,sku,quantity,tracking_number,expected_arrival_date\n"
        f"KO-A,TENT-2P,60,{UPS},2099-01-10\n"  # good, but the file goes whole or not at all
        "KO-A,MUG-STEEL,0,,\n"  # zero
        "KO-B,TENT-2P,-3,,\n"  # negative
        "KO-C,SOCK-WOOL,5,,\n"  # not on the order
        f"KO-D,TENT-2P,5,{UPS_BAD},\n"  # bad check digit
        "KO-E,TENT-2P,5,,2001-01-01\n"  # in the past
    ).encode()
    with db.uow() as uow, pytest.raises(asn_csv.AsnFileRefused) as refused:
        asn_csv.import_notices(uow, m, po_id, data, file_name="asn.csv")

    found = [(p.line, p.column, p.code) for p in refused.value.problems]
    assert found == [
        (3, "quantity", "greater_than_equal"),
        (4, "quantity", "greater_than_equal"),
        (5, "sku", "sku_not_on_purchase_order"),
        (6, "tracking_number", "invalid_tracking_number"),
        (7, "expected_arrival_date", "expected_arrival_in_past"),
    ]
    assert shipped(db, m, po_id) == ("sent", [0, 0])
    with db.uow(write=False) as uow:
        assert inbound_shipments.of_purchase_order(uow, m, po_id) == []


def test_a_file_that_is_not_a_notice_is_refused_in_words(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    for data, code in (
        (b"sku,qty\nTENT-2P,5\n", "unreadable_file"),
        (b"sku,quantity\n", "empty_file"),
        (b"sku,quantity\nTENT-2P,five\n", "int_parsing"),
        (b"quantity\n5\n", "value_error"),
    ):
        with db.uow() as uow, pytest.raises(asn_csv.AsnFileRefused) as refused:
            asn_csv.import_notices(uow, m, po_id, data, file_name="asn.csv")
        assert [p.code for p in refused.value.problems] == [code], refused.value.problems


def test_cancelling_a_notice_gives_its_units_back_and_frees_its_numbers(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    po_id = sent_po(db, m)
    notice = InboundShipmentIn.model_validate(
        {"parcels": [{"tracking_number": UPS}], "lines": [{"line_no": 1, "quantity": 100}]}
    )
    with db.uow() as uow:
        declared = declaring.declare_inbound_shipment(uow, m, po_id, notice, actor="supplier link")
        uow.commit()
    assert shipped(db, m, po_id) == ("partially_shipped", [100, 0])
    with db.uow() as uow:
        declaring.cancel_inbound_shipment(uow, m, declared.shipment.number, actor="staff:ann@example.com")
        uow.commit()
    assert shipped(db, m, po_id) == ("sent", [0, 0])
    with db.uow() as uow:
        again = declaring.declare_inbound_shipment(uow, m, po_id, notice, actor="supplier link")
        uow.commit()
    assert again.shipment.seq == 2
    with db.uow(write=False) as uow:
        assert [c.actor for c in history.changes(uow, m, po_id)][-3:] == [
            "supplier link",
            "staff:ann@example.com",
            "supplier link",
        ]
