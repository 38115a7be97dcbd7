"""Inbound shipments are parcels: a supplier's advance shipping notice (ASN) registers its
tracking numbers as ordinary tracking parcels, owned by the inbound shipment instead of an
outbound one. Carrier detection and check digits, webhooks, polling, unified statuses and
local scan times are then the tracking engine's, unchanged; this module is what purchasing
adds on top: the ASN's status and expected arrival, derived from its parcels and receipts.

It sits in the use-case layer because it spans carriers (numbers, polling accounts),
tracking (parcels), eta (the carrier's estimates) and suppliers (the ASN rows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ordertrack.carriers import accounts as carrier_accounts
from ordertrack.carriers.tracking_numbers import (
    InvalidTrackingNumber,
    canonical_tracking_number,
    detect_carriers,
    validate_tracking_number,
)
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import service as eta_service
from ordertrack.events import InboundExpectationChanged, InboundShipmentStatusChanged
from ordertrack.inventory.model import Warehouse
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, Unprocessable
from ordertrack.shipments.rules import recycled_after
from ordertrack.suppliers import rules
from ordertrack.suppliers.calendar import local_date
from ordertrack.suppliers.model import (
    InboundShipment,
    InboundShipmentLine,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
)
from ordertrack.suppliers.scoring import nearest_rank
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking import service as tracking_service

# As the server's default (Settings.recycle_window_days): a number is a carrier's to hand out
# again after this long; scans older than that are not claimed by a new parcel.
DEFAULT_RECYCLE_WINDOW = timedelta(days=60)


class CarrierNotDetected(Unprocessable):
    """No carrier's format fits the number: the supplier has to say which carrier it is."""

    code = "carrier_not_detected"

    def __init__(self, number: str) -> None:
        super().__init__(
            f"{number!r} has the form of no carrier ordertrack knows: name the carrier",
            details={"number": number},
        )


class CarrierAmbiguous(Unprocessable):
    """The number fits more than one carrier's format, check digit and all."""

    code = "carrier_ambiguous"

    def __init__(self, number: str, carriers: Sequence[str]) -> None:
        super().__init__(
            f"{number!r} can be a number of {', '.join(carriers)}: name the carrier",
            details={"number": number, "carriers": list(carriers)},
        )


class DuplicateTrackingNumber(Unprocessable):
    code = "duplicate_tracking_number"


class InboundNumberInUse(Conflict):
    """The number is on a parcel still travelling (outbound or inbound): a typo, not recycling."""

    code = "tracking_number_in_use"


def check_inbound_numbers(parcels: Sequence[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """The parcels as (canonical number, carrier), each checked as outbound numbers are.

    Nothing is read or written, so a bad ASN is refused (422) before any row exists. A named
    carrier checks the number's form and check digit (``invalid_tracking_number``); without
    one the carrier is the one whose format and check digit fit (a form that fits with a wrong
    check digit is ``invalid_tracking_number`` too, several that fit is ``carrier_ambiguous``,
    none ``carrier_not_detected``). The same number twice in one notice is refused.
    """
    checked: list[tuple[str, str]] = []
    for number, carrier in parcels:
        if carrier is not None:
            checked.append((validate_tracking_number(carrier, number), carrier))
            continue
        checked.append((canonical_tracking_number("unknown", number), _detected_carrier(number)))
    seen: set[str] = set()
    for number, _carrier in checked:
        if number in seen:
            raise DuplicateTrackingNumber(
                f"tracking number {number} is given twice: each parcel needs its own",
                details={"number": number},
            )
        seen.add(number)
    return checked


def _detected_carrier(number: str) -> str:
    matches = detect_carriers(number)
    valid = sorted({m.carrier for m in matches if m.valid})
    if len(valid) == 1:
        return valid[0]
    if len(valid) > 1:
        raise CarrierAmbiguous(number, valid)
    if matches:
        # It has a carrier's shape but its check digit is wrong: a typo, said as for outbound.
        raise InvalidTrackingNumber(matches[0].carrier, number, "check digit does not match")
    raise CarrierNotDetected(number)


def add_inbound_parcels(
    uow: UnitOfWork,
    merchant_id: str,
    inbound_shipment_id: str,
    parcels: Sequence[tuple[str, str | None]],
    *,
    now: datetime,
    recycle_window: timedelta = DEFAULT_RECYCLE_WINDOW,
) -> list[str]:
    """Register an inbound shipment's parcels (tracking number, carrier or None to detect) as
    tracking parcels, exactly as shipping an order registers its own, and return their ids.

    Numbers are checked (:func:`check_inbound_numbers`); one still travelling on another
    parcel is refused (409 ``tracking_number_in_use``); scans that came before the notice are
    claimed, as they are for an outbound shipment; parcels of carriers the merchant polls are
    due for a poll at once. The inbound shipment row must exist (flushed or not).
    """
    checked = check_inbound_numbers(parcels)
    if not checked:
        return []
    since = recycled_after(now, recycle_window)
    for carrier in sorted({c for _n, c in checked}):
        numbers = [n for n, c in checked if c == carrier]
        clash = tracking_parcels.number_in_flight(uow, merchant_id, carrier, numbers, since)
        if clash is not None:
            raise InboundNumberInUse(
                f"tracking number {clash[0]} is already on a parcel still under way",
                details={"number": clash[0]},
            )
    uow.flush()  # the inbound shipment row, before parcels that point at it
    rows = tracking_parcels.new_inbound_parcels(
        merchant_id,
        inbound_shipment_id,
        checked,
        first_seq=tracking_parcels.next_inbound_seq(uow, inbound_shipment_id),
        now=now,
    )
    uow.session.add_all(rows)
    uow.flush()
    tracking_service.claim_events_for_new_parcels(
        uow,
        merchant_id,
        [(p.id, p.tracking_number, p.carrier, p.created_at) for p in rows],
        recycle_window=recycle_window,
        now=now,
    )
    for carrier in sorted({p.carrier for p in rows}):
        account = carrier_accounts.get_account(uow, merchant_id, carrier)
        if account is not None and account.enabled:
            tracking_parcels.poll_parcels_at(uow, [p.id for p in rows if p.carrier == carrier], now)
    return [p.id for p in rows]


# --- the inbound shipment's status and expected arrival, derived ----------------------------------

# Delivered inbound shipments a lane's transit is learned from (the newest), at least how many
# it takes, and the percentile told (a little cautious: stock promised to shoppers rides on it).
LEARNED_TRANSIT_SAMPLES = 50
MIN_TRANSIT_SAMPLES = 3
TRANSIT_PERCENTILE = 80


def rederive_inbound_shipments(
    uow: UnitOfWork, merchant_id: str, inbound_shipment_ids: Iterable[str], now: datetime
) -> None:
    """Derive these inbound shipments' status, arrival time and expected arrival again from
    their facts (parcels, counts, carrier estimates, the lane's history), store what changed,
    and record it: :class:`InboundShipmentStatusChanged`, and
    :class:`InboundExpectationChanged` when the expected arrival moved (``supplier_delay``
    when later, ``carrier_estimate`` when earlier, ``delivered`` on arrival).

    Anyone who changes those facts calls this (receiving after a count; the handlers below
    after scans, carrier estimates and declarations). It is idempotent: the same facts, the
    same result, nothing recorded.
    """
    ids = sorted(set(inbound_shipment_ids))
    if not ids:
        return
    shipments = list(
        uow.session.scalars(
            select(InboundShipment)
            .where(InboundShipment.merchant_id == merchant_id, InboundShipment.id.in_(ids))
            .options(selectinload(InboundShipment.lines))
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
    zones = _warehouse_zones(uow, merchant_id, {po.warehouse_id for po in orders.values()})
    parcels = tracking_parcels.parcels_of_inbound_shipments(uow, merchant_id, ids)
    closed = _short_closed_lines(uow, merchant_id, [line for s in shipments for line in s.lines])
    first_counts = _first_counts(uow, merchant_id, ids)
    carrier = eta_service.carrier_windows(
        uow, merchant_id, {sid: [p.id for p in found] for sid, found in parcels.items()}
    )
    transit = _learned_transits(
        uow, merchant_id, {(po.supplier_id, po.warehouse_id) for po in orders.values()}
    )
    for shipment in shipments:
        po = orders[shipment.purchase_order_id]
        zone = zones.get(po.warehouse_id, "UTC")
        mine = parcels.get(shipment.id, [])
        status = rules.derive_inbound_status(
            rules.InboundFacts(
                cancelled=shipment.cancelled_at is not None,
                parcels=[p.status for p in mine],
                lines=[
                    rules.InboundLineFacts(
                        line.quantity,
                        line.received_quantity,
                        line.damaged_quantity,
                        closed=line.purchase_order_line_id in closed,
                    )
                    for line in shipment.lines
                ],
            )
        )
        arrived_at = rules.derive_arrived_at([p.delivered_at for p in mine], first_counts.get(shipment.id))
        estimate, basis = rules.estimate_inbound_arrival(
            rules.ArrivalFacts(
                today=local_date(now, zone),
                started=local_date(shipment.created_at, zone),
                declared=shipment.expected_arrival_date,
                promised=po.promised_arrival_date,
                carrier_latest=carrier[shipment.id][1] if shipment.id in carrier else None,
                learned_transit_days=transit.get((po.supplier_id, po.warehouse_id)),
                arrived=local_date(arrived_at, zone) if arrived_at is not None else None,
            )
        )
        if status == rules.InboundStatus.cancelled:
            estimate, basis = None, None
        _apply(uow, shipment, po, str(status), arrived_at, estimate, basis, now)


def _apply(
    uow: UnitOfWork,
    shipment: InboundShipment,
    po: PurchaseOrder,
    status: str,
    arrived_at: datetime | None,
    estimate: date | None,
    basis: str | None,
    now: datetime,
) -> None:
    previous_status = shipment.status
    # What expected_arrival told before: the derived estimate, or the promise when none was yet.
    previous_estimate = (
        shipment.arrival_estimate
        if shipment.arrival_basis is not None
        else shipment.expected_arrival_date or po.promised_arrival_date
    )
    changed = (status, arrived_at, estimate, basis) != (
        shipment.status,
        shipment.arrived_at,
        shipment.arrival_estimate,
        shipment.arrival_basis,
    )
    if not changed:
        return
    shipment.status, shipment.arrived_at = status, arrived_at
    shipment.arrival_estimate, shipment.arrival_basis = estimate, basis
    if status not in WATCHED_INBOUND_STATUSES:  # at the dock or done: nothing left to chase
        shipment.attention = shipment.attention_detail = shipment.attention_at = None
    shipment.updated_at = now
    if status != previous_status:
        uow.record(
            InboundShipmentStatusChanged(
                shipment.merchant_id, po.id, shipment.id, previous_status, status, now
            )
        )
    if estimate != previous_estimate and status != rules.InboundStatus.cancelled:
        if basis == "arrived":
            cause = "delivered"
        elif previous_estimate is not None and estimate is not None and estimate > previous_estimate:
            cause = "supplier_delay"
        else:
            cause = "carrier_estimate"
        skus = tuple(sorted({line.sku for line in shipment.lines}))
        uow.record(InboundExpectationChanged(shipment.merchant_id, skus, po.warehouse_id, cause, now))


# The statuses of an inbound shipment still on its way to the dock: the worker watches them.
WATCHED_INBOUND_STATUSES = frozenset(
    {rules.InboundStatus.declared, rules.InboundStatus.in_transit, rules.InboundStatus.exception}
)


def expected_arrival(
    uow: UnitOfWork, merchant_id: str, inbound_shipment_ids: Iterable[str]
) -> dict[str, date | None]:
    """When each of these inbound shipments is expected at its warehouse now: the derived
    estimate (:func:`rederive_inbound_shipments`), or before one was derived the supplier's
    declared date, else its purchase order's promised arrival; None when nothing says (or it
    was cancelled). Received ones answer the day they arrived. One query."""
    ids = sorted(set(inbound_shipment_ids))
    if not ids:
        return {}
    rows = uow.session.execute(
        select(
            InboundShipment.id,
            InboundShipment.status,
            InboundShipment.arrival_basis,
            InboundShipment.arrival_estimate,
            InboundShipment.expected_arrival_date,
            PurchaseOrder.promised_arrival_date,
        )
        .join(PurchaseOrder, PurchaseOrder.id == InboundShipment.purchase_order_id)
        .where(InboundShipment.merchant_id == merchant_id, InboundShipment.id.in_(ids))
    ).all()
    found: dict[str, date | None] = dict.fromkeys(ids)
    for sid, status, basis, estimate, declared, promised in rows:
        if status == rules.InboundStatus.cancelled:
            continue
        found[sid] = estimate if basis is not None else declared or promised
    return found


def _warehouse_zones(uow: UnitOfWork, merchant_id: str, warehouse_ids: set[str]) -> dict[str, str]:
    return dict(
        uow.session.execute(
            select(Warehouse.id, Warehouse.timezone).where(
                Warehouse.merchant_id == merchant_id, Warehouse.id.in_(warehouse_ids)
            )
        ).all()
    )


def _short_closed_lines(uow: UnitOfWork, merchant_id: str, lines: Sequence[InboundShipmentLine]) -> set[str]:
    po_line_ids = {line.purchase_order_line_id for line in lines}
    if not po_line_ids:
        return set()
    return set(
        uow.session.scalars(
            select(PurchaseOrderLine.id).where(
                PurchaseOrderLine.merchant_id == merchant_id,
                PurchaseOrderLine.id.in_(po_line_ids),
                PurchaseOrderLine.short_closed_at.is_not(None),
            )
        )
    )


def _first_counts(uow: UnitOfWork, merchant_id: str, ids: list[str]) -> dict[str, datetime]:
    return {
        sid: at
        for sid, at in uow.session.execute(
            select(Receipt.inbound_shipment_id, func.min(Receipt.created_at))
            .where(Receipt.merchant_id == merchant_id, Receipt.inbound_shipment_id.in_(ids))
            .group_by(Receipt.inbound_shipment_id)
        ).all()
        if sid is not None
    }


def _learned_transits(
    uow: UnitOfWork, merchant_id: str, lanes: set[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Days from declaring to arriving, at the :data:`TRANSIT_PERCENTILE`, of each lane's
    (supplier to warehouse) newest arrived inbound shipments; lanes with too few left out."""
    learned: dict[tuple[str, str], int] = {}
    for supplier_id, warehouse_id in sorted(lanes):
        rows = uow.session.execute(
            select(InboundShipment.created_at, InboundShipment.arrived_at)
            .join(PurchaseOrder, PurchaseOrder.id == InboundShipment.purchase_order_id)
            .where(
                InboundShipment.merchant_id == merchant_id,
                PurchaseOrder.supplier_id == supplier_id,
                PurchaseOrder.warehouse_id == warehouse_id,
                InboundShipment.arrived_at.is_not(None),
            )
            .order_by(InboundShipment.arrived_at.desc())
            .limit(LEARNED_TRANSIT_SAMPLES)
        ).all()
        days = [max(0, (arrived - declared).days) for declared, arrived in rows]
        if len(days) >= MIN_TRANSIT_SAMPLES:
            learned[(supplier_id, warehouse_id)] = nearest_rank(days, TRANSIT_PERCENTILE)
    return learned


# --- handlers (see ordertrack.handlers) -----------------------------------------------------------


class _AboutInbound(Protocol):
    merchant_id: str

    @property
    def inbound_shipment_id(self) -> str | None: ...


def rederive_after(
    uow: UnitOfWork, events: Sequence[_AboutInbound], *, clock: Callable[[], datetime] = utcnow
) -> None:
    """Handler: an inbound parcel moved or its carrier's estimate changed, a notice was
    declared or counted: its inbound shipment is derived again (events about outbound
    shipments' parcels are left alone)."""
    by_merchant: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.inbound_shipment_id is not None:
            by_merchant[event.merchant_id].add(event.inbound_shipment_id)
    now = clock()
    for merchant_id, ids in by_merchant.items():
        rederive_inbound_shipments(uow, merchant_id, ids, now)
