"""Read a stock count file: ``warehouse,sku,on_hand[,low_stock_threshold]`` per row.

Pure: text in, rows and errors out. A file with any bad row is reported whole (every bad
line with its number) so that nothing is half-imported.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass

REQUIRED = ("warehouse", "sku", "on_hand")


@dataclass(frozen=True)
class StockRow:
    line: int
    warehouse: str
    sku: str
    on_hand: int
    low_stock_threshold: int | None


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


def _count(text: str, what: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"{what} must be a whole number, not {text!r}") from None
    if value < 0:
        raise ValueError(f"{what} must not be negative")
    return value


def read_stock_csv(lines: Iterable[str]) -> tuple[list[StockRow], list[RowError]]:
    reader = csv.DictReader(lines)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return [], [
            RowError(
                1, f"the header must name the columns {', '.join(REQUIRED)}; missing {', '.join(missing)}"
            )
        ]
    reader.fieldnames = header
    rows: list[StockRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for record in reader:
        line = reader.line_num
        try:
            warehouse = (record.get("warehouse") or "").strip()
            sku = (record.get("sku") or "").strip()
            if not warehouse or not sku:
                raise ValueError("warehouse and sku must not be empty")
            if len(sku) > 64 or len(warehouse) > 32:
                raise ValueError("sku is at most 64 characters, warehouse at most 32")
            threshold_text = (record.get("low_stock_threshold") or "").strip()
            row = StockRow(
                line=line,
                warehouse=warehouse,
                sku=sku,
                on_hand=_count(record.get("on_hand") or "", "on_hand"),
                low_stock_threshold=_count(threshold_text, "low_stock_threshold") if threshold_text else None,
            )
        except ValueError as error:
            errors.append(RowError(line, str(error)))
            continue
        key = (row.warehouse, row.sku)
        if key in seen:
            errors.append(RowError(line, f"{warehouse}/{sku} was already given on line {seen[key]}"))
            continue
        seen[key] = line
        rows.append(row)
    return rows, errors
