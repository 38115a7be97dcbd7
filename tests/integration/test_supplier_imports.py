"""Supplier and purchase order CSV imports on a real database: all or nothing, every bad row
named with its column and the API's code, existing suppliers updated by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ordertrack.catalog import service as catalog
from ordertrack.catalog.schemas import ProductIn
from ordertrack.db.uow import Database
from ordertrack.inventory import service as inventory
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.schema import AddressIn
from ordertrack.suppliers import purchase_order_import, supplier_import
from ordertrack.suppliers.csv_import import RowProblem, read_rows
from ordertrack.suppliers.model import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierSku

SUPPLIERS_CSV = (
    "name,email,phone,line1,city,country,timezone,lead_time_days,holiday_subdivision,sku,supplier_sku,unit_cost,currency\n"
    "Kessler Outdoor GmbH,orders@kessler-outdoor.de,+49 30 901820,Industriestr. 4,Munich,DE,Europe/Berlin,"
    "12,BY,TENT-2P,KO-1,41.50,EUR\n"
    "Kessler Outdoor GmbH,,,,,,,,,MUG-STEEL,KO-88,3.20,EUR\n"
    "Pacific Crest Supply,,,88 Harbor Way,Oakland,US,America/Los_Angeles,,,,,,\n"
)


def later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def setup_merchant(db: Database, merchant_id: str) -> None:
    with db.uow() as uow:
        inventory.create_warehouse(
            uow,
            merchant_id,
            WarehouseIn(
                code="AUS1",
                name="Austin",
                address=AddressIn(line1="1 Dock Road", city="Austin", country="US"),
                timezone="America/Chicago",
            ),
        )
        for sku in ("TENT-2P", "MUG-STEEL", "STOVE"):
            catalog.create_product(uow, merchant_id, ProductIn(sku=sku, name=sku.title()))
        uow.commit()


def import_suppliers(
    db: Database, merchant_id: str, text: str
) -> list[RowProblem] | supplier_import.SupplierSummary:
    rows, problems = read_rows(text.encode(), supplier_import.REQUIRED, supplier_import.OPTIONAL)
    with db.uow() as uow:
        plan = supplier_import.plan_suppliers(uow, merchant_id, rows)
        if problems or plan.problems:
            return sorted(problems + plan.problems, key=lambda p: p.line)
        summary = supplier_import.apply_suppliers(uow, merchant_id, plan)
        uow.commit()
        return summary


def import_orders(
    db: Database, merchant_id: str, text: str, *, send: bool = False
) -> list[RowProblem] | purchase_order_import.PurchaseOrderSummary:
    rows, problems = read_rows(text.encode(), purchase_order_import.REQUIRED, purchase_order_import.OPTIONAL)
    with db.uow() as uow:
        plan = purchase_order_import.plan_purchase_orders(uow, merchant_id, rows)
        if problems or plan.problems:
            return sorted(problems + plan.problems, key=lambda p: p.line)
        summary = purchase_order_import.apply_purchase_orders(uow, merchant_id, plan, send=send)
        uow.commit()
        return summary


def count(db: Database, model: type, merchant_id: str) -> int:
    with db.uow(write=False) as uow:
        return uow.session.scalar(
            select(func.count()).select_from(model).where(model.merchant_id == merchant_id)
        )


def where(problems: object) -> set[tuple[int, str | None, str]]:
    assert isinstance(problems, list), problems
    return {(p.line, p.column, p.code) for p in problems}


def test_suppliers_are_created_with_their_terms_then_updated_by_name(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    setup_merchant(db, merchant)
    summary = import_suppliers(db, merchant, SUPPLIERS_CSV)
    assert isinstance(summary, supplier_import.SupplierSummary)
    assert summary.created == ["Kessler Outdoor GmbH", "Pacific Crest Supply"] and summary.terms == 2
    with db.uow(write=False) as uow:
        kessler = uow.session.scalars(select(Supplier).where(Supplier.name == "Kessler Outdoor GmbH")).one()
        assert (kessler.phone, kessler.holiday_country, kessler.holiday_subdivision) == (
            "+4930901820",
            "DE",
            "BY",
        )
        assert kessler.lead_time_days == 12
        pacific = uow.session.scalars(select(Supplier).where(Supplier.name == "Pacific Crest Supply")).one()
        assert pacific.lead_time_days == 10  # the API's default when left empty

    again = import_suppliers(
        db,
        merchant,
        "name,line1,city,country,timezone,lead_time_days,sku,unit_cost,currency\n"
        "Kessler Outdoor GmbH,Industriestr. 4,Munich,DE,Europe/Berlin,15,TENT-2P,39.00,EUR\n"
        "Pacific Crest Supply,,,,,,STOVE,20,USD\n",
    )
    assert isinstance(again, supplier_import.SupplierSummary)
    assert (again.created, again.updated, again.unchanged) == (
        [],
        ["Kessler Outdoor GmbH"],
        ["Pacific Crest Supply"],
    )
    assert count(db, Supplier, merchant) == 2 and count(db, SupplierSku, merchant) == 3
    with db.uow(write=False) as uow:
        assert uow.session.scalar(select(Supplier.lead_time_days).where(Supplier.id == kessler.id)) == 15
        # Terms-only rows leave an existing supplier's details as they were.
        assert uow.session.scalar(select(Supplier.city).where(Supplier.id == pacific.id)) == "Oakland"


def test_a_supplier_file_with_bad_rows_names_each_and_writes_nothing(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    setup_merchant(db, merchant)
    problems = import_suppliers(
        db,
        merchant,
        "name,phone,line1,city,country,timezone,lead_time_days,holiday_subdivision,sku,unit_cost,currency\n"
        "Good Supplier,,1 Road,Leeds,GB,Europe/London,5,,TENT-2P,10,GBP\n"
        "Bad Phone,+99 1234 5678,1 Road,Leeds,GB,Europe/London,,,,,\n"
        "Bad Lead,,1 Road,Leeds,GB,Europe/London,-3,,,,\n"
        "Bad Zone,,1 Road,Leeds,GB,Mars/Olympus,,,,,\n"
        "Bad Calendar,,1 Road,Munich,DE,Europe/Berlin,,XX,,,\n"
        "Good Supplier,,,,,,,,NOPE,10,GBP\n"
        "Good Supplier,,,,,,,,MUG-STEEL,-1,GBP\n"
        "Nobody Known,,,,,,,,STOVE,1,GBP\n"
        "Good Supplier,,2 Road,,,,,,,,\n",
    )
    assert where(problems) >= {
        (3, "phone", "value_error"),
        (4, "lead_time_days", "greater_than_equal"),
        (5, "timezone", "value_error"),
        (6, "holiday_subdivision", "value_error"),
        (7, "sku", "unknown_sku"),
        (8, "unit_cost", "value_error"),
        (9, "country", "unknown_supplier"),
        (10, "line1", "conflicting_supplier_details"),
    }
    assert 2 not in {line for line, _, _ in where(problems)}
    assert count(db, Supplier, merchant) == 0 and count(db, SupplierSku, merchant) == 0


def test_purchase_orders_are_drafted_from_rows_grouped_by_number(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    setup_merchant(db, merchant)
    assert isinstance(import_suppliers(db, merchant, SUPPLIERS_CSV), supplier_import.SupplierSummary)
    summary = import_orders(
        db,
        merchant,
        "po_number,supplier,warehouse,currency,sku,quantity,unit_cost,promised_ship_date,promised_arrival_date,notes\n"
        f"PO-2001,Kessler Outdoor GmbH,AUS1,EUR,TENT-2P,100,,{later(10)},{later(30)},Pallets please\n"
        "PO-2001,,,,MUG-STEEL,40,3.00,,,\n"
        "PO-2002,Pacific Crest Supply,AUS1,USD,STOVE,12,19.99,,,\n",
        send=True,
    )
    assert isinstance(summary, purchase_order_import.PurchaseOrderSummary)
    assert (summary.created, summary.lines, summary.sent) == (["PO-2001", "PO-2002"], 3, 2)
    with db.uow(write=False) as uow:
        po = uow.session.scalars(select(PurchaseOrder).where(PurchaseOrder.number == "PO-2001")).one()
        assert (po.status, po.notes, po.currency) == ("sent", "Pallets please", "EUR")
        lines = uow.session.scalars(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.purchase_order_id == po.id)
            .order_by(PurchaseOrderLine.line_no)
        ).all()
        # The tent's cost is the supplier's own for it; the mug's is the file's.
        assert [(line.sku, line.quantity, line.unit_cost) for line in lines] == [
            ("TENT-2P", 100, Decimal("41.50")),
            ("MUG-STEEL", 40, Decimal("3.00")),
        ]


def test_a_purchase_order_file_with_bad_rows_names_each_and_writes_nothing(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant().merchant_id
    setup_merchant(db, merchant)
    assert isinstance(import_suppliers(db, merchant, SUPPLIERS_CSV), supplier_import.SupplierSummary)
    assert isinstance(
        import_orders(
            db,
            merchant,
            "po_number,supplier,warehouse,currency,sku,quantity,unit_cost\n"
            "PO-1,Pacific Crest Supply,AUS1,USD,STOVE,1,2\n",
        ),
        purchase_order_import.PurchaseOrderSummary,
    )
    problems = import_orders(
        db,
        merchant,
        "po_number,supplier,warehouse,currency,sku,quantity,unit_cost,promised_ship_date,promised_arrival_date\n"
        "PO-10,Kessler Outdoor GmbH,AUS1,EUR,TENT-2P,0,,,\n"  # 2: zero
        "PO-10,,,,MUG-STEEL,-5,1,,\n"  # 3: negative
        "PO-10,,,,GHOST,1,1,,\n"  # 4: unknown SKU
        "PO-10,,,,TENT-2P,1,1,,\n"  # 5: the SKU twice
        "PO-11,Nobody Ltd,AUS1,EUR,TENT-2P,1,1,,\n"  # 6: unknown supplier
        "PO-12,Kessler Outdoor GmbH,NOWHERE,EUR,TENT-2P,1,1,,\n"  # 7: unknown warehouse
        "PO-13,Kessler Outdoor GmbH,AUS1,EUR,TENT-2P,1,1,2020-01-01,\n"  # 8: a promise in the past
        "po 1,Pacific Crest Supply,AUS1,USD,STOVE,1,2,,\n"  # 9: the number is taken (as typed)
        "PO-14,Pacific Crest Supply,AUS1,USD,STOVE,1,,,\n"  # 10: no cost known
        "PO-15,Kessler Outdoor GmbH,AUS1,EUR,TENT-2P,1,1,,\n"
        "PO-15,Pacific Crest Supply,,,MUG-STEEL,1,1,,\n"  # 12: another supplier for the same PO
        "PO-16,Kessler Outdoor GmbH,AUS1,EUR,TENT-2P,1,1,"
        f"{later(20)},{later(10)}\n",  # 13: arrival before shipping
    )
    assert where(problems) == {
        (2, "quantity", "greater_than_equal"),
        (3, "quantity", "greater_than_equal"),
        (4, "sku", "unknown_sku"),
        (5, "sku", "duplicate_line_sku"),
        (6, "supplier", "unknown_supplier"),
        (7, "warehouse", "unknown_warehouse"),
        (8, "promised_ship_date", "promised_date_in_past"),
        (9, "po_number", "duplicate_purchase_order_number"),
        (10, "unit_cost", "unit_cost_required"),
        (12, "supplier", "conflicting_purchase_order_details"),
        (13, "promised_arrival_date", "promised_dates_out_of_order"),
    }
    assert count(db, PurchaseOrder, merchant) == 1


def test_the_same_number_twice_in_a_file_is_one_order(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    setup_merchant(db, merchant)
    assert isinstance(import_suppliers(db, merchant, SUPPLIERS_CSV), supplier_import.SupplierSummary)
    summary = import_orders(
        db,
        merchant,
        "po_number,supplier,warehouse,currency,sku,quantity,unit_cost\n"
        "PO-7,Pacific Crest Supply,AUS1,USD,STOVE,1,2\n"
        "PO-8,Pacific Crest Supply,AUS1,USD,STOVE,1,2\n"
        "po-7,,,,TENT-2P,3,2\n",
    )
    assert isinstance(summary, purchase_order_import.PurchaseOrderSummary)
    assert summary.created == ["PO-7", "PO-8"] and summary.lines == 3
