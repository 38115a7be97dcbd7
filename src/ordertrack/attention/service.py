"""Shipment checks: the worker looks at the shipments due for a look, recomputes their promise,
opens and closes attention items, and says when to look again.

A shipment is due when something happened to it (created, handed over, a new scan: those
set ``next_check_at`` to now) or when the rules said a kind of trouble could start then (the
day after the promise, the end of the usual silence). The job reads due shipments through
the ``next_check_at`` index, so its cost follows the shipments due, not the database's size.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update

from ordertrack.attention.model import AttentionItem
from ordertrack.attention.rules import Kind, ShipmentWatch, Thresholds, evaluate
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.eta import promises
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.notifications import rules as notification_rules
from ordertrack.notifications import service as notifications_service
from ordertrack.orders.model import Order
from ordertrack.shipments.model import Shipment
from ordertrack.tracking.model import Parcel, TrackingEvent

CHECK_BATCH = 200
# The usual silence between two scans is learned per carrier from recent deliveries: the
# 95th percentile of the gaps while the parcel moved. With too few gaps to learn from, these
# stand in (a carrier scanning less than every three days at home is rare).
GAP_QUANTILE = 0.95
MIN_GAPS = 30
GAPS_FROM_SHIPMENTS = 1000
COLD_START_GAP = {False: timedelta(days=3), True: timedelta(days=5)}
SHORTEST_GAP = timedelta(hours=12)
GAPS_TTL_SECONDS = 600.0
MOVING = ("in_transit", "out_for_delivery", "returning", "info_received")


def schedule_checks(uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str], at: datetime) -> None:
    """Have the checks look at these shipments from ``at`` (something happened to them)."""
    ids = sorted(set(shipment_ids))
    if ids:
        uow.session.execute(
            update(Shipment)
            .where(Shipment.merchant_id == merchant_id, Shipment.id.in_(ids))
            .values(next_check_at=at)
            .execution_options(synchronize_session=False)
        )


@dataclass
class CheckReport:
    checked: int = 0
    opened: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    closed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    revised: int = 0
    delayed: int = 0


def run_checks(
    db: Database, now: datetime, *, thresholds: Thresholds | None = None, limit: int = CHECK_BATCH
) -> CheckReport:
    """One round: the due shipments (any merchant), each checked once, in one transaction."""
    report = CheckReport()
    with db.uow() as uow:
        due = uow.session.execute(
            select(Shipment.id, Shipment.merchant_id)
            .where(Shipment.next_check_at <= now)
            .order_by(Shipment.next_check_at, Shipment.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        by_merchant: dict[str, list[str]] = defaultdict(list)
        for shipment_id, merchant_id in due:
            by_merchant[merchant_id].append(shipment_id)
        for merchant_id, ids in by_merchant.items():
            check_shipments(uow, merchant_id, ids, now, thresholds or Thresholds(), report)
        uow.commit()
    return report


def check_shipments(
    uow: UnitOfWork,
    merchant_id: str,
    shipment_ids: list[str],
    now: datetime,
    thresholds: Thresholds,
    report: CheckReport | None = None,
) -> None:
    report = report if report is not None else CheckReport()
    first_scans, last_scans, heard = _scan_times(uow, merchant_id, shipment_ids)
    shipments, orders, warehouses = promises.load_shipments(uow, merchant_id, shipment_ids)
    for outcome in promises.revise_promises(
        uow, merchant_id, shipments, orders, warehouses, now=now, stage="check", first_scans=first_scans
    ):
        report.revised += outcome.changed
        report.delayed += outcome.delayed
    open_items: dict[str, dict[str, AttentionItem]] = defaultdict(dict)
    for item in uow.session.scalars(
        select(AttentionItem).where(
            AttentionItem.shipment_id.in_(shipment_ids), AttentionItem.closed_at.is_(None)
        )
    ):
        open_items[item.shipment_id][item.kind] = item
    gaps = usual_gaps(uow, merchant_id)
    alerts: list[notifications_service.Occurrence] = []
    for shipment in shipments:
        order = orders[shipment.order_id]
        destination = promises.place(order.ship_country, order.ship_region)
        origin = promises.origin_of(warehouses.get(shipment.warehouse or ""), destination)
        international = origin.place.country != destination.country
        watch = ShipmentWatch(
            status=shipment.status,
            reason=shipment.reason,
            created_at=shipment.created_at,
            first_carrier_scan_at=first_scans.get(shipment.id),
            last_scan_at=last_scans.get(shipment.id),
            last_heard_at=heard.get(shipment.id),
            promised_latest=shipment.promised_latest,
            destination_timezone=destination.timezone,
            origin_timezone=origin.place.timezone,
            origin_calendar=origin.place.calendar,
            international=international,
            usual_gap=gaps.get(shipment.carrier) or gaps.get(None) or COLD_START_GAP[international],
        )
        verdict = evaluate(watch, now, thresholds)
        current = open_items.get(shipment.id, {})
        for kind, detail in verdict.open.items():
            if kind not in current:
                uow.session.add(
                    AttentionItem(
                        id=new_id("att"),
                        merchant_id=merchant_id,
                        shipment_id=shipment.id,
                        order_id=shipment.order_id,
                        kind=str(kind),
                        detail=detail[:300],
                        opened_at=now,
                    )
                )
                report.opened[str(kind)] += 1
                if kind is not Kind.exception:  # an exception already alerted staff on the scan itself
                    alerts.append(
                        notifications_service.Occurrence(
                            "needs_attention",
                            shipment.order_id,
                            order.customer_id,
                            shipment.id,
                            subject=notification_rules.attention_subject(shipment.id, str(kind)),
                            facts={"alert": f"{kind.replace('_', ' ')}: {detail}"},
                        )
                    )
            elif current[kind].detail != detail[:300]:
                current[kind].detail = detail[:300]
        for name, item in current.items():
            if Kind(name) not in verdict.open:
                item.closed_at = now
                item.close_reason = _why_closed(Kind(name), shipment.status)
                report.closed[name] += 1
        shipment.next_check_at = verdict.next_check_at
        report.checked += 1
    # Staff hear of new trouble (once per shipment and kind), in this same transaction.
    notifications_service.enqueue(uow, merchant_id, alerts, now=now)


def _why_closed(kind: Kind, status: str) -> str:
    if status in ("delivered", "returned"):
        return f"the shipment was {status}"
    return {
        Kind.stalled: "a new scan",
        Kind.likely_lost: "a new scan",
        Kind.not_picked_up: "the carrier scanned it",
        Kind.exception: f"the shipment moved on ({status.replace('_', ' ')})",
        Kind.late: "the promise was kept after all",
    }[kind]


def _scan_times(
    uow: UnitOfWork, merchant_id: str, shipment_ids: list[str]
) -> tuple[dict[str, datetime], dict[str, datetime], dict[str, datetime]]:
    """Each shipment's first carrier scan (not "label created"), its newest scan of any kind,
    and when the newest-received of its scans reached us."""
    first: dict[str, datetime] = {}
    heard: dict[str, datetime] = {}
    carrier_scan = case((TrackingEvent.status != "info_received", TrackingEvent.occurred_at))
    for shipment_id, first_at, heard_at in uow.session.execute(
        select(Parcel.shipment_id, func.min(carrier_scan), func.max(TrackingEvent.received_at))
        .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
        .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(shipment_ids))
        .group_by(Parcel.shipment_id)
    ):
        if first_at is not None:
            first[shipment_id] = first_at
        heard[shipment_id] = heard_at
    last: dict[str, datetime] = {}
    for shipment_id, newest in uow.session.execute(
        select(Parcel.shipment_id, func.max(Parcel.last_event_at))
        .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(shipment_ids))
        .group_by(Parcel.shipment_id)
    ):
        if newest is not None:
            last[shipment_id] = newest
    return first, last, heard


# --- the usual silence, learned ----------------------------------------------------------------

_gaps: dict[str, tuple[float, dict[str | None, timedelta]]] = {}


def forget_gaps() -> None:
    _gaps.clear()


def usual_gaps(uow: UnitOfWork, merchant_id: str) -> dict[str | None, timedelta]:
    """Per carrier (and None: all carriers together), the usual longest silence between scans
    while a parcel moved, from the merchant's newest deliveries; carriers with too few gaps are
    left out (the caller falls back)."""
    cached = _gaps.get(merchant_id)
    if cached is not None and clock.monotonic() - cached[0] < GAPS_TTL_SECONDS:
        return cached[1]
    recent = promises.newest_deliveries(merchant_id, GAPS_FROM_SHIPMENTS).subquery()
    rows = uow.session.execute(
        select(Parcel.id, Parcel.carrier, TrackingEvent.occurred_at, TrackingEvent.status)
        .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
        .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(select(recent.c.id)))
        .order_by(Parcel.id, TrackingEvent.occurred_at)
    ).all()
    per_carrier: dict[str | None, list[float]] = defaultdict(list)
    previous: tuple[str, datetime, str] | None = None
    for parcel_id, slug, occurred_at, status in rows:
        if previous is not None and previous[0] == parcel_id and previous[2] in MOVING:
            gap = (occurred_at - previous[1]).total_seconds()
            per_carrier[slug].append(gap)
            per_carrier[None].append(gap)
        previous = (parcel_id, occurred_at, status)
    learned: dict[str | None, timedelta] = {}
    for carrier, values in per_carrier.items():
        if len(values) >= MIN_GAPS:
            values.sort()
            high = values[min(len(values) - 1, int(GAP_QUANTILE * len(values)))]
            learned[carrier] = max(SHORTEST_GAP, timedelta(seconds=high))
    _gaps[merchant_id] = (clock.monotonic(), learned)
    return learned


# --- reading items ------------------------------------------------------------------------------


def list_items(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    state: str | None,
    kind: str | None,
    order_id: str | None,
    shipment_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[AttentionItem]:
    query = select(AttentionItem).where(AttentionItem.merchant_id == merchant_id)
    if state == "open":
        query = query.where(AttentionItem.closed_at.is_(None))
    elif state == "closed":
        query = query.where(AttentionItem.closed_at.is_not(None))
    if kind:
        query = query.where(AttentionItem.kind == kind)
    if order_id:
        query = query.where(AttentionItem.order_id == order_id)
    if shipment_id:
        query = query.where(AttentionItem.shipment_id == shipment_id)
    return keyset_page(uow.session, query, AttentionItem.id, cursor, limit)


def items_for_orders(
    uow: UnitOfWork, merchant_id: str, order_ids: list[str]
) -> dict[str, list[AttentionItem]]:
    found: dict[str, list[AttentionItem]] = defaultdict(list)
    for item in uow.session.scalars(
        select(AttentionItem)
        .where(AttentionItem.merchant_id == merchant_id, AttentionItem.order_id.in_(order_ids))
        .order_by(AttentionItem.opened_at, AttentionItem.id)
    ):
        found[item.order_id].append(item)
    return found


def open_items_with_orders(
    uow: UnitOfWork, merchant_id: str, limit: int = 200
) -> list[tuple[AttentionItem, str]]:
    """Open items, newest first, each with its order's number (the dashboard's alert list)."""
    return [
        (item, number)
        for item, number in uow.session.execute(
            select(AttentionItem, Order.number)
            .join(Order, Order.id == AttentionItem.order_id)
            .where(AttentionItem.merchant_id == merchant_id, AttentionItem.closed_at.is_(None))
            .order_by(AttentionItem.opened_at.desc(), AttentionItem.id.desc())
            .limit(limit)
        )
    ]
