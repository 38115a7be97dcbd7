"""Shipment shapes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from ordertrack.carriers.tracking_numbers import OWN_CARRIER
from ordertrack.eta.schemas import EstimateOut, EstimateRevisionOut
from ordertrack.kit.schema import (
    ApiModel,
    CarrierSlug,
    OrderRef,
    OutModel,
    PageOut,
    Sku,
    TrackingNumber,
    WarehouseRef,
)
from ordertrack.statuses import ShipmentStatus


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
    contents: list[ShipmentLineIn] | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="what went into this parcel (SKU and quantity); give it for every parcel or "
        "for none. Each parcel then gets its own packing slip",
    )


class ShipmentIn(ApiModel):
    warehouse: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = Field(
        default=None, description="the code of the warehouse it leaves from"
    )
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
            itemised = [p.contents is not None for p in self.parcels]
            if any(itemised) and not all(itemised):
                raise ValueError("give contents for every parcel or for none")
            packed = self.packed_quantities()
            if packed is not None and self.lines is not None and packed != _by_sku(self.lines):
                raise ValueError("the parcels' contents must add up to the shipment's lines, SKU by SKU")
        return self

    def packed_quantities(self) -> dict[str, int] | None:
        """Units per SKU across the parcels' contents, or None when the parcels are not itemised."""
        if self.parcels is None or self.parcels[0].contents is None:
            return None
        return _by_sku(line for parcel in self.parcels for line in parcel.contents or [])


def _by_sku(lines: Iterable[ShipmentLineIn]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.sku] = totals.get(line.sku, 0) + line.quantity
    return totals


class ShipmentLineOut(OutModel):
    order_line_id: str
    sku: str
    quantity: int


class ParcelItemOut(OutModel):
    order_line_id: str
    sku: str
    quantity: int


class ParcelOut(OutModel):
    id: str
    seq: int = Field(description="the parcel's place in the shipment: parcel seq of n")
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
    contents: list[ParcelItemOut] | None = Field(
        description="what the parcel holds; null when a shipment of several parcels was not itemised"
    )


class ShipmentOut(OutModel):
    id: str
    order: OrderRef
    warehouse: WarehouseRef | None = Field(
        description="where it left from; null for a tracking-only merchant"
    )
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
    estimated_delivery: EstimateOut | None = Field(default=None, description="our promise now")
    promised_latest: date | None = Field(
        default=None, description="the last day promised when it shipped: late is measured against it"
    )
    estimate_revisions: list[EstimateRevisionOut] = Field(default_factory=list, description="oldest first")


class ShipmentPage(PageOut):
    items: list[ShipmentOut]
