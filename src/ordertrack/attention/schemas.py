"""Attention items as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ordertrack.attention.model import AttentionItem
from ordertrack.kit.schema import OrderRef, OutModel, PageOut

KindName = Literal["late", "stalled", "likely_lost", "exception", "not_picked_up"]


class AttentionItemOut(OutModel):
    id: str
    kind: str = Field(description="late, stalled, likely_lost, exception or not_picked_up")
    shipment_id: str
    order: OrderRef
    detail: str = Field(description="what was seen, in words")
    open: bool
    opened_at: datetime
    closed_at: datetime | None
    close_reason: str | None


class AttentionPage(PageOut):
    items: list[AttentionItemOut]


def item_out(item: AttentionItem, order_number: str) -> AttentionItemOut:
    """The item as the API shows it; the caller knows its order's number."""
    values = {
        key: getattr(item, key) for key in AttentionItemOut.model_fields if key not in ("open", "order")
    }
    order = OrderRef(id=item.order_id, number=order_number)
    return AttentionItemOut(**values, order=order, open=item.closed_at is None)
