"""Reading stock count files: good rows in, every bad line named."""

from __future__ import annotations

from ordertrack.inventory.stock_csv import StockRow, read_stock_csv


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
