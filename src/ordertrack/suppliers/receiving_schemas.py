"""Shapes of receiving in the API: the lines counted at the dock, what the counts did, the
receipts of an order or shipment, and its discrepancies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ordertrack.kit.schema import ApiModel, OutModel, PageOut, Sku
from ordertrack.suppliers.counting import MAX_COUNT, CountOutcome
from ordertrack.suppliers.receiving import MAX_NOTE_LENGTH, MAX_PHOTO_BYTES

MAX_RECEIVING_LINES = 1_000
LineId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
CountId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[!-~]+$")]
Units = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class ReceiptPhotoIn(ApiModel):
    content_type: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        description="image/jpeg, image/png or image/webp (checked against the image's own bytes)"
    )
    data: Annotated[str, StringConstraints(min_length=1, max_length=(MAX_PHOTO_BYTES * 4) // 3 + 4)] = Field(
        description=f"the image, base64; at most {MAX_PHOTO_BYTES:,} bytes once decoded"
    )


class ReceiptLineIn(ApiModel):
    """One line as counted: name it by ``line_id`` (the inbound shipment's line, or the purchase
    order's when counting without one) or by ``sku``."""

    line_id: LineId | None = None
    sku: Sku | None = None
    good: Units = Field(0, description="units in good order: they go into stock")
    damaged: Units = Field(0, description="units that arrived unusable: recorded, not stocked")
    note: Annotated[str, StringConstraints(max_length=MAX_NOTE_LENGTH)] | None = None
    photo: ReceiptPhotoIn | None = None
    count_id: CountId | None = Field(
        None,
        description="the client's id for this count: the same id again counts once (a double scan). "
        "Without one, the request's Idempotency-Key, else the line's first count, is the key.",
    )


class ReceivingIn(ApiModel):
    lines: list[ReceiptLineIn] = Field(max_length=MAX_RECEIVING_LINES)


class DocumentRef(OutModel):
    id: str
    number: str
    status: str


class CountedLineOut(OutModel):
    """What one count did, and the line's sums after it."""

    receipt_id: str
    duplicate: bool = Field(description="true: this count was made before; nothing changed")
    line_id: str
    line_no: int
    sku: str
    good: int = Field(description="this count's good units")
    damaged: int = Field(description="this count's damaged units")
    expected: int
    received_total: int
    damaged_total: int
    missing: int
    over: int
    outcome: CountOutcome


class StockAfterOut(OutModel):
    sku: str
    on_hand: int
    reserved: int
    available: int


class BackorderFilledOut(OutModel):
    order_id: str
    sku: str
    quantity: int
    remaining: int


class ReceivingOut(OutModel):
    purchase_order: DocumentRef
    inbound_shipment: DocumentRef | None
    warehouse: str
    lines: list[CountedLineOut]
    stock: list[StockAfterOut] = Field(description="each counted SKU at the warehouse, after the counts")
    backorders_filled: list[BackorderFilledOut] = Field(description="customer orders the units went to")


class ReceiptOut(OutModel):
    id: str
    purchase_order_id: str
    inbound_shipment_id: str | None
    sku: str
    good: int
    damaged: int
    note: str | None
    photo_url: str | None
    stock_movement_id: int | None
    actor: str
    created_at: datetime


class ReceiptList(PageOut):
    """All the counts of one order or notice, in one page (``next_cursor`` is always null)."""

    items: list[ReceiptOut]


class InboundDiscrepancyOut(OutModel):
    inbound_shipment_id: str
    number: str
    declared: int
    received: int
    damaged: int
    missing: int
    over: int
    outcome: CountOutcome


class DiscrepancyOut(OutModel):
    line_no: int
    sku: str
    expected: int
    received: int
    damaged: int
    missing: int
    over: int
    outcome: CountOutcome
    inbound_shipments: list[InboundDiscrepancyOut]
    notes: list[str]
    photo_urls: list[str]


class DiscrepancyList(PageOut):
    """One order's discrepancies, in one page (``next_cursor`` is always null)."""

    purchase_order: DocumentRef
    items: list[DiscrepancyOut]
