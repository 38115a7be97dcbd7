"""Attention items: a shipment in trouble, opened by the checks and closed by themselves
when the shipment moves on."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

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
    # Closed by itself: why, in words ("a new scan"). Resolved by staff: their free text.
    close_reason: Mapped[str | None] = mapped_column(String(200))
    # The workflow: open -> acknowledged -> resolved (``state`` in attention.workflow).
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    # Set when staff resolve it (a reason from attention.workflow.RESOLUTIONS); None when it closed by itself.
    resolution: Mapped[str | None] = mapped_column(String(24))
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    # When the checks stopped finding the problem. Until then an item staff resolved keeps the
    # same problem from opening again; once it is set, the problem coming back is a new item.
    problem_ended_at: Mapped[datetime | None]


class AttentionActivity(Base):
    """One line of an item's history: a note, an assignment, a message sent, a claim, a closing."""

    __tablename__ = "attention_activity"
    __table_args__ = (Index("ix_attention_activity_item_at", "item_id", "at"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    item_id: Mapped[str] = mapped_column(ForeignKey("attention_items.id", ondelete="CASCADE"))
    # note, assigned, unassigned, acknowledged, messaged, claim_opened, claim_updated, resolved, closed
    action: Mapped[str] = mapped_column(String(24))
    # Who did it (None: the system); the name is kept so the history reads after they leave.
    staff_id: Mapped[str | None] = mapped_column(String(32))
    author: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(4000), default="")
    at: Mapped[datetime]


class CarrierClaim(Base):
    """A claim with the carrier for a parcel lost, damaged or late (open -> submitted -> settled)."""

    __tablename__ = "carrier_claims"
    __table_args__ = (
        Index("ix_carrier_claims_merchant_opened", "merchant_id", "opened_at"),
        Index("ix_carrier_claims_item_id", "item_id"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    item_id: Mapped[str | None] = mapped_column(ForeignKey("attention_items.id", ondelete="SET NULL"))
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    carrier: Mapped[str] = mapped_column(String(40))
    tracking_number: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="open")
    # The carrier's claim number, once they give one.
    reference: Mapped[str | None] = mapped_column(String(100))
    opened_by: Mapped[str | None] = mapped_column(String(32))
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
