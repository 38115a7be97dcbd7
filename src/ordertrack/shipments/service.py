"""Shipment use cases: create a shipment for (part of) an order, look shipments up, and keep
shipment status derived from the parcels' states."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, func, or_, select, union, update
from sqlalchemy.orm import selectinload

from ordertrack.carriers import polling as carriers_polling
from ordertrack.carriers import service as carriers_service
from ordertrack.carriers.tracking_numbers import validate_tracking_number
from ordertrack.db.reader import Reader
from ordertrack.db.uow import UnitOfWork
from ordertrack.eta import promises
from ordertrack.eta.model import DeliveryEstimate, EddRevision
from ordertrack.eta.schemas import EstimateRevisionOut, estimate_out
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.notifications import rules as notification_rules
from ordertrack.notifications import service as notifications_service
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order, OrderLine
from ordertrack.orders.status import ATTENTION_STATUSES, ShipmentFacts, check_action
from ordertrack.shipments.model import ParcelItem, Shipment, ShipmentLine
from ordertrack.shipments.schemas import (
    ParcelIn,
    ParcelItemOut,
    ParcelOut,
    ShipmentIn,
    ShipmentLineIn,
    ShipmentLineOut,
    ShipmentOut,
)
from ordertrack.tracking import service as tracking_service
from ordertrack.tracking.model import Parcel
from ordertrack.tracking.status import (
    ParcelFacts,
    ShipmentStatus,
    TrackingState,
    derive_shipment_status,
)

FINAL_STATUSES = frozenset({ShipmentStatus.delivered, ShipmentStatus.returned})
_WITH_CONTENTS = (selectinload(Shipment.lines), selectinload(Shipment.parcels).selectinload(Parcel.items))


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"


class OverShipment(Conflict):
    code = "over_shipment"


class SkuNotInOrder(Unprocessable):
    code = "sku_not_in_order"


class TrackingNumberInUse(Conflict):
    code = "tracking_number_in_use"


def create_shipment(
    uow: UnitOfWork,
    merchant_id: str,
    order_ref: str,
    data: ShipmentIn,
    *,
    recycle_window: timedelta,
) -> Shipment:
    """Ship (part of) an order in one or more parcels; scans that came early attach now."""
    order = orders_service.find_order(uow, merchant_id, order_ref, lock=True)
    check_action("ship", order.status)
    already = _shipped_quantities(uow, merchant_id, order.id)
    remaining = {line.id: line.quantity - already.get(line.id, 0) for line in order.lines}
    packed_quantities = data.packed_quantities()
    wanted = data.lines
    if wanted is None and packed_quantities is not None:
        wanted = [ShipmentLineIn(sku=sku, quantity=qty) for sku, qty in packed_quantities.items()]
    allocation = _allocate(order.lines, remaining, wanted)
    if data.parcels is None:
        given: list[str | None] = [data.tracking_number]
    else:
        given = [p.tracking_number for p in data.parcels]
    issued = iter(carriers_service.issue_own_numbers(uow, merchant_id, sum(n is None for n in given)))
    numbers = [validate_tracking_number(data.carrier, n) if n is not None else next(issued) for n in given]
    packed = data.parcels if data.parcels is not None else [ParcelIn(tracking_number=data.tracking_number)]
    now = utcnow()
    _refuse_numbers_in_flight(uow, merchant_id, data.carrier, numbers, now - recycle_window)

    shipment = Shipment(
        id=new_id("shp"),
        merchant_id=merchant_id,
        order_id=order.id,
        warehouse=data.warehouse,
        carrier=data.carrier,
        service=data.service,
        status=ShipmentStatus.pending,
        created_at=now,
        updated_at=now,
        next_check_at=now,
    )
    shipment.lines = [
        ShipmentLine(id=new_id("sln"), merchant_id=merchant_id, order_line_id=line_id, sku=sku, quantity=qty)
        for line_id, sku, qty in allocation
    ]
    shipment.parcels = [
        Parcel(
            id=new_id("pcl"),
            merchant_id=merchant_id,
            seq=seq,
            tracking_number=number,
            carrier=data.carrier,
            weight_grams=box.weight_grams,
            length_mm=box.length_mm,
            width_mm=box.width_mm,
            height_mm=box.height_mm,
            status=ShipmentStatus.pending,
            event_count=0,
            created_at=now,
            updated_at=now,
        )
        for seq, (number, box) in enumerate(zip(numbers, packed, strict=True), start=1)
    ]
    for parcel, items in zip(shipment.parcels, _pack(merchant_id, allocation, packed), strict=True):
        parcel.items = items
    uow.session.add(shipment)
    inventory_service.ship_from_stock(uow, merchant_id, order.id, data.warehouse, allocation, actor="api")
    if order.confirmed_at is None:
        # Shipping confirms the order; what this shipment does not carry is reserved now.
        shipped = dict(already)
        for line_id, _sku, qty in allocation:
            shipped[line_id] = shipped.get(line_id, 0) + qty
        inventory_service.reserve_order(uow, merchant_id, order, actor="api", already_shipped=shipped)
    orders_service.mark_confirmed(order, now)
    uow.flush()
    tracking_service.claim_events_for_new_parcels(
        uow,
        merchant_id,
        [(p.id, p.tracking_number, p.carrier, p.created_at) for p in shipment.parcels],
        recycle_window=recycle_window,
    )
    orders_service.refresh_order_status(uow, merchant_id, [order.id])
    uow.record_page_change(order_id=order.id)  # the order's page gains a shipment
    carriers_polling.start_polling(uow, merchant_id, data.carrier, [p.id for p in shipment.parcels])
    # The promise the "shipped" message carries, made now (the checks revise it later).
    promises.refresh_shipment_promises(uow, merchant_id, [shipment.id], now=now, stage="shipped")
    notifications_service.enqueue(
        uow,
        merchant_id,
        [notifications_service.Occurrence("shipped", order.id, order.customer_id, shipment.id)],
        now=now,
    )
    return shipment


def _shipped_quantities(uow: UnitOfWork, merchant_id: str, order_id: str) -> dict[str, int]:
    rows = uow.session.execute(
        select(ShipmentLine.order_line_id, ShipmentLine.quantity)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.merchant_id == merchant_id, Shipment.order_id == order_id)
    )
    shipped: dict[str, int] = defaultdict(int)
    for line_id, qty in rows:
        shipped[line_id] += qty
    return shipped


def _allocate(
    lines: list[OrderLine], remaining: dict[str, int], wanted_lines: list[ShipmentLineIn] | None
) -> list[tuple[str, str, int]]:
    """(order line id, sku, quantity) for the shipment; omitted lines mean "all that is left"."""
    if wanted_lines is None:
        everything = [(line.id, line.sku, remaining[line.id]) for line in lines if remaining[line.id] > 0]
        if not everything:
            raise OverShipment("every unit of this order has already shipped")
        return everything
    allocation: list[tuple[str, str, int]] = []
    left = dict(remaining)
    for wanted in wanted_lines:
        candidates = [line for line in lines if line.sku == wanted.sku]
        if not candidates:
            raise SkuNotInOrder(f"SKU {wanted.sku!r} is not on this order")
        need = wanted.quantity
        for line in candidates:
            take = min(need, left[line.id])
            if take:
                allocation.append((line.id, line.sku, take))
                left[line.id] -= take
                need -= take
        if need:
            raise OverShipment(
                f"only {wanted.quantity - need} of SKU {wanted.sku!r} are left to ship",
                details={
                    "sku": wanted.sku,
                    "requested": wanted.quantity,
                    "available": wanted.quantity - need,
                },
            )
    merged: dict[tuple[str, str], int] = defaultdict(int)
    for line_id, sku, qty in allocation:
        merged[(line_id, sku)] += qty
    return [(line_id, sku, qty) for (line_id, sku), qty in merged.items()]


def _pack(
    merchant_id: str, allocation: list[tuple[str, str, int]], boxes: list[ParcelIn]
) -> list[list[ParcelItem]]:
    """What each parcel holds: its stated contents spread over the order lines being shipped.

    A lone parcel without stated contents holds the whole shipment; several parcels without
    contents stay unitemised (their packing slip covers the shipment). The schema has
    already checked that stated contents add up to the shipment, SKU by SKU.
    """
    if boxes[0].contents is None:
        wanted = [[(sku, qty) for _line_id, sku, qty in allocation]] if len(boxes) == 1 else [[]] * len(boxes)
    else:
        wanted = [[(line.sku, line.quantity) for line in box.contents or []] for box in boxes]
    left = {line_id: qty for line_id, _sku, qty in allocation}
    packed: list[list[ParcelItem]] = []
    for contents in wanted:
        items: list[ParcelItem] = []
        for sku, need in contents:
            for line_id, line_sku, _qty in allocation:
                take = min(need, left[line_id]) if line_sku == sku else 0
                if take:
                    items.append(
                        ParcelItem(
                            id=new_id("pci"),
                            merchant_id=merchant_id,
                            order_line_id=line_id,
                            sku=sku,
                            quantity=take,
                        )
                    )
                    left[line_id] -= take
                    need -= take
        packed.append(items)
    return packed


def _refuse_numbers_in_flight(
    uow: UnitOfWork, merchant_id: str, carrier: str, numbers: list[str], since: datetime
) -> None:
    """A number still travelling on a recent parcel is a typo, not a carrier's recycling."""
    clash = uow.session.execute(
        select(Parcel.tracking_number, Parcel.shipment_id).where(
            Parcel.merchant_id == merchant_id,
            Parcel.carrier == carrier,
            Parcel.tracking_number.in_(numbers),
            Parcel.created_at >= since,
            Parcel.status.not_in(FINAL_STATUSES),
        )
    ).first()
    if clash is not None:
        raise TrackingNumberInUse(
            f"tracking number {clash[0]} is already on shipment {clash[1]}, which is still under way"
        )


def get_shipment(uow: UnitOfWork, merchant_id: str, shipment_id: str) -> Shipment:
    shipment = uow.session.scalars(
        select(Shipment)
        .where(Shipment.merchant_id == merchant_id, Shipment.id == shipment_id)
        .options(*_WITH_CONTENTS)
        .execution_options(populate_existing=True)
    ).first()
    if shipment is None:
        raise ShipmentNotFound(f"no shipment {shipment_id!r}")
    return shipment


def list_shipments(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    status: ShipmentStatus | None,
    carrier: str | None,
    order_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Shipment]:
    query = select(Shipment).where(Shipment.merchant_id == merchant_id).options(*_WITH_CONTENTS)
    if status is not None:
        query = query.where(Shipment.status == status)
    if carrier:
        query = query.where(Shipment.carrier == carrier.lower())
    if order_id:
        query = query.where(Shipment.order_id == order_id)
    return keyset_page(uow.session, query, Shipment.id, cursor, limit)


def shipments_for_orders(
    uow: UnitOfWork, merchant_id: str, order_ids: list[str]
) -> dict[str, list[Shipment]]:
    rows = uow.session.scalars(
        select(Shipment)
        .where(Shipment.merchant_id == merchant_id, Shipment.order_id.in_(order_ids))
        .options(*_WITH_CONTENTS)
        .order_by(Shipment.id)
        .execution_options(populate_existing=True)
    )
    grouped: dict[str, list[Shipment]] = defaultdict(list)
    for shipment in rows:
        grouped[shipment.order_id].append(shipment)
    return grouped


def order_ids_with_tracking_number(uow: UnitOfWork, merchant_id: str, tracking_number: str) -> list[str]:
    """Orders with a parcel carrying this number (spaces and case ignored). Read-only."""
    canonical = "".join(tracking_number.split()).upper()
    return list(
        uow.session.scalars(
            select(Shipment.order_id)
            .join(Parcel, Parcel.shipment_id == Shipment.id)
            .where(Parcel.merchant_id == merchant_id, Parcel.tracking_number == canonical)
            .distinct()
        )
    )


# Shipment states that want a human (see orders.status.ATTENTION_STATUSES), and the state in
# which a long silence from the carrier is itself a problem.
NEEDS_HUMAN = (ShipmentStatus.exception, ShipmentStatus.failed_attempt, ShipmentStatus.returning)
MAY_STALL = (ShipmentStatus.in_transit,)
# Every status but delivered and returned, named so that an index on status can serve them.
OPEN_STATUSES = frozenset(ShipmentStatus) - FINAL_STATUSES


@dataclass(frozen=True)
class AttentionItem:
    """A shipment in trouble: why, and since when nothing was heard."""

    shipment: Shipment
    order_number: str
    last_scan_at: datetime | None
    stalled: bool
    late_since: date | None = None  # the last promised day, passed without delivery


def shipments_needing_attention(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    now: datetime,
    stalled_after: timedelta,
    today: date,
    limit: int = 200,
) -> list[AttentionItem]:
    """Shipments in exception, failed attempt or returning, shipments in transit with no scan
    for ``stalled_after``, and undelivered shipments with a parcel on its way whose newest
    delivery estimate ended before ``today``; the longest-silent first. Read-only.

    Everything is chosen in SQL from what can qualify (shipments and parcels indexed by
    status), so the cost follows the parcels in flight, not every shipment ever sent, and no
    list of ids is bound, however many parcels are late.
    """
    newest_latest = (
        select(DeliveryEstimate.latest)
        .where(DeliveryEstimate.parcel_id == Parcel.id)
        .order_by(DeliveryEstimate.recorded_at.desc(), DeliveryEstimate.id.desc())
        .limit(1)
        .correlate(Parcel)
        .scalar_subquery()
    )
    open_parcels = (
        select(Parcel.shipment_id, newest_latest.label("promised"))
        .where(Parcel.merchant_id == merchant_id, Parcel.status.in_(sorted(OPEN_STATUSES)))
        .subquery()
    )
    late = (
        select(open_parcels.c.shipment_id, func.min(open_parcels.c.promised).label("late_since"))
        .where(open_parcels.c.promised < today)
        .group_by(open_parcels.c.shipment_id)
        .subquery()
    )
    candidates = union(
        select(Shipment.id).where(
            Shipment.merchant_id == merchant_id, Shipment.status.in_(NEEDS_HUMAN + MAY_STALL)
        ),
        select(late.c.shipment_id),
    )
    last_scan = (
        select(func.max(Parcel.last_event_at))
        .where(Parcel.shipment_id == Shipment.id)
        .correlate(Shipment)
        .scalar_subquery()
    )
    cutoff = now - stalled_after
    rows = uow.session.execute(
        select(Shipment, Order.number, last_scan.label("last_scan_at"), late.c.late_since)
        .join(Order, Order.id == Shipment.order_id)
        .outerjoin(late, late.c.shipment_id == Shipment.id)
        .where(
            Shipment.merchant_id == merchant_id,
            Shipment.id.in_(candidates),
            or_(
                Shipment.status.in_(NEEDS_HUMAN),
                and_(Shipment.status.in_(MAY_STALL), last_scan < cutoff),
                and_(Shipment.status.not_in(FINAL_STATUSES), late.c.late_since.is_not(None)),
            ),
        )
        .options(selectinload(Shipment.parcels))
        .order_by(last_scan.asc(), Shipment.id)
        .limit(limit)
    ).all()
    return [
        AttentionItem(
            shipment=shipment,
            order_number=number,
            last_scan_at=last,
            stalled=shipment.status in MAY_STALL and last is not None and last < cutoff,
            late_since=late_since,
        )
        for shipment, number, last, late_since in rows
    ]


def shipment_facts(uow: UnitOfWork, merchant_id: str, order_ids: list[str]) -> dict[str, list[ShipmentFacts]]:
    """What order status derivation needs: each shipment's status and quantities per line."""
    rows = uow.session.execute(
        select(
            Shipment.order_id, Shipment.id, Shipment.status, ShipmentLine.order_line_id, ShipmentLine.quantity
        )
        .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .where(Shipment.merchant_id == merchant_id, Shipment.order_id.in_(order_ids))
    )
    per_shipment: dict[str, tuple[str, str, dict[str, int]]] = {}
    for order_id, shipment_id, status, line_id, qty in rows:
        entry = per_shipment.setdefault(shipment_id, (order_id, status, defaultdict(int)))
        entry[2][line_id] += qty
    grouped: dict[str, list[ShipmentFacts]] = defaultdict(list)
    for order_id, status, quantities in per_shipment.values():
        grouped[order_id].append(ShipmentFacts(status=status, quantities=dict(quantities)))
    return grouped


def shipment_view(shipment: Shipment, revisions: Sequence[EddRevision] = ()) -> ShipmentOut:
    return ShipmentOut(
        id=shipment.id,
        order_id=shipment.order_id,
        warehouse=shipment.warehouse,
        carrier=shipment.carrier,
        service=shipment.service,
        status=ShipmentStatus(shipment.status),
        reason=shipment.reason,
        delivered_at=shipment.delivered_at,
        handed_over_at=shipment.handed_over_at,
        created_at=shipment.created_at,
        updated_at=shipment.updated_at,
        lines=[ShipmentLineOut.model_validate(line) for line in shipment.lines],
        parcels=[parcel_view(parcel) for parcel in shipment.parcels],
        estimated_delivery=estimate_out(shipment.edd_earliest, shipment.edd_latest, shipment.edd_most_likely),
        promised_latest=shipment.promised_latest,
        estimate_revisions=[EstimateRevisionOut.model_validate(r) for r in revisions],
    )


def parcel_view(parcel: Parcel) -> ParcelOut:
    contents = [ParcelItemOut.model_validate(item) for item in parcel.items] or None
    return ParcelOut.model_validate({**_columns(parcel), "contents": contents})


def _columns(row: Parcel) -> dict[str, object]:
    return {column.key: getattr(row, column.key) for column in Parcel.__table__.columns}


# --- parcel state, as the tracking feature derives it -------------------------------------


@dataclass(frozen=True)
class ParcelRef:
    """A parcel as event matching and state folding see it."""

    id: str
    shipment_id: str
    tracking_number: str
    carrier: str
    created_at: datetime
    state: TrackingState


def _parcel_ref(row: Parcel) -> ParcelRef:
    last_key = (
        (row.last_event_at, row.last_event_rank, row.last_event_key)
        if row.last_event_at is not None
        else None
    )
    return ParcelRef(
        id=row.id,
        shipment_id=row.shipment_id,
        tracking_number=row.tracking_number,
        carrier=row.carrier,
        created_at=row.created_at,
        state=TrackingState(
            status=row.status,
            reason=row.reason,
            delivered_at=row.delivered_at,
            last_key=last_key,  # type: ignore[arg-type]
            event_count=row.event_count,
        ),
    )


def parcels_for_tracking_numbers(
    uow: UnitOfWork, merchant_id: str, tracking_numbers: Iterable[str], *, lock: bool = False
) -> list[ParcelRef]:
    """Every parcel of the merchant carrying one of these numbers, newest first.

    With ``lock`` the rows are locked (in id order, so concurrent ingests never deadlock)
    until the transaction ends: two batches for one parcel fold one after the other.
    """
    numbers = sorted(set(tracking_numbers))
    if not numbers:
        return []
    query = select(Parcel).where(Parcel.merchant_id == merchant_id, Parcel.tracking_number.in_(numbers))
    if lock:
        query = query.order_by(Parcel.id).with_for_update()
    rows = uow.session.scalars(query).all()
    refs = [_parcel_ref(row) for row in rows]
    refs.sort(key=lambda p: (p.created_at, p.id), reverse=True)
    return refs


def state_columns(state: TrackingState) -> dict[str, Any]:
    """The parcel columns that cache its tracking state (see ``shipments.model.Parcel``)."""
    last = state.last_key
    return {
        "status": str(state.status),
        "reason": state.reason,
        "delivered_at": state.delivered_at,
        "last_event_at": last[0] if last else None,
        "last_event_rank": last[1] if last else None,
        "last_event_key": last[2] if last else None,
        "event_count": state.event_count,
    }


def save_parcel_states(uow: UnitOfWork, merchant_id: str, states: Mapping[str, TrackingState]) -> None:
    if not states:
        return
    now = utcnow()
    columns = list(state_columns(next(iter(states.values()))))
    statement = (
        update(Parcel)
        .where(Parcel.id == bindparam("b_id"), Parcel.merchant_id == merchant_id)
        .values({**{c: bindparam(f"b_{c}") for c in columns}, "updated_at": now})
    )
    params = [
        {"b_id": parcel_id, **{f"b_{c}": v for c, v in state_columns(state).items()}}
        for parcel_id, state in states.items()
    ]
    uow.session.connection().execute(statement, params)
    # Every new scan, from any source, lands here: the parcels' tracking pages change.
    uow.record_page_change(parcel_ids=states)


def refresh_shipments(uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]) -> None:
    """Derive these shipments' status from their parcels, and their orders' status after."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return
    shipments = uow.session.execute(
        select(Shipment.id, Shipment.order_id, Shipment.status, Shipment.reason, Shipment.delivered_at)
        .where(Shipment.merchant_id == merchant_id, Shipment.id.in_(ids))
        .order_by(Shipment.id)
        .with_for_update()
    ).all()
    parcels: dict[str, list[ParcelFacts]] = defaultdict(list)
    for shipment_id, status, reason, delivered_at in uow.session.execute(
        select(Parcel.shipment_id, Parcel.status, Parcel.reason, Parcel.delivered_at)
        .where(Parcel.merchant_id == merchant_id, Parcel.shipment_id.in_(ids))
        .order_by(Parcel.shipment_id, Parcel.seq)
    ):
        parcels[shipment_id].append(ParcelFacts(status, reason, delivered_at))
    changed_orders: set[str] = set()
    updates = []
    moves: list[Move] = []
    for shipment_id, order_id, status, reason, delivered_at in shipments:
        derived = derive_shipment_status(parcels[shipment_id])
        trigger = notification_rules.trigger_for_shipment_change(status, str(derived.status))
        if trigger is not None:
            moves.append(Move(shipment_id, order_id, trigger))
        if derived.status != status and derived.status in ATTENTION_STATUSES:
            subject = notification_rules.attention_subject(shipment_id, str(derived.status))
            moves.append(Move(shipment_id, order_id, "needs_attention", subject))
        if (derived.status, derived.reason, derived.delivered_at) != (status, reason, delivered_at):
            updates.append(
                {
                    "b_id": shipment_id,
                    "b_status": str(derived.status),
                    "b_reason": derived.reason,
                    "b_delivered_at": derived.delivered_at,
                }
            )
            if derived.status != status:
                changed_orders.add(order_id)
    if updates:
        uow.session.connection().execute(
            update(Shipment)
            .where(Shipment.id == bindparam("b_id"), Shipment.merchant_id == merchant_id)
            .values(
                status=bindparam("b_status"),
                reason=bindparam("b_reason"),
                delivered_at=bindparam("b_delivered_at"),
                updated_at=utcnow(),
            ),
            updates,
        )
    orders_service.refresh_order_status(uow, merchant_id, changed_orders)
    _notify(uow, merchant_id, moves)


def notify_shipments(
    uow: UnitOfWork, merchant_id: str, subjects: Mapping[str, str | None], trigger: str
) -> None:
    """Queue ``trigger`` for these shipments (e.g. a revised delivery date); ``subjects`` maps
    each shipment to what "once" counts against (None: the shipment itself)."""
    ids = sorted(subjects)
    if not ids:
        return
    rows = uow.session.execute(
        select(Shipment.id, Shipment.order_id).where(
            Shipment.merchant_id == merchant_id, Shipment.id.in_(ids)
        )
    ).all()
    _notify(
        uow,
        merchant_id,
        [Move(shipment_id, order_id, trigger, subjects[shipment_id]) for shipment_id, order_id in rows],
    )


class Move(NamedTuple):
    """A shipment change someone should hear about."""

    shipment_id: str
    order_id: str
    trigger: str
    subject: str | None = None  # what "once" counts against; default the shipment


def _notify(uow: UnitOfWork, merchant_id: str, moves: list[Move]) -> None:
    """Tell the shopper, the staff and the merchant's systems, in this same transaction (the outbox)."""
    if not moves:
        return
    customers = dict(
        uow.session.execute(
            select(Order.id, Order.customer_id).where(
                Order.merchant_id == merchant_id, Order.id.in_(sorted({m.order_id for m in moves}))
            )
        ).all()
    )
    notifications_service.enqueue(
        uow,
        merchant_id,
        [
            notifications_service.Occurrence(
                m.trigger, m.order_id, customers.get(m.order_id), m.shipment_id, subject=m.subject
            )
            for m in moves
        ],
        now=utcnow(),
    )


@dataclass(frozen=True)
class TrackedParcel:
    parcel_id: str
    tracking_number: str
    carrier: str
    status: str
    reason: str | None
    delivered_at: datetime | None
    shipment_id: str
    order_id: str
    order_number: str
    edd_earliest: date | None = None
    edd_latest: date | None = None
    edd_most_likely: date | None = None


_TRACKED_PARCEL = (
    select(
        Parcel.id,
        Parcel.tracking_number,
        Parcel.carrier,
        Parcel.status,
        Parcel.reason,
        Parcel.delivered_at,
        Parcel.shipment_id,
        Shipment.order_id,
        Order.number,
        Shipment.edd_earliest,
        Shipment.edd_latest,
        Shipment.edd_most_likely,
    )
    .join(Shipment, Shipment.id == Parcel.shipment_id)
    .join(Order, Order.id == Shipment.order_id)
    .where(
        Parcel.merchant_id == bindparam("merchant_id"),
        Parcel.tracking_number == bindparam("tracking_number"),
    )
    .order_by(Parcel.created_at.desc(), Parcel.id.desc())
    .limit(1)
)
_TRACKED_PARCEL_OF_CARRIER = _TRACKED_PARCEL.where(Parcel.carrier == bindparam("carrier"))


async def tracked_parcel(
    reader: Reader, merchant_id: str, tracking_number: str, carrier: str | None
) -> TrackedParcel | None:
    """The newest parcel of the merchant with this number, with its shipment and order."""
    params = {"merchant_id": merchant_id, "tracking_number": tracking_number}
    statement = _TRACKED_PARCEL
    if carrier:
        statement = _TRACKED_PARCEL_OF_CARRIER
        params["carrier"] = carrier.lower()
    rows = await reader.fetch(statement, params)
    return TrackedParcel(*rows[0]) if rows else None


def hand_over(uow: UnitOfWork, merchant_id: str, shipment_id: str) -> Shipment:
    """Record that the carrier took the parcels; handing over twice keeps the first time."""
    shipment = get_shipment(uow, merchant_id, shipment_id)
    if shipment.handed_over_at is None:
        shipment.handed_over_at = shipment.updated_at = shipment.next_check_at = utcnow()
    return shipment


def awaiting_hand_over(uow: UnitOfWork, merchant_id: str, warehouse: str) -> list[Shipment]:
    """The warehouse's shipments still waiting for the carrier, oldest first."""
    return list(
        uow.session.scalars(
            select(Shipment)
            .where(
                Shipment.merchant_id == merchant_id,
                Shipment.warehouse == warehouse,
                Shipment.handed_over_at.is_(None),
            )
            .order_by(Shipment.id)
        )
    )


# --- reads for the shopper's tracking page -------------------------------------------------------


def parcel_for_tracking_link(uow: UnitOfWork, parcel_id: str) -> Parcel | None:
    """The parcel a signed tracking-number link names (any merchant: the signature is the authority)."""
    return uow.session.scalars(select(Parcel).where(Parcel.id == parcel_id)).first()


class TrackingNumberShared(Conflict):
    """More than one merchant holds the number: by number alone it names nobody's parcel."""

    code = "tracking_number_shared"


def newest_parcel_with_number(
    uow: UnitOfWork, tracking_number: str, merchant_id: str | None = None
) -> Parcel | None:
    """The newest parcel carrying this tracking number, of one merchant or of any.

    Any merchant can type any number into a shipment, so "of any" answers only when a
    single merchant holds the number; otherwise it raises :class:`TrackingNumberShared`
    (a merchant who copied another's number must not take over its public page).
    """
    query = select(Parcel).where(Parcel.tracking_number == tracking_number)
    if merchant_id is not None:
        query = query.where(Parcel.merchant_id == merchant_id)
    elif merchants_holding_number(uow, tracking_number) > 1:
        raise TrackingNumberShared(f"tracking number {tracking_number!r} is held by more than one merchant")
    return uow.session.scalars(query.order_by(Parcel.created_at.desc(), Parcel.id.desc()).limit(1)).first()


def merchants_holding_number(uow: UnitOfWork, tracking_number: str) -> int:
    """How many merchants have a parcel with this number: 0, 1, or 2 for "more than one"."""
    holders = select(Parcel.merchant_id).where(Parcel.tracking_number == tracking_number).distinct().limit(2)
    return len(uow.session.scalars(holders).all())


def parcel_ids_of_order(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[str]:
    """The ids of every parcel of the order's shipments (a cheap read for change polling)."""
    return list(
        uow.session.scalars(
            select(Parcel.id)
            .join(Shipment, Shipment.id == Parcel.shipment_id)
            .where(Shipment.merchant_id == merchant_id, Shipment.order_id == order_id)
            .order_by(Parcel.id)
        )
    )
