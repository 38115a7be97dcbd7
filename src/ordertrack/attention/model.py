"""Attention items: a shipment in trouble, opened by the checks and closed by themselves
when the shipment moves on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, id_column, merchant_column


class AttentionItem(Base):
    """One kind of trouble on one shipment (and its order), from when it was seen until it ended.

    At most one item of a kind is open per shipment; a closed one stays as history.
    """

    __tablename__ = "attention_items"
    __table_args__ = (
        Index(
            "uq_attention_items_open",
            "shipment_id",
            "kind",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_attention_items_merchant_opened", "merchant_id", "opened_at"),
        Index("ix_attention_items_order_id", "order_id"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    kind: Mapped[str] = mapped_column(String(24))
    # What was seen, in words for the dashboard ("no scan for 5 days; usually 2").
    detail: Mapped[str] = mapped_column(String(300))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(200))
