"""Warehouse and stock shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from ordertrack.inventory.rules import MAX_QUANTITY
from ordertrack.kit.pagination import SKU_KEY_PATTERN, KeyCursor
from ordertrack.kit.schema import (
    AddressIn,
    AddressOut,
    ApiModel,
    OrderRef,
    OutModel,
    PageOut,
    TimeZoneName,
    WarehouseRef,
)

WarehouseCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{1,32}$")]

# Warehouses are listed by priority, then code; stock levels by SKU, then id.
WAREHOUSE_CURSOR = KeyCursor(("[0-9]{1,5}", "[A-Za-z0-9_-]{1,32}"), ":", (int, str), "10:AUS1")
STOCK_CURSOR = KeyCursor(
    (SKU_KEY_PATTERN, "[a-z]{3}_[0-9a-z]{26}"),
    "~",
    (str, str),
    "TENT-2P~stl_01kbx5c2r9m4n6p8q0s2t4v6w8",
)


def _weekdays(value: list[int]) -> list[int]:
    if not value or len(set(value)) != len(value) or any(d < 1 or d > 7 for d in value):
        raise ValueError("processing_days are distinct ISO weekdays 1 (Monday) to 7 (Sunday)")
    return sorted(value)


class WarehouseIn(ApiModel):
    code: WarehouseCode
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]  # the column's width
    address: AddressIn = Field(description="where parcels leave from; its name, if given, is the warehouse's")
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
    latitude: float | None = Field(
        default=None,
        ge=-90,
        le=90,
        description="where it is (with longitude); without them its city, region or country places it",
    )
    longitude: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _one_name(self) -> WarehouseIn:
        if self.address.name is not None and self.address.name != self.name:
            raise ValueError("address.name is the warehouse's name: leave it out or repeat name")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give latitude and longitude together, or neither")
        return self

    def columns(self) -> dict[str, object]:
        """The warehouse's table columns: the address is kept flat, its name is the warehouse's."""
        fields = self.model_dump(exclude={"address"})
        fields.update(self.address.model_dump(exclude={"name"}))
        fields["processing_days"] = ",".join(str(d) for d in self.processing_days)
        return fields


class WarehousePage(PageOut):
    items: list[WarehouseOut]


class WarehouseOut(OutModel):
    id: str
    code: str
    name: str
    address: AddressOut
    timezone: str
    cutoff_time: str
    processing_days: list[int]
    priority: int
    latitude: float | None = None
    longitude: float | None = None
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
    warehouse: WarehouseRef
    sku: str
    location: str | None
    on_hand: int
    reserved: int
    available: int
    low_stock_threshold: int | None
    below_threshold: bool
    updated_at: datetime


class StockPage(PageOut):
    items: list[StockLevelOut]


class StockMovementOut(OutModel):
    id: int
    warehouse: WarehouseRef
    sku: str
    kind: str
    on_hand_delta: int
    reserved_delta: int
    order: OrderRef | None = Field(description="the order the units were reserved for or shipped to")
    actor: str
    reason: str | None
    created_at: datetime


class StockMovementPage(PageOut):
    items: list[StockMovementOut]


class PickOrderOut(OutModel):
    order: OrderRef
    quantity: int


class PickLineOut(OutModel):
    sku: str
    location: str | None
    quantity: int
    orders: list[PickOrderOut]


class PickListOut(OutModel):
    warehouse: WarehouseRef
    generated_at: datetime
    lines: list[PickLineOut]
