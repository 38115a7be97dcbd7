"""Tables of "where is my order" demand: daily tracking-page counters per order, clicks through
the links in messages, the contacts help desks record, and each merchant's help-desk receiver.

Nothing here names a person: counters are numbers per order and day (no address, browser or
IP), a contact keeps its channel, reason and the help desk's own id, not the shopper's words.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, id_column, merchant_column


class TrackingDemandDay(Base):
    """How often one order's tracking was asked for on one UTC day: page views, successful
    lookups by order number, and clicks through message links. One upsert per visit."""

    __tablename__ = "tracking_demand_days"
    __table_args__ = (Index("ix_tracking_demand_days_merchant_day", "merchant_id", "day"),)

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    page_views: Mapped[int] = mapped_column(default=0)
    lookups: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)


class MessageClick(Base):
    """A message whose tracking link was followed: when first and last, and how many times."""

    __tablename__ = "message_clicks"
    __table_args__ = (Index("ix_message_clicks_merchant_first", "merchant_id", "first_at"),)

    notification_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str] = mapped_column(String(32))
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    clicks: Mapped[int] = mapped_column(default=1)


class SupportContact(Base):
    """A shopper asked the merchant's help desk about an order (or about something we could not
    tie to an order: ``order_id`` is then null and ``reference`` says what was given)."""

    __tablename__ = "support_contacts"
    __table_args__ = (
        UniqueConstraint("merchant_id", "source", "external_id", name="uq_support_contacts_external"),
        Index("ix_support_contacts_merchant_occurred", "merchant_id", "occurred_at"),
        Index("ix_support_contacts_merchant_order", "merchant_id", "order_id"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16))  # api, csv, dashboard, zendesk
    # The help desk's own id (ticket id): a second report of the same is the same contact.
    external_id: Mapped[str | None] = mapped_column(String(100))
    reference: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class HelpdeskReceiver(Base):
    """A merchant's signed help-desk webhook: the address's id and the help desk's signing secret."""

    __tablename__ = "helpdesk_receivers"
    __table_args__ = (UniqueConstraint("merchant_id", "provider", name="uq_helpdesk_receivers_provider"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    provider: Mapped[str] = mapped_column(String(16))
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    last_received_at: Mapped[datetime | None]
