"""Shapes of the waiting-orders lists and the storefront's availability answer."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from ordertrack.kit.schema import OutModel


class IncomingOut(OutModel):
    purchase_order_id: str
    purchase_order_number: str
    inbound_shipment_id: str | None = Field(description="the ASN bringing them; null: not shipped yet")
    inbound_shipment_number: str | None
    quantity: int
    arrives_on: date = Field(description="expected at the warehouse (the carrier's word once tracked)")


class WaitingLineOut(OutModel):
    order_id: str
    order_number: str
    placed_at: datetime
    order_line_id: str
    sku: str
    quantity: int = Field(description="units still backordered")
    incoming: list[IncomingOut] = Field(description="what fills them, earliest first")
    uncovered: int = Field(description="units no open purchase order brings")
    arrives_on: date | None = Field(description="the last unit's arrival; null when some are uncovered")
    ships_on: date | None = Field(description="when they leave the warehouse once put away")


class WaitingOrdersOut(OutModel):
    purchase_order_id: str
    items: list[WaitingLineOut] = Field(description="oldest order first, as backorders are filled")
    next_cursor: str | None = Field(description="the next page's cursor; null on the last page")


class WaitingOnOut(OutModel):
    order_id: str
    order_number: str
    items: list[WaitingLineOut] = Field(description="its backordered lines; empty when nothing waits")
    next_cursor: None = Field(None, description="always null: an order's lines come in one page")


class InboundDayOut(OutModel):
    date: date
    quantity: int


class WindowOut(OutModel):
    earliest: date
    latest: date
    most_likely: date


class AvailabilityOut(OutModel):
    sku: str
    country: str
    quantity: int
    on_hand: int
    reserved: int
    available: int = Field(description="on hand and not held for an order: can ship now")
    backordered: int = Field(description="units customer orders already wait for (served first)")
    inbound: list[InboundDayOut] = Field(description="open purchase-order units by expected day")
    in_stock: bool = Field(description="the quantity can ship from the shelf now")
    ready_on: date | None = Field(
        description="when not in stock: the inbound day from which the quantity is free for a new order"
    )
    ships_on: date | None = Field(description="the day it would leave the warehouse")
    warehouse: str | None = Field(description="the code of the warehouse it would leave from")
    delivery: WindowOut | None = Field(description="the delivery window to the country; null: no date known")
