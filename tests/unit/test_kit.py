"""Shared building blocks: ids, cursors, tracking numbers (local time: test_localtime.py)."""

from __future__ import annotations

import pytest

from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import InvalidCursor, decode_cursor, encode_cursor
from ordertrack.kit.schema import normalise_tracking_number


def test_ids_carry_their_type_and_sort_by_creation_time() -> None:
    first = new_id("ord")
    later = [new_id("ord") for _ in range(50)]
    assert first.startswith("ord_") and len(first) == 30
    assert all(first[:14] <= other[:14] for other in later)
    assert len(set(later)) == 50


def test_cursor_round_trips_and_rejects_what_no_page_could_end_with() -> None:
    last = new_id("ord")
    assert decode_cursor(encode_cursor(last)) == last
    assert decode_cursor(encode_cursor(42), numbered=True) == 42
    assert decode_cursor(None) is None and decode_cursor("") is None
    for bad in ("!!!", "e30", "ord_abc", "eyJhZnRlciI6Im9yZF94In0", last + "\n", last.upper(), "42"):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad)
    for bad in ("0", "-1", "1" * 19, last, "42\n"):
        with pytest.raises(InvalidCursor):
            decode_cursor(bad, numbered=True)


def test_tracking_numbers_are_stored_in_one_canonical_form() -> None:
    assert normalise_tracking_number(" 1z 999 aa1 ") == "1Z999AA1"
    with pytest.raises(ValueError):
        normalise_tracking_number("ab")
    with pytest.raises(ValueError):
        normalise_tracking_number("1Z/../etc")


def test_a_sku_cursor_reads_white_space_as_the_document_does() -> None:
    from ordertrack.inventory.schemas import STOCK_CURSOR
    from ordertrack.suppliers.schemas import SUPPLIER_SKU_CURSOR

    # U+001F is white space to Python's \s but not to the document's (ECMA) patterns: a place.
    assert STOCK_CURSOR.read("\x1fA~stl_01kbx5c2r9m4n6p8q0s2t4v6w8") == (
        "\x1fA",
        "stl_01kbx5c2r9m4n6p8q0s2t4v6w8",
    )
    assert SUPPLIER_SKU_CURSOR.read("\x1cTENT") == ("\x1cTENT",)
    for blank in (" TENT", "\u3000TENT", "\ufeffTENT", "\tTENT"):
        with pytest.raises(InvalidCursor):
            SUPPLIER_SKU_CURSOR.read(blank)
