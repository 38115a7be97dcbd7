"""Warehouse and stock shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from ordertrack.inventory.rules import MAX_QUANTITY
from ordertrack.kit.schema import ApiModel, CountryCode, OutModel, ShortText, Text, TimeZoneName

WarehouseCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{1,32}$")]


def _weekdays(value: list[int]) -> list[int]:
    if not value or len(set(value)) != len(value) or any(d < 1 or d > 7 for d in value):
        raise ValueError("processing_days are distinct ISO weekdays 1 (Monday) to 7 (Sunday)")
    return sorted(value)


class WarehouseIn(ApiModel):
    code: WarehouseCode
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]  # the column's width
    line1: Text | None = None
    line2: Text | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = None
    country: CountryCode
    timezone: TimeZoneName
    cutoff_time: Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = "14:00"
    processing_days: Annotated[list[int], AfterValidator(_weekdays)] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5],
        json_schema_extra={
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "integer", "minimum": 1, "maximum": 7},
        },
    )
    priority: int = Field(default=100, ge=0, le=10_000)


class WarehouseOut(OutModel):
    id: str
    code: str
    name: str
    line1: str | None
    line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str
    timezone: str
    cutoff_time: str
    processing_days: list[int]
    priority: int
    created_at: datetime


Reason = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class StockSetIn(ApiModel):
    on_hand: int = Field(ge=0, le=MAX_QUANTITY)
    low_stock_threshold: int | None = Field(default=None, ge=0, le=MAX_QUANTITY)
    location: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = Field(
        default=None, description="bin location in the warehouse, e.g. A-01-03"
    )
    reason: Reason | None = None


class StockReceiptIn(ApiModel):
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    reason: Reason | None = None


class StockAdjustmentIn(ApiModel):
    delta: int = Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY)
    reason: Reason


class StockLevelOut(OutModel):
    warehouse: str
    sku: str
    location: str | None
    on_hand: int
    reserved: int
    available: int
    low_stock_threshold: int | None
    below_threshold: bool
    updated_at: datetime


class StockList(OutModel):
    items: list[StockLevelOut]


class StockMovementOut(OutModel):
    id: int
    warehouse: str
    sku: str
    kind: str
    on_hand_delta: int
    reserved_delta: int
    order_id: str | None
    actor: str
    reason: str | None
    created_at: datetime


class StockMovementList(OutModel):
    items: list[StockMovementOut]


class PickOrderOut(OutModel):
    order_id: str
    order_number: str
    quantity: int


class PickLineOut(OutModel):
    sku: str
    location: str | None
    quantity: int
    orders: list[PickOrderOut]


class PickListOut(OutModel):
    warehouse: str
    generated_at: datetime
    lines: list[PickLineOut]
