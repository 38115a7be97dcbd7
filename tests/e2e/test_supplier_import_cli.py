"""``ordertrack suppliers import`` and ``ordertrack purchase-orders import`` as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from ordertrack.bootstrap import open_database
from ordertrack.catalog import service as catalog
from ordertrack.catalog.schemas import ProductIn
from ordertrack.inventory import service as inventory
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.schema import AddressIn
from ordertrack.suppliers.model import PurchaseOrder, PurchaseOrderLine
from tests.e2e.test_cli import ordertrack


def later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def test_supplier_and_purchase_order_files_import_whole_or_not_at_all(tmp_path: Path) -> None:
    merchant = json.loads(ordertrack("merchants", "create", "--name", "Acme", "--json", cwd=tmp_path).stdout)[
        "merchant_id"
    ]
    db = open_database(f"sqlite:///{tmp_path / 'var' / 'cli.db'}")
    with db.uow() as uow:
        inventory.create_warehouse(
            uow,
            merchant,
            WarehouseIn(
                code="AUS1",
                name="Austin",
                address=AddressIn(line1="1 Dock Road", city="Austin", country="US"),
                timezone="America/Chicago",
            ),
        )
        for i in range(300):
            catalog.create_product(uow, merchant, ProductIn(sku=f"SKU-{i}", name=f"Thing {i}"))
        uow.commit()

    suppliers = tmp_path / "suppliers.csv"
    suppliers.write_text(
        "name,line1,city,country,timezone,sku,unit_cost,currency\n"
        "Kessler Outdoor GmbH,Industriestr. 4,Munich,DE,Europe/Berlin,SKU-1,4.10,EUR\n"
        "Kessler Outdoor GmbH,,,,,SKU-2,4.20,EUR\n"
    )
    created = ordertrack("suppliers", "import", str(suppliers), "--merchant", merchant, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "imported 1 suppliers: 1 new, 0 updated, 0 unchanged; 2 SKU terms set" in created.stdout
    suppliers.write_text(
        "name,line1,city,country,timezone,lead_time_days\n"
        "Kessler Outdoor GmbH,Industriestr. 4,Munich,DE,Europe/Berlin,20\n"
    )
    updated = ordertrack("suppliers", "import", str(suppliers), "--merchant", merchant, cwd=tmp_path)
    assert "1 updated" in updated.stdout and "updated: Kessler Outdoor GmbH" in updated.stdout

    orders = tmp_path / "orders.csv"
    header = "po_number,supplier,warehouse,currency,sku,quantity,unit_cost,promised_ship_date\n"
    orders.write_text(
        header
        + f"PO-1,Kessler Outdoor GmbH,AUS1,EUR,SKU-1,10,,{later(5)}\n"
        + "PO-1,,,,SKU-3,0,1.00,\n"
        + "PO-2,Kessler Outdoor GmbH,AUS1,EUR,SKU-404,5,1.00,2020-01-01\n"
    )
    refused = ordertrack("purchase-orders", "import", str(orders), "--merchant", merchant, cwd=tmp_path)
    assert refused.returncode == 1
    assert (
        "orders.csv:3: quantity: Input should be greater than or equal to 1 [greater_than_equal]"
        in refused.stderr
    )
    assert "orders.csv:4: sku: no product 'SKU-404' in the catalog [unknown_sku]" in refused.stderr
    assert (
        "orders.csv:4: promised_ship_date: " in refused.stderr and "[promised_date_in_past]" in refused.stderr
    )
    assert "nothing imported" in refused.stderr

    orders.write_text(
        header
        + "".join(f"PO-{i // 3},Kessler Outdoor GmbH,AUS1,EUR,SKU-{i},{i + 1},2.50,\n" for i in range(300))
    )
    imported = ordertrack(
        "purchase-orders", "import", str(orders), "--merchant", merchant, "--send", cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr
    assert "imported 100 purchase orders (sent) with 300 lines" in imported.stdout
    assert "importing purchase orders [########################] 300/300" in imported.stderr
    with db.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(PurchaseOrder)) == 100
        assert uow.session.scalar(select(func.sum(PurchaseOrderLine.quantity))) == sum(range(1, 301))
        assert set(uow.session.scalars(select(PurchaseOrder.status))) == {"sent"}
    db.dispose()

    again = ordertrack("purchase-orders", "import", str(orders), "--merchant", merchant, cwd=tmp_path)
    assert again.returncode == 1 and again.stderr.count("[duplicate_purchase_order_number]") == 50
    assert "... and 50 more problems" in again.stderr
