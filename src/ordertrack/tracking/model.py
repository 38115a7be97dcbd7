"""The tracking feature's tables: the parcel with its derived tracking state, and each
unified carrier event (scan) with the raw input it was read from.

A parcel carries one tracking number and the state derived from its events; the stored
columns are a cache of :func:`ordertrack.tracking.status.derive_tracking_state` so that
one more event costs the same whether the parcel has one event or a thousand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, id_column, merchant_column

EventId = BigInteger().with_variant(Integer(), "sqlite")

# Every column the tracking views, the shipment checks and the delivery-date history read of
# a parcel's events, besides the index's keys (parcel, occurred_at).
TIMELINE_COLUMNS = (
    "merchant_id",
    "id",
    "utc_offset_minutes",
    "timezone",
    "time_precision",
    "status",
    "reason",
    "code",
    "description",
    "city",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "carrier",
    "source",
    "event_id",
    "received_at",
    "dedupe_key",
)


class TrackingEvent(Base):
    __tablename__ = "tracking_events"
    __table_args__ = (
        UniqueConstraint("merchant_id", "dedupe_key"),
        # A parcel's timeline is read from this index alone on PostgreSQL (an index-only scan):
        # its events sit together in a leaf or two, where in the table they are spread over as
        # many pages as the parcel has scans, each written on a different day.
        Index(
            "ix_tracking_events_parcel_timeline",
            "parcel_id",
            "occurred_at",
            postgresql_include=TIMELINE_COLUMNS,
        ),
        Index("ix_tracking_events_merchant_tracking", "merchant_id", "tracking_number", "carrier"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = merchant_column()
    # NULL while no registered parcel claims the tracking number ("unmatched").
    parcel_id: Mapped[str | None] = mapped_column(ForeignKey("parcels.id", ondelete="SET NULL"))
    tracking_number: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str | None] = mapped_column(String(128))
    # sha256 over the event's identity; unique per merchant, so a replay is stored once.
    dedupe_key: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime]
    # The offset the event was reported with, kept so local time can be shown honestly.
    utc_offset_minutes: Mapped[int]
    timezone: Mapped[str | None] = mapped_column(String(64))
    # "exact", or "approximate" when the carrier wrote a local time without an offset at a place
    # whose zone is unknown: the wall clock is the carrier's, the instant may be hours off.
    time_precision: Mapped[str] = mapped_column(String(12), default="exact", server_default="exact")
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    received_at: Mapped[datetime]
    raw: Mapped[dict[str, Any]]


class Parcel(Base):
    __tablename__ = "parcels"
    __table_args__ = (
        Index("ix_parcels_merchant_tracking", "merchant_id", "tracking_number", "carrier"),
        # The generic /track lookup asks which merchants hold a number, across all of them.
        Index("ix_parcels_tracking_number", "tracking_number"),
        Index("ix_parcels_shipment_id", "shipment_id"),
        Index("ix_parcels_next_poll_at", "next_poll_at"),
        Index("ix_parcels_merchant_status", "merchant_id", "status"),
        Index("ix_parcels_inbound_shipment_id", "inbound_shipment_id"),
        CheckConstraint("(shipment_id IS NULL) <> (inbound_shipment_id IS NULL)", name="one_owner"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    # A parcel belongs to exactly one of: an outbound shipment to a shopper, or an inbound
    # shipment (ASN) from a supplier. The tracking engine treats both alike.
    shipment_id: Mapped[str | None] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    inbound_shipment_id: Mapped[str | None] = mapped_column(
        ForeignKey("inbound_shipments.id", ondelete="CASCADE")
    )
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
