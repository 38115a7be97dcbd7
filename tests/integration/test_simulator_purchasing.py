"""The simulator's buying side: purchase orders, inbound shipments with their faults, and the
carriers' scans of inbound parcels, sent through the API of a real server."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select

from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.simulate.generator import SimConfig, generate
from ordertrack.simulate.http import send
from ordertrack.simulate.inbound import InboundFaults
from ordertrack.simulate.records import BUYING_KINDS, dumps
from ordertrack.suppliers.model import InboundShipment, PurchaseOrder, PurchaseOrderLine, Receipt
from ordertrack.tracking.model import Parcel, TrackingEvent
from tests.support import LiveServer

FAULTY = InboundFaults(late=0.3, short=0.3, damaged=0.4, split=0.5)


def config(**changes: object) -> SimConfig:
    # Over before now (the API refuses scans from the future), and recent enough that the
    # parcels, registered now, claim their scans (the recycle window, 60 days).
    start = (utcnow() - timedelta(days=50)).replace(hour=0, minute=0, second=0, microsecond=0)
    return replace(
        SimConfig(seed=7, orders=0, start=start, days=15, purchase_orders=12, inbound_faults=FAULTY),
        **changes,
    )


def test_purchase_orders_are_opt_in_and_leave_the_order_stream_as_it_was() -> None:
    plain = list(generate(config(orders=40, purchase_orders=0)))
    buying = list(generate(config(orders=40)))
    assert not {r["kind"] for r in plain} & BUYING_KINDS
    drop = ("id", "at")
    orders = lambda records: [  # noqa: E731
        {k: v for k, v in r.items() if k not in drop} for r in records if r["kind"] in ("order", "shipment")
    ]
    assert orders(plain) == orders(buying)
    assert [dumps(r) for r in buying] == [dumps(r) for r in generate(config(orders=40))]
    kinds = Counter(r["kind"] for r in buying)
    assert kinds["purchase_order"] == 12 and kinds["inbound_shipment"] > 12  # some split in two
    times = [datetime.fromisoformat(r["at"]) for r in buying]
    assert times == sorted(times)


def test_a_simulated_run_creates_purchase_orders_whose_inbound_parcels_get_scans(
    db: Database, server: LiveServer, client: httpx.Client
) -> None:
    api_key = client.headers["Authorization"].removeprefix("Bearer ")
    records = list(generate(config()))
    report = send(records, server.base_url, api_key, give_up_after=30)
    assert not report.rejections, report.rejections[:5]
    pos = client.get("/api/v1/purchase-orders", params={"limit": 100}).json()["items"]
    assert len(pos) == 12
    statuses = Counter(po["status"] for po in pos)
    assert statuses["received"] + statuses["partially_received"] > 0
    with db.uow(write=False) as uow:
        session = uow.session
        merchant_id = session.scalar(
            select(PurchaseOrder.merchant_id).where(PurchaseOrder.id == pos[0]["id"])
        )
        asns = session.scalar(
            select(func.count())
            .select_from(InboundShipment)
            .where(InboundShipment.merchant_id == merchant_id)
        )
        scanned = session.execute(
            select(Parcel.id, func.count(TrackingEvent.id))
            .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
            .where(Parcel.merchant_id == merchant_id, Parcel.inbound_shipment_id.is_not(None))
            .group_by(Parcel.id)
        ).all()
        damaged = session.scalar(
            select(func.sum(Receipt.damaged_quantity)).where(Receipt.merchant_id == merchant_id)
        )
        short = session.scalar(
            select(func.count())
            .select_from(PurchaseOrderLine)
            .where(
                PurchaseOrderLine.merchant_id == merchant_id, PurchaseOrderLine.short_closed_at.is_not(None)
            )
        )
    declared = sum(1 for r in records if r["kind"] == "inbound_shipment")
    assert asns == declared and len(scanned) == declared
    assert all(events >= 3 for _, events in scanned)
    assert damaged and damaged > 0
    assert short == sum(1 for r in records if r.get("action", "").endswith("short-close"))


def test_a_run_sent_as_it_happens_gives_the_server_the_suppliers_promises(
    server: LiveServer, client: httpx.Client
) -> None:
    api_key = client.headers["Authorization"].removeprefix("Bearer ")
    records = list(generate(config(start=utcnow(), purchase_orders=6, purchase_order_promises=True)))
    # The scans lie ahead of now; the purchase orders' own requests are what is checked here.
    buying = [r for r in records if r["kind"] in BUYING_KINDS]
    report = send(buying, server.base_url, api_key, give_up_after=30)
    assert not report.rejections, report.rejections[:5]
    promised = {
        r["purchase_order"]: (r["promised_ship_date"], r["promised_arrival_date"])
        for r in buying
        if r["kind"] == "purchase_order"
    }
    for po in client.get("/api/v1/purchase-orders", params={"limit": 100}).json()["items"]:
        assert (po["promised_ship_date"], po["promised_arrival_date"]) == promised[po["number"]]
    late = [r for r in buying if r["kind"] == "inbound_shipment" and r["late"]]
    assert late  # seed 7 has a late supplier among its six orders
    for notice in late:
        assert notice["body"]["expected_arrival_date"] > notice["promised_arrival_date"]
