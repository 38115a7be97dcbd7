"""Supplier, SupplierSku (the supplier's terms for one of the merchant's SKUs), PurchaseOrder and
PurchaseOrderLine. ``PurchaseOrder.status`` is stored for filtering but only ever written from
:func:`ordertrack.suppliers.rules.derive_purchase_order_status`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ordertrack.db.base import Base, id_column, merchant_column
from ordertrack.kit.number_keys import MAX_KEY_LENGTH, number_key


class Supplier(Base):
    __tablename__ = "suppliers"
    __table_args__ = (
        UniqueConstraint("merchant_id", "name"),
        Index("ix_suppliers_merchant_id_id", "merchant_id", "id"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    line1: Mapped[str | None] = mapped_column(String(300))
    line2: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    # Business days from the order being sent to the goods leaving, when the supplier promises nothing.
    lead_time_days: Mapped[int]
    # The public holidays of the supplier's business calendar (the `holidays` library's codes).
    holiday_country: Mapped[str] = mapped_column(String(2))
    holiday_subdivision: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SupplierSku(Base):
    """What one supplier calls one of the merchant's SKUs and what it costs from them."""

    __tablename__ = "supplier_skus"
    __table_args__ = (
        UniqueConstraint("supplier_id", "sku"),
        Index("ix_supplier_skus_merchant_sku", "merchant_id", "sku"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    supplier_sku: Mapped[str | None] = mapped_column(String(64))
    unit_cost: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[datetime]


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        # Unique as people type it: PO-1001 and po 1001 are one number.
        UniqueConstraint("merchant_id", "number_key"),
        Index("ix_purchase_orders_merchant_status", "merchant_id", "status", "id"),
        Index("ix_purchase_orders_merchant_id_id", "merchant_id", "id"),
        Index("ix_purchase_orders_supplier", "supplier_id"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    number: Mapped[str] = mapped_column(String(64))
    # number_key(number), kept by the model (see _keep_number_key).
    number_key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"))
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.id"))
    currency: Mapped[str] = mapped_column(String(3))
    notes: Mapped[str | None] = mapped_column(Text)
    # The supplier's promise, in the supplier's calendar; None until they give one.
    promised_ship_date: Mapped[date | None]
    promised_arrival_date: Mapped[date | None]
    # The facts the status is derived from.
    sent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        lazy="raise", order_by="PurchaseOrderLine.line_no", back_populates="purchase_order"
    )

    @validates("number")
    def _keep_number_key(self, _name: str, number: str) -> str:
        self.number_key = number_key(number)
        return number


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        UniqueConstraint("purchase_order_id", "line_no"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("shipped_quantity >= 0", name="shipped_not_negative"),
        CheckConstraint("received_quantity >= 0", name="received_not_negative"),
        Index("ix_purchase_order_lines_merchant_sku", "merchant_id", "sku"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    purchase_order_id: Mapped[str] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    unit_cost: Mapped[Decimal]
    # The supplier's quantity when they confirmed; None: as ordered.
    confirmed_quantity: Mapped[int | None]
    # Filled by inbound shipments and receiving (later work); the status reads them already.
    shipped_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    received_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    short_closed_at: Mapped[datetime | None]
    short_close_reason: Mapped[str | None] = mapped_column(String(300))

    purchase_order: Mapped[PurchaseOrder] = relationship(lazy="raise", back_populates="lines")
