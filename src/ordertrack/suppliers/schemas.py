"""Supplier, supplier SKU and purchase order shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import holidays
import phonenumbers
from pydantic import AfterValidator, EmailStr, Field, StringConstraints, model_validator

from ordertrack.customers.schemas import DELIVERABLE_DOMAIN_PATTERN, E164_PATTERN
from ordertrack.kit.pagination import SKU_KEY_PATTERN, KeyCursor
from ordertrack.kit.schema import (
    AddressIn,
    AddressOut,
    Amount,
    ApiModel,
    CurrencyCode,
    Money,
    OutModel,
    PageOut,
    Sku,
    TimeZoneName,
    WarehouseRef,
)
from ordertrack.suppliers.rules import PurchaseOrderStatus

MAX_QUANTITY = 2_147_483_647  # a line's quantity fits a 32-bit column
MAX_LEAD_TIME_DAYS = 365
MAX_LINES = 1_000

# Country codes the holidays library has a calendar for (two letters; it also knows the
# three-letter forms, which the API does not take).
HOLIDAY_COUNTRIES = sorted(code for code in holidays.list_supported_countries() if len(code) == 2)


def _phone(value: str) -> str:
    """In international form and a number of its country's numbering plan (libphonenumber)."""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValueError("phone must be in international format, e.g. +14155550123") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("phone is not a number in its country's numbering plan")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


SupplierPhone = Annotated[
    str,
    StringConstraints(min_length=8, max_length=32),
    AfterValidator(_phone),
    Field(json_schema_extra={"pattern": E164_PATTERN}, description="E.164, e.g. +4930901820"),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Subdivision = Annotated[str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z0-9]{1,10}$")]


class SupplierIn(ApiModel):
    name: Name
    email: EmailStr | None = Field(default=None, json_schema_extra={"pattern": DELIVERABLE_DOMAIN_PATTERN})
    phone: SupplierPhone | None = None
    address: AddressIn = Field(
        description="where the supplier ships from; its name, if given, is the supplier's"
    )
    timezone: TimeZoneName
    lead_time_days: int = Field(
        default=10,
        ge=0,
        le=MAX_LEAD_TIME_DAYS,
        description="business days from sending a PO to the goods leaving",
    )
    holiday_country: str | None = Field(
        default=None,
        json_schema_extra={"enum": HOLIDAY_COUNTRIES},
        description="whose public holidays the supplier keeps; absent: the address's country",
    )
    holiday_subdivision: Subdivision | None = Field(
        default=None, description="a state or province of holiday_country with holidays of its own, e.g. BY"
    )

    @model_validator(mode="after")
    def _calendar(self) -> SupplierIn:
        if self.address.name is not None and self.address.name != self.name:
            raise ValueError("address.name is the supplier's name: leave it out or repeat name")
        country = self.holiday_country or self.address.country
        if self.holiday_country is not None and self.holiday_country not in HOLIDAY_COUNTRIES:
            raise ValueError(f"no holiday calendar for country {self.holiday_country!r}")
        if self.holiday_subdivision is not None:
            known = holidays.list_supported_countries().get(country, [])
            if self.holiday_subdivision not in {s.upper() for s in known}:
                raise ValueError(
                    f"{self.holiday_subdivision!r} is not a subdivision of {country} with holidays"
                )
        return self

    def columns(self) -> dict[str, object]:
        """The supplier's table columns: the address kept flat, the calendar's country filled in."""
        fields = self.model_dump(exclude={"address"})
        fields.update(self.address.model_dump(exclude={"name"}))
        # A country the library has no calendar for keeps weekends only (eta.calendar).
        fields["holiday_country"] = self.holiday_country or self.address.country
        return fields


class SupplierOut(OutModel):
    id: str
    name: str
    email: str | None
    phone: str | None
    address: AddressOut
    timezone: str
    lead_time_days: int
    holiday_country: str
    holiday_subdivision: str | None
    created_at: datetime
    updated_at: datetime


class SupplierPage(PageOut):
    items: list[SupplierOut]


class SupplierSkuIn(ApiModel):
    supplier_sku: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = Field(
        default=None, description="what the supplier calls it"
    )
    unit_cost: Money
    currency: CurrencyCode


class SupplierSkuOut(OutModel):
    sku: str
    supplier_sku: str | None
    unit_cost: Amount
    currency: str
    updated_at: datetime


class SupplierSkuPage(PageOut):
    items: list[SupplierSkuOut]


# A supplier's SKUs are listed by SKU.
SUPPLIER_SKU_CURSOR = KeyCursor((SKU_KEY_PATTERN,), "~", (str,), "TENT-2P")


# --- purchase orders ------------------------------------------------------------------------

PoNumber = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\s\x00][^\x00\n\r]*$")]


class PurchaseOrderLineIn(ApiModel):
    sku: Sku
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    unit_cost: Money | None = Field(
        default=None, description="per unit, in the order's currency; absent: the supplier's cost for the SKU"
    )


class PurchaseOrderIn(ApiModel):
    number: PoNumber = Field(description="unique among the merchant's purchase orders, as people type it")
    supplier_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    warehouse: Annotated[str, StringConstraints(min_length=1, max_length=32)] = Field(
        description="the code of the warehouse the goods go to"
    )
    currency: CurrencyCode
    lines: list[PurchaseOrderLineIn] = Field(min_length=1, max_length=MAX_LINES)
    promised_ship_date: date | None = None
    promised_arrival_date: date | None = None
    notes: Annotated[str, StringConstraints(min_length=1, max_length=4000)] | None = None


class ConfirmedLineIn(ApiModel):
    line_no: int = Field(ge=1, le=MAX_LINES)
    quantity: int = Field(ge=1, le=MAX_QUANTITY, description="what the supplier will ship on this line")


class PurchaseOrderConfirmationIn(ApiModel):
    """The supplier's word: its quantities (lines left out: as ordered) and its dates."""

    lines: list[ConfirmedLineIn] = Field(default_factory=list, max_length=MAX_LINES)
    promised_ship_date: date | None = None
    promised_arrival_date: date | None = None


class ShortCloseIn(ApiModel):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=300)] | None = None


class SupplierRef(OutModel):
    """A supplier named in an answer."""

    id: str
    name: str


class PurchaseOrderLineOut(OutModel):
    line_no: int
    sku: str
    quantity: int
    confirmed_quantity: int | None
    unit_cost: Amount
    currency: str
    shipped_quantity: int
    received_quantity: int
    short_closed_at: datetime | None
    short_close_reason: str | None


class PurchaseOrderOut(OutModel):
    id: str
    number: str
    status: PurchaseOrderStatus
    supplier: SupplierRef
    warehouse: WarehouseRef
    currency: str
    total: Amount = Field(
        description="the lines' quantities (as confirmed, else as ordered) times their costs"
    )
    lines: list[PurchaseOrderLineOut]
    promised_ship_date: date | None
    promised_arrival_date: date | None
    notes: str | None
    sent_at: datetime | None
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class PurchaseOrderPage(PageOut):
    items: list[PurchaseOrderOut]
