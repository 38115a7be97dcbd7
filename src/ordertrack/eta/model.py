"""Delivery estimates: every revision kept, so a page can say how the promise moved."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, id_column, merchant_column


class DeliveryEstimate(Base):
    """One revision of a parcel's estimated delivery, in the destination's calendar."""

    __tablename__ = "delivery_estimates"
    __table_args__ = (Index("ix_delivery_estimates_parcel", "parcel_id", "recorded_at"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    parcel_id: Mapped[str] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"))
    earliest: Mapped[date]
    latest: Mapped[date]
    most_likely: Mapped[date | None]
    # Where it came from ("carrier:ups") and why it was revised, in words for the timeline.
    source: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime]


class EddRevision(Base):
    """One revision of the delivery promise of an order (``shipment_id`` None) or a shipment.

    Dates are in the destination's local calendar. ``delayed`` marks a revision that moved
    ``latest`` later than the one before: the shopper hears of it.
    """

    __tablename__ = "edd_revisions"
    __table_args__ = (
        Index("ix_edd_revisions_order", "order_id", "recorded_at"),
        Index("ix_edd_revisions_shipment", "shipment_id", "recorded_at"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    shipment_id: Mapped[str | None] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    earliest: Mapped[date]
    latest: Mapped[date]
    most_likely: Mapped[date]
    # What prompted it (eta.estimating.Stage): order, shipped, carrier, handoff, check, delivered.
    stage: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300))
    # Why it changed, from the event that prompted it (eta.estimating.Cause: picked_up,
    # customs_delay, ...); None on revisions made before causes were kept.
    cause: Mapped[str | None] = mapped_column(String(24))
    # What the window was based on (eta.engine.BASIS_*: route, wider, typical, carrier,
    # delivered; "" unknown), how many deliveries, and the route's two ends.
    basis: Mapped[str | None] = mapped_column(String(16))
    basis_deliveries: Mapped[int | None]
    origin_country: Mapped[str | None] = mapped_column(String(2))
    destination_country: Mapped[str | None] = mapped_column(String(2))
    delayed: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime]
