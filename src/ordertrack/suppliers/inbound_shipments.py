"""Inbound shipments (advance shipping notices) as the suppliers feature keeps them: finding one
by id or number, a purchase order's list, the next number. Declaring and cancelling one span
the tracking engine too, so they live in :mod:`ordertrack.purchasing.declaring`."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import Conflict, NotFound, Unprocessable
from ordertrack.kit.number_keys import number_key
from ordertrack.suppliers.model import InboundShipment


class InboundShipmentNotFound(NotFound):
    code = "inbound_shipment_not_found"


class DuplicateInboundShipmentNumber(Conflict):
    code = "duplicate_inbound_shipment_number"


class UnreadableInboundShipmentNumber(Unprocessable):
    code = "unreadable_inbound_shipment_number"


def find_inbound_shipment(
    uow: UnitOfWork, merchant_id: str, ref: str, *, lock: bool = False
) -> InboundShipment:
    """The merchant's inbound shipment by id or by its number as typed; another merchant's is
    not found."""
    base = (
        select(InboundShipment)
        .where(InboundShipment.merchant_id == merchant_id)
        .options(selectinload(InboundShipment.lines))
    )
    if lock:
        base = base.with_for_update(of=InboundShipment)
    found = None
    if ref.startswith("ibs_"):
        found = uow.session.scalars(base.where(InboundShipment.id == ref)).first()
    if found is None and (key := number_key(ref)):
        found = uow.session.scalars(base.where(InboundShipment.number_key == key)).first()
    if found is None:
        raise InboundShipmentNotFound(f"no inbound shipment {ref!r}")
    return found


def of_purchase_order(uow: UnitOfWork, merchant_id: str, purchase_order_id: str) -> list[InboundShipment]:
    """The order's inbound shipments, first declared first."""
    return list(
        uow.session.scalars(
            select(InboundShipment)
            .where(
                InboundShipment.merchant_id == merchant_id,
                InboundShipment.purchase_order_id == purchase_order_id,
            )
            .options(selectinload(InboundShipment.lines))
            .order_by(InboundShipment.seq)
        )
    )


def next_seq(uow: UnitOfWork, purchase_order_id: str) -> int:
    last = uow.session.scalar(
        select(func.max(InboundShipment.seq)).where(InboundShipment.purchase_order_id == purchase_order_id)
    )
    return (last or 0) + 1


def number_taken(uow: UnitOfWork, merchant_id: str, number: str) -> bool:
    query = select(InboundShipment.id).where(
        InboundShipment.merchant_id == merchant_id, InboundShipment.number_key == number_key(number)
    )
    return uow.session.scalars(query.limit(1)).first() is not None
