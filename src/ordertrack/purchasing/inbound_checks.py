"""The worker's watch over inbound shipments on their way: late against the date the supplier
is held to (its notice's, the order's promise, or its learned lead time), stalled, or in
trouble with the carrier. Staff hear of each kind once per inbound shipment, by the
notifications outbox (trigger ``inbound_late``), and the customer orders waiting for its SKUs
are due a new promise (:class:`~ordertrack.events.InboundExpectationChanged`,
``supplier_delay``).

What needs attention now is kept on the inbound shipment (``attention``, its words and since
when), not in the outbound attention items: those are a shipment's and an order's, with a
workflow (assign, message the shopper, claim) that has no meaning for a supplier's parcels.
Decided in docs/suppliers.md, "Inbound shipments are parcels".
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select

from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.events import InboundExpectationChanged
from ordertrack.inventory.model import Warehouse
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.service import Occurrence
from ordertrack.purchasing import inbound
from ordertrack.suppliers import performance, rules
from ordertrack.suppliers.calendar import local_date
from ordertrack.suppliers.model import InboundShipment, InboundShipmentLine, PurchaseOrder, Supplier
from ordertrack.tracking import parcels as tracking_parcels

# Inbound shipments checked per transaction (one merchant's at a time).
CHECK_BATCH = 500
TRIGGER = "inbound_late"
_WATCHED = sorted(inbound.WATCHED_INBOUND_STATUSES)


def run_inbound_checks(db: Database, now: datetime) -> int:
    """Check every open inbound shipment, in id order, a merchant's batch per transaction (the
    checks of one never wait on another's); how many were checked."""
    checked = 0
    after = ""
    while True:
        with db.uow(write=False) as uow:
            due = uow.session.execute(
                select(InboundShipment.merchant_id, InboundShipment.id)
                .where(InboundShipment.status.in_(_WATCHED), InboundShipment.id > after)
                .order_by(InboundShipment.id)
                .limit(CHECK_BATCH)
            ).all()
        if not due:
            return checked
        by_merchant: dict[str, list[str]] = defaultdict(list)
        for merchant_id, inbound_id in due:
            by_merchant[merchant_id].append(inbound_id)
        for merchant_id, ids in sorted(by_merchant.items()):
            with db.uow() as uow:
                check_inbound_shipments(uow, merchant_id, ids, now)
                uow.commit()
        checked += len(due)
        after = due[-1][1]


def check_inbound_shipments(
    uow: UnitOfWork, merchant_id: str, inbound_shipment_ids: list[str], now: datetime
) -> None:
    """Derive these inbound shipments again (a day passing moves an expected arrival too), then
    open, change or close what needs attention on each; staff hear of a kind the first time."""
    inbound.rederive_inbound_shipments(uow, merchant_id, inbound_shipment_ids, now)
    shipments = list(
        uow.session.scalars(
            select(InboundShipment)
            .where(InboundShipment.merchant_id == merchant_id, InboundShipment.id.in_(inbound_shipment_ids))
            .order_by(InboundShipment.id)
        )
    )
    if not shipments:
        return
    orders = {
        po.id: po
        for po in uow.session.scalars(
            select(PurchaseOrder).where(
                PurchaseOrder.merchant_id == merchant_id,
                PurchaseOrder.id.in_({s.purchase_order_id for s in shipments}),
            )
        )
    }
    suppliers = {
        s.id: s
        for s in uow.session.scalars(
            select(Supplier).where(
                Supplier.merchant_id == merchant_id,
                Supplier.id.in_({po.supplier_id for po in orders.values()}),
            )
        )
    }
    lead_times = performance.learned_lead_times(uow, merchant_id, list(suppliers.values()), now=now)
    zones = dict(
        uow.session.execute(
            select(Warehouse.id, Warehouse.timezone).where(
                Warehouse.merchant_id == merchant_id,
                Warehouse.id.in_({po.warehouse_id for po in orders.values()}),
            )
        ).all()
    )
    parcels = tracking_parcels.parcels_of_inbound_shipments(uow, merchant_id, [s.id for s in shipments])
    occurrences: list[Occurrence] = []
    for shipment in shipments:
        po = orders[shipment.purchase_order_id]
        supplier = suppliers[po.supplier_id]
        mine = parcels.get(shipment.id, [])
        scans = [p.last_event_at for p in mine if p.last_event_at is not None]
        trouble = next((p for p in mine if p.status in ("exception", "returning", "returned")), None)
        usual = (
            performance.expected_arrival(supplier, po.sent_at, lead_times[supplier.id])
            if po.sent_at is not None and supplier.id in lead_times
            else None
        )
        found = rules.inbound_attention(
            rules.InboundWatch(
                status=shipment.status,
                today=local_date(now, zones.get(po.warehouse_id, "UTC")),
                now=now,
                declared_at=shipment.created_at,
                last_scan_at=max(scans) if scans else None,
                declared=shipment.expected_arrival_date,
                promised=po.promised_arrival_date,
                usual=usual,
                estimate=shipment.arrival_estimate,
                trouble=_trouble_words(trouble) if trouble is not None else None,
            )
        )
        kind, detail = (str(found[0]), found[1]) if found is not None else (None, None)
        if (kind, detail) == (shipment.attention, shipment.attention_detail):
            continue
        opened = kind is not None and kind != shipment.attention
        shipment.attention, shipment.attention_detail = kind, detail
        if kind is None:
            shipment.attention_at = None
        elif opened:
            shipment.attention_at = now
        if not opened:
            continue
        occurrences.append(
            Occurrence(
                TRIGGER,
                None,
                None,
                # Once per inbound shipment and kind, whatever the outbox is asked later.
                subject=f"{shipment.id}:{kind}",
                facts={
                    "kind": kind,
                    "alert": detail,
                    "inbound_shipment": shipment.number,
                    "purchase_order": po.number,
                    "supplier": supplier.name,
                    "expected": shipment.arrival_estimate.isoformat() if shipment.arrival_estimate else None,
                },
            )
        )
        skus = tuple(sorted(_skus(uow, shipment.id)))
        uow.record(InboundExpectationChanged(merchant_id, skus, po.warehouse_id, "supplier_delay", now))
    if occurrences:
        notifications_service.enqueue(uow, merchant_id, occurrences, now=now)


def _trouble_words(parcel: tracking_parcels.InboundParcel) -> str:
    said = parcel.status.replace("_", " ")
    if parcel.reason:
        said += f" ({parcel.reason.replace('_', ' ')})"
    return f"parcel {parcel.tracking_number}: {said}"


def _skus(uow: UnitOfWork, inbound_shipment_id: str) -> list[str]:
    return list(
        uow.session.scalars(
            select(func.distinct(InboundShipmentLine.sku)).where(
                InboundShipmentLine.inbound_shipment_id == inbound_shipment_id
            )
        )
    )
