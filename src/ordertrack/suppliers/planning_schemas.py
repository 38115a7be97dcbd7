"""Shapes of supplier performance and reorder suggestions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ordertrack.kit.schema import Amount, ApiModel, OutModel, PageOut, Sku, WarehouseRef
from ordertrack.suppliers.schemas import MAX_QUANTITY, SupplierRef


class RateOut(OutModel):
    rate: float | None = Field(description="numerator ÷ denominator; null when nothing was measured")
    numerator: int
    denominator: int


class LeadTimeOut(OutModel):
    p50_days: int = Field(description="business days in the supplier's calendar, sent to first arrival")
    p90_days: int
    basis: Literal["learned", "default"] = Field(
        description="learned from the supplier's orders, or its stated lead time when fewer than 3"
    )
    samples: int


class SupplierPerformanceOut(OutModel):
    supplier: SupplierRef
    window_days: int
    orders: int = Field(description="orders sent in the window, not cancelled")
    on_time: RateOut = Field(
        description="orders whose last unit arrived by the promised date, of those measured"
    )
    fill: RateOut = Field(description="good units received of units ordered, on closed orders")
    discrepancy: RateOut = Field(description="lines over, damaged or closed short, of lines counted")
    lead_time: LeadTimeOut


class ReorderSupplierOut(OutModel):
    id: str
    name: str
    supplier_sku: str | None
    unit_cost: Amount
    currency: str
    lead_time: LeadTimeOut


class ReorderSuggestionOut(OutModel):
    sku: str
    warehouse: WarehouseRef
    on_hand: int
    reserved: int
    backordered: int
    available: int = Field(description="on hand − reserved − backordered")
    daily_sales: float = Field(description="units shipped a day over the last 28 days")
    days_of_cover: float | None = Field(description="null: nothing sells")
    runs_out_on: date | None
    inbound: int = Field(description="units still to come on open purchase orders (drafts included)")
    next_inbound_on: date | None
    runs_out_before_inbound: bool
    lead_days: int = Field(description="calendar days the supplier's p90 lead time spans from today")
    order_up_to: int
    suggested_quantity: int
    supplier: ReorderSupplierOut | None = Field(description="null: no supplier has terms for the SKU")


class ReorderSuggestionPage(PageOut):
    items: list[ReorderSuggestionOut]


class ReorderSelectionIn(ApiModel):
    sku: Sku
    warehouse: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    quantity: int | None = Field(
        default=None, ge=1, le=MAX_QUANTITY, description="absent: the suggested quantity"
    )
    supplier_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        default=None, description="absent: the suggested supplier"
    )


class ReorderDraftIn(ApiModel):
    items: list[ReorderSelectionIn] = Field(min_length=1, max_length=1000)
