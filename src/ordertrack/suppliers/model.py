"""Supplier, SupplierSku (the supplier's terms for one of the merchant's SKUs), PurchaseOrder and
PurchaseOrderLine; InboundShipment (the supplier's advance shipping notice, ASN) with its lines,
whose parcels are ordinary tracking parcels (``parcels.inbound_shipment_id``); Receipt (one
count at the dock, tied to its stock-ledger movement); PurchaseOrderChange (who changed what).

``PurchaseOrder.status`` and ``InboundShipment.status`` are stored for filtering but only ever
written from the pure derivations in :mod:`ordertrack.suppliers.rules`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
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
    # Units that arrived damaged (counted, not put into stock): the sum of the line's receipts.
    damaged_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    short_closed_at: Mapped[datetime | None]
    short_close_reason: Mapped[str | None] = mapped_column(String(300))

    purchase_order: Mapped[PurchaseOrder] = relationship(lazy="raise", back_populates="lines")


class InboundShipment(Base):
    """An advance shipping notice: which PO lines and quantities the supplier sent, in which
    parcels, with which carrier, expected when. Its parcels are tracking parcels."""

    __tablename__ = "inbound_shipments"
    __table_args__ = (
        # The dock scans or types it: unique per merchant as people type it.
        UniqueConstraint("merchant_id", "number_key"),
        UniqueConstraint("purchase_order_id", "seq"),
        Index("ix_inbound_shipments_merchant_status", "merchant_id", "status", "id"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    purchase_order_id: Mapped[str] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    seq: Mapped[int]  # 1, 2, ... within its purchase order
    number: Mapped[str] = mapped_column(String(64))  # the supplier's reference, or "<PO>-<seq>"
    number_key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    carrier: Mapped[str | None] = mapped_column(String(40))
    # What the supplier declared; the tracking engine's promise for its parcels may differ.
    expected_arrival_date: Mapped[date | None]
    # Derived (rules.derive_inbound_status): declared, in_transit, arrived, exception,
    # partially_received, received, cancelled.
    status: Mapped[str] = mapped_column(String(32))
    declared_by: Mapped[str] = mapped_column(String(100))  # "supplier link", "staff:<email>", "api", "csv"
    arrived_at: Mapped[datetime | None]  # every parcel delivered to the warehouse
    # When it is expected now, as its parcels' tracking revises the declared date (derived by
    # purchasing.inbound, like a shipment's edd_* columns), and what that rests on: declared,
    # purchase_order, carrier, learned, lead_time, arrived.
    arrival_estimate: Mapped[date | None]
    arrival_basis: Mapped[str | None] = mapped_column(String(24))
    # What needs staff's attention now (late, stalled, exception; None: nothing) and since when;
    # staff hear of each kind once (the outbox's once-only key), so this is what is shown.
    attention: Mapped[str | None] = mapped_column(String(24))
    attention_detail: Mapped[str | None] = mapped_column(String(300))
    attention_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    lines: Mapped[list[InboundShipmentLine]] = relationship(
        lazy="raise", order_by="InboundShipmentLine.id", back_populates="inbound_shipment"
    )

    @validates("number")
    def _keep_number_key(self, _name: str, number: str) -> str:
        self.number_key = number_key(number)
        return number


class InboundShipmentLine(Base):
    """Units of one PO line in one ASN (``parcel_seq``: which of its parcels, when said)."""

    __tablename__ = "inbound_shipment_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("received_quantity >= 0", name="received_not_negative"),
        CheckConstraint("damaged_quantity >= 0", name="damaged_not_negative"),
        Index("ix_inbound_shipment_lines_po_line", "purchase_order_line_id"),
        Index("ix_inbound_shipment_lines_merchant_sku", "merchant_id", "sku"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    inbound_shipment_id: Mapped[str] = mapped_column(ForeignKey("inbound_shipments.id", ondelete="CASCADE"))
    purchase_order_line_id: Mapped[str] = mapped_column(ForeignKey("purchase_order_lines.id"))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
    parcel_seq: Mapped[int | None]
    # Sums of this line's receipts.
    received_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    damaged_quantity: Mapped[int] = mapped_column(default=0, server_default="0")

    inbound_shipment: Mapped[InboundShipment] = relationship(lazy="raise", back_populates="lines")


class Receipt(Base):
    """One count at the dock for one PO line: good units go into stock through the ledger
    (``stock_movement_id``, kind ``receipt``), damaged units are recorded, not stocked.

    ``count_key`` is the natural key of the count (the ASN line, or PO line, and the client's
    count id or idempotency key): a double scan or a retried request finds the row it made."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("merchant_id", "count_key"),
        CheckConstraint("good_quantity >= 0", name="good_not_negative"),
        CheckConstraint("damaged_quantity >= 0", name="damaged_not_negative"),
        CheckConstraint("good_quantity + damaged_quantity > 0", name="counts_something"),
        Index("ix_receipts_po_line", "purchase_order_line_id"),
        Index("ix_receipts_merchant_po", "merchant_id", "purchase_order_id", "created_at"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    purchase_order_id: Mapped[str] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    purchase_order_line_id: Mapped[str] = mapped_column(ForeignKey("purchase_order_lines.id"))
    inbound_shipment_id: Mapped[str | None] = mapped_column(ForeignKey("inbound_shipments.id"))
    inbound_shipment_line_id: Mapped[str | None] = mapped_column(ForeignKey("inbound_shipment_lines.id"))
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.id"))
    sku: Mapped[str] = mapped_column(String(64))
    good_quantity: Mapped[int]
    damaged_quantity: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(1000))
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_type: Mapped[str | None] = mapped_column(String(40))
    stock_movement_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), ForeignKey("stock_movements.id")
    )
    count_key: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class PurchaseOrderChange(Base):
    """The purchase order's history: every change, with who made it (append-only)."""

    __tablename__ = "purchase_order_changes"
    __table_args__ = (Index("ix_purchase_order_changes_po", "purchase_order_id", "at"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    purchase_order_id: Mapped[str] = mapped_column(ForeignKey("purchase_orders.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    # "staff:<email>", "api key <prefix>", "supplier link", "csv <file>", "system".
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))  # created, sent, confirmed, asn_declared, received...
    details: Mapped[dict[str, Any] | None]


class PromiseRevisionDue(Base):
    """Customer orders waiting for this SKU are due a new promise: when its inbound may have
    moved (a PO confirmed or cancelled, an ASN delayed, goods received), the event's handler
    writes a row here in its own transaction; the worker revises the waiting orders in small
    transactions and deletes the rows it read. Rows are never updated, so concurrent writers
    never wait on each other (several rows for one SKU are worked once)."""

    __tablename__ = "promise_revisions_due"
    __table_args__ = (Index("ix_promise_revisions_due_at", "due_at", "id"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    sku: Mapped[str] = mapped_column(String(64))
    # eta's Cause for the shopper: supplier_delay, supplier_confirmed, waiting_for_stock, ...
    cause: Mapped[str] = mapped_column(String(24))
    due_at: Mapped[datetime]
