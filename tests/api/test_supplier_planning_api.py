"""Supplier performance and reorder suggestions over HTTP, on both databases: the figures from
recorded facts, the suggestions from the ledger's sales, drafts in one action, bad input, tenants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from ordertrack.db.uow import Database
from ordertrack.inventory.model import StockMovement, Warehouse
from ordertrack.kit.ids import new_id
from ordertrack.suppliers.model import PurchaseOrder, PurchaseOrderLine, Receipt
from tests.api.test_availability_api import backorder
from tests.api.test_suppliers_api import error_code, later, po_payload, stock_the_merchant


def backdate_and_receive(
    db: Database, merchant_id: str, number: str, *, sent_days_ago: int, arrived_days_ago: int, received: int
) -> None:
    """Make a sent order look as if it was sent and counted in the past: the facts performance reads."""
    now = datetime.now(UTC)
    with db.uow() as uow:
        po = uow.session.scalars(
            select(PurchaseOrder).where(
                PurchaseOrder.merchant_id == merchant_id, PurchaseOrder.number == number
            )
        ).one()
        po.sent_at = now - timedelta(days=sent_days_ago)
        lines = uow.session.scalars(
            select(PurchaseOrderLine).where(PurchaseOrderLine.purchase_order_id == po.id)
        ).all()
        for line in lines:
            line.received_quantity = min(received, line.quantity)
            uow.session.add(
                Receipt(
                    id=new_id("rcp"),
                    merchant_id=merchant_id,
                    purchase_order_id=po.id,
                    purchase_order_line_id=line.id,
                    warehouse_id=po.warehouse_id,
                    sku=line.sku,
                    good_quantity=line.received_quantity,
                    damaged_quantity=0,
                    count_key=new_id("key"),
                    actor="test",
                    created_at=now - timedelta(days=arrived_days_ago),
                )
            )
            if line.received_quantity < line.quantity:
                line.short_closed_at = now
        po.status = "received"
        uow.commit()


def test_performance_is_learned_from_the_supplier_s_orders(client: httpx.Client, db: Database) -> None:
    supplier = stock_the_merchant(client)
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    fresh = client.get(f"/api/v1/suppliers/{supplier}/performance").json()
    assert fresh["lead_time"] == {"p50_days": 12, "p90_days": 12, "basis": "default", "samples": 0}
    assert fresh["on_time"]["rate"] is None and fresh["orders"] == 0

    for n in range(4):
        number = f"PO-{n}"
        made = client.post(
            "/api/v1/purchase-orders",
            json=po_payload(
                supplier,
                number=number,
                lines=[{"sku": "TENT-2P", "quantity": 10, "unit_cost": "41.50"}],
                promised_ship_date=None,
                promised_arrival_date=None,
            ),
        )
        assert made.status_code == 201, made.text
        assert client.post(f"/api/v1/purchase-orders/{number}/send").status_code == 200
        # Sent 4 weeks ago; arrived 2, 1, 1 and 0 weeks ago; the last one short by 5.
        backdate_and_receive(
            db,
            merchant_id,
            number,
            sent_days_ago=28,
            arrived_days_ago=(14, 7, 7, 0)[n],
            received=10 if n < 3 else 5,
        )

    answer = client.get(f"/api/v1/suppliers/{supplier}/performance")
    assert answer.status_code == 200, answer.text
    card = answer.json()
    assert card["orders"] == 4 and card["window_days"] == 180
    lead = card["lead_time"]
    assert lead["basis"] == "learned" and lead["samples"] == 4
    # Business days (Bavarian calendar) from sent to arrival: about 10, 15, 15 and 20.
    assert 8 <= lead["p50_days"] <= lead["p90_days"] <= 21
    assert card["fill"] == {"rate": 35 / 40, "numerator": 35, "denominator": 40}
    assert card["discrepancy"] == {"rate": 0.25, "numerator": 1, "denominator": 4}


def test_performance_of_an_unknown_or_another_merchant_s_supplier_is_not_found(
    client: httpx.Client, make_merchant
) -> None:
    supplier = stock_the_merchant(client)
    missing = client.get("/api/v1/suppliers/sup_nothere/performance")
    assert missing.status_code == 404 and error_code(missing) == "supplier_not_found"
    other = make_merchant("Other Shop")
    with httpx.Client(
        base_url=str(client.base_url), headers={"Authorization": f"Bearer {other.api_key}"}
    ) as them:
        hidden = them.get(f"/api/v1/suppliers/{supplier}/performance")
    assert hidden.status_code == 404 and error_code(hidden) == "supplier_not_found"


def sell(db: Database, merchant_id: str, sku: str, units_a_day: int, days: int = 28) -> None:
    """Shipment movements in the ledger: what reorder suggestions read as sales."""
    now = datetime.now(UTC)
    with db.uow() as uow:
        warehouse = uow.session.scalars(select(Warehouse).where(Warehouse.merchant_id == merchant_id)).one()
        for day in range(days):
            uow.session.add(
                StockMovement(
                    merchant_id=merchant_id,
                    warehouse_id=warehouse.id,
                    sku=sku,
                    kind="shipment",
                    on_hand_delta=-units_a_day,
                    reserved_delta=-units_a_day,
                    actor="test",
                    created_at=now - timedelta(days=day, hours=1),
                )
            )
        uow.commit()


def test_a_sku_running_out_is_suggested_and_drafted_in_one_action(client: httpx.Client, db: Database) -> None:
    supplier = stock_the_merchant(client)
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    assert client.put("/api/v1/stock/AUS1/TENT-2P", json={"on_hand": 30}).status_code == 200
    assert client.put("/api/v1/stock/AUS1/MUG-STEEL", json={"on_hand": 5000}).status_code == 200
    term = client.put(
        f"/api/v1/suppliers/{supplier}/skus/TENT-2P", json={"unit_cost": "41.50", "currency": "EUR"}
    )
    assert term.status_code == 200
    sell(db, merchant_id, "TENT-2P", 4)
    sell(db, merchant_id, "MUG-STEEL", 1)

    page = client.get("/api/v1/reorder-suggestions")
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [i["sku"] for i in items] == ["TENT-2P"]  # 5,000 mugs last years
    tent = items[0]
    assert tent["daily_sales"] == 4 and tent["available"] == 30 and tent["days_of_cover"] == 7.5
    assert tent["runs_out_before_inbound"] is True and tent["inbound"] == 0
    assert tent["supplier"]["id"] == supplier and tent["supplier"]["lead_time"]["basis"] == "default"
    # 12 business days in Bavaria are 16 or more calendar days; + 7 review + 7 safety.
    assert tent["lead_days"] >= 16
    assert tent["order_up_to"] == 4 * (tent["lead_days"] + 14)
    assert tent["suggested_quantity"] == tent["order_up_to"] - 30

    everything = client.get("/api/v1/reorder-suggestions?all=true&limit=1")
    assert everything.json()["next_cursor"] == "1"
    second = client.get("/api/v1/reorder-suggestions?all=true&limit=1&cursor=1").json()
    assert [i["sku"] for i in second["items"]] == ["MUG-STEEL"] and second["next_cursor"] is None

    drafted = client.post(
        "/api/v1/reorder-suggestions/draft-purchase-orders",
        json={"items": [{"sku": "TENT-2P", "warehouse": "AUS1"}]},
        headers={"Idempotency-Key": "reorder-1"},
    )
    assert drafted.status_code == 201, drafted.text
    [po] = drafted.json()["items"]
    assert po["status"] == "draft" and po["supplier"]["id"] == supplier and po["currency"] == "EUR"
    assert [(line["sku"], line["quantity"], line["unit_cost"]) for line in po["lines"]] == [
        ("TENT-2P", tent["suggested_quantity"], "41.50")
    ]
    again = client.post(
        "/api/v1/reorder-suggestions/draft-purchase-orders",
        json={"items": [{"sku": "TENT-2P", "warehouse": "AUS1"}]},
        headers={"Idempotency-Key": "reorder-1"},
    )
    assert again.json()["items"][0]["id"] == po["id"]
    # The draft counts as inbound: nothing more to suggest.
    after = client.get("/api/v1/reorder-suggestions?all=true").json()["items"]
    tent_after = next(i for i in after if i["sku"] == "TENT-2P")
    assert tent_after["inbound"] == tent["suggested_quantity"] and tent_after["suggested_quantity"] == 0


def test_bad_reorder_input_gets_a_named_4xx_and_drafts_nothing(client: httpx.Client, db: Database) -> None:
    stock_the_merchant(client)
    cases = [
        ({"items": []}, 422, "validation_error"),
        ({"items": [{"sku": "TENT-2P", "warehouse": "AUS1", "quantity": 0}]}, 422, "validation_error"),
        ({"items": [{"sku": "TENT-2P", "warehouse": "NOPE"}]}, 422, "unknown_warehouse"),
        ({"items": [{"sku": "TENT-2P", "warehouse": "AUS1", "quantity": 5}]}, 422, "no_supplier_for_sku"),
    ]
    for body, status, code in cases:
        refused = client.post("/api/v1/reorder-suggestions/draft-purchase-orders", json=body)
        assert (refused.status_code, error_code(refused)) == (status, code), (body, refused.text)
    assert client.get("/api/v1/purchase-orders").json()["items"] == []
    assert error_code(client.get("/api/v1/reorder-suggestions?cursor=abc")) in {
        "invalid_cursor",
        "validation_error",
    }
    unknown = client.get("/api/v1/reorder-suggestions?supplier_id=sup_nothere")
    assert (unknown.status_code, error_code(unknown)) == (422, "unknown_supplier")


def test_customers_waiting_for_stock_are_counted_at_the_warehouse_that_stocks_the_sku(
    client: httpx.Client,
) -> None:
    supplier = stock_the_merchant(client)
    second = client.post(
        "/api/v1/warehouses",
        json={
            "code": "RNO1",
            "name": "Reno",
            "address": {"line1": "2 Dock Rd", "city": "Reno", "country": "US"},
            "timezone": "America/Los_Angeles",
            "priority": 10,
        },
    )
    assert second.status_code == 201, second.text
    assert client.put("/api/v1/stock/AUS1/TENT-2P", json={"on_hand": 0}).status_code == 200
    client.put(f"/api/v1/suppliers/{supplier}/skus/TENT-2P", json={"unit_cost": "41.50", "currency": "EUR"})
    backorder(client, "B-1", 6, hours_ago=2)

    for query in ("", "?warehouse=AUS1"):
        [tent] = client.get(f"/api/v1/reorder-suggestions{query}").json()["items"]
        assert (tent["sku"], tent["warehouse"]["code"]) == ("TENT-2P", "AUS1")
        assert (tent["backordered"], tent["available"]) == (6, -6)
        assert tent["suggested_quantity"] == 6 and tent["runs_out_on"] is not None
    # Reno ships first but never stocked tents: the waiting customers are not put there.
    assert client.get("/api/v1/reorder-suggestions?warehouse=RNO1").json()["items"] == []


def test_the_next_inbound_is_the_shipment_on_its_way_before_the_order_s_promise(client: httpx.Client) -> None:
    supplier = stock_the_merchant(client)
    assert client.put("/api/v1/stock/AUS1/TENT-2P", json={"on_hand": 3}).status_code == 200
    made = client.post(
        "/api/v1/purchase-orders",
        json=po_payload(
            supplier,
            lines=[{"sku": "TENT-2P", "quantity": 100, "unit_cost": "41.50"}],
            promised_ship_date=None,
            promised_arrival_date=later(30),
        ),
    )
    assert made.status_code == 201, made.text
    assert client.post("/api/v1/purchase-orders/PO-1001/send").status_code == 200

    def tent() -> dict:
        items = client.get("/api/v1/reorder-suggestions?all=true").json()["items"]
        return next(i for i in items if i["sku"] == "TENT-2P")

    assert (tent()["inbound"], tent()["next_inbound_on"]) == (100, later(30))
    declared = client.post(
        "/api/v1/purchase-orders/PO-1001/inbound-shipments",
        json={"expected_arrival_date": later(5), "lines": [{"sku": "TENT-2P", "quantity": 50}]},
    )
    assert declared.status_code == 201, declared.text
    # Half is on its way and due in 5 days; the rest still by the order's promise.
    assert (tent()["inbound"], tent()["next_inbound_on"]) == (100, later(5))
