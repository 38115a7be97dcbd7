"""The tables of delivery ratings: one rating per order, and the one request sent for it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, id_column, merchant_column


class DeliveryRating(Base):
    """A shopper's stars for the delivery of one order, with what happened to it.

    The delivery's facts (carrier, lane, warehouse, days late, exception) are read when the
    rating is given, so the summary reads one table.
    """

    __tablename__ = "delivery_ratings"
    __table_args__ = (
        UniqueConstraint("merchant_id", "order_id"),
        Index("ix_delivery_ratings_merchant_delivered", "merchant_id", "delivered_on"),
        Index("ix_delivery_ratings_merchant_created", "merchant_id", "created_at", "id"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    stars: Mapped[int]
    # Ticked reasons, comma separated, in rating_rules.REASONS order ("late,courier").
    reasons: Mapped[str] = mapped_column(String(100), default="")
    comment: Mapped[str] = mapped_column(String(2000), default="")
    # The order's items the shopper rated: {"sku": stars}.
    items: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # What happened: the local day the order was delivered, its (last) carrier and warehouse,
    # the lane, whole days past the hand-off promise (None: no promise), any exception on the way.
    delivered_on: Mapped[date]
    carrier: Mapped[str] = mapped_column(String(40))
    warehouse: Mapped[str | None] = mapped_column(String(32))
    lane: Mapped[str] = mapped_column(String(120))
    days_late: Mapped[int | None]
    had_exception: Mapped[bool] = mapped_column(default=False)
    # The attention item a low rating opened, and the shipment it is on.
    attention_item_id: Mapped[str | None] = mapped_column(String(32))


class RatingRequest(Base):
    """The one rating request of a delivered order: due some hours after delivery, sent once."""

    __tablename__ = "rating_requests"
    __table_args__ = (
        UniqueConstraint("merchant_id", "order_id"),
        Index("ix_rating_requests_due", "sent_at", "due_at"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # Set when the order was no longer delivered at the due time (returned): nothing was sent.
    dropped: Mapped[bool] = mapped_column(default=False)
