"""Unified tracking event and tracking view shapes."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, StringConstraints

from ordertrack.eta.schemas import EstimateOut
from ordertrack.kit.schema import (
    ApiModel,
    CarrierSlug,
    CountryCode,
    Instant,
    OrderRef,
    OutModel,
    PageOut,
    ShortText,
    TimeZoneName,
    TrackingNumber,
)
from ordertrack.statuses import EventStatus, ShipmentStatus


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Reason = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,64}$")]
TimePrecision = Literal["exact", "approximate"]


class LocationIn(ApiModel):
    city: ShortText | None = None
    region: ShortText | None = None
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = None
    country: CountryCode | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90, strict=True)
    longitude: float | None = Field(default=None, ge=-180, le=180, strict=True)
    timezone: TimeZoneName | None = Field(
        default=None, description="IANA zone of the scan location, e.g. America/Chicago"
    )


class UnifiedEventIn(ApiModel):
    """One scan, already in ordertrack's unified vocabulary."""

    tracking_number: TrackingNumber
    carrier: CarrierSlug
    event_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = Field(
        default=None, description="the carrier's own id of this event, when it has one"
    )
    occurred_at: Instant = Field(description="when it happened, with the UTC offset it happened at")
    time_precision: TimePrecision = Field(
        default="exact",
        description=(
            "approximate when the source knew only the local wall clock, not its zone: occurred_at"
            " then reads that clock in a likely zone and may be a few hours off"
        ),
    )
    status: EventStatus
    reason: Reason | None = Field(default=None, description="sub-status, e.g. damaged, customs_hold")
    code: Code | None = Field(default=None, description="the carrier's raw code")
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    location: LocationIn | None = None
    source: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")] = "api"


class EventBatchIn(ApiModel):
    events: list[Any] = Field(
        description=(
            "1 to 1,000 unified events (schema UnifiedEventIn). Each is validated on its own: "
            "a bad one is reported in `rejected`, the rest are stored."
        ),
        # Any item is taken: one that is not a UnifiedEventIn is reported in `rejected`, so the
        # document does not call a batch with a bad event invalid (the server accepts it).
        json_schema_extra={
            "maxItems": 1000,
            "items": {"anyOf": [{"$ref": "#/components/schemas/UnifiedEventIn"}, {}]},
        },
    )


class RejectedEvent(OutModel):
    """An event of a batch that was not stored: the same item as an error's ``details``."""

    index: int = Field(description="position of the event in the request's list")
    field: str | None = Field(default=None, description="the event's field at fault, when it is one")
    code: str = Field(
        description="invalid_event (not a unified event: the message names each field) or"
        " implausible_time (occurred_at before 1990 or more than a day ahead of our clock)"
    )
    message: str


class IngestResultOut(OutModel):
    accepted: int = Field(description="events stored now")
    duplicates: int = Field(description="events already stored before (or twice in this batch)")
    rejected: list[RejectedEvent]


class LocationOut(OutModel):
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    latitude: float | None
    longitude: float | None


class EventOut(OutModel):
    occurred_at: datetime = Field(description="the instant, in UTC")
    local_time: str = Field(description="the same instant as the wall clock showed where it happened")
    timezone: str = Field(description="IANA zone, or the UTC offset reported when no zone is known")
    time_precision: TimePrecision = Field(
        description=(
            "exact, or approximate when the carrier wrote a local time without a zone where its"
            " place has several (UPS 'label created' with only a country): local_time is the"
            " carrier's wall clock, occurred_at and timezone a likely reading, possibly hours off"
        )
    )
    status: EventStatus
    reason: str | None
    code: str | None
    description: str | None
    location: LocationOut | None
    carrier: str
    source: str
    event_id: str | None
    received_at: datetime


class TrackingOut(OutModel):
    tracking_number: str
    carrier: str
    status: ShipmentStatus
    reason: str | None
    delivered_at: datetime | None
    matched: bool = Field(description="false while no shipment of yours carries this number")
    shipment_id: str | None
    order: OrderRef | None
    estimated_delivery: EstimateOut | None = Field(default=None, description="our promise for its shipment")
    inbound_shipment_id: str | None = Field(
        default=None,
        description="the supplier's inbound shipment carrying it, when it is one of those (shipment_id and "
        "order are then null; estimated_delivery is its expected arrival)",
    )
    event_count: int
    events: list[EventOut] = Field(description="oldest first")


class StoredEventOut(EventOut):
    id: int
    tracking_number: str
    matched: bool


class EventPage(PageOut):
    items: list[StoredEventOut]
