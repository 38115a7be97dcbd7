"""Shipment shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from ordertrack.carriers.tracking_numbers import OWN_CARRIER
from ordertrack.kit.schema import ApiModel, CarrierSlug, OutModel, PageOut, Sku, TrackingNumber
from ordertrack.tracking.status import ShipmentStatus


class ShipmentLineIn(ApiModel):
    sku: Sku
    quantity: int = Field(ge=1, le=1_000_000)


class ParcelIn(ApiModel):
    tracking_number: TrackingNumber | None = Field(
        default=None, description="required unless the carrier is 'own' (ordertrack issues one)"
    )
    weight_grams: int | None = Field(default=None, ge=0, le=10_000_000)
    length_mm: int | None = Field(default=None, ge=1, le=10_000)
    width_mm: int | None = Field(default=None, ge=1, le=10_000)
    height_mm: int | None = Field(default=None, ge=1, le=10_000)


class ShipmentIn(ApiModel):
    warehouse: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    lines: list[ShipmentLineIn] | None = Field(
        default=None, max_length=500, description="omit to ship everything not yet shipped"
    )
    carrier: CarrierSlug
    service: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None
    tracking_number: TrackingNumber | None = Field(
        default=None,
        description="the single parcel's tracking number (or give parcels); with carrier 'own', "
        "omit it and ordertrack issues one with a check character",
    )
    parcels: list[ParcelIn] | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_way_to_name_parcels(self) -> ShipmentIn:
        if self.tracking_number is not None and self.parcels is not None:
            raise ValueError("give tracking_number or parcels, not both")
        own = self.carrier == OWN_CARRIER
        if self.tracking_number is None and self.parcels is None and not own:
            raise ValueError("a tracking_number (or parcels with tracking numbers) is required")
        if self.parcels is not None:
            numbers = [p.tracking_number for p in self.parcels if p.tracking_number is not None]
            if len(numbers) < len(self.parcels) and not own:
                raise ValueError("every parcel needs a tracking number unless the carrier is 'own'")
            if len(set(numbers)) != len(numbers):
                raise ValueError("each parcel needs its own tracking number")
        return self


class ShipmentLineOut(OutModel):
    order_line_id: str
    sku: str
    quantity: int


class ParcelOut(OutModel):
    id: str
    tracking_number: str
    carrier: str
    weight_grams: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    status: ShipmentStatus
    reason: str | None
    delivered_at: datetime | None
    last_event_at: datetime | None
    event_count: int


class ShipmentOut(OutModel):
    id: str
    order_id: str
    warehouse: str | None
    carrier: str
    service: str | None
    status: ShipmentStatus
    reason: str | None
    delivered_at: datetime | None
    handed_over_at: datetime | None
    created_at: datetime
    updated_at: datetime
    lines: list[ShipmentLineOut]
    parcels: list[ParcelOut]


class ShipmentPage(PageOut):
    items: list[ShipmentOut]
