"""The dashboard's supplier, purchase order and reorder pages over HTTP, on both databases: forms
that add and change, actions by status, bad input answered on the form, CSRF, and tenants."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from ordertrack.db.uow import Database
from ordertrack.inventory.model import StockMovement, Warehouse
from ordertrack.suppliers.model import PurchaseOrder, PurchaseOrderChange, Supplier
from tests.api.test_suppliers_api import po_payload, stock_the_merchant
from tests.integration.test_dashboard_forms import _csrf, signed_in
from tests.integration.test_staff import make_staff
from tests.support import LiveServer

SUPPLIER_FORM = {
    "name": "Kessler Outdoor GmbH",
    "email": "orders@kessler-outdoor.de",
    "phone": "+49 30 901820",
    "line1": "Industriestr. 4",
    "city": "Munich",
    "country": "de",
    "timezone": "Europe/Berlin",
    "lead_time_days": "12",
    "holiday_subdivision": "BY",
}


def _merchant_with_staff(server: LiveServer, db: Database, make_merchant) -> tuple[str, httpx.Client]:
    merchant = make_merchant("Acme")
    make_staff(db, merchant.merchant_id)
    return merchant.merchant_id, server.client(merchant.api_key)


def test_a_supplier_added_on_the_form_has_its_page_and_can_be_changed(
    server: LiveServer, db: Database, make_merchant
) -> None:
    merchant_id, _api = _merchant_with_staff(server, db, make_merchant)
    with signed_in(server) as http:
        form = http.get("/dashboard/suppliers/new")
        assert form.status_code == 200
        token = _csrf(form.text)
        refused = http.post(
            "/dashboard/suppliers", data={**SUPPLIER_FORM, "phone": "+1 555 0000", "csrf_token": token}
        )
        assert refused.status_code == 422
        assert "numbering plan" in refused.text and 'value="Kessler Outdoor GmbH"' in refused.text
        forged = http.post("/dashboard/suppliers", data={**SUPPLIER_FORM, "csrf_token": "forged"})
        assert forged.status_code == 403

        made = http.post("/dashboard/suppliers", data={**SUPPLIER_FORM, "csrf_token": token})
        assert made.status_code == 303, made.text
        page = http.get(made.headers["location"])
        assert page.status_code == 200 and "Supplier saved." in page.text
        assert "+4930901820" in page.text and "public holidays of DE-BY" in page.text
        assert "12</strong> business days typically" in page.text  # the stated lead time, until 3 arrive

        with db.uow(write=False) as uow:
            supplier_id = uow.session.scalars(
                select(Supplier.id).where(Supplier.merchant_id == merchant_id)
            ).one()
        duplicate = http.post("/dashboard/suppliers", data={**SUPPLIER_FORM, "csrf_token": token})
        assert duplicate.status_code == 409 and "already exists" in duplicate.text
        changed = http.post(
            f"/dashboard/suppliers/{supplier_id}",
            data={**SUPPLIER_FORM, "lead_time_days": "20", "csrf_token": token},
        )
        assert changed.status_code == 303
        listed = http.get("/dashboard/suppliers").text
        assert "20 · 20 days" in listed and f"/dashboard/suppliers/{supplier_id}" in listed


def test_a_purchase_order_drafted_sent_and_short_closed_from_its_page(
    server: LiveServer, db: Database, make_merchant
) -> None:
    merchant_id, api = _merchant_with_staff(server, db, make_merchant)
    with api:
        supplier = stock_the_merchant(api)
    with signed_in(server) as http:
        token = _csrf(http.get("/dashboard/purchase-orders/new").text)
        draft = {
            "csrf_token": token,
            "number": "PO-7",
            "supplier_id": supplier,
            "warehouse": "AUS1",
            "currency": "EUR",
            "sku": ["TENT-2P", "MUG-STEEL", ""],
            "quantity": ["10", "4", ""],
            "unit_cost": ["41.50", "3.20", ""],
        }
        unknown = http.post("/dashboard/purchase-orders", data={**draft, "sku": ["TENT-9P", "MUG-STEEL", ""]})
        assert unknown.status_code == 422 and "TENT-9P" in unknown.text
        made = http.post("/dashboard/purchase-orders", data=draft)
        assert made.status_code == 303, made.text
        page = http.get(made.headers["location"]).text
        assert "Draft saved" in page and "Send to Kessler Outdoor GmbH" in page

        assert (
            http.post("/dashboard/purchase-orders/PO-7/cancel", data={"csrf_token": token}).status_code == 400
        )
        sent = http.post("/dashboard/purchase-orders/PO-7/send", data={"csrf_token": token})
        assert sent.status_code == 303
        page = http.get("/dashboard/purchase-orders/PO-7").text
        # Once sent, staff can copy the supplier's own page for the order, and see who waits on it.
        assert re.search(r'id="supplier-link-url"[^>]*value="http://[^"]+/supplier/[^"]+"', page)
        assert "No customer order waits on it." in page
        again = http.post("/dashboard/purchase-orders/PO-7/send", data={"csrf_token": token})
        assert again.status_code == 409 and "sent" in again.text  # a sent order is not sent twice
        closed = http.post(
            "/dashboard/purchase-orders/PO-7/lines/2/short-close",
            data={"csrf_token": token, "reason": "discontinued"},
        )
        assert closed.status_code == 303
        page = http.get("/dashboard/purchase-orders/PO-7").text
        assert "Closed " in page and ": discontinued" in page and "Line closed short" in page
        assert "4 short" in page
        listed = http.get("/dashboard/purchase-orders?q=po%207&status=sent").text
        assert "PO-7" in listed
        assert "No purchase orders match" in http.get("/dashboard/purchase-orders?q=8").text
        assert http.get("/dashboard/purchase-orders?status=nonsense").status_code == 400
    with db.uow(write=False) as uow:
        actors = set(
            uow.session.scalars(
                select(PurchaseOrderChange.actor).where(PurchaseOrderChange.merchant_id == merchant_id)
            )
        )
    assert actors == {"staff:pat@example.com"}


def test_another_merchant_s_purchase_order_and_supplier_are_not_found(
    server: LiveServer, db: Database, make_merchant
) -> None:
    other = make_merchant("Other")
    with server.client(other.api_key) as theirs:
        their_supplier = stock_the_merchant(theirs)
        assert (
            theirs.post(
                "/api/v1/purchase-orders",
                json=po_payload(
                    their_supplier, lines=[{"sku": "TENT-2P", "quantity": 5, "unit_cost": "9.00"}]
                ),
            ).status_code
            == 201
        )
    _merchant_id, _api = _merchant_with_staff(server, db, make_merchant)
    with signed_in(server) as http:
        assert http.get("/dashboard/purchase-orders/PO-1001").status_code == 404
        assert http.get(f"/dashboard/suppliers/{their_supplier}").status_code == 404
        token = _csrf(http.get("/dashboard/purchase-orders").text)
        assert (
            http.post("/dashboard/purchase-orders/PO-1001/send", data={"csrf_token": token}).status_code
            == 404
        )
    with db.uow(write=False) as uow:
        po = uow.session.scalars(
            select(PurchaseOrder).where(PurchaseOrder.merchant_id == other.merchant_id)
        ).one()
        assert po.status == "draft"


def test_ticked_reorder_suggestions_become_a_draft_in_one_action(
    server: LiveServer, db: Database, make_merchant
) -> None:
    merchant_id, api = _merchant_with_staff(server, db, make_merchant)
    with api:
        supplier = stock_the_merchant(api)
        assert api.put("/api/v1/stock/AUS1/TENT-2P", json={"on_hand": 10}).status_code == 200
        api.put(f"/api/v1/suppliers/{supplier}/skus/TENT-2P", json={"unit_cost": "41.50", "currency": "EUR"})
    now = datetime.now(UTC)
    with db.uow() as uow:
        warehouse = uow.session.scalars(
            select(Warehouse.id).where(Warehouse.merchant_id == merchant_id)
        ).one()
        for day in range(28):
            uow.session.add(
                StockMovement(
                    merchant_id=merchant_id,
                    warehouse_id=warehouse,
                    sku="TENT-2P",
                    kind="shipment",
                    on_hand_delta=-2,
                    reserved_delta=-2,
                    actor="test",
                    created_at=now - timedelta(days=day, hours=1),
                )
            )
        uow.commit()
    with signed_in(server) as http:
        page = http.get("/dashboard/reorder").text
        assert "TENT-2P" in page and "before inbound" in page
        suggested = int(re.search(r'name="quantity_0"[^>]*value="(\d+)"', page).group(1))
        token = _csrf(page)
        nothing = http.post("/dashboard/reorder/draft", data={"csrf_token": token})
        assert nothing.status_code == 400 and "tick the suggestions" in nothing.text
        drafted = http.post(
            "/dashboard/reorder/draft",
            data={
                "csrf_token": token,
                "pick": "0",
                "sku_0": "TENT-2P",
                "warehouse_0": "AUS1",
                "supplier_0": supplier,
                "quantity_0": str(suggested + 5),
            },
        )
        assert drafted.status_code == 303, drafted.text
        po_page = http.get(drafted.headers["location"]).text
        assert "Draft saved" in po_page and f"{suggested + 5}" in po_page
        after = http.get("/dashboard/reorder").text
        # The draft counts as on the way: nothing more is suggested, though the SKU still runs
        # out before even an order sent today could arrive.
        assert "suggested 0" in after and "before inbound" in after
        assert f"{suggested + 5:,}" in after
