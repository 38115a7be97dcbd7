"""Every code in UPS's and FedEx's published tables has a meaning in our code tables."""

from __future__ import annotations

import csv

import pytest

from ordertrack.carriers.codes import CodeTable
from ordertrack.carriers.fedex import codes as fedex
from ordertrack.carriers.ups import codes as ups
from tests.carriers.samples import CARRIER_DATA

TABLES = CARRIER_DATA / "code_tables"
UPS_TABLES: dict[str, CodeTable] = {
    "Package Exceptions": ups.PACKAGE_EXCEPTIONS,
    "Delivery Codes": ups.DELIVERY_CODES,
    "Movement Scans": ups.MOVEMENT_SCANS,
    "Manifest Codes": ups.MANIFEST_CODES,
    "Updates": ups.UPDATES,
    "Freight Activity": ups.FREIGHT_ACTIVITY,
    "Freight Exceptions": ups.FREIGHT_EXCEPTIONS,
    "Mail Innovations": ups.MAIL_INNOVATIONS,
    "Status/Description Codes": ups.STATUS_CODES,
    "Package Activity Types": ups.ACTIVITY_TYPES,
}


def _rows(name: str) -> list[list[str]]:
    path = TABLES / name
    if not path.is_file():
        pytest.skip(f"code table {name} not found at {TABLES}")
    with path.open(newline="") as handle:
        return list(csv.reader(handle))[1:]


@pytest.mark.parametrize(
    "name",
    [
        "ups__Tracking-delivery-codes.tables.csv",
        "ups__Tracking-status-description-codes.tables.csv",
        "ups__Tracking-package-activity-types.tables.csv",
    ],
)
def test_every_ups_code_has_a_meaning(name: str) -> None:
    missing = [
        (row[1], row[2])
        for row in _rows(name)
        if row[2].strip().isalnum()
        and len(row[2].strip()) <= 3
        and UPS_TABLES[row[1]].meaning(row[2].strip()) is None
    ]
    assert missing == []


def test_every_fedex_movement_and_regulatory_code_has_a_meaning() -> None:
    section, missing = "Movement", []
    for row in _rows("fedex__Tracking-Status-Codes.tables.csv"):
        for code in (row[2], row[4]):
            code = code.strip()
            if code in ("Movement", "Regulatory", "Possession"):
                section = code if code != "Movement" or section == "Movement" else section
                continue
            # "Possession" lists who holds the parcel (carrier, customs...), not event types.
            if len(code) == 2 and section != "Possession" and fedex.EVENT_CODES.meaning(code) is None:
                missing.append(code)
    assert missing == []


@pytest.mark.parametrize(
    ("code", "status", "reason"),
    [
        ("11", "delivered", None),
        ("6", "out_for_delivery", None),
        ("21", "out_for_delivery", None),
        ("37", "out_for_delivery", None),
        ("17", "available_for_pickup", None),
        ("40", "available_for_pickup", None),
        ("22", "failed_attempt", None),
        ("23", "failed_attempt", None),
        ("24", "failed_attempt", None),
        ("34", "returned", "returned_to_sender"),
        ("35", "returning", "returned_to_sender"),
        ("36", "returning", "returned_to_sender"),
        ("12", "in_transit", None),
        ("64", "refused", None),
    ],
)
def test_status_codes_mean_what_ups_says(code: str, status: str, reason: str | None) -> None:
    meaning = ups.STATUS_CODES.meaning(code)
    if status == "refused":
        assert meaning == ("exception", "refused")
    else:
        assert meaning == (status, reason)


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("45", ("exception", "damaged")),  # damaged in transit
        ("48", ("failed_attempt", "recipient_unavailable")),  # receiver not available
        ("55", ("failed_attempt", "business_closed")),
        ("7W", ("exception", "weather")),
        ("AG", ("exception", "address_issue")),  # address incomplete
        ("KT", ("exception", "refused")),
        ("S9", ("exception", "lost")),  # sent to lost and found
        ("UA", ("returned", "returned_to_sender")),
    ],
)
def test_package_exception_spot_checks(code: str, meaning: tuple[str, str]) -> None:
    assert ups.PACKAGE_EXCEPTIONS.meaning(code) == meaning
