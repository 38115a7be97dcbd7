"""Notification API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints

from ordertrack.kit.schema import ApiModel, OrderRef, OutModel, PageOut, declaring

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
    "shopper_message",
    "inbound_late",
    "purchase_order_sent",
    "supplier_reminder",
    "rating_request",
    "rating_created",
    "rating_updated",
]
ChannelName = Literal["email", "sms", "webhook"]
# Webhooks carry JSON: only email and SMS have templates.
TemplateChannel = Literal["email", "sms"]
# Staff alerts go by email and webhook, never by SMS (notifications.rules.STAFF_TRIGGERS).
NO_STAFF_ALERT_BY_SMS = {
    "not": {
        "properties": {
            "trigger": {
                "enum": [
                    "low_stock",
                    "needs_attention",
                    "inbound_late",
                    "purchase_order_sent",
                    "supplier_reminder",
                ]
            },
            "channel": {"const": "sms"},
        },
        "required": ["trigger", "channel"],
    }
}
LocaleName = Literal["en", "pt_BR", "es"]


class NotificationOut(OutModel):
    id: str
    order: OrderRef | None = Field(description="the order it is about; null for a stock alert")
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


class NotificationPage(PageOut):
    items: list[NotificationOut]


class SettingIn(ApiModel):
    model_config = ConfigDict(json_schema_extra=declaring(NO_STAFF_ALERT_BY_SMS))

    trigger: TriggerName
    channel: ChannelName
    enabled: StrictBool


class SettingOut(OutModel):
    trigger: str
    channel: str
    enabled: bool


class SettingList(PageOut):
    """Every trigger and channel in one page: next_cursor is always null."""

    items: list[SettingOut]


class WebhookEndpointIn(ApiModel):
    url: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="https, on a host whose every address is public; anything else is answered "
        "422 webhook_url_not_allowed"
    )
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
            "shipment.shopper_messaged",
            "inventory.low_stock",
            "purchasing.inbound_late",
            "purchasing.purchase_order_sent",
            "purchasing.supplier_reminded",
            "rating.requested",
            "rating.created",
            "rating.updated",
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


class WebhookEndpointPage(PageOut):
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
    model_config = ConfigDict(json_schema_extra=declaring(NO_STAFF_ALERT_BY_SMS))

    trigger: TriggerName
    channel: Literal["email", "sms"]
    locale: LocaleName = "en"
    order: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="the order to render against: its id or number"
    )
    template: TemplateIn | None = Field(default=None, description="omit to preview the saved or default one")


class PreviewOut(OutModel):
    subject: str | None
    text: str
    html: str | None
