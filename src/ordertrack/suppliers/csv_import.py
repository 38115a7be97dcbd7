"""Reading the CSV files of supplier and purchase order imports (``ordertrack suppliers import``,
``ordertrack purchase-orders import``), and naming what is wrong in them.

Pure: bytes in, rows (a mapping of column to cell) and problems out. A problem names its line,
its column and a code, the codes the API answers with for the same mistake (pydantic's error
types for a malformed value, the services' codes such as ``unknown_sku``), so a file and a
request are refused in the same words. The imports check every row before writing any, so a
file with one bad row imports nothing and every bad row is listed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ordertrack.kit.errors import Unprocessable

# Values quoted back in a message are cut to this many characters.
_QUOTED = 24
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_INTEGER = re.compile(r"-?[0-9]+")
# More digits than any quantity the API takes (a 32-bit column): said as too big, not parsed.
_MAX_DIGITS = 12


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One thing wrong with a file: where (line, column), what (code) and why (message)."""

    line: int
    column: str | None
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.column}: " if self.column else ""
        return f"{where}{self.message} [{self.code}]"


class FileRefused(Unprocessable):
    """Nothing in the file was imported; ``details`` names every bad row (line, column, code,
    message). Each import names its own ``code``."""

    code = "file_refused"

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        count = len(problems)
        super().__init__(
            f"nothing was imported: {count} problem{'s' if count != 1 else ''} in the file",
            details=[
                {"line": p.line, "column": p.column, "code": p.code, "message": p.message} for p in problems
            ],
        )
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One line of the file: its number (as an editor counts them) and its cells, stripped;
    an empty cell is absent."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str | None:
        return self.cells.get(column)


def read_rows(
    data: bytes, required: Sequence[str], optional: Sequence[str]
) -> tuple[list[CsvRow], list[RowProblem]]:
    """The rows of a file as it lies on disk: UTF-8, with or without a byte-order mark."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return [], [_file_problem('the file is UTF-16 text: save it as UTF-8 ("CSV UTF-8" in Excel)')]
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return [], [
            RowProblem(
                data.count(b"\n", 0, error.start) + 1,
                None,
                "not_utf8",
                f"not UTF-8 text (byte 0x{data[error.start]:02X}): save the file as UTF-8"
                ' ("CSV UTF-8" in Excel) and run again',
            )
        ]
    return read_csv(io.StringIO(text, newline=""), required, optional)


def read_csv(
    lines: Iterable[str], required: Sequence[str], optional: Sequence[str]
) -> tuple[list[CsvRow], list[RowProblem]]:
    """Rows of CSV text, and every line that cannot be read as a row of these columns."""
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as error:
        return [], [_file_problem(f"the header line cannot be read as CSV: {error}")]
    if header is None:
        return [], [
            _file_problem(f"the file is empty: the first line names the columns {', '.join(required)}")
        ]
    names = [name.strip().lower() for name in header]
    problem = _header_problem(names, required, optional)
    if problem:
        return [], [_file_problem(problem)]
    rows: list[CsvRow] = []
    problems: list[RowProblem] = []
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(
                RowProblem(reader.line_num, None, "unreadable_csv", f"cannot be read as CSV: {error}")
            )
            continue
        line = reader.line_num
        if not "".join(fields).strip():
            continue  # a blank line
        if len(fields) > len(names) and "".join(fields[len(names) :]).strip():
            problems.append(
                RowProblem(
                    line,
                    None,
                    "too_many_fields",
                    f"has {len(fields)} fields; the header names {len(names)} columns",
                )
            )
            continue
        cells: dict[str, str] = {}
        for name, value in zip(names, fields, strict=False):
            value = value.strip()
            if not value or not name:
                continue
            if _CONTROL.search(value):
                problems.append(
                    RowProblem(
                        line,
                        name,
                        "control_character",
                        f"{quoted(value)} contains a control character (a stray quote?)",
                    )
                )
            cells[name] = value
        rows.append(CsvRow(line, cells))
    return rows, problems


def integer(row: CsvRow, column: str) -> int | str | None:
    """A whole number written with the digits 0-9 (a sign allowed, so that a negative quantity is
    refused as negative by the model's bounds), or the text as written for the model to refuse."""
    text = row.get(column)
    if text is None:
        return None
    if text.isascii() and _INTEGER.fullmatch(text):
        if len(text.lstrip("-").lstrip("0")) <= _MAX_DIGITS:
            return int(text)
        # Too many digits to be meant: said as beyond the bound, without reading them all.
        return -(10**_MAX_DIGITS) if text.startswith("-") else 10**_MAX_DIGITS
    return text


def problems_of(
    error: ValidationError | Sequence[Any], line: int, columns: dict[tuple[Any, ...], str]
) -> list[RowProblem]:
    """The model's complaints as problems of the file: each field put back to its column
    (``columns`` names those whose column is not the field's own name)."""
    found = []
    for item in error.errors() if isinstance(error, ValidationError) else error:
        loc = tuple(item["loc"])
        column = columns.get(loc) or columns.get(loc[:1]) or (str(loc[0]) if loc else None)
        message = item["msg"].removeprefix("Value error, ")
        found.append(RowProblem(line, column, item["type"], message))
    return found


def quoted(value: str) -> str:
    return repr(value if len(value) <= _QUOTED else value[:_QUOTED] + "…")


def _file_problem(message: str) -> RowProblem:
    return RowProblem(1, None, "unreadable_file", message)


def _header_problem(names: list[str], required: Sequence[str], optional: Sequence[str]) -> str | None:
    named = [name for name in names if name]
    missing = [name for name in required if name not in named]
    if missing:
        return f"the header must name the columns {', '.join(required)}; missing {', '.join(missing)}"
    known = set(required) | set(optional)
    unknown = [name for name in named if name not in known]
    if unknown:
        # A misspelt optional column would otherwise be dropped without a word.
        return (
            f"unknown column {quoted(unknown[0])}: the columns are {', '.join(required)}"
            f" and, optionally, {', '.join(optional)}"
        )
    twice = sorted({name for name in named if named.count(name) > 1})
    if twice:
        return f"the column {twice[0]} is named twice"
    return None
