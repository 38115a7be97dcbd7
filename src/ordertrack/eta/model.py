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
