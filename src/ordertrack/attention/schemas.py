"""Attention items as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ordertrack.attention.model import AttentionItem
from ordertrack.kit.schema import OutModel, PageOut

KindName = Literal["late", "stalled", "likely_lost", "exception", "not_picked_up"]


class AttentionItemOut(OutModel):
    id: str
    kind: str = Field(description="late, stalled, likely_lost, exception or not_picked_up")
    shipment_id: str
    order_id: str
    detail: str = Field(description="what was seen, in words")
    open: bool
    opened_at: datetime
    closed_at: datetime | None
    close_reason: str | None


class AttentionPage(PageOut):
    items: list[AttentionItemOut]


def item_out(item: AttentionItem) -> AttentionItemOut:
    values = {key: getattr(item, key) for key in AttentionItemOut.model_fields if key != "open"}
    return AttentionItemOut(**values, open=item.closed_at is None)
