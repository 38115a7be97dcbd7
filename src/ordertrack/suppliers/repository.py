"""Queries of the suppliers feature's own tables; every one is scoped to a merchant."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.number_keys import number_key
from ordertrack.kit.pagination import KeyCursor, Page, key_page, keyset_page
from ordertrack.suppliers.model import (
    InboundShipment,
    InboundShipmentLine,
    PurchaseOrder,
    Receipt,
    Supplier,
    SupplierSku,
)


def supplier(uow: UnitOfWork, merchant_id: str, supplier_id: str) -> Supplier | None:
    return uow.session.scalars(
        select(Supplier).where(Supplier.merchant_id == merchant_id, Supplier.id == supplier_id)
    ).first()


def supplier_named(uow: UnitOfWork, merchant_id: str, name: str) -> Supplier | None:
    return uow.session.scalars(
        select(Supplier).where(Supplier.merchant_id == merchant_id, Supplier.name == name)
    ).first()


def suppliers_by_id(uow: UnitOfWork, merchant_id: str, ids: set[str]) -> dict[str, Supplier]:
    if not ids:
        return {}
    rows = uow.session.scalars(
        select(Supplier).where(Supplier.merchant_id == merchant_id, Supplier.id.in_(ids))
    )
    return {row.id: row for row in rows}


def suppliers_page(uow: UnitOfWork, merchant_id: str, cursor: str | None, limit: int) -> Page[Supplier]:
    query = select(Supplier).where(Supplier.merchant_id == merchant_id)
    return keyset_page(uow.session, query, Supplier.id, cursor, limit)


def supplier_sku(uow: UnitOfWork, supplier_id: str, sku: str) -> SupplierSku | None:
    return uow.session.scalars(
        select(SupplierSku).where(SupplierSku.supplier_id == supplier_id, SupplierSku.sku == sku)
    ).first()


def supplier_skus(uow: UnitOfWork, supplier_id: str, skus: set[str]) -> dict[str, SupplierSku]:
    rows = uow.session.scalars(
        select(SupplierSku).where(SupplierSku.supplier_id == supplier_id, SupplierSku.sku.in_(skus))
    )
    return {row.sku: row for row in rows}


def supplier_skus_page(
    uow: UnitOfWork, supplier_id: str, form: KeyCursor, cursor: str | None, limit: int
) -> Page[SupplierSku]:
    query = select(SupplierSku).where(SupplierSku.supplier_id == supplier_id)
    return key_page(uow.session, query, [SupplierSku.sku], form, cursor, limit)


def purchase_order(
    uow: UnitOfWork, merchant_id: str, id_or_number: str, *, lock: bool = False
) -> PurchaseOrder | None:
    """The merchant's purchase order by id, or by its number as typed."""
    base = (
        select(PurchaseOrder)
        .where(PurchaseOrder.merchant_id == merchant_id)
        .options(selectinload(PurchaseOrder.lines))
    )
    if lock:
        base = base.with_for_update(of=PurchaseOrder)
    found = None
    if id_or_number.startswith("pur_"):
        found = uow.session.scalars(base.where(PurchaseOrder.id == id_or_number)).first()
    if found is None and (key := number_key(id_or_number)):
        found = uow.session.scalars(base.where(PurchaseOrder.number_key == key)).first()
    return found


def number_taken(uow: UnitOfWork, merchant_id: str, number: str) -> bool:
    query = select(PurchaseOrder.id).where(
        PurchaseOrder.merchant_id == merchant_id, PurchaseOrder.number_key == number_key(number)
    )
    return uow.session.scalars(query.limit(1)).first() is not None


def purchase_orders_page(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    status: str | None,
    supplier_id: str | None,
    cursor: str | None,
    limit: int,
    number_part: str | None = None,
) -> Page[PurchaseOrder]:
    query = (
        select(PurchaseOrder)
        .where(PurchaseOrder.merchant_id == merchant_id)
        .options(selectinload(PurchaseOrder.lines))
    )
    if status is not None:
        query = query.where(PurchaseOrder.status == status)
    if supplier_id is not None:
        query = query.where(PurchaseOrder.supplier_id == supplier_id)
    if number_part is not None:
        # As people type it: "1001" finds PO-1001 (number keys hold letters and digits only).
        key = number_key(number_part)
        query = query.where(PurchaseOrder.number_key.contains(key, autoescape=True))
    return keyset_page(uow.session, query, PurchaseOrder.id, cursor, limit)


def suppliers_named(uow: UnitOfWork, merchant_id: str, names: set[str]) -> dict[str, Supplier]:
    """The merchant's suppliers of these exact names (as an import file gives them)."""
    if not names:
        return {}
    rows = uow.session.scalars(
        select(Supplier).where(Supplier.merchant_id == merchant_id, Supplier.name.in_(names))
    )
    return {row.name: row for row in rows}


def sent_purchase_orders(
    uow: UnitOfWork, merchant_id: str, supplier_ids: set[str], since: datetime
) -> list[PurchaseOrder]:
    """The suppliers' orders sent since ``since`` and not cancelled, with their lines."""
    if not supplier_ids:
        return []
    query = (
        select(PurchaseOrder)
        .where(
            PurchaseOrder.merchant_id == merchant_id,
            PurchaseOrder.supplier_id.in_(supplier_ids),
            PurchaseOrder.sent_at >= since,
            PurchaseOrder.cancelled_at.is_(None),
        )
        .options(selectinload(PurchaseOrder.lines))
    )
    return list(uow.session.scalars(query))


def arrival_times(uow: UnitOfWork, merchant_id: str, po_ids: list[str]) -> dict[str, list[datetime]]:
    """When each order's counted goods arrived: a receipt's time, or its ASN's arrival when that
    came first (the dock counting late is not the supplier being late)."""
    if not po_ids:
        return {}
    query = (
        select(Receipt.purchase_order_id, Receipt.created_at, InboundShipment.arrived_at)
        .outerjoin(InboundShipment, InboundShipment.id == Receipt.inbound_shipment_id)
        .where(Receipt.merchant_id == merchant_id, Receipt.purchase_order_id.in_(po_ids))
    )
    times: dict[str, list[datetime]] = {}
    for po_id, counted_at, arrived_at in uow.session.execute(query):
        at = counted_at if arrived_at is None else min(counted_at, arrived_at)
        times.setdefault(po_id, []).append(at)
    return times


def purchase_orders_in(uow: UnitOfWork, merchant_id: str, statuses: tuple[str, ...]) -> list[PurchaseOrder]:
    """The merchant's purchase orders in any of ``statuses``, with their lines."""
    query = (
        select(PurchaseOrder)
        .where(PurchaseOrder.merchant_id == merchant_id, PurchaseOrder.status.in_(statuses))
        .options(selectinload(PurchaseOrder.lines))
    )
    return list(uow.session.scalars(query))


def open_order_supplier_ids(uow: UnitOfWork, merchant_id: str) -> set[str]:
    """Suppliers with an order not yet received or cancelled."""
    query = select(PurchaseOrder.supplier_id).where(
        PurchaseOrder.merchant_id == merchant_id, PurchaseOrder.status.not_in(("received", "cancelled"))
    )
    return set(uow.session.scalars(query.distinct()))


def supplier_terms_of_merchant(
    uow: UnitOfWork, merchant_id: str
) -> list[tuple[str, str, str | None, Decimal, str]]:
    """Every supplier's terms for every SKU of the merchant, as plain rows (supplier id, SKU,
    supplier's SKU, unit cost, currency): a catalog's worth of them is read in one go."""
    query = select(
        SupplierSku.supplier_id,
        SupplierSku.sku,
        SupplierSku.supplier_sku,
        SupplierSku.unit_cost,
        SupplierSku.currency,
    ).where(SupplierSku.merchant_id == merchant_id)
    return [
        (sid, sku, theirs, cost, currency) for sid, sku, theirs, cost, currency in uow.session.execute(query)
    ]


def open_inbound_by_line(uow: UnitOfWork, merchant_id: str) -> dict[str, tuple[int, date | None]]:
    """Per purchase order line, the units its open inbound shipments still bring and the
    earliest day one of them is expected (tracking's estimate, else the supplier's date)."""
    expected = func.coalesce(InboundShipment.arrival_estimate, InboundShipment.expected_arrival_date)
    query = (
        select(
            InboundShipmentLine.purchase_order_line_id,
            func.sum(
                InboundShipmentLine.quantity
                - InboundShipmentLine.received_quantity
                - InboundShipmentLine.damaged_quantity
            ),
            func.min(expected),
        )
        .join(InboundShipment, InboundShipment.id == InboundShipmentLine.inbound_shipment_id)
        .where(
            InboundShipmentLine.merchant_id == merchant_id,
            InboundShipment.status.not_in(("received", "cancelled")),
        )
        .group_by(InboundShipmentLine.purchase_order_line_id)
    )
    return {line_id: (max(0, int(units or 0)), first) for line_id, units, first in uow.session.execute(query)}
