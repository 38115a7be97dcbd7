"""The delivery promise of orders and shipments, kept with every revision and why.

The engine (``eta.engine``) is pure; this module feeds it what the database knows: the
warehouse's cut-off and calendar, the destination's zone and holidays, the carrier and its
own estimate, the hand-off, and the merchant's delivered history (learned per lane, recent
deliveries weighing more, only those completed before the moment of the estimate).

Promises are recomputed when an order is placed, when a shipment is created (the label),
when the carrier takes it and by the shipment checks after new scans or as time passes. A
revision is written only when the window changes. One that moves ``latest`` later is
``delayed``: the shopper is told (``delivery_revised``), once per new window.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.core import get_global
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ordertrack.carriers.zones import principal_zone, zone_for
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import engine
from ordertrack.eta.calendar import BusinessCalendar, calendar_for, dispatch_date
from ordertrack.eta.learning import Lane, TransitHistory
from ordertrack.eta.model import DeliveryEstimate, EddRevision
from ordertrack.inventory.model import Warehouse
from ordertrack.kit.ids import new_id
from ordertrack.notifications import rules as notification_rules
from ordertrack.notifications import service as notifications_service
from ordertrack.orders.model import Order
from ordertrack.shipments.model import Shipment, ShipmentLine
from ordertrack.tracking.model import Parcel, TrackingEvent

# How long a process reuses what it learned from a merchant's deliveries, and how many of the
# newest deliveries it learns from.
HISTORY_TTL_SECONDS = 600.0
HISTORY_DEPTH = 5000
DEFAULT_CUTOFF = time(14, 0)
# A parcel past its promised day gets a new window of this many business days from today.
OVERDUE_MARGIN_DAYS = 2
DEFAULT_PROCESSING_DAYS = frozenset({1, 2, 3, 4, 5})


@dataclass(frozen=True)
class Place:
    """Where a journey starts or ends: country, region, time zone and business calendar."""

    country: str
    region: str | None
    timezone: str
    calendar: BusinessCalendar

    @property
    def lane_name(self) -> str:
        return f"{self.country}-{self.region}" if self.region else self.country


def place(country: str | None, region: str | None) -> Place:
    country = (country or "").upper() or "US"
    region = region.strip().upper() if region and region.strip() else None
    zone = zone_for(country, region, None, None) or principal_zone(country) or _first_zone(country)
    return Place(country, region, zone, calendar_for(country))


def _first_zone(country: str) -> str:
    zones = get_global("territory_zones").get(country, ())
    return str(zones[0]) if zones else "UTC"


@dataclass(frozen=True)
class Origin:
    place: Place
    cutoff: time
    processing_days: frozenset[int]


def origin_of(warehouse: Warehouse | None, fallback: Place) -> Origin:
    """The warehouse's place and working rules; without one, the destination's, 14:00 on weekdays."""
    if warehouse is None:
        return Origin(fallback, DEFAULT_CUTOFF, DEFAULT_PROCESSING_DAYS)
    hours, minutes = (int(part) for part in warehouse.cutoff_time.split(":"))
    days = frozenset(int(day) for day in warehouse.processing_days.split(",") if day.strip())
    where = Place(
        warehouse.country.upper(),
        warehouse.region.strip().upper() if warehouse.region else None,
        warehouse.timezone,
        calendar_for(warehouse.country.upper()),
    )
    return Origin(where, time(hours, minutes), days or DEFAULT_PROCESSING_DAYS)


# --- what a merchant's deliveries teach ---------------------------------------------------------

_learned: dict[str, tuple[float, TransitHistory]] = {}


def forget_history() -> None:
    """Drop every cached history (tests; a merchant importing old deliveries)."""
    _learned.clear()


def newest_deliveries(merchant_id: str, limit: int) -> Select[str]:
    """The ids of the merchant's ``limit`` newest delivered shipments, as a query to nest (the
    index on merchant and delivery time serves it): what its deliveries teach comes from these."""
    return (
        select(Shipment.id)
        .where(
            Shipment.merchant_id == merchant_id,
            Shipment.status == "delivered",
            Shipment.delivered_at.is_not(None),
        )
        .order_by(Shipment.delivered_at.desc(), Shipment.id.desc())
        .limit(limit)
    )


def learned_history(uow: UnitOfWork, merchant_id: str) -> TransitHistory:
    """Transit times of the merchant's newest deliveries, per lane and leg (cached a while)."""
    cached = _learned.get(merchant_id)
    if cached is not None and clock.monotonic() - cached[0] < HISTORY_TTL_SECONDS:
        return cached[1]
    history = TransitHistory()
    warehouses = {
        w.code: w for w in uow.session.scalars(select(Warehouse).where(Warehouse.merchant_id == merchant_id))
    }
    # The newest deliveries (index on merchant and delivery time), then only their scans: the
    # carrier had a parcel from its hand-off, else from its first carrier scan.
    newest = newest_deliveries(merchant_id, HISTORY_DEPTH).cte("newest_deliveries")
    first_scan = (
        select(Parcel.shipment_id, func.min(TrackingEvent.occurred_at).label("at"))
        .join(TrackingEvent, TrackingEvent.parcel_id == Parcel.id)
        .where(
            Parcel.merchant_id == merchant_id,
            Parcel.shipment_id.in_(select(newest.c.id)),
            TrackingEvent.status != "info_received",
        )
        .group_by(Parcel.shipment_id)
        .subquery()
    )
    rows = uow.session.execute(
        select(
            Shipment.carrier,
            Shipment.service,
            Shipment.warehouse,
            Shipment.created_at,
            func.coalesce(Shipment.handed_over_at, first_scan.c.at),
            Shipment.delivered_at,
            Order.placed_at,
            Order.ship_country,
            Order.ship_region,
        )
        .join(newest, newest.c.id == Shipment.id)
        .join(Order, Order.id == Shipment.order_id)
        .outerjoin(first_scan, first_scan.c.shipment_id == Shipment.id)
        .order_by(Shipment.delivered_at.desc(), Shipment.id.desc())
    ).all()
    for carrier, service, code, created_at, handed_over_at, delivered_at, placed_at, country, region in rows:
        if delivered_at is None:
            continue
        destination = place(country, region)
        origin = origin_of(warehouses.get(code or ""), destination)
        lane = Lane(carrier, service, origin.place.lane_name, destination.lane_name)
        delivered_on = delivered_at.astimezone(ZoneInfo(destination.timezone)).date()
        left = (handed_over_at or created_at).astimezone(ZoneInfo(origin.place.timezone)).date()
        history.add(
            lane, delivered_at, destination.calendar.business_days_between(left, delivered_on), leg="handoff"
        )
        planned = dispatch_date(
            placed_at,
            timezone=origin.place.timezone,
            cutoff=origin.cutoff,
            processing_days=origin.processing_days,
            calendar=origin.place.calendar,
        )
        history.add(
            lane, delivered_at, destination.calendar.business_days_between(planned, delivered_on), leg="order"
        )
    _learned[merchant_id] = (clock.monotonic(), history)
    return history


# --- estimating ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    earliest: date
    latest: date
    most_likely: date
    reason: str


def _estimate_shipment(
    shipment: Shipment,
    order: Order,
    warehouse: Warehouse | None,
    carrier_estimate: tuple[date, date] | None,
    dispatched_at: datetime | None,
    history: TransitHistory,
    now: datetime,
) -> Window:
    destination = place(order.ship_country, order.ship_region)
    origin = origin_of(warehouse, destination)
    delivered_on = (
        shipment.delivered_at.astimezone(ZoneInfo(destination.timezone)).date()
        if shipment.status == "delivered" and shipment.delivered_at is not None
        else None
    )
    found = engine.estimate(
        engine.EddInputs(
            moment=now,
            ordered_at=order.placed_at,
            dispatched_at=dispatched_at,
            origin=origin.place.calendar,
            destination=destination.calendar,
            destination_timezone=destination.timezone,
            lane=Lane(shipment.carrier, shipment.service, origin.place.lane_name, destination.lane_name),
            warehouse_timezone=origin.place.timezone,
            cutoff=origin.cutoff,
            processing_days=origin.processing_days,
            carrier_estimate=carrier_estimate,
            delivered_on=delivered_on,
        ),
        history,
    )
    window = Window(found.earliest, found.latest, found.most_likely, found.reason)
    if delivered_on is None and carrier_estimate is not None and max(carrier_estimate) > window.latest:
        # The carrier announcing a later day than history suggests is news of a delay: believe it.
        latest = max(carrier_estimate)
        window = Window(
            window.earliest, latest, window.most_likely, window.reason + "; the carrier now says later"
        )
    return window


def _estimate_unshipped(
    order: Order, warehouse: Warehouse | None, history: TransitHistory, now: datetime
) -> Window:
    destination = place(order.ship_country, order.ship_region)
    origin = origin_of(warehouse, destination)
    found = engine.estimate(
        engine.EddInputs(
            moment=now,
            ordered_at=order.placed_at,
            dispatched_at=None,
            origin=origin.place.calendar,
            destination=destination.calendar,
            destination_timezone=destination.timezone,
            lane=Lane(None, None, origin.place.lane_name, destination.lane_name),
            warehouse_timezone=origin.place.timezone,
            cutoff=origin.cutoff,
            processing_days=origin.processing_days,
        ),
        history,
    )
    return Window(found.earliest, found.latest, found.most_likely, found.reason)


# --- keeping revisions --------------------------------------------------------------------------


def refresh_order_promise(
    uow: UnitOfWork, merchant_id: str, order: Order, *, now: datetime, stage: str, new: bool = False
) -> None:
    """The order's promise: its last shipment's, and for units not shipped yet, a fresh estimate
    from the warehouse that would ship them (the first by priority). ``new``: just placed."""
    shipments = (
        []
        if new
        else list(
            uow.session.scalars(
                select(Shipment).where(Shipment.merchant_id == merchant_id, Shipment.order_id == order.id)
            )
        )
    )
    windows = [
        Window(s.edd_earliest, s.edd_latest, s.edd_most_likely, "its shipments")
        for s in shipments
        if s.edd_earliest is not None and s.edd_latest is not None and s.edd_most_likely is not None
    ]
    shipped = 0 if new else _shipped_units(uow, merchant_id, order.id)
    if shipped < sum(line.quantity for line in order.lines):
        warehouse = uow.session.scalars(
            select(Warehouse)
            .where(Warehouse.merchant_id == merchant_id)
            .order_by(Warehouse.priority, Warehouse.code)
            .limit(1)
        ).first()
        windows.append(_estimate_unshipped(order, warehouse, learned_history(uow, merchant_id), now))
    if not windows:
        return
    if len(windows) == 1:
        combined = windows[0]
    else:
        combined = Window(
            max(w.earliest for w in windows),
            max(w.latest for w in windows),
            max(w.most_likely for w in windows),
            f"the last of {len(windows)} parts to arrive",
        )
    current = (order.edd_earliest, order.edd_latest, order.edd_most_likely)
    if current == (combined.earliest, combined.latest, combined.most_likely):
        return
    delayed = order.edd_latest is not None and combined.latest > order.edd_latest
    order.edd_earliest, order.edd_latest, order.edd_most_likely = (
        combined.earliest,
        combined.latest,
        combined.most_likely,
    )
    uow.session.add(_revision(merchant_id, order.id, None, combined, stage, delayed, now))
    uow.record_page_change(order_id=order.id)


def _shipped_units(uow: UnitOfWork, merchant_id: str, order_id: str) -> int:
    return sum(
        uow.session.scalars(
            select(ShipmentLine.quantity)
            .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
            .where(Shipment.merchant_id == merchant_id, Shipment.order_id == order_id)
        )
    )


@dataclass(frozen=True)
class ShipmentPromise:
    """What a refresh did to one shipment's promise."""

    shipment_id: str
    changed: bool
    delayed: bool


def refresh_shipment_promises(
    uow: UnitOfWork,
    merchant_id: str,
    shipment_ids: Iterable[str],
    *,
    now: datetime,
    stage: str,
    first_scans: dict[str, datetime] | None = None,
) -> list[ShipmentPromise]:
    """Recompute these shipments' promises (and their orders'); write a revision where the window
    changed, and tell the shopper of a delay. ``first_scans``: each shipment's first carrier scan,
    when the caller has it (the carrier had the parcel from then, hand-off recorded or not)."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return []
    shipments, orders, warehouses = load_shipments(uow, merchant_id, ids)
    return revise_promises(
        uow, merchant_id, shipments, orders, warehouses, now=now, stage=stage, first_scans=first_scans
    )


def load_shipments(
    uow: UnitOfWork, merchant_id: str, ids: list[str]
) -> tuple[list[Shipment], dict[str, Order], dict[str, Warehouse]]:
    """The shipments, their orders (with lines) and the merchant's warehouses by code."""
    shipments = list(
        uow.session.scalars(
            select(Shipment)
            .where(Shipment.merchant_id == merchant_id, Shipment.id.in_(ids))
            .order_by(Shipment.id)
        )
    )
    orders = {
        o.id: o
        for o in uow.session.scalars(
            select(Order)
            .where(Order.id.in_({s.order_id for s in shipments}))
            .options(selectinload(Order.lines))
        )
    }
    warehouses = {
        w.code: w for w in uow.session.scalars(select(Warehouse).where(Warehouse.merchant_id == merchant_id))
    }
    return shipments, orders, warehouses


def revise_promises(
    uow: UnitOfWork,
    merchant_id: str,
    shipments: list[Shipment],
    orders: dict[str, Order],
    warehouses: dict[str, Warehouse],
    *,
    now: datetime,
    stage: str,
    first_scans: dict[str, datetime] | None = None,
) -> list[ShipmentPromise]:
    """:func:`refresh_shipment_promises` on rows the caller already loaded (:func:`load_shipments`)."""
    ids = [s.id for s in shipments]
    carrier_estimates = _carrier_estimates(uow, merchant_id, ids)
    history = learned_history(uow, merchant_id)
    # When each promise was last made: a hand-off after it is a new fact worth a fresh estimate.
    promised_at = dict(
        uow.session.execute(
            select(EddRevision.shipment_id, func.max(EddRevision.recorded_at))
            .where(EddRevision.merchant_id == merchant_id, EddRevision.shipment_id.in_(ids))
            .group_by(EddRevision.shipment_id)
        ).all()
    )
    results: list[ShipmentPromise] = []
    delayed_subjects: dict[str, str | None] = {}
    for shipment in shipments:
        order = orders[shipment.order_id]
        # Until the carrier has it, the label is the best sign the parcel is about to leave.
        dispatched = shipment.handed_over_at or (first_scans or {}).get(shipment.id) or shipment.created_at
        window: Window | None = None
        handed_over_since = dispatched is not None and dispatched > promised_at.get(shipment.id, dispatched)
        if stage == "check" and shipment.status not in ("delivered", "returned") and not handed_over_since:
            window = _as_time_passes(shipment, place(order.ship_country, order.ship_region), now)
        if window is None:
            window = _estimate_shipment(
                shipment,
                order,
                warehouses.get(shipment.warehouse or ""),
                carrier_estimates.get(shipment.id),
                dispatched,
                history,
                now,
            )
        current = (shipment.edd_earliest, shipment.edd_latest, shipment.edd_most_likely)
        if current == (window.earliest, window.latest, window.most_likely):
            results.append(ShipmentPromise(shipment.id, False, False))
            continue
        delayed = (
            shipment.edd_latest is not None
            and window.latest > shipment.edd_latest
            and shipment.status not in ("delivered", "returned")
        )
        shipment.edd_earliest, shipment.edd_latest, shipment.edd_most_likely = (
            window.earliest,
            window.latest,
            window.most_likely,
        )
        if shipment.promised_latest is None:
            shipment.promised_latest = window.latest  # what the shopper was told when it shipped
        what = _stage(shipment, stage, handed_over_since)
        uow.session.add(_revision(merchant_id, shipment.order_id, shipment.id, window, what, delayed, now))
        if delayed:
            delayed_subjects[shipment.id] = notification_rules.revision_subject(
                shipment.id, window.earliest, window.latest
            )
        results.append(ShipmentPromise(shipment.id, True, delayed))
    if delayed_subjects:
        _tell_delays(uow, merchant_id, shipments, orders, delayed_subjects, now)
    changed = {r.shipment_id for r in results if r.changed}
    if changed:
        uow.flush()
    for order_id in sorted({s.order_id for s in shipments if s.id in changed}):
        refresh_order_promise(uow, merchant_id, orders[order_id], now=now, stage=stage)
    return results


def _stage(shipment: Shipment, stage: str, handed_over_since: bool) -> str:
    """What prompted a revision: the delivery, a hand-off newer than the promise, else the caller."""
    if shipment.status == "delivered":
        return "delivered"
    return "handoff" if handed_over_since else stage


def _as_time_passes(shipment: Shipment, destination: Place, now: datetime) -> Window | None:
    """What a check (no new facts, only time) does to a promise under way: keep it while it can
    still be kept; once its last day has passed, a fresh window from today (told as a delay once,
    not again every morning); out for delivery, today. None: estimate afresh (no promise yet)."""
    if shipment.edd_earliest is None or shipment.edd_latest is None or shipment.edd_most_likely is None:
        return None
    today = now.astimezone(ZoneInfo(destination.timezone)).date()
    if shipment.status == "out_for_delivery" and shipment.edd_latest >= today:
        return Window(today, today, today, "out for delivery today")
    if shipment.edd_latest >= today:
        return Window(shipment.edd_earliest, shipment.edd_latest, shipment.edd_most_likely, "unchanged")
    latest = destination.calendar.add_business_days(today, OVERDUE_MARGIN_DAYS)
    return Window(today, latest, today, "past the promised day and still on its way: a new window from today")


def _tell_delays(
    uow: UnitOfWork,
    merchant_id: str,
    shipments: list[Shipment],
    orders: dict[str, Order],
    subjects: dict[str, str | None],
    now: datetime,
) -> None:
    notifications_service.enqueue(
        uow,
        merchant_id,
        [
            notifications_service.Occurrence(
                "delivery_revised",
                s.order_id,
                orders[s.order_id].customer_id,
                s.id,
                subject=subjects[s.id],
            )
            for s in shipments
            if s.id in subjects
        ],
        now=now,
    )


def _carrier_estimates(
    uow: UnitOfWork, merchant_id: str, shipment_ids: list[str]
) -> dict[str, tuple[date, date]]:
    """Each shipment's carrier promise now: the newest revision per parcel, the latest parcel's."""
    newest: dict[str, DeliveryEstimate] = {}
    shipment_of: dict[str, str] = {}
    for estimate, shipment_id in uow.session.execute(
        select(DeliveryEstimate, Parcel.shipment_id)
        .join(Parcel, Parcel.id == DeliveryEstimate.parcel_id)
        .where(DeliveryEstimate.merchant_id == merchant_id, Parcel.shipment_id.in_(shipment_ids))
        .order_by(DeliveryEstimate.recorded_at, DeliveryEstimate.id)
    ):
        newest[estimate.parcel_id] = estimate
        shipment_of[estimate.parcel_id] = shipment_id
    found: dict[str, tuple[date, date]] = {}
    for parcel_id, estimate in newest.items():
        shipment_id = shipment_of[parcel_id]
        window = (estimate.earliest, estimate.latest)
        if shipment_id not in found or window[1] > found[shipment_id][1]:
            found[shipment_id] = window
    return found


def _revision(
    merchant_id: str,
    order_id: str,
    shipment_id: str | None,
    window: Window,
    stage: str,
    delayed: bool,
    now: datetime,
) -> EddRevision:
    return EddRevision(
        id=new_id("edr"),
        merchant_id=merchant_id,
        order_id=order_id,
        shipment_id=shipment_id,
        earliest=window.earliest,
        latest=window.latest,
        most_likely=window.most_likely,
        stage=stage,
        reason=window.reason[:300],
        delayed=delayed,
        recorded_at=now,
    )


def revisions_for(
    uow: UnitOfWork, merchant_id: str, order_id: str
) -> tuple[list[EddRevision], dict[str, list[EddRevision]]]:
    """An order's own revisions and each of its shipments', oldest first."""
    own: list[EddRevision] = []
    per_shipment: dict[str, list[EddRevision]] = {}
    for row in uow.session.scalars(
        select(EddRevision)
        .where(EddRevision.merchant_id == merchant_id, EddRevision.order_id == order_id)
        .order_by(EddRevision.recorded_at, EddRevision.id)
    ):
        if row.shipment_id is None:
            own.append(row)
        else:
            per_shipment.setdefault(row.shipment_id, []).append(row)
    return own, per_shipment
