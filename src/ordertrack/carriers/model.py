"""Carrier tables: own-number counters, webhook settings, received payloads (and the
quarantine among them), unknown-code counters and polling accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, Json, id_column, merchant_column


class TrackingSequence(Base):
    __tablename__ = "tracking_sequences"

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    # The next sequence number to issue; taken under the row's lock, so never twice.
    next_value: Mapped[int]


class CarrierWebhook(Base):
    """How one merchant receives one carrier's pushes: the URL token and the signing secret."""

    __tablename__ = "carrier_webhooks"

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(40), primary_key=True)
    # sha256 of the token in the webhook URL; the token itself is shown once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The secret the sender signs with (given by the carrier or aggregator), when it signs.
    signing_secret: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CarrierPayload(Base):
    """A raw payload as received (push or poll) and what became of it.

    ``state`` is ``ingested`` (read, its events stored), ``quarantined`` (nothing or not all
    could be read: kept with the reason until replayed after a fix) or ``replayed``.
    """

    __tablename__ = "carrier_payloads"
    __table_args__ = (Index("ix_carrier_payloads_merchant_state", "merchant_id", "state", "id"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    carrier: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))  # webhook | poll
    content_type: Mapped[str | None] = mapped_column(String(100))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    messages: Mapped[list[dict[str, Any]] | None] = mapped_column(Json)
    events_accepted: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime]
    replayed_at: Mapped[datetime | None]


class UnknownCarrierCode(Base):
    """A carrier code no code table knows yet, counted per merchant so someone can map it."""

    __tablename__ = "carrier_unknown_codes"

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    example: Mapped[str | None] = mapped_column(String(500))  # the carrier's words for it
    seen: Mapped[int]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class CarrierAccount(Base):
    """A merchant's credentials for polling one carrier's tracking API."""

    __tablename__ = "carrier_accounts"

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(40), primary_key=True)
    # "production" or "sandbox": which of the connector's API roots is called. Never a URL, so
    # a merchant cannot aim the poller anywhere (migration 0013 replaced the free-text base_url).
    environment: Mapped[str] = mapped_column(String(16), default="production", server_default="production")
    client_id: Mapped[str | None] = mapped_column(String(300))
    client_secret: Mapped[str | None] = mapped_column(String(300))
    api_key: Mapped[str | None] = mapped_column(String(300))
    account_number: Mapped[str | None] = mapped_column(String(64))
    requests_per_second: Mapped[float | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
