"""Shipment use cases: create a shipment for (part of) an order, look shipments up, and keep
shipment status derived from the parcels' states."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from sqlalchemy import Select

from ordertrack.db.uow import UnitOfWork
from ordertrack.eta.model import EddRevision
from ordertrack.eta.schemas import EstimateRevisionOut, estimate_out
from ordertrack.events import ShipmentStatusChanged
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page
from ordertrack.kit.schema import OrderRef, WarehouseRef
from ordertrack.shipments import repository, rules
from ordertrack.shipments.model import ParcelItem, Shipment, ShipmentLine
from ordertrack.shipments.rules import ShipmentFacts
from ordertrack.shipments.schemas import (
    ParcelItemOut,
    ParcelOut,
    ShipmentIn,
    ShipmentLineOut,
    ShipmentOut,
)
from ordertrack.statuses import ShipmentStatus
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.tracking.model import Parcel
from ordertrack.tracking.status import derive_shipment_status


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"


def register_shipment(
    uow: UnitOfWork,
    merchant_id: str,
    order_id: str,
    data: ShipmentIn,
    allocation: Sequence[tuple[str, str, int]],
    numbers: Sequence[str],
    *,
    now: datetime,
) -> Shipment:
    """Add a shipment with its lines, its parcels and what each parcel holds (not yet flushed)."""
    shipment = Shipment(
        id=new_id("shp"),
        merchant_id=merchant_id,
        order_id=order_id,
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
    packed = rules.boxes(data)
    shipment.parcels = tracking_parcels.new_parcels(merchant_id, data.carrier, numbers, packed, now=now)
    for parcel, items in zip(shipment.parcels, rules.pack(list(allocation), packed), strict=True):
        parcel.items = [
            ParcelItem(id=new_id("pci"), merchant_id=merchant_id, order_line_id=line, sku=sku, quantity=qty)
            for line, sku, qty in items
        ]
    repository.add_shipment(uow, shipment)
    return shipment


def shipped_quantities(uow: UnitOfWork, merchant_id: str, order_id: str) -> dict[str, int]:
    """How many units of each order line the order's shipments carry so far."""
    shipped: dict[str, int] = defaultdict(int)
    for line_id, qty in repository.shipped_line_quantities(uow, merchant_id, order_id):
        shipped[line_id] += qty
    return shipped


def get_shipment(uow: UnitOfWork, merchant_id: str, shipment_id: str) -> Shipment:
    shipment = repository.shipment_with_contents(uow, merchant_id, shipment_id)
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
    return repository.shipments_page(
        uow, merchant_id, status=status, carrier=carrier, order_id=order_id, cursor=cursor, limit=limit
    )


def shipments_for_orders(
    uow: UnitOfWork, merchant_id: str, order_ids: list[str]
) -> dict[str, list[Shipment]]:
    grouped: dict[str, list[Shipment]] = defaultdict(list)
    for shipment in repository.shipments_of_orders_with_contents(uow, merchant_id, order_ids):
        grouped[shipment.order_id].append(shipment)
    return grouped


def order_ids_with_tracking_number(uow: UnitOfWork, merchant_id: str, tracking_number: str) -> list[str]:
    """Orders with a parcel carrying this number (spaces and case ignored). Read-only."""
    canonical = "".join(tracking_number.split()).upper()
    shipment_ids = tracking_parcels.shipment_ids_with_number(uow, merchant_id, canonical)
    if not shipment_ids:
        return []
    return repository.order_ids_of_shipments(uow, merchant_id, shipment_ids)


def orders_with_tracking_number_holding(merchant_id: str, text: str) -> Select[tuple[str]]:
    """The ids of the merchant's orders with a parcel whose tracking number holds ``text``
    (spaces, ``#`` and case ignored), as a query to use inside another (not run here)."""
    fragment = "".join(text.split()).lstrip("#").upper()
    return repository.order_ids_of_shipments_in(
        merchant_id, tracking_parcels.shipments_with_number_holding(merchant_id, fragment)
    )


# --- what the checks and promises read and keep (ordertrack.checks) ----------------------------


def shipments_by_id(uow: UnitOfWork, merchant_id: str, ids: Iterable[str]) -> list[Shipment]:
    """The merchant's shipments with these ids, by id (missing ones are left out)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return repository.shipments_with_ids(uow, merchant_id, wanted)


def due_for_checks(uow: UnitOfWork, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(shipment id, merchant id) of shipments whose next check is due, any merchant, the longest
    due first; locked, skipping those another worker holds."""
    return repository.locked_due_for_checks(uow, now, limit)


def schedule_checks(uow: UnitOfWork, merchant_id: str, when: Mapping[str, datetime | None]) -> None:
    """When the checks next look at these shipments (None: nothing left to watch)."""
    repository.set_next_checks(uow, merchant_id, when)


def recent_carriers(uow: UnitOfWork, merchant_id: str, limit: int) -> list[tuple[str, str]]:
    """(order id, carrier) of the merchant's newest shipments, newest first."""
    return repository.recent_carriers(uow, merchant_id, limit)


def newest_deliveries(uow: UnitOfWork, merchant_id: str, limit: int) -> list[Shipment]:
    """The merchant's ``limit`` newest delivered shipments, newest first (the index on merchant and
    delivery time serves it): what its deliveries teach comes from these."""
    return repository.newest_delivered(uow, merchant_id, limit)


def keep_promises(uow: UnitOfWork, merchant_id: str, windows: Mapping[str, tuple[date, date, date]]) -> None:
    """The shipments' current promise (earliest, latest, most likely); the first one is kept as
    ``promised_latest``, what the shopper was told when it shipped (``late`` is measured by it)."""
    for shipment in shipments_by_id(uow, merchant_id, windows):
        shipment.edd_earliest, shipment.edd_latest, shipment.edd_most_likely = windows[shipment.id]
        if shipment.promised_latest is None:
            shipment.promised_latest = shipment.edd_latest


def shipment_facts(uow: UnitOfWork, merchant_id: str, order_ids: list[str]) -> dict[str, list[ShipmentFacts]]:
    """What order status derivation needs: each shipment's status and quantities per line."""
    rows = repository.line_status_rows(uow, merchant_id, order_ids)
    per_shipment: dict[str, tuple[str, str, dict[str, int]]] = {}
    for order_id, shipment_id, status, line_id, qty in rows:
        entry = per_shipment.setdefault(shipment_id, (order_id, status, defaultdict(int)))
        entry[2][line_id] += qty
    grouped: dict[str, list[ShipmentFacts]] = defaultdict(list)
    for order_id, status, quantities in per_shipment.values():
        grouped[order_id].append(ShipmentFacts(status=status, quantities=dict(quantities)))
    return grouped


def shipment_view(
    shipment: Shipment, revisions: Sequence[EddRevision] = (), *, order_number: str
) -> ShipmentOut:
    """The shipment as the API shows it; the caller knows its order's number."""
    return ShipmentOut(
        id=shipment.id,
        order=OrderRef(id=shipment.order_id, number=order_number),
        warehouse=None if shipment.warehouse is None else WarehouseRef(code=shipment.warehouse),
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


def refresh_shipments(uow: UnitOfWork, merchant_id: str, shipment_ids: Iterable[str]) -> None:
    """Derive these shipments' status from their parcels; record each status that changed."""
    ids = sorted(set(shipment_ids))
    if not ids:
        return
    shipments = repository.locked_status_rows(uow, merchant_id, ids)
    parcels = tracking_parcels.parcel_facts_of_shipments(uow, merchant_id, ids)
    updates = []
    for shipment_id, order_id, status, reason, delivered_at in shipments:
        derived = derive_shipment_status(parcels.get(shipment_id, []))
        if (derived.status, derived.reason, derived.delivered_at) == (status, reason, delivered_at):
            continue
        updates.append(
            {
                "b_id": shipment_id,
                "b_status": str(derived.status),
                "b_reason": derived.reason,
                "b_delivered_at": derived.delivered_at,
            }
        )
        if derived.status != status:
            uow.record(
                ShipmentStatusChanged(
                    merchant_id, shipment_id, order_id, str(status), str(derived.status), derived.reason
                )
            )
    if updates:
        repository.write_statuses(uow, merchant_id, updates, updated_at=utcnow())


# A shipment is handed over while it waits for the carrier: no label yet, or a label only.
# Once the carrier has scanned it (in transit, delivered, returned...) it is theirs already.
HAND_OVER_STATUSES = frozenset({ShipmentStatus.pending, ShipmentStatus.info_received})


class HandOverRefused(Conflict):
    code = "invalid_transition"


def can_hand_over(status: str, handed_over_at: datetime | None) -> bool:
    """Whether "handed over to the carrier" is an action to offer on a shipment in this state."""
    return handed_over_at is None and status in HAND_OVER_STATUSES


def hand_over(
    uow: UnitOfWork, merchant_id: str, shipment_id: str, *, now: datetime | None = None
) -> Shipment:
    """Record that the carrier took the parcels; handing over twice keeps the first time.

    A shipment the carrier already scanned as moving, delivered or returned cannot be handed
    over (HandOverRefused, 409): the action would record something that did not happen.
    """
    shipment = get_shipment(uow, merchant_id, shipment_id)
    if shipment.handed_over_at is not None:
        return shipment
    if shipment.status not in HAND_OVER_STATUSES:
        words = str(shipment.status).replace("_", " ")
        raise HandOverRefused(
            f"cannot hand over a shipment that is {words}: the carrier has had it since its first scan"
        )
    shipment.handed_over_at = shipment.updated_at = shipment.next_check_at = now or utcnow()
    # The shopper's page stops saying the store is preparing the parcel.
    uow.record_page_change(order_id=shipment.order_id)
    return shipment


def awaiting_hand_over(uow: UnitOfWork, merchant_id: str, warehouse: str) -> list[Shipment]:
    """The warehouse's shipments still waiting for the carrier, oldest first."""
    return repository.not_handed_over(uow, merchant_id, warehouse)


# --- reads for the shopper's tracking page -------------------------------------------------------


def parcel_ids_of_order(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[str]:
    """The ids of every parcel of the order's shipments (a cheap read for change polling)."""
    shipment_ids = repository.shipment_ids_of_order(uow, merchant_id, order_id)
    return tracking_parcels.parcel_ids_of_shipments(uow, merchant_id, shipment_ids)
