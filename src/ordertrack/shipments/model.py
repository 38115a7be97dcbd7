"""Shipment, its lines, and what each of its parcels holds.

The parcel itself (tracking number, derived tracking state) is the tracking feature's
(:class:`ordertrack.tracking.model.Parcel`); what went into it is the shipment's.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ordertrack.db.base import Base, id_column, merchant_column
from ordertrack.tracking.model import Parcel


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        Index("ix_shipments_merchant_id_id", "merchant_id", "id"),
        Index("ix_shipments_order_id", "order_id"),
        Index("ix_shipments_next_check_at", "next_check_at"),
        Index("ix_shipments_merchant_status", "merchant_id", "status"),
        Index("ix_shipments_merchant_delivered", "merchant_id", "delivered_at"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    warehouse: Mapped[str | None] = mapped_column(String(32))
    carrier: Mapped[str] = mapped_column(String(40))
    service: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(64))
    delivered_at: Mapped[datetime | None]
    # When the parcels left the merchant's hands for the carrier's.
    handed_over_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The delivery promise now (the newest EDD revision), and the last day promised when the
    # parcel left: a shipment is late against what the shopper was told, not against a
    # promise that kept moving with it.
    edd_earliest: Mapped[date | None]
    edd_latest: Mapped[date | None]
    edd_most_likely: Mapped[date | None]
    promised_latest: Mapped[date | None]
    # When the checks (EDD, alerts) next look at it; None once there is nothing left to watch.
    next_check_at: Mapped[datetime | None]

    lines: Mapped[list[ShipmentLine]] = relationship(lazy="raise", order_by="ShipmentLine.sku")
    parcels: Mapped[list[Parcel]] = relationship(lazy="raise", order_by="Parcel.seq")


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[str] = mapped_column(ForeignKey("order_lines.id"))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]


class ParcelItem(Base):
    """Which units of which order line went into one parcel (what its packing slip lists)."""

    __tablename__ = "parcel_items"

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    parcel_id: Mapped[str] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[str] = mapped_column(ForeignKey("order_lines.id"))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]


# Packing is the shipment's business, so the parcel learns about its contents here, not in
# tracking (which sits below shipments and knows nothing of order lines).
Parcel.items = relationship(ParcelItem, lazy="raise", order_by=ParcelItem.sku)
