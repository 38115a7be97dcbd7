"""Shapes of advance shipping notices (inbound shipments) and of a purchase order's history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from ordertrack.kit.schema import ApiModel, CarrierSlug, OutModel, PageOut, Sku, TrackingNumber, declaring
from ordertrack.suppliers.schemas import MAX_LINES, MAX_QUANTITY, PoNumber

# A pallet of cartons is a lot of parcels; more than this is a freight shipment with one number.
MAX_PARCELS = 200


class PurchaseOrderChangeOut(OutModel):
    """One line of a purchase order's history."""

    at: datetime
    actor: str = Field(
        description='"api key <prefix>", "staff:<email>", "supplier link", "csv <file>" or "system"'
    )
    action: str = Field(
        description="created, sent, confirmed, cancelled, line_short_closed, asn_declared, ..."
    )
    details: dict[str, Any] | None


class PurchaseOrderHistory(PageOut):
    """One order's whole history in one page: next_cursor is always null."""

    items: list[PurchaseOrderChangeOut]


class InboundParcelIn(ApiModel):
    tracking_number: TrackingNumber
    carrier: CarrierSlug | None = Field(
        default=None, description="absent: the shipment's carrier, else detected from the number"
    )


# A line is named by its number or its SKU (a null one names nothing).
LINE_NAMED = {
    "anyOf": [
        {"required": ["line_no"], "properties": {"line_no": {"type": "integer"}}},
        {"required": ["sku"], "properties": {"sku": {"type": "string"}}},
    ]
}


class InboundLineIn(ApiModel):
    """Units of one purchase order line in this shipment, named by line number or SKU."""

    model_config = ConfigDict(json_schema_extra=declaring(LINE_NAMED))

    line_no: int | None = Field(default=None, ge=1, le=MAX_LINES)
    sku: Sku | None = None
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    parcel: int | None = Field(
        default=None, ge=1, le=MAX_PARCELS, description="which of the parcels (from 1) holds them, when said"
    )

    @model_validator(mode="after")
    def _named(self) -> InboundLineIn:
        if self.line_no is None and self.sku is None:
            raise ValueError("name the purchase order line by line_no or sku")
        return self


class InboundShipmentIn(ApiModel):
    """An advance shipping notice: which lines and quantities left, in which parcels, expected when."""

    number: PoNumber | None = Field(
        default=None, description="the supplier's reference; absent: '<PO number>-<n>'"
    )
    carrier: CarrierSlug | None = None
    expected_arrival_date: date | None = None
    parcels: list[InboundParcelIn] = Field(default_factory=list, max_length=MAX_PARCELS)
    lines: list[InboundLineIn] = Field(min_length=1, max_length=MAX_LINES)


class InboundShipmentFileIn(ApiModel):
    """A supplier's CSV file of notices, as text (columns in docs/suppliers.md, "By CSV")."""

    file_name: Annotated[str, StringConstraints(min_length=1, max_length=80)] = Field(
        description="recorded in the history as 'csv <file_name>'"
    )
    # A few thousand rows: more than any notice holds.
    csv: Annotated[str, StringConstraints(min_length=1, max_length=200_000)] = Field(
        description="the file's text, header line first"
    )


class InboundShipmentLineOut(OutModel):
    line_no: int
    sku: str
    quantity: int
    parcel: int | None
    received_quantity: int
    damaged_quantity: int


class InboundParcelOut(OutModel):
    id: str
    tracking_number: str
    carrier: str
    status: str


class InboundWarning(OutModel):
    """Accepted, but worth a look: e.g. more units declared than the line still expected."""

    code: str
    message: str
    line_no: int | None = None


class InboundShipmentOut(OutModel):
    id: str
    number: str
    purchase_order_id: str
    purchase_order_number: str
    seq: int
    status: str
    carrier: str | None
    expected_arrival_date: date | None
    declared_by: str
    lines: list[InboundShipmentLineOut]
    parcels: list[InboundParcelOut]
    warnings: list[InboundWarning] = Field(default_factory=list)
    arrival_estimate: date | None = Field(
        default=None,
        description="when it is expected now: the declared date as its parcels' tracking revises it "
        "(docs/suppliers.md, 'When it is expected')",
    )
    arrival_basis: str | None = Field(
        default=None,
        description="what arrival_estimate rests on: declared, purchase_order, carrier, learned, arrived",
    )
    attention: str | None = Field(
        default=None, description="late, stalled or exception; null: nothing to chase"
    )
    attention_detail: str | None = Field(default=None, description="the finding in words")
    attention_since: datetime | None = None
    arrived_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class InboundShipmentList(PageOut):
    """One order's notices in one page: next_cursor is always null."""

    items: list[InboundShipmentOut]


class SupplierLinkOut(OutModel):
    url: str = Field(description="the order's page for its supplier: this order only, no account")
    expires_at: datetime
