"""The per-merchant counter behind ordertrack's own tracking numbers."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base


class TrackingSequence(Base):
    __tablename__ = "tracking_sequences"

    merchant_id: Mapped[str] = mapped_column(String(32), ForeignKey("merchants.id"), primary_key=True)
    # The next sequence number to issue; taken under the row's lock, so never twice.
    next_value: Mapped[int]
