"""Read a stock count file: ``warehouse,sku,on_hand[,low_stock_threshold][,location]`` per row.

Pure: bytes or text in, rows and errors out. A file with any bad row is reported whole (every
bad line with its number) so that nothing is half-imported. The bounds are the API's: a
count or threshold is 0 to :data:`~ordertrack.inventory.rules.MAX_QUANTITY`, written with
the digits 0-9 only (``int()`` would also take ``+5``, ``1_000`` and other scripts' digits,
which a spreadsheet cell holding them almost certainly did not mean).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ordertrack.inventory.rules import MAX_QUANTITY

REQUIRED = ("warehouse", "sku", "on_hand")
OPTIONAL = ("low_stock_threshold", "location")
COLUMNS = REQUIRED + OPTIONAL
# The API's lengths: warehouse codes, SKUs and bin locations.
MAX_LENGTH = {"warehouse": 32, "sku": 64, "location": 40}

_DIGITS = re.compile(r"[0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_COUNT_DIGITS = len(str(MAX_QUANTITY))
# Values quoted back in a message are cut to this many characters.
_QUOTED = 24


@dataclass(frozen=True, slots=True)
class StockRow:
    line: int
    warehouse: str
    sku: str
    on_hand: int
    low_stock_threshold: int | None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str


def read_stock_file(data: bytes) -> tuple[list[StockRow], list[RowError]]:
    """Rows of a file as it lies on disk: UTF-8, with or without a byte-order mark."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return [], [RowError(1, 'the file is UTF-16 text: save it as UTF-8 ("CSV UTF-8" in Excel)')]
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        return [], [
            RowError(
                data.count(b"\n", 0, error.start) + 1,
                f"not UTF-8 text (byte 0x{data[error.start]:02X} at byte {error.start - line_start + 1}"
                ' of the line): save the file as UTF-8 ("CSV UTF-8" in Excel) and run again',
            )
        ]
    return read_stock_csv(io.StringIO(text, newline=""))


def read_stock_csv(lines: Iterable[str]) -> tuple[list[StockRow], list[RowError]]:
    """Rows of CSV text, and every bad line with its number."""
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as error:
        return [], [RowError(1, f"the header line cannot be read as CSV: {error}")]
    if header is None:
        return [], [RowError(1, f"the file is empty: the first line names the columns {', '.join(REQUIRED)}")]
    names = [name.strip().lower() for name in header]
    problem = _header_problem(names)
    if problem:
        return [], [RowError(1, problem)]
    at = {name: index for index, name in enumerate(names) if name}
    rows: list[StockRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(RowError(reader.line_num, f"cannot be read as CSV: {error}"))
            continue
        line = reader.line_num
        if not "".join(fields).strip():
            continue  # a blank line
        try:
            row = _row(line, at, len(names), fields)
        except ValueError as error:
            errors.append(RowError(line, str(error)))
            continue
        key = (row.warehouse, row.sku)
        if key in seen:
            errors.append(RowError(line, f"{row.warehouse}/{row.sku} was already given on line {seen[key]}"))
            continue
        seen[key] = line
        rows.append(row)
    return rows, errors


def _header_problem(names: list[str]) -> str | None:
    named = [name for name in names if name]
    missing = [name for name in REQUIRED if name not in named]
    if missing:
        return f"the header must name the columns {', '.join(REQUIRED)}; missing {', '.join(missing)}"
    unknown = [name for name in named if name not in COLUMNS]
    if unknown:
        # A misspelt optional column would otherwise be dropped without a word.
        return (
            f"unknown column {_quoted(unknown[0])}: the columns are {', '.join(COLUMNS)}"
            f" ({', '.join(OPTIONAL)} optional)"
        )
    twice = sorted({name for name in named if named.count(name) > 1})
    if twice:
        return f"the column {twice[0]} is named twice"
    return None


def _row(line: int, at: dict[str, int], width: int, fields: list[str]) -> StockRow:
    if len(fields) > width and "".join(fields[width:]).strip():
        raise ValueError(f"has {len(fields)} fields; the header names {width} columns")
    if len(fields) < width:
        fields = fields + [""] * (width - len(fields))
    threshold = fields[at["low_stock_threshold"]].strip() if "low_stock_threshold" in at else ""
    location = fields[at["location"]].strip() if "location" in at else ""
    return StockRow(
        line,
        _text(fields[at["warehouse"]].strip(), "warehouse"),
        _text(fields[at["sku"]].strip(), "sku"),
        _count(fields[at["on_hand"]].strip(), "on_hand"),
        _count(threshold, "low_stock_threshold") if threshold else None,
        _text(location, "location") if location else None,
    )


def _text(value: str, what: str) -> str:
    if value and len(value) <= MAX_LENGTH[what] and value.isprintable():
        return value  # the common case, checked in C; the rest says what is wrong
    if not value:
        raise ValueError(f"{what} must not be empty")
    if len(value) > MAX_LENGTH[what]:
        raise ValueError(f"{what} is {len(value):,} characters long; at most {MAX_LENGTH[what]}")
    if _CONTROL.search(value):
        raise ValueError(f"{what} {_quoted(value)} contains a control character (a stray quote?)")
    return value


def _count(text: str, what: str) -> int:
    # ASCII digits only: str.isdigit() alone would take other scripts' digits.
    if text.isascii() and text.isdigit() and len(text) <= _COUNT_DIGITS and int(text) <= MAX_QUANTITY:
        return int(text)
    if not text:
        raise ValueError(f"{what} must not be empty")
    if text.startswith("-") and _DIGITS.fullmatch(text[1:]):
        raise ValueError(f"{what} must not be negative")
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"{what} must be a whole number written with the digits 0-9, not {_quoted(text)}")
    significant = text.lstrip("0") or "0"
    if len(significant) > _COUNT_DIGITS or int(significant) > MAX_QUANTITY:
        raise ValueError(f"{what} must be at most {MAX_QUANTITY:,}, not {_quoted(text)}")
    return int(significant)


def _quoted(value: str) -> str:
    return repr(value if len(value) <= _QUOTED else value[:_QUOTED] + "…")
