"""Advance shipping notices from a CSV file, for suppliers whose systems export files: the same
notices, checks and codes as the API and the link's form, all or nothing.

One row per purchase order line in a parcel (or per line, when parcels are not said):

=======================  ========  ================================================================
column                   required  meaning
=======================  ========  ================================================================
``quantity``             yes       units of the line in this notice (a whole number, at least 1)
``line_no`` or ``sku``   one       the purchase order line, by its number or its SKU
``asn_number``           no        the supplier's reference of the notice; rows with the same one
                                   are one notice (none: all rows are one notice, numbered
                                   ``<PO>-<n>``)
``tracking_number``      no        the parcel the units are in; each different number is a parcel
``carrier``              no        the parcel's carrier (absent: detected from the number)
``expected_arrival_date`` no       ``YYYY-MM-DD``, the same on every row of a notice
=======================  ========  ================================================================

Every row is read and checked before anything is written; then the notices are declared in one
transaction, and any refusal (an unknown SKU, a bad check digit, a date in the past...) undoes
them all. Every bad row is named with its line, its column and the API's code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.schema import normalise_tracking_number
from ordertrack.purchasing import declaring
from ordertrack.suppliers import history, purchase_orders
from ordertrack.suppliers.csv_import import (
    CsvRow,
    FileRefused,
    RowProblem,
    integer,
    problems_of,
    quoted,
    read_rows,
)
from ordertrack.suppliers.inbound_schemas import InboundLineIn, InboundShipmentIn

REQUIRED = ("quantity",)
OPTIONAL = ("asn_number", "line_no", "sku", "tracking_number", "carrier", "expected_arrival_date")
# A notice file is a few hundred lines; a larger upload is not a notice.
MAX_BYTES = 1_000_000
MAX_ROWS = 5_000


class AsnFileRefused(FileRefused):
    """The file was not imported; ``problems`` names every bad row."""

    code = "asn_file_refused"


@dataclass
class _Notice:
    rows: list[CsvRow]
    payload: dict[str, Any]
    parcel_rows: list[CsvRow]  # the first row naming each parcel, in parcel order


def read_notices(data: bytes) -> tuple[list[_Notice], list[RowProblem]]:
    """The notices a file holds, each with its rows, and every problem with its rows."""
    if len(data) > MAX_BYTES:
        return [], [RowProblem(1, None, "file_too_large", f"the file is larger than {MAX_BYTES // 1000} kB")]
    rows, problems = read_rows(data, REQUIRED, OPTIONAL)
    if len(rows) > MAX_ROWS:
        return [], [RowProblem(1, None, "file_too_large", f"the file has more than {MAX_ROWS} rows")]
    if not rows and not problems:
        problems.append(RowProblem(1, None, "empty_file", "the file has no rows under its header"))
    groups: dict[str, list[CsvRow]] = {}
    for row in rows:
        groups.setdefault(row.get("asn_number") or "", []).append(row)
    notices = []
    for number, members in groups.items():
        notice, found = _notice(number or None, members)
        problems.extend(found)
        if notice is not None:
            notices.append(notice)
    return notices, sorted(problems, key=lambda p: p.line)


def _notice(number: str | None, rows: list[CsvRow]) -> tuple[_Notice | None, list[RowProblem]]:
    problems: list[RowProblem] = []
    lines: list[dict[str, Any]] = []
    parcels: dict[str, tuple[str | None, CsvRow]] = {}
    arrival: tuple[date, CsvRow] | None = None
    for row in rows:
        parcel = None
        if (text := row.get("tracking_number")) is not None:
            try:
                tracking = normalise_tracking_number(text)
            except ValueError as error:
                problems.append(
                    RowProblem(row.line, "tracking_number", "invalid_tracking_number", str(error))
                )
                continue
            carrier = row.get("carrier")
            known = parcels.get(tracking)
            if known is not None and carrier is not None and known[0] not in (None, carrier.lower()):
                problems.append(
                    RowProblem(
                        row.line,
                        "carrier",
                        "conflicting_carrier",
                        f"parcel {tracking} is {known[0]} on line {known[1].line}",
                    )
                )
                continue
            if known is None:
                parcels[tracking] = (carrier.lower() if carrier else None, row)
            parcel = list(parcels).index(tracking) + 1
        if (text := row.get("expected_arrival_date")) is not None:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                problems.append(
                    RowProblem(
                        row.line,
                        "expected_arrival_date",
                        "date_from_datetime_parsing",
                        f"{quoted(text)} is not a date (YYYY-MM-DD)",
                    )
                )
                continue
            if arrival is not None and arrival[0] != day:
                problems.append(
                    RowProblem(
                        row.line,
                        "expected_arrival_date",
                        "conflicting_expected_arrival_date",
                        f"the notice's other rows say {arrival[0].isoformat()} (line {arrival[1].line})",
                    )
                )
                continue
            arrival = (day, row)
        whole = {column: integer(row, column) for column in ("line_no", "quantity")}
        bad = [(column, value) for column, value in whole.items() if isinstance(value, str)]
        if bad:
            problems.extend(
                RowProblem(row.line, column, "int_parsing", f"{quoted(str(value))} is not a whole number")
                for column, value in bad
            )
            continue
        line = {
            "line_no": whole["line_no"],
            "sku": row.get("sku"),
            "quantity": whole["quantity"],
            "parcel": parcel,
        }
        try:
            InboundLineIn.model_validate({k: v for k, v in line.items() if v is not None})
        except ValidationError as error:
            problems.extend(problems_of(error, row.line, {(): "line_no"}))
            continue
        lines.append({k: v for k, v in line.items() if v is not None})
    if problems:
        return None, problems
    carriers = {carrier for carrier, _row in parcels.values() if carrier}
    payload: dict[str, Any] = {
        "number": number,
        "carrier": carriers.pop() if len(carriers) == 1 else None,
        "expected_arrival_date": arrival[0] if arrival else None,
        "parcels": [
            {"tracking_number": tracking, **({"carrier": carrier} if carrier else {})}
            for tracking, (carrier, _row) in parcels.items()
        ],
        "lines": lines,
    }
    return _Notice(rows, payload, [row for _carrier, row in parcels.values()]), []


def _row_of(notice: _Notice, loc: tuple[Any, ...]) -> tuple[int, str | None]:
    """The file's line and column a complaint about ``loc`` of the notice's payload is about."""
    if len(loc) >= 2 and loc[0] == "lines" and isinstance(loc[1], int) and loc[1] < len(notice.rows):
        return notice.rows[loc[1]].line, str(loc[2]) if len(loc) > 2 else None
    if len(loc) >= 2 and loc[0] == "parcels" and isinstance(loc[1], int) and loc[1] < len(notice.parcel_rows):
        return notice.parcel_rows[loc[1]].line, "tracking_number"
    return notice.rows[0].line, str(loc[0]) if loc else None


def _refusal(notice: _Notice, error: OrdertrackError) -> RowProblem:
    """A service's refusal of a notice, put on the row it is about."""
    message = error.message
    head, _, rest = message.partition(": ")
    parts = head.split(".")
    if len(parts) >= 2 and parts[0] == "lines" and parts[1].isdigit():
        line, column = _row_of(notice, ("lines", int(parts[1]), *parts[2:]))
        return RowProblem(line, column, error.code, rest or message)
    details = error.details if isinstance(error.details, dict) else {}
    number = details.get("number") or getattr(error, "number", None)
    if number is not None:
        for row in notice.rows:
            text = row.get("tracking_number")
            if text is not None and text.replace(" ", "").upper() == str(number).replace(" ", "").upper():
                return RowProblem(row.line, "tracking_number", error.code, message)
    column = "expected_arrival_date" if "expected_arrival_date" in message else None
    if column is None and "number" in message and notice.rows[0].get("asn_number"):
        column = "asn_number"
    return RowProblem(notice.rows[0].line, column, error.code, message)


def import_notices(
    uow: UnitOfWork,
    merchant_id: str,
    po_ref: str,
    data: bytes,
    *,
    file_name: str,
    now: datetime | None = None,
) -> list[declaring.Declared]:
    """Declare every notice of the file on the merchant's purchase order ``po_ref``, or none:
    :class:`AsnFileRefused` names every bad row (raised, so the caller's transaction rolls back)."""
    purchase_orders.find_purchase_order(uow, merchant_id, po_ref)  # another merchant's: 404 first
    # Notices with bad rows are left out; the others are still declared (and undone), so a
    # refusal of theirs is named in the same answer.
    notices, problems = read_notices(data)
    actor = history.csv_actor(file_name)
    declared = []
    for notice in notices:
        try:
            payload = InboundShipmentIn.model_validate(notice.payload)
        except ValidationError as error:
            for item in error.errors():
                line, column = _row_of(notice, tuple(item["loc"]))
                problems.append(
                    RowProblem(line, column, item["type"], item["msg"].removeprefix("Value error, "))
                )
            continue
        try:
            # Each notice in a savepoint: a refused one is undone alone, so the next ones are
            # still checked and every bad row is named; any refusal then undoes the whole file.
            with uow.session.begin_nested():
                declared.append(
                    declaring.declare_inbound_shipment(
                        uow, merchant_id, po_ref, payload, actor=actor, now=now
                    )
                )
        except OrdertrackError as error:
            if error.status_code == 404:
                raise  # the order itself is not there: not a row's fault
            problems.append(_refusal(notice, error))
    if problems:
        raise AsnFileRefused(sorted(problems, key=lambda p: p.line))
    return declared
