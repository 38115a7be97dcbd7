"""Order and OrderLine. ``status`` and ``attention`` are stored for filtering but only
ever written from :func:`ordertrack.orders.status.derive_order_status`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ordertrack.db.base import Base, id_column, merchant_column
from ordertrack.kit.number_keys import MAX_KEY_LENGTH, number_key


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("merchant_id", "number"),
        Index("ix_orders_merchant_status", "merchant_id", "status", "id"),
        Index("ix_orders_merchant_id_id", "merchant_id", "id"),
        # Lookups and searches by number as people type it: of one merchant, or of any (the
        # shopper's generic form), from the same index.
        Index("ix_orders_number_key", "number_key", "merchant_id"),
        # Lists newest placed first, paged by (placed_at, id).
        Index("ix_orders_merchant_placed", "merchant_id", "placed_at", "id"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    number: Mapped[str] = mapped_column(String(64))
    # number_key(number), kept by the model (see _keep_number_key): how a typed number is matched.
    number_key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    placed_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(32), default="api")
    ship_name: Mapped[str | None] = mapped_column(String(200))
    ship_line1: Mapped[str | None] = mapped_column(String(300))
    ship_line2: Mapped[str | None] = mapped_column(String(300))
    ship_city: Mapped[str | None] = mapped_column(String(120))
    ship_region: Mapped[str | None] = mapped_column(String(120))
    ship_postal_code: Mapped[str | None] = mapped_column(String(20))
    ship_country: Mapped[str | None] = mapped_column(String(2))
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(32))
    attention: Mapped[bool] = mapped_column(default=False)
    # The delivery promise for the whole order (its last parcel), in the destination's calendar.
    edd_earliest: Mapped[date | None]
    edd_latest: Mapped[date | None]
    edd_most_likely: Mapped[date | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    lines: Mapped[list[OrderLine]] = relationship(
        lazy="raise", order_by="OrderLine.line_no", back_populates="order"
    )

    @validates("number")
    def _keep_number_key(self, _name: str, number: str) -> str:
        self.number_key = number_key(number)
        return number


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal]

    order: Mapped[Order] = relationship(lazy="raise", back_populates="lines")


class OrderNote(Base):
    """A note staff wrote on an order (a call, a promise made to the customer), with who wrote it.

    Notes are never edited: a correction is another note, so the timeline stays what was said.
    """

    __tablename__ = "order_notes"
    __table_args__ = (Index("ix_order_notes_merchant_order", "merchant_id", "order_id", "id"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    # The staff member who wrote it; None for a note added through the API.
    author_id: Mapped[str | None] = mapped_column(String(32))
    # Their name as it was when they wrote it (a later rename does not rewrite history).
    author_name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
