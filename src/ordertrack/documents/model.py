"""What a label or a packing slip shows: plain, frozen data with no database behind it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

PageSize = Literal["A4", "Letter"]


@dataclass(frozen=True)
class Address:
    """A postal address as it is printed, one line per field."""

    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str

    def printed_lines(self) -> list[str]:
        """The lines under the name, skipping empty fields (most addresses have no line 2)."""
        town = " ".join(part for part in (self.city, self.region, self.postal_code) if part)
        return [line for line in (self.line1, self.line2, town, self.country) if line]


def _check_barcode_value(what: str, value: str) -> None:
    # Code128 carries printable ASCII only; reportlab silently drops anything else, which
    # would print a barcode that scans as a different number.
    if not value or not all(" " <= char <= "~" for char in value):
        raise ValueError(f"{what} {value!r} cannot be carried as a Code128 barcode (printable ASCII only)")


def _check_parcel_position(parcel_index: int, parcel_count: int) -> None:
    if not 1 <= parcel_index <= parcel_count:
        raise ValueError(f"parcel {parcel_index} of {parcel_count} is not a parcel of the shipment")


@dataclass(frozen=True)
class LabelData:
    """Everything printed on one parcel's shipping label."""

    merchant_name: str
    ship_from: Address
    ship_to: Address
    carrier: str
    service: str
    weight_grams: int
    parcel_index: int
    parcel_count: int
    tracking_number: str
    tracking_url: str
    order_number: str

    def __post_init__(self) -> None:
        _check_parcel_position(self.parcel_index, self.parcel_count)
        if self.weight_grams < 0:
            raise ValueError("a parcel cannot weigh less than nothing")
        _check_barcode_value("tracking number", self.tracking_number)


class SlipLine(NamedTuple):
    """One line of a packing slip; a plain ``(sku, name, quantity)`` tuple works as well."""

    sku: str
    name: str
    quantity: int


@dataclass(frozen=True)
class PackingSlipData:
    """What goes into one parcel's packing slip, and what is still to follow in later parcels."""

    merchant_name: str
    order_number: str
    ship_to: Address
    lines: tuple[SlipLine, ...]
    still_to_follow: tuple[SlipLine, ...]
    page_size: PageSize
    parcel_index: int
    parcel_count: int
    placed_at: datetime

    def __post_init__(self) -> None:
        _check_parcel_position(self.parcel_index, self.parcel_count)
        if self.page_size not in ("A4", "Letter"):
            raise ValueError(f"unknown page size {self.page_size!r}; use 'A4' or 'Letter'")
        _check_barcode_value("order number", self.order_number)
        # Accept plain tuples (and lists) from callers, keep SlipLines inside.
        object.__setattr__(self, "lines", tuple(SlipLine(*line) for line in self.lines))
        object.__setattr__(self, "still_to_follow", tuple(SlipLine(*line) for line in self.still_to_follow))
