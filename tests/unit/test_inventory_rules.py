"""Allocation and stock arithmetic: the rules, and the ledger invariants as properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.inventory.rules import (
    InsufficientStock,
    InvalidMovement,
    Level,
    LineNeed,
    MovementKind,
    allocate,
    apply_movement,
    movement_delta,
)


def needs(*items: tuple[str, int]) -> list[LineNeed]:
    return [LineNeed(f"l{i}", sku, qty) for i, (sku, qty) in enumerate(items)]


def test_one_warehouse_that_fills_everything_wins_even_if_not_preferred() -> None:
    stock = {"A": {"tent": 5}, "B": {"tent": 5, "mug": 5}}
    allocation = allocate(needs(("tent", 2), ("mug", 1)), stock, ["A", "B"])
    assert allocation.warehouses == ["B"]
    assert not allocation.backordered


def test_preferred_warehouse_wins_a_tie() -> None:
    stock = {"A": {"tent": 5}, "B": {"tent": 5}}
    assert allocate(needs(("tent", 2)), stock, ["B", "A"]).warehouses == ["B"]


def test_order_split_uses_the_fewest_warehouses() -> None:
    stock = {"A": {"tent": 1}, "B": {"mug": 1}, "C": {"tent": 1, "mug": 0}, "D": {"stove": 1, "mug": 1}}
    allocation = allocate(needs(("tent", 1), ("mug", 1), ("stove", 1)), stock, ["A", "B", "C", "D"])
    assert len(allocation.warehouses) == 2
    assert "D" in allocation.warehouses


def test_what_no_warehouse_has_is_backordered() -> None:
    allocation = allocate(needs(("tent", 5)), {"A": {"tent": 3}}, ["A"])
    assert [(a.warehouse, a.quantity) for a in allocation.assignments] == [("A", 3)]
    assert [(b.sku, b.quantity) for b in allocation.backordered] == [("tent", 2)]


def test_nothing_in_stock_backorders_everything() -> None:
    allocation = allocate(needs(("tent", 1)), {}, ["A"])
    assert allocation.assignments == () and allocation.backordered[0].quantity == 1


def test_movements_keep_reserved_within_on_hand() -> None:
    level = Level(on_hand=3, reserved=0)
    level = apply_movement(level, MovementKind.reservation, 3)
    assert level.available == 0
    with pytest.raises(InsufficientStock):
        apply_movement(level, MovementKind.reservation, 1)
    with pytest.raises(InsufficientStock):
        apply_movement(level, MovementKind.adjustment, -1)
    with pytest.raises(InvalidMovement):
        apply_movement(level, MovementKind.release, 4)
    assert apply_movement(level, MovementKind.shipment, 2) == Level(1, 1)


@settings(max_examples=200, deadline=None)
@given(
    stock=st.dictionaries(
        st.sampled_from(["A", "B", "C"]),
        st.dictionaries(st.sampled_from(["tent", "mug", "stove"]), st.integers(0, 6), max_size=3),
        max_size=3,
    ),
    wanted=st.lists(
        st.tuples(st.sampled_from(["tent", "mug", "stove"]), st.integers(1, 8)), min_size=1, max_size=4
    ),
)
def test_allocation_never_takes_more_than_is_there_and_accounts_for_every_unit(stock, wanted) -> None:
    order = needs(*wanted)
    allocation = allocate(order, stock, ["A", "B", "C"])
    taken: dict[tuple[str, str], int] = {}
    for a in allocation.assignments:
        taken[(a.warehouse, a.sku)] = taken.get((a.warehouse, a.sku), 0) + a.quantity
    assert all(qty <= stock[w].get(sku, 0) for (w, sku), qty in taken.items())
    for need in order:
        got = sum(a.quantity for a in allocation.assignments if a.line_id == need.line_id)
        missing = sum(b.quantity for b in allocation.backordered if b.line_id == need.line_id)
        assert got + missing == need.quantity
    # Backorders only where the warehouses together really lack the units.
    for b in allocation.backordered:
        left = sum(stock[w].get(b.sku, 0) for w in stock) - sum(
            qty for (w, sku), qty in taken.items() if sku == b.sku
        )
        assert left == 0


operations = st.lists(
    st.tuples(st.sampled_from(list(MovementKind)), st.integers(-5, 8)),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_a_level_always_equals_its_ledger_and_never_goes_negative(ops) -> None:
    level = Level(0, 0)
    ledger: list[tuple[int, int]] = []
    for kind, qty in ops:
        try:
            after = apply_movement(level, kind, qty)
        except (InsufficientStock, InvalidMovement):
            continue
        delta = movement_delta(kind, qty)
        ledger.append((delta.on_hand, delta.reserved))
        level = after
        assert 0 <= level.reserved <= level.on_hand
    assert level == Level(sum(d[0] for d in ledger), sum(d[1] for d in ledger))
    released = apply_movement(level, MovementKind.release, level.reserved) if level.reserved else level
    assert released.available == level.on_hand


def test_pick_list_walks_by_location_and_names_the_orders() -> None:
    from ordertrack.inventory.rules import HeldUnits, pick_list

    lines = pick_list(
        [
            HeldUnits("MUG", "B-02", "ord_2", 1),
            HeldUnits("TENT", "A-01", "ord_1", 2),
            HeldUnits("TENT", "A-01", "ord_2", 1),
            HeldUnits("STOVE", None, "ord_3", 1),
            HeldUnits("LAMP", "A-03", "ord_3", 0),
        ],
        {"ord_1": "1001", "ord_2": "1002", "ord_3": "1003"},
    )
    assert [(line.sku, line.location, line.quantity) for line in lines] == [
        ("TENT", "A-01", 3),
        ("MUG", "B-02", 1),
        ("STOVE", None, 1),
    ]
    assert lines[0].orders == (("ord_1", "1001", 2), ("ord_2", "1002", 1))
