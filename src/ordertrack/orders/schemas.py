"""Order shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ordertrack.attention.schemas import AttentionItemOut
from ordertrack.customers.schemas import CustomerIn, CustomerOut
from ordertrack.eta.schemas import EstimateOut, EstimateRevisionOut
from ordertrack.kit.schema import (
    AddressIn,
    AddressOut,
    Amount,
    ApiModel,
    CurrencyCode,
    Instant,
    Money,
    OrderRef,
    OutModel,
    PageOut,
    Sku,
    Text,
)
from ordertrack.orders.status import OrderStatus
from ordertrack.shipments.schemas import ShipmentOut

# Taken exactly as sent (not stripped): the document says no white space, so " 1001" is refused.
# NEL (U+0085) and BOM (U+FEFF) are named because JSON Schema's \s leaves out the first and
# counts the second, where the server's regex does the opposite: both are refused, as documented.
OrderNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=False, min_length=1, max_length=64, pattern=r"^[^\s\x85\ufeff/\x00]+$"
    ),
]


class OrderLineIn(ApiModel):
    sku: Sku
    name: Text | None = None
    quantity: int = Field(ge=1, le=1_000_000)
    unit_price: Money


class OrderIn(ApiModel):
    number: OrderNumber = Field(description="the merchant's own order number, unique per merchant")
    customer: CustomerIn
    shipping_address: AddressIn
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)
    currency: CurrencyCode
    placed_at: Instant = Field(description="when the shopper placed it, with its UTC offset")
    source: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")] = "api"


class OrderLineOut(OutModel):
    id: str
    sku: str
    name: str | None
    quantity: int
    unit_price: Amount
    quantity_shipped: int
    quantity_delivered: int


class OrderOut(OutModel):
    id: str
    number: str
    status: OrderStatus
    attention: bool = Field(
        description="one of its shipments has an open attention item (late, stalled, likely lost, "
        "exception, not picked up)"
    )
    currency: str
    total: Amount
    placed_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    source: str
    customer: CustomerOut | None
    shipping_address: AddressOut
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut]
    estimated_delivery: EstimateOut | None = Field(
        default=None, description="when the whole order arrives (its last part), our promise now"
    )
    estimate_revisions: list[EstimateRevisionOut] = Field(default_factory=list, description="oldest first")
    attention_items: list[AttentionItemOut] = Field(
        default_factory=list, description="trouble open on its shipments now"
    )
    created_at: datetime
    updated_at: datetime


class OrderSummary(OutModel):
    id: str
    number: str
    status: OrderStatus
    attention: bool
    currency: str
    placed_at: datetime
    created_at: datetime
    updated_at: datetime


class OrderPage(PageOut):
    items: list[OrderSummary]


# --- staff notes --------------------------------------------------------------------------------


class OrderNoteIn(ApiModel):
    """A note on an order; ``author`` names who wrote it (default: "API")."""

    body: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="the note, up to 2,000 characters"
    )
    author: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


class NoteOut(OutModel):
    id: str
    order: OrderRef
    body: str
    author: str = Field(description="who wrote it: the staff member's name, or the API's caller")
    source: str = Field(description="dashboard (a signed-in staff member) or api")
    created_at: datetime


class NotePage(PageOut):
    items: list[NoteOut]
