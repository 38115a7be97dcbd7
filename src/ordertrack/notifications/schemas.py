"""Notification API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ordertrack.kit.schema import ApiModel, OutModel

TriggerName = Literal[
    "order_confirmed",
    "shipped",
    "out_for_delivery",
    "available_for_pickup",
    "failed_attempt",
    "delivered",
    "exception",
    "delivery_revised",
    "low_stock",
    "needs_attention",
]
ChannelName = Literal["email", "sms", "webhook"]
LocaleName = Literal["en", "pt_BR", "es"]


class NotificationOut(OutModel):
    id: str
    order_id: str | None
    shipment_id: str | None
    trigger: str
    channel: str
    recipient: str = Field(description="email address, E.164 phone number, or webhook endpoint id")
    state: str = Field(description="pending, sent, suppressed (no longer true when due) or dead")
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime


class NotificationList(OutModel):
    items: list[NotificationOut]


class SettingIn(ApiModel):
    trigger: TriggerName
    channel: ChannelName
    enabled: bool


class SettingOut(OutModel):
    trigger: str
    channel: str
    enabled: bool


class SettingList(OutModel):
    items: list[SettingOut]


class WebhookEndpointIn(ApiModel):
    url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=500)]
    event_types: list[
        Literal[
            "order.confirmed",
            "shipment.shipped",
            "shipment.out_for_delivery",
            "shipment.available_for_pickup",
            "shipment.failed_attempt",
            "shipment.delivered",
            "shipment.exception",
            "shipment.delivery_revised",
            "shipment.needs_attention",
            "inventory.low_stock",
        ]
    ] = Field(default_factory=list, max_length=20, description="empty: every event type")


class WebhookEndpointOut(OutModel):
    id: str
    url: str
    event_types: list[str]
    enabled: bool
    created_at: datetime


class NewWebhookEndpointOut(WebhookEndpointOut):
    secret: str = Field(description="whsec_...: verify our signatures with it; shown only now")


class WebhookEndpointList(OutModel):
    items: list[WebhookEndpointOut]


class TemplateIn(ApiModel):
    subject: Annotated[str, StringConstraints(max_length=300)] | None = None
    text: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    html: Annotated[str, StringConstraints(max_length=20_000)] | None = None


class TemplateOut(OutModel):
    subject: str | None
    text: str
    html: str | None
    custom: bool = Field(description="true: the merchant's own; false: the default")


class PreviewIn(ApiModel):
    trigger: TriggerName
    channel: Literal["email", "sms"]
    locale: LocaleName = "en"
    order_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    template: TemplateIn | None = Field(default=None, description="omit to preview the saved or default one")


class PreviewOut(OutModel):
    subject: str | None
    text: str
    html: str | None
