"""Carrier endpoint shapes: connectors, detection, webhook settings, intake, quarantine."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from ordertrack.kit.pagination import KeyCursor
from ordertrack.kit.schema import ApiModel, OutModel, PageOut
from ordertrack.tracking.schemas import RejectedEvent


class ConnectorOut(OutModel):
    slug: str
    name: str
    kind: str = Field(description="carrier, or aggregator (a service that relays many carriers)")
    media_type: str
    signs_webhooks: bool
    tracking_url: str | None = Field(description="the carrier's own tracking page, with {number}")


class ConnectorList(PageOut):
    """Every connector in one page: next_cursor is always null."""

    items: list[ConnectorOut]


class CandidateOut(OutModel):
    carrier: str
    name: str
    format: str = Field(description="the carrier's number format the number has the shape of")
    valid: bool = Field(description="true when the format's check digit agrees")
    tracking_url: str | None


class DetectionOut(OutModel):
    tracking_number: str = Field(description="the number as ordertrack stores it (upper case, no spaces)")
    candidates: list[CandidateOut] = Field(
        description="most likely first: valid check digits, then shape only"
    )


class WebhookSettingsIn(ApiModel):
    signing_secret: Annotated[str, StringConstraints(min_length=8, max_length=200)] | None = Field(
        default=None,
        description="the secret the carrier or aggregator signs its pushes with; "
        "omit for senders that do not sign",
    )


class WebhookSettingsOut(OutModel):
    carrier: str
    webhook_url: str = Field(description="give this URL to the carrier; it holds a token shown only now")
    signs: bool = Field(description="whether pushes will be checked against the signing secret")


class MessageOut(OutModel):
    code: str
    text: str
    where: str | None


class IntakeOut(OutModel):
    payload_id: str = Field(description="the stored payload (its quarantine id when it could not be read)")
    state: str = Field(
        description="ingested, partial (some of it could not be read), quarantined or replayed"
    )
    trackings: list[str]
    accepted: int
    duplicates: int
    rejected: list[RejectedEvent]
    messages: list[MessageOut]


class PayloadOut(OutModel):
    id: str
    carrier: str
    channel: str
    state: str
    reason: str | None
    messages: list[dict[str, Any]] | None
    events_accepted: int
    content_type: str | None
    size: int
    received_at: datetime
    replayed_at: datetime | None


class PayloadDetailOut(PayloadOut):
    body: str = Field(description="the payload as received (UTF-8; undecodable bytes replaced)")


class PayloadPage(PageOut):
    items: list[PayloadOut]


class UnknownCodeOut(OutModel):
    carrier: str
    code: str
    example: str | None = Field(description="the carrier's own words for the code, as first seen")
    seen: int
    first_seen_at: datetime
    last_seen_at: datetime


# Unknown codes are listed by carrier, then code.
UNKNOWN_CODE_CURSOR = KeyCursor(("[a-z0-9][a-z0-9_-]{0,39}", "[^\\x00]{1,64}"), ":", (str, str), "ups:XY")


class UnknownCodePage(PageOut):
    items: list[UnknownCodeOut]


class CarrierAccountIn(ApiModel):
    environment: Literal["production", "sandbox"] = Field(
        default="production",
        description="which of the carrier's APIs to call: its production API or its sandbox "
        "(test credentials and canned answers); ordertrack knows both addresses",
    )
    base_url: str | None = Field(
        default=None,
        json_schema_extra={"deprecated": True},
        description="no longer accepted: answered 422 carrier_base_url_not_accepted; "
        "choose environment instead",
    )
    client_id: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    client_secret: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    api_key: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None
    account_number: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    requests_per_second: float | None = Field(default=None, gt=0, le=1000)
    enabled: bool = True


class CarrierAccountOut(OutModel):
    carrier: str
    environment: str = Field(description="production or sandbox")
    base_url: str = Field(description="the carrier API root this environment calls (the connector's own)")
    client_id: str | None
    has_client_secret: bool
    has_api_key: bool
    account_number: str | None
    requests_per_second: float | None
    enabled: bool
    updated_at: datetime
