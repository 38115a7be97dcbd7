"""The issue's end-to-end test, on SQLite and PostgreSQL, through the API and the real worker job:
a PO of 100 units in two ASNs, one of which the carrier delays; three customer orders
backordered on that SKU get their promises from the inbound, are revised once when it is
delayed, and are told once; receiving 98 with 2 damaged leaves stock +98, a discrepancy of 2,
and fills the oldest backorder first."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from ordertrack.config import Settings
from ordertrack.db.uow import Database
from ordertrack.eta.model import EddRevision
from ordertrack.notifications.composing import prepare_batch
from ordertrack.notifications.message import Channel
from ordertrack.notifications.model import Notification
from ordertrack.notifications.sending import Channels
from ordertrack.notifications.templates import render
from ordertrack.suppliers.model import PromiseRevisionDue
from ordertrack.worker.jobs import revise_waiting_promises
from tests.api.test_suppliers_api import later, stock_the_merchant
from tests.conftest import TEST_SECRET

UPS_1 = "1Z5R89390357567127"
UPS_2 = "1Z999AA10123456784"


def ups_push(tracking_number: str, delivery: date) -> dict[str, Any]:
    """What UPS pushes when a parcel moves: a departure scan and its scheduled delivery day."""
    scanned = datetime.now(UTC) - timedelta(hours=1)
    return {
        "trackResponse": {
            "shipment": [
                {
                    "inquiryNumber": tracking_number,
                    "package": [
                        {
                            "trackingNumber": tracking_number,
                            "deliveryDate": [{"type": "SDD", "date": delivery.strftime("%Y%m%d")}],
                            "activity": [
                                {
                                    "date": scanned.strftime("%Y%m%d"),
                                    "time": scanned.strftime("%H%M%S"),
                                    "gmtOffset": "+00:00",
                                    "location": {"address": {"city": "Hamburg", "countryCode": "DE"}},
                                    "status": {
                                        "type": "I",
                                        "code": "DP",
                                        "statusCode": "005",
                                        "description": "Departed from Facility",
                                    },
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    }


def place(client: httpx.Client, number: str, placed_at: datetime, quantity: int) -> str:
    created = client.post(
        "/api/v1/orders",
        json={
            "number": number,
            "customer": {"email": f"shopper-{number}@example.com", "name": f"Shopper {number}"},
            "shipping_address": {
                "line1": "1 Main St",
                "city": "Dallas",
                "postal_code": "75201",
                "country": "US",
            },
            "lines": [{"sku": "TENT-2P", "quantity": quantity, "unit_price": "199.00"}],
            "currency": "USD",
            "placed_at": placed_at.isoformat(),
        },
    )
    assert created.status_code == 201, created.text
    confirmed = client.post(f"/api/v1/orders/{number}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    return created.json()["id"]


def run_worker(db: Database) -> int:
    return revise_waiting_promises(db, Settings(), datetime.now(UTC))


def revisions(db: Database, order_id: str) -> list[EddRevision]:
    with db.uow(write=False) as uow:
        return list(
            uow.session.scalars(
                select(EddRevision)
                .where(EddRevision.order_id == order_id, EddRevision.shipment_id.is_(None))
                .order_by(EddRevision.recorded_at, EddRevision.id)
            )
        )


def told(db: Database, order_id: str) -> list[str]:
    """The delay messages prepared for the order's shopper (by email), once per new window."""
    with db.uow(write=False) as uow:
        return list(
            uow.session.scalars(
                select(Notification.trigger).where(
                    Notification.order_id == order_id,
                    Notification.trigger == "delivery_revised",
                    Notification.channel == "email",
                )
            )
        )


def waiting_on(client: httpx.Client, number: str) -> list[tuple[str | None, int, str]]:
    answer = client.get(f"/api/v1/orders/{number}/waiting-on")
    assert answer.status_code == 200, answer.text
    return [
        (i["inbound_shipment_number"], i["quantity"], i["arrives_on"])
        for line in answer.json()["items"]
        for i in line["incoming"]
    ]


def test_a_delayed_inbound_moves_its_waiting_orders_once_and_receiving_fills_the_oldest_first(
    client: httpx.Client, db: Database
) -> None:
    supplier_id = stock_the_merchant(client)
    po = client.post(
        "/api/v1/purchase-orders",
        json={
            "number": "PO-7001",
            "supplier_id": supplier_id,
            "warehouse": "AUS1",
            "currency": "EUR",
            "lines": [{"sku": "TENT-2P", "quantity": 100, "unit_cost": "41.50"}],
            "promised_ship_date": later(5),
            "promised_arrival_date": later(30),
        },
    )
    assert po.status_code == 201, po.text
    po_id = po.json()["id"]
    assert client.post(f"/api/v1/purchase-orders/{po_id}/send").status_code == 200

    # Three shoppers order 20 tents each while none are in stock: backordered, oldest first.
    now = datetime.now(UTC)
    orders = {
        n: place(client, n, now - timedelta(hours=4 - i), 20) for i, n in enumerate(("W-1", "W-2", "W-3"))
    }
    for number in orders:
        assert waiting_on(client, number) == [(None, 20, later(30))]  # the PO's promised arrival
    first = {n: revisions(db, oid)[-1] for n, oid in orders.items()}
    assert {r.cause for r in first.values()} == {"waiting_for_stock"}

    # The supplier ships the 100 in two notices: 50 due in 10 days, 50 in 19 (by UPS). A week or
    # more apart, so that no weekend or holiday between them gives both the same promise.
    for number, days, tracking in (("ASN-A", 10, UPS_1), ("ASN-B", 19, UPS_2)):
        declared = client.post(
            f"/api/v1/purchase-orders/{po_id}/inbound-shipments",
            json={
                "number": number,
                "carrier": "ups",
                "expected_arrival_date": later(days),
                "parcels": [{"tracking_number": tracking}],
                "lines": [{"line_no": 1, "quantity": 50, "parcel": 1}],
            },
        )
        assert declared.status_code == 201, declared.text
    assert run_worker(db) == 3
    assert waiting_on(client, "W-1") == [("ASN-A", 20, later(10))]
    assert waiting_on(client, "W-2") == [("ASN-A", 20, later(10))]
    assert waiting_on(client, "W-3") == [("ASN-A", 10, later(10)), ("ASN-B", 10, later(19))]
    declared_promises = {n: revisions(db, oid)[-1] for n, oid in orders.items()}
    assert all(declared_promises[n].latest < first[n].latest for n in orders)  # sooner: not told
    assert all(told(db, oid) == [] for oid in orders.values())
    listed = client.get(f"/api/v1/purchase-orders/{po_id}/waiting-orders").json()["items"]
    assert [line["order_number"] for line in listed] == ["W-1", "W-2", "W-3"]

    # The carrier says ASN-A's parcel arrives in 26 days: ASN-B now comes first.
    pushed = client.post(
        "/api/v1/carriers/ups/webhook", content=json.dumps(ups_push(UPS_1, date.fromisoformat(later(26))))
    )
    assert pushed.status_code == 200, pushed.text
    with db.uow(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(PromiseRevisionDue)) >= 1
    assert run_worker(db) == 3
    assert waiting_on(client, "W-1") == [("ASN-B", 20, later(19))]
    assert waiting_on(client, "W-2") == [("ASN-B", 20, later(19))]
    assert waiting_on(client, "W-3") == [("ASN-B", 10, later(19)), ("ASN-A", 10, later(26))]
    for number, order_id in orders.items():
        delayed = revisions(db, order_id)
        assert delayed[-1].latest > declared_promises[number].latest
        assert (delayed[-1].cause, delayed[-1].delayed) == ("supplier_delay", True)
        assert len(told(db, order_id)) == 1, number
    # The shopper's email, prepared from the outbox as the delivery worker does: the new window
    # and why, for an order that has no shipment yet.
    with db.uow(write=False) as uow:
        message = uow.session.scalars(
            select(Notification).where(
                Notification.order_id == orders["W-3"],
                Notification.trigger == "delivery_revised",
                Notification.channel == "email",
            )
        ).one()
        assert message.shipment_id is None and message.facts == {"cause": "supplier_delay"}
        channels = Channels(smtp=None, sms=None, public_url="https://shop.example", secret=TEST_SECRET)
        (prepared,) = prepare_batch(uow, [message.id], channels)
    assert prepared.context is not None
    w3 = revisions(db, orders["W-3"])[-1]
    assert prepared.context.estimated_delivery == (w3.earliest, w3.latest)
    email = render(prepared.context, Channel.email, prepared.source)
    assert "will reach our warehouse later than expected" in email.text

    # The same facts again (a repeated push, another worker round): nothing revised, nobody told twice.
    counts = {n: len(revisions(db, oid)) for n, oid in orders.items()}
    client.post(
        "/api/v1/carriers/ups/webhook", content=json.dumps(ups_push(UPS_1, date.fromisoformat(later(26))))
    )
    run_worker(db)
    assert {n: len(revisions(db, oid)) for n, oid in orders.items()} == counts
    assert all(len(told(db, oid)) == 1 for oid in orders.values())

    # The dock counts ASN-B first (48 good, 2 damaged): the oldest order is filled first.
    counted = client.post(
        "/api/v1/inbound-shipments/ASN-B/receipts",
        json={"lines": [{"sku": "TENT-2P", "good": 48, "damaged": 2}]},
    )
    assert counted.status_code == 201, counted.text
    assert waiting_on(client, "W-1") == []
    assert waiting_on(client, "W-2") == []
    assert waiting_on(client, "W-3") == [("ASN-A", 12, later(26))]
    counted = client.post(
        "/api/v1/inbound-shipments/ASN-A/receipts", json={"lines": [{"sku": "TENT-2P", "good": 50}]}
    )
    assert counted.status_code == 201, counted.text
    run_worker(db)
    assert all(waiting_on(client, n) == [] for n in orders)
    stock = client.get("/api/v1/stock", params={"sku": "TENT-2P"}).json()["items"]
    assert [(level["on_hand"], level["reserved"]) for level in stock] == [(98, 60)]
    found = client.get(f"/api/v1/purchase-orders/{po_id}/discrepancies").json()["items"]
    assert [(d["sku"], d["damaged"]) for d in found] == [("TENT-2P", 2)]
    # Still told once each: stock arriving is good news.
    assert all(len(told(db, oid)) == 1 for oid in orders.values())
