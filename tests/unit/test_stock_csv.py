"""Reading stock count files: good rows in, every bad line named."""

from __future__ import annotations

from ordertrack.inventory.stock_csv import RowError, StockRow, read_stock_csv, read_stock_file


def test_rows_are_read_with_optional_thresholds() -> None:
    rows, errors = read_stock_csv(
        ["warehouse,sku,on_hand,low_stock_threshold", "AUS1,TENT-2P,12,3", "AUS1,MUG,0,"]
    )
    assert errors == []
    assert rows == [StockRow(2, "AUS1", "TENT-2P", 12, 3), StockRow(3, "AUS1", "MUG", 0, None)]


def test_every_bad_line_is_reported_with_its_number() -> None:
    rows, errors = read_stock_csv(
        ["Warehouse,SKU,On_Hand", "AUS1,TENT,-1", "AUS1,,4", "AUS1,MUG,many", "AUS1,STOVE,2", "AUS1,STOVE,3"]
    )
    assert [e.line for e in errors] == [2, 3, 4, 6]
    assert "negative" in errors[0].message and "whole number" in errors[2].message
    assert "line 5" in errors[3].message
    assert [r.sku for r in rows] == ["STOVE"]


def test_a_file_without_the_required_columns_is_refused() -> None:
    rows, errors = read_stock_csv(["sku,qty", "A,1"])
    assert rows == [] and "missing warehouse, on_hand" in errors[0].message


def test_counts_are_written_with_the_digits_0_to_9_only() -> None:
    cells = ["1_000", "+5", "\u0663", "\uff15", "1e3", "5.0", "0x10", "\u00b2"]
    lines = ["warehouse,sku,on_hand"] + [f"AUS1,SKU-{n},{cell}" for n, cell in enumerate(cells)]
    rows, errors = read_stock_csv(lines)
    assert rows == []
    assert [e.line for e in errors] == list(range(2, 2 + len(cells)))
    assert all("digits 0-9" in e.message for e in errors)


def test_counts_and_thresholds_keep_the_apis_bounds() -> None:
    rows, errors = read_stock_csv(
        [
            "warehouse,sku,on_hand,low_stock_threshold",
            "AUS1,TOP,1000000000,1000000000",
            "AUS1,PADDED,0007,",
            "AUS1,OVER,1000000001,",
            "AUS1,HUGE,99999999999999999999999999,",
            "AUS1,HIGH-ALERT,1,1000000001",
        ]
    )
    assert [(r.sku, r.on_hand, r.low_stock_threshold) for r in rows] == [
        ("TOP", 1_000_000_000, 1_000_000_000),
        ("PADDED", 7, None),
    ]
    assert [e.line for e in errors] == [4, 5, 6]
    assert all("at most 1,000,000,000" in e.message for e in errors)


def test_a_file_that_is_not_utf8_is_refused_at_its_line() -> None:
    rows, errors = read_stock_file("warehouse,sku,on_hand\nAUS1,MUG,1\nAUS1,CAFÉ,2\n".encode("cp1252"))
    assert rows == []
    assert errors == [
        RowError(
            3,
            'not UTF-8 text (byte 0xC9 at byte 9 of the line): save the file as UTF-8 ("CSV UTF-8" in Excel)'
            " and run again",
        )
    ]
    utf16, [error] = read_stock_file("warehouse,sku,on_hand\n".encode("utf-16"))
    assert utf16 == [] and "UTF-16" in error.message


def test_a_utf8_file_with_a_byte_order_mark_reads_as_without() -> None:
    data = "warehouse,sku,on_hand\r\nAUS1,CAFÉ,2\r\n".encode()
    assert (
        read_stock_file(b"\xef\xbb\xbf" + data)
        == read_stock_file(data)
        == ([StockRow(2, "AUS1", "CAFÉ", 2, None)], [])
    )


def test_an_over_long_field_is_named_without_being_echoed() -> None:
    giant = "X" * 200_000  # past the csv module's own field limit
    rows, errors = read_stock_csv(
        ["warehouse,sku,on_hand\n", f"AUS1,{'S' * 65},1\n", f"AUS1,{giant},1\n", "AUS1,MUG,3\n"]
    )
    assert [e.line for e in errors] == [2, 3]
    assert "65 characters long; at most 64" in errors[0].message
    assert all(len(e.message) < 200 for e in errors)
    assert rows == [StockRow(4, "AUS1", "MUG", 3, None)]  # reading goes on after the bad line


def test_a_stray_quote_is_caught_instead_of_swallowing_lines() -> None:
    rows, errors = read_stock_csv(["warehouse,sku,on_hand\n", 'AUS1,"MUG,1\n', "AUS1,TENT,2\n"])
    assert rows == [] and "control character" in errors[0].message


def test_bin_locations_are_read_and_unknown_columns_refused() -> None:
    rows, errors = read_stock_csv(["sku,warehouse,on_hand,location", "MUG,AUS1,4,A-01-3"])
    assert errors == [] and rows == [StockRow(2, "AUS1", "MUG", 4, None, "A-01-3")]
    _, misspelt = read_stock_csv(["warehouse,sku,on_hand,low_stock_treshold", "AUS1,MUG,4,2"])
    assert "unknown column 'low_stock_treshold'" in misspelt[0].message


def test_a_row_with_more_fields_than_the_header_is_refused_but_trailing_commas_are_not() -> None:
    rows, errors = read_stock_csv(["warehouse,sku,on_hand", "AUS1,MUG,4,,", "AUS1,TENT,4,9"])
    assert [r.sku for r in rows] == ["MUG"]
    assert errors == [RowError(3, "has 4 fields; the header names 3 columns")]


def test_an_empty_file_and_a_header_alone_are_told_apart() -> None:
    assert "the file is empty" in read_stock_file(b"")[1][0].message
    assert read_stock_file(b"warehouse,sku,on_hand\n") == ([], [])
