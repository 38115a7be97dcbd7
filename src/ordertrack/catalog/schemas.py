"""Product shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ordertrack.kit.schema import (
    Amount,
    ApiModel,
    CountryCode,
    CurrencyCode,
    Money,
    OutModel,
    PageOut,
    Sku,
    Text,
)


class ProductIn(ApiModel):
    sku: Sku
    name: Text
    weight_grams: int | None = Field(default=None, ge=0, le=10_000_000)
    hs_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{4,10}$")] | None = None
    origin_country: CountryCode | None = None
    price: Money | None = None
    currency: CurrencyCode | None = None


class ProductOut(OutModel):
    id: str
    sku: str
    name: str
    weight_grams: int | None
    hs_code: str | None
    origin_country: str | None
    price: Amount | None
    currency: str | None
    created_at: datetime


class ProductPage(PageOut):
    items: list[ProductOut]
