"""Attention items as the API shows them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from ordertrack.attention.model import AttentionActivity, AttentionItem, CarrierClaim
from ordertrack.attention.workflow import state_of
from ordertrack.kit.schema import (
    NOT_BLANK_PATTERN,
    ApiModel,
    CurrencyCode,
    Money,
    OrderRef,
    OutModel,
    PageOut,
    declaring,
)

KindName = Literal["late", "stalled", "likely_lost", "exception", "not_picked_up", "low_rating"]


class AttentionItemOut(OutModel):
    id: str
    kind: str = Field(description="late, stalled, likely_lost, exception, not_picked_up or low_rating")
    shipment_id: str
    order: OrderRef
    detail: str = Field(description="what was seen, in words")
    open: bool
    state: str = Field(description="open, acknowledged or resolved")
    opened_at: datetime
    closed_at: datetime | None
    close_reason: str | None = Field(
        description="why it closed by itself, or the note staff resolved it with"
    )
    resolution: str | None = Field(description="the reason staff resolved it; null when it closed by itself")
    assignee_id: str | None
    acknowledged_at: datetime | None


class AttentionPage(PageOut):
    items: list[AttentionItemOut]


def item_out(item: AttentionItem, order_number: str) -> AttentionItemOut:
    """The item as the API shows it; the caller knows its order's number."""
    values = {
        key: getattr(item, key)
        for key in AttentionItemOut.model_fields
        if key not in ("open", "order", "state")
    }
    order = OrderRef(id=item.order_id, number=order_number)
    return AttentionItemOut(**values, order=order, open=item.closed_at is None, state=str(state_of(item)))


ResolutionName = Literal[
    "delivered",
    "shopper_informed",
    "reshipped",
    "refunded",
    "claim_filed",
    "carrier_fixed",
    "not_a_problem",
    "other",
]
ClaimReasonName = Literal["lost", "damaged", "late", "missing_items", "other"]
ClaimStatusName = Literal["open", "submitted", "settled"]


class ActivityOut(OutModel):
    id: str
    action: str = Field(
        description="note, assigned, unassigned, acknowledged, messaged, claim_opened, claim_updated, "
        "resolved or closed (by itself)"
    )
    staff_id: str | None
    author: str
    body: str
    at: datetime


class ClaimOut(OutModel):
    id: str
    item_id: str | None
    shipment_id: str
    order: OrderRef
    carrier: str
    tracking_number: str
    reason: str
    amount: Money | None
    currency: str | None
    status: str
    reference: str | None
    opened_at: datetime
    updated_at: datetime


class ClaimPage(PageOut):
    items: list[ClaimOut]


class AttentionItemDetail(AttentionItemOut):
    history: list[ActivityOut]
    claims: list[ClaimOut]
    prepared_message: str = Field(
        description="the text to start a message to the shopper from, in their language"
    )


class AssignIn(ApiModel):
    assignee_id: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = Field(
        description="a staff member of this merchant; null to unassign"
    )


class AttentionNoteIn(ApiModel):
    text: Annotated[str, StringConstraints(min_length=1, max_length=4000)]


# "other" says why: the note is then required and not blank.
OTHER_NEEDS_A_NOTE = {
    "if": {"properties": {"reason": {"const": "other"}}, "required": ["reason"]},
    "then": {"properties": {"note": {"minLength": 1, "pattern": NOT_BLANK_PATTERN}}, "required": ["note"]},
}


class ResolveIn(ApiModel):
    model_config = ConfigDict(json_schema_extra=declaring(OTHER_NEEDS_A_NOTE))

    reason: ResolutionName
    note: Annotated[str, StringConstraints(max_length=200)] = ""

    @model_validator(mode="after")
    def _other_says_why(self) -> ResolveIn:
        if self.reason == "other" and not self.note.strip():
            raise ValueError("say why when the reason is 'other' (note)")
        return self


class MessageIn(ApiModel):
    text: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


AMOUNT_NEEDS_A_CURRENCY = {
    "if": {"properties": {"amount": {"not": {"type": "null"}}}, "required": ["amount"]},
    "then": {"properties": {"currency": {"type": "string"}}, "required": ["currency"]},
}


class ClaimIn(ApiModel):
    # An amount is in a currency.
    model_config = ConfigDict(json_schema_extra=declaring(AMOUNT_NEEDS_A_CURRENCY))

    reason: ClaimReasonName
    tracking_number: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        default=None, description="which parcel of the shipment; default its first"
    )
    amount: Money | None = None
    currency: CurrencyCode | None = None
    reference: Annotated[str, StringConstraints(max_length=100)] | None = None

    @model_validator(mode="after")
    def _amount_in_a_currency(self) -> ClaimIn:
        if self.amount is not None and self.currency is None:
            raise ValueError("an amount needs its currency")
        return self


class ClaimUpdateIn(ApiModel):
    status: ClaimStatusName | None = None
    reference: Annotated[str, StringConstraints(max_length=100)] | None = None


def activity_out(entry: AttentionActivity) -> ActivityOut:
    return ActivityOut.model_validate(entry)


def claim_out(claim: CarrierClaim, order_number: str) -> ClaimOut:
    values = {key: getattr(claim, key) for key in ClaimOut.model_fields if key != "order"}
    amount: Decimal | None = values["amount"]
    values["amount"] = amount.quantize(Decimal("0.01")) if amount is not None else None
    return ClaimOut(**values, order=OrderRef(id=claim.order_id, number=order_number))
