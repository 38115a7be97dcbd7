"""Notification tables: the outbox (which is also the log), merchant settings, webhook
endpoints, shopper preferences and merchant templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, Json, id_column, merchant_column


class Notification(Base):
    """One message to one recipient through one channel, written in the same transaction as
    the change that caused it, and delivered later by a worker.

    ``dedupe_key`` makes it at most one per (order or shipment, trigger, channel,
    recipient): a second enqueue of the same is a no-op. ``state`` is pending, sent,
    suppressed (no longer true when its turn came), or dead (gave up; can be replayed).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("merchant_id", "dedupe_key", name="uq_notifications_merchant_id_dedupe_key"),
        Index("ix_notifications_due", "state", "next_attempt_at"),
        Index("ix_notifications_order", "merchant_id", "order_id", "created_at"),
    )

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    order_id: Mapped[str | None] = mapped_column(String(32))
    shipment_id: Mapped[str | None] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))
    locale: Mapped[str] = mapped_column(String(16))
    dedupe_key: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    # A worker holding the message until then; another may take it after (crash recovery).
    leased_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(200))
    facts: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class NotificationSetting(Base):
    """A trigger switched on or off for a channel (no row: the default)."""

    __tablename__ = "notification_settings"

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    trigger: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool]


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    # Event types it wants ("shipment.delivered"...); empty means all.
    event_types: Mapped[list[str]] = mapped_column(Json, default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class ShopperPreference(Base):
    """A shopper's choice for one channel at one merchant: opted out, or subscribed to SMS."""

    __tablename__ = "shopper_preferences"

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    address: Mapped[str] = mapped_column(String(320), primary_key=True)  # email, or E.164 phone
    opted_out: Mapped[bool]
    order_id: Mapped[str | None] = mapped_column(String(32))  # SMS subscriptions are per order
    updated_at: Mapped[datetime]


class NotificationTemplate(Base):
    """A merchant's own template for a trigger, channel and language."""

    __tablename__ = "notification_templates"

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    trigger: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
