"""Shipment, its lines, its parcels and what each parcel holds.

A parcel carries one tracking number and the state derived from its events; the stored
columns are a cache of :func:`ordertrack.tracking.status.derive_tracking_state` so that
one more event costs the same whether the parcel has one event or a thousand.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ordertrack.db.base import Base, id_column, merchant_column


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


class Parcel(Base):
    __tablename__ = "parcels"
    __table_args__ = (
        Index("ix_parcels_merchant_tracking", "merchant_id", "tracking_number", "carrier"),
        # The generic /track lookup asks which merchants hold a number, across all of them.
        Index("ix_parcels_tracking_number", "tracking_number"),
        Index("ix_parcels_shipment_id", "shipment_id"),
        Index("ix_parcels_next_poll_at", "next_poll_at"),
        Index("ix_parcels_merchant_status", "merchant_id", "status"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    seq: Mapped[int]
    tracking_number: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str] = mapped_column(String(40))
    weight_grams: Mapped[int | None]
    length_mm: Mapped[int | None]
    width_mm: Mapped[int | None]
    height_mm: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(64))
    delivered_at: Mapped[datetime | None]
    # The newest event folded into the state, as its sort key (occurred_at, rank, key).
    last_event_at: Mapped[datetime | None]
    last_event_rank: Mapped[int | None]
    last_event_key: Mapped[str | None] = mapped_column(String(64))
    event_count: Mapped[int] = mapped_column(default=0)
    # When the carrier's API is next asked about this parcel (None: not polled).
    next_poll_at: Mapped[datetime | None]
    last_polled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    items: Mapped[list[ParcelItem]] = relationship(lazy="raise", order_by="ParcelItem.sku")


class ParcelItem(Base):
    """Which units of which order line went into one parcel (what its packing slip lists)."""

    __tablename__ = "parcel_items"

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    parcel_id: Mapped[str] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[str] = mapped_column(ForeignKey("order_lines.id"))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int]
