"""What the stock ledger says about demand: units shipped per warehouse and SKU over a window,
the levels, and units waiting on backorder; read by reorder suggestions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory.model import Backorder, StockLevel, StockMovement, Warehouse
from ordertrack.inventory.rules import MovementKind


def shipped_since(
    uow: UnitOfWork, merchant_id: str, since: datetime, warehouse_id: str | None = None
) -> dict[tuple[str, str], int]:
    """Units shipped per (warehouse id, SKU) since ``since``: the ledger's shipment movements."""
    query = (
        select(StockMovement.warehouse_id, StockMovement.sku, func.sum(-StockMovement.on_hand_delta))
        .where(
            StockMovement.merchant_id == merchant_id,
            StockMovement.kind == str(MovementKind.shipment),
            StockMovement.created_at >= since,
        )
        .group_by(StockMovement.warehouse_id, StockMovement.sku)
    )
    if warehouse_id is not None:
        query = query.where(StockMovement.warehouse_id == warehouse_id)
    return {(wh, sku): int(units or 0) for wh, sku, units in uow.session.execute(query)}


def levels(
    uow: UnitOfWork, merchant_id: str, warehouse_id: str | None = None, *, skus: set[str] | None = None
) -> dict[tuple[str, str], tuple[int, int]]:
    """(on hand, reserved) per (warehouse id, SKU); of one warehouse, or of some SKUs, when said."""
    query = select(StockLevel.warehouse_id, StockLevel.sku, StockLevel.on_hand, StockLevel.reserved).where(
        StockLevel.merchant_id == merchant_id
    )
    if warehouse_id is not None:
        query = query.where(StockLevel.warehouse_id == warehouse_id)
    if skus is not None:
        if not skus:
            return {}
        query = query.where(StockLevel.sku.in_(sorted(skus)))
    return {(wh, sku): (on_hand, reserved) for wh, sku, on_hand, reserved in uow.session.execute(query)}


def backordered_units(uow: UnitOfWork, merchant_id: str) -> dict[str, int]:
    """Units of customer orders waiting for stock, per SKU (no warehouse holds them yet)."""
    query = (
        select(Backorder.sku, func.sum(Backorder.quantity))
        .where(Backorder.merchant_id == merchant_id)
        .group_by(Backorder.sku)
    )
    return {sku: int(units or 0) for sku, units in uow.session.execute(query)}


def warehouses_in_shipping_order(uow: UnitOfWork, merchant_id: str) -> list[Warehouse]:
    """The merchant's warehouses, the one that ships first (lowest priority, then code) first."""
    query = (
        select(Warehouse)
        .where(Warehouse.merchant_id == merchant_id)
        .order_by(Warehouse.priority, Warehouse.code)
    )
    return list(uow.session.scalars(query))
