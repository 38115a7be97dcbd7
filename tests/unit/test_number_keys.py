"""How typed numbers are matched (kit.number_keys) and how the orders export writes cells."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.kit.number_keys import MAX_KEY_LENGTH, digits_of, number_key
from ordertrack.orders.model import Order, OrderLine
from ordertrack.web.dashboard.orders_export import COLUMNS, order_row, safe_cell


@pytest.mark.parametrize(
    "typed",
    [
        "NW-10442",
        "nw-10442",
        "Nw-10442",
        "#NW-10442",
        "# nw 10442",
        "nw10442",
        "NW–10442",
        "ＮＷ－１０４４２",
    ],
)
def test_an_order_number_reads_the_same_however_a_keyboard_typed_it(typed: str) -> None:
    assert number_key(typed) == number_key("NW-10442") == "nw10442"


def test_punctuation_other_than_hash_spaces_and_dashes_still_tells_numbers_apart() -> None:
    assert number_key("NW.1001") != number_key("NW1001")
    assert number_key("NW_1001") != number_key("NW1001")
    assert number_key("1001") != number_key("10011")


def test_a_number_of_only_hashes_dashes_and_spaces_has_no_key() -> None:
    assert number_key("#--") == ""


@given(st.text(min_size=1, max_size=64))
def test_a_key_is_stable_and_fits_its_column(value: str) -> None:
    key = number_key(value)
    assert number_key(key) == key
    assert len(key) <= MAX_KEY_LENGTH


def test_a_phone_is_compared_by_its_digits() -> None:
    assert digits_of("+1 (555) 010-2030") == "15550102030"
    assert digits_of("０１５５") == "0155"


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1555", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(value: str) -> None:
    assert safe_cell(value) == "'" + value


def test_ordinary_cells_are_written_as_they_are() -> None:
    assert safe_cell("Ann Lee") == "Ann Lee"
    assert safe_cell(None) == ""
    assert safe_cell("NW-10442") == "NW-10442"


def test_an_exported_row_guards_what_people_typed_and_keeps_what_the_product_wrote() -> None:
    order = Order(
        id="ord_1",
        merchant_id="mer_1",
        number="=1+1",
        currency="EUR",
        placed_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        ship_name='@evil, "quoted"\nname',
        ship_city="Paris",
        ship_country="FR",
        status="processing",
        attention=True,
    )
    order.lines = [
        OrderLine(id="oln_1", line_no=1, sku="A", quantity=2, unit_price=Decimal("10.25")),
        OrderLine(id="oln_2", line_no=2, sku="B", quantity=1, unit_price=Decimal("5")),
    ]
    row = order_row(order, None, [])
    assert len(row) == len(COLUMNS)
    cells = dict(zip(COLUMNS, row, strict=True))
    assert cells["order_number"] == "'=1+1"
    assert cells["placed_at"] == "2026-12-01T09:30:00Z"
    assert cells["needs_attention"] == "yes"
    assert cells["total"] == "25.50" and cells["items"] == "3"
    # Commas, quotes and line breaks survive the round trip through a CSV reader.
    buffer = io.StringIO()
    csv.writer(buffer).writerow(row)
    assert next(csv.reader(io.StringIO(buffer.getvalue())))[COLUMNS.index("ship_to_name")] == (
        '\'@evil, "quoted"\nname'
    )


def test_an_estimate_in_the_orders_list_reads_as_a_short_window() -> None:
    from datetime import date

    from ordertrack.web.dashboard.orders_pages import _window

    assert _window(date(2026, 12, 11), date(2026, 12, 17), "en") == "Dec 11\u2009\u2013\u200917"
    assert _window(date(2026, 12, 9), date(2026, 12, 9), "en") == "Dec 9"
    assert "2027" in _window(date(2026, 12, 30), date(2027, 1, 4), "en")
    assert _window(None, None, "en") == ""
