"""Delivery ratings' API shapes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from ordertrack.kit.schema import ApiModel, PageOut


class RatingOut(BaseModel):
    """One order's rating, with what happened to the delivery."""

    id: str
    order_id: str
    order_number: str
    stars: int = Field(ge=1, le=5)
    reasons: list[str] = Field(description="late, damaged, courier, packaging, other")
    comment: str
    item_stars: dict[str, int] = Field(description="the order's items the shopper rated: name -> stars")
    created_at: str
    updated_at: str
    changeable_until: str = Field(description="the shopper may change it until then (14 days)")
    delivered_on: str = Field(description="the local day the order was delivered")
    carrier: str
    warehouse: str | None
    lane: str = Field(description="carrier:origin country>destination country-region")
    days_late: int | None = Field(description="whole days past the hand-off promise; null: no promise")
    lateness: str = Field(description="on_time, late_1_2_days, late_3_days_or_more or no_promise")
    had_exception: bool
    attention_item_id: str | None = Field(description="the attention item a 1-2 star rating opened")


class RatingPage(PageOut):
    items: list[RatingOut]


class RatingGroupOut(BaseModel):
    key: str
    ratings: int
    average: float | None = Field(description="mean stars; null without ratings")
    low: int = Field(description="ratings of 1 or 2 stars")
    low_share: float | None = Field(description="low / ratings; null without ratings")


class RatingSummaryOut(BaseModel):
    from_: str = Field(alias="from")
    to: str
    overall: RatingGroupOut
    by: dict[str, list[RatingGroupOut]] = Field(
        description="per carrier, lane, warehouse, lateness and exception (exception / no_exception)"
    )


class RatingReplyIn(ApiModel):
    text: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class RatingReplyOut(BaseModel):
    message_id: str


class RatingSettingsIn(ApiModel):
    request_after_hours: int = Field(ge=0, le=720, description="hours after delivery the request is sent")


class RatingSettingsOut(BaseModel):
    request_after_hours: int
