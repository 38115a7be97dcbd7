"""Product: one SKU of the merchant's catalog."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ordertrack.db.base import Base, id_column, merchant_column


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("merchant_id", "sku"),)

    id: Mapped[str] = id_column()
    merchant_id: Mapped[str] = merchant_column()
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    weight_grams: Mapped[int | None]
    hs_code: Mapped[str | None] = mapped_column(String(16))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    price: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime]
