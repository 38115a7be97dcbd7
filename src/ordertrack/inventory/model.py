"""Warehouse, StockLevel, the append-only StockMovement ledger, Reservation and Backorder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, id_column, merchant_column

MovementId = BigInteger().with_variant(Integer(), "sqlite")


class Warehouse(Base):
    __tablename__ = "warehouses"
    __table_args__ = (UniqueConstraint("merchant_id", "code"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    line1: Mapped[str | None] = mapped_column(String(300))
    line2: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    # Where it is, in degrees; without them it is placed by its city, region or country
    # (ordertrack.kit.geo) to choose the warehouse nearest an order and bound transit times.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    timezone: Mapped[str] = mapped_column(String(64))
    # Orders confirmed after this local time ship the next processing day ("HH:MM").
    cutoff_time: Mapped[str] = mapped_column(String(5))
    # ISO weekdays the warehouse ships on, e.g. "1,2,3,4,5".
    processing_days: Mapped[str] = mapped_column(String(13))
    # Lower ships first when several warehouses could fill an order equally well.
    priority: Mapped[int] = mapped_column(default=100)
    created_at: Mapped[datetime]


class StockLevel(Base):
    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("merchant_id", "warehouse_id", "sku"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
        Index("ix_stock_levels_merchant_sku", "merchant_id", "sku"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.id"))
    sku: Mapped[str] = mapped_column(String(64))
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    # Where in the warehouse the SKU sits (aisle-bay-shelf); pick lists walk in this order.
    location: Mapped[str | None] = mapped_column(String(40))
    # Alert when available falls below this; the flag makes it once per crossing.
    low_stock_threshold: Mapped[int | None]
    below_threshold: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]


class StockMovement(Base):
    """One change to a stock level. Rows are only ever inserted; levels equal their sum."""

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_level", "merchant_id", "warehouse_id", "sku", "id"),)

    id: Mapped[int] = mapped_column(MovementId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = merchant_column()
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.id"))
    sku: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    on_hand_delta: Mapped[int]
    reserved_delta: Mapped[int]
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]


class Reservation(Base):
    """Units of an order line held at a warehouse until they ship or the order is cancelled."""

    __tablename__ = "reservations"
    __table_args__ = (
        UniqueConstraint("order_line_id", "warehouse_id"),
        Index("ix_reservations_order", "merchant_id", "order_id"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    order_line_id: Mapped[str] = mapped_column(ForeignKey("order_lines.id"))
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.id"))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    created_at: Mapped[datetime]


class Backorder(Base):
    """Units of an order line no warehouse could hold; filled oldest order first."""

    __tablename__ = "backorders"
    __table_args__ = (
        UniqueConstraint("order_line_id"),
        Index("ix_backorders_merchant_sku", "merchant_id", "sku", "placed_at"),
        # Which SKUs an order waits for, on every revision of its promise (migration 0024).
        Index("ix_backorders_merchant_order", "merchant_id", "order_id"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    order_line_id: Mapped[str] = mapped_column(ForeignKey("order_lines.id"))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    placed_at: Mapped[datetime]


class StockAlert(Base):
    """A low-stock crossing, recorded for the merchant and the notification system."""

    __tablename__ = "stock_alerts"

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.id"))
    sku: Mapped[str] = mapped_column(String(64))
    available: Mapped[int]
    threshold: Mapped[int]
    raised_at: Mapped[datetime]
