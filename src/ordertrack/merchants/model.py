"""Merchant (the tenant) and its API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, id_column


class Merchant(Base):
    __tablename__ = "merchants"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class ApiKey(Base):
    """An API key, kept only as its SHA-256: keys are 256-bit random, so no stretching is needed."""

    __tablename__ = "api_keys"

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(100), default="default")
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
