"""Reading supplier and purchase order import files: every line that cannot be a row is named,
with a code, before any row is looked at."""

from __future__ import annotations

import codecs

from ordertrack.suppliers import purchase_order_import
from ordertrack.suppliers.csv_import import CsvRow, integer, read_rows

REQUIRED, OPTIONAL = purchase_order_import.REQUIRED, purchase_order_import.OPTIONAL
HEADER = "po_number,supplier,warehouse,currency,sku,quantity\n"


def read(text: str | bytes) -> tuple[list[CsvRow], list[tuple[int, str | None, str]]]:
    rows, problems = read_rows(text.encode() if isinstance(text, str) else text, REQUIRED, OPTIONAL)
    return rows, [(p.line, p.column, p.code) for p in problems]


def test_cells_are_stripped_and_empty_cells_are_absent() -> None:
    rows, problems = read(codecs.BOM_UTF8 + (HEADER + " PO-1 , Acme ,AUS1,,SKU-1, 5 \n\n").encode())
    assert problems == []
    assert [(r.line, r.cells) for r in rows] == [
        (2, {"po_number": "PO-1", "supplier": "Acme", "warehouse": "AUS1", "sku": "SKU-1", "quantity": "5"})
    ]


def test_a_missing_or_unknown_column_refuses_the_file_at_its_header() -> None:
    assert read("po_number,supplier\nPO-1,Acme\n") == ([], [(1, None, "unreadable_file")])
    assert read(HEADER.strip() + ",colour\n")[1] == [(1, None, "unreadable_file")]
    assert read(HEADER.strip() + ",sku\n")[1] == [(1, None, "unreadable_file")]
    assert read("")[1] == [(1, None, "unreadable_file")]


def test_files_that_are_not_utf8_are_refused_with_the_line_of_the_first_bad_byte() -> None:
    assert read(codecs.BOM_UTF16_LE + HEADER.encode("utf-16-le"))[1] == [(1, None, "unreadable_file")]
    assert read((HEADER + "PO-1,Acme,AUS1,EUR,SKU-1,5\n").encode() + b"PO-2,M\xfcller,AUS1,EUR,SKU-1,5\n")[
        1
    ] == [(3, None, "not_utf8")]


def test_every_bad_line_is_named_and_the_good_ones_kept() -> None:
    rows, problems = read(
        HEADER
        + "PO-1,Acme,AUS1,EUR,SKU-1,5,extra\nPO-1,Acme,AUS1,EUR,SKU-\x01,5\nPO-2,Acme,AUS1,EUR,SKU-2,1\n"
    )
    assert problems == [(2, None, "too_many_fields"), (3, "sku", "control_character")]
    assert [r.line for r in rows] == [3, 4]


def test_quantities_keep_their_sign_so_the_model_refuses_a_negative_one_as_negative() -> None:
    row = CsvRow(2, {"quantity": "-5", "big": "9" * 40, "word": "five", "thai": "๕"})
    assert integer(row, "quantity") == -5
    assert integer(row, "big") == 10**12  # beyond any bound, refused as too large
    assert integer(row, "word") == "five" and integer(row, "thai") == "๕"
    assert integer(row, "absent") is None
