"""Making a shipment: which order lines it carries, what each parcel holds, which numbers may
not be used again. Pure rules, shared by the shipping use case and the bulk loader."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.shipments.rules import (
    Allotted,
    OverShipment,
    SkuNotInOrder,
    allocate,
    boxes,
    number_in_flight,
    pack,
    recycled_after,
    remaining_quantities,
    requested_lines,
)
from ordertrack.shipments.schemas import ParcelIn, ShipmentIn, ShipmentLineIn


class Line(NamedTuple):
    id: str
    sku: str
    quantity: int


LINES = [Line("l1", "TENT", 2), Line("l2", "MUG", 1), Line("l3", "TENT", 3)]
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def want(sku: str, quantity: int) -> ShipmentLineIn:
    return ShipmentLineIn(sku=sku, quantity=quantity)


def test_without_lines_a_shipment_takes_all_that_is_left() -> None:
    remaining = remaining_quantities(LINES, {"l1": 2, "l3": 1})
    assert allocate(LINES, remaining, None) == [Allotted("l2", "MUG", 1), Allotted("l3", "TENT", 2)]


def test_a_sku_on_two_lines_is_taken_from_the_first_line_with_units_left() -> None:
    remaining = remaining_quantities(LINES, {"l1": 1})
    assert allocate(LINES, remaining, [want("TENT", 3)]) == [
        Allotted("l1", "TENT", 1),
        Allotted("l3", "TENT", 2),
    ]


def test_asking_twice_for_a_sku_merges_into_one_line() -> None:
    remaining = remaining_quantities(LINES, {})
    assert allocate(LINES, remaining, [want("MUG", 1), want("TENT", 1), want("TENT", 1)]) == [
        Allotted("l2", "MUG", 1),
        Allotted("l1", "TENT", 2),
    ]


def test_shipping_more_than_is_left_is_refused_with_what_is_left() -> None:
    remaining = remaining_quantities(LINES, {"l1": 2, "l3": 2})
    with pytest.raises(OverShipment) as refused:
        allocate(LINES, remaining, [want("TENT", 2)])
    assert refused.value.details == {"sku": "TENT", "requested": 2, "available": 1}


def test_an_order_shipped_in_full_cannot_ship_again() -> None:
    with pytest.raises(OverShipment):
        allocate(LINES, remaining_quantities(LINES, {"l1": 2, "l2": 1, "l3": 3}), None)


def test_a_sku_not_on_the_order_is_refused() -> None:
    with pytest.raises(SkuNotInOrder):
        allocate(LINES, remaining_quantities(LINES, {}), [want("KAYAK", 1)])


def test_the_parcels_stated_contents_are_the_lines_asked_for() -> None:
    data = ShipmentIn(
        carrier="ups",
        parcels=[
            ParcelIn(tracking_number="1Z0000000000000001", contents=[want("TENT", 1)]),
            ParcelIn(tracking_number="1Z0000000000000002", contents=[want("TENT", 1), want("MUG", 1)]),
        ],
    )
    assert Counter({w.sku: w.quantity for w in requested_lines(data) or []}) == Counter(TENT=2, MUG=1)
    assert [b.tracking_number for b in boxes(data)] == ["1Z0000000000000001", "1Z0000000000000002"]


def test_a_shipment_without_parcels_is_one_parcel_with_its_number() -> None:
    data = ShipmentIn(carrier="ups", tracking_number="1Z0000000000000001")
    assert requested_lines(data) is None
    assert [b.tracking_number for b in boxes(data)] == ["1Z0000000000000001"]


def test_a_lone_parcel_without_contents_holds_the_whole_shipment() -> None:
    allocation = [Allotted("l1", "TENT", 2), Allotted("l2", "MUG", 1)]
    assert pack(allocation, [ParcelIn(tracking_number="AB1")]) == [allocation]


def test_several_parcels_without_contents_stay_unitemised() -> None:
    allocation = [Allotted("l1", "TENT", 2)]
    assert pack(allocation, [ParcelIn(tracking_number="AB1"), ParcelIn(tracking_number="AB2")]) == [[], []]


def test_stated_contents_spread_over_the_lines_in_order() -> None:
    allocation = [Allotted("l1", "TENT", 1), Allotted("l3", "TENT", 2)]
    parcels = [ParcelIn(contents=[want("TENT", 2)]), ParcelIn(contents=[want("TENT", 1)])]
    assert pack(allocation, parcels) == [
        [Allotted("l1", "TENT", 1), Allotted("l3", "TENT", 1)],
        [Allotted("l3", "TENT", 1)],
    ]


def test_a_recent_number_still_travelling_is_in_flight() -> None:
    since = recycled_after(NOW, timedelta(days=60))
    assert number_in_flight(NOW - timedelta(days=59), "in_transit", since=since)
    assert not number_in_flight(NOW - timedelta(days=59), "delivered", since=since)
    assert not number_in_flight(NOW - timedelta(days=59), "returned", since=since)
    assert not number_in_flight(NOW - timedelta(days=61), "in_transit", since=since)


# --- properties -----------------------------------------------------------------------------

SKUS = st.sampled_from(["TENT", "MUG", "MAP"])


@st.composite
def orders(draw: st.DrawFn) -> tuple[list[Line], dict[str, int]]:
    """An order's lines and what has already shipped of each (never more than ordered)."""
    count = draw(st.integers(1, 5))
    lines = [Line(f"l{i}", draw(SKUS), draw(st.integers(1, 6))) for i in range(count)]
    shipped = {line.id: draw(st.integers(0, line.quantity)) for line in lines}
    return lines, shipped


wanted_lines = st.none() | st.lists(st.builds(want, SKUS, st.integers(1, 8)), min_size=1, max_size=4)


@given(orders(), wanted_lines)
def test_allocation_never_exceeds_what_is_left_of_any_line(
    order: tuple[list[Line], dict[str, int]], wanted: list[ShipmentLineIn] | None
) -> None:
    lines, shipped = order
    remaining = remaining_quantities(lines, shipped)
    try:
        allocation = allocate(lines, remaining, wanted)
    except (OverShipment, SkuNotInOrder):
        return
    taken: Counter[str] = Counter()
    for line_id, _sku, qty in allocation:
        assert qty > 0
        taken[line_id] += qty
    assert all(taken[line_id] <= remaining[line_id] for line_id in taken)
    sku_of = {line.id: line.sku for line in lines}
    assert all(sku_of[line_id] == sku for line_id, sku, _qty in allocation)


@given(orders(), wanted_lines)
def test_allocation_gives_exactly_what_was_asked_or_refuses(
    order: tuple[list[Line], dict[str, int]], wanted: list[ShipmentLineIn] | None
) -> None:
    lines, shipped = order
    remaining = remaining_quantities(lines, shipped)
    left_by_sku: Counter[str] = Counter()
    for line in lines:
        left_by_sku[line.sku] += remaining[line.id]
    asked: Counter[str] = Counter()
    for w in wanted or []:
        asked[w.sku] += w.quantity
    skus = {line.sku for line in lines}
    if wanted is None:
        expected = +left_by_sku
    elif any(sku not in skus for sku in asked) or any(asked[s] > left_by_sku[s] for s in asked):
        with pytest.raises((OverShipment, SkuNotInOrder)):
            allocate(lines, remaining, wanted)
        return
    else:
        expected = asked
    if not expected:
        with pytest.raises(OverShipment):
            allocate(lines, remaining, wanted)
        return
    got: Counter[str] = Counter()
    for _line_id, sku, qty in allocate(lines, remaining, wanted):
        got[sku] += qty
    assert got == expected


@given(orders(), st.lists(st.integers(1, 3), min_size=1, max_size=4))
def test_packing_stated_contents_puts_every_allotted_unit_in_exactly_one_parcel(
    order: tuple[list[Line], dict[str, int]], split: list[int]
) -> None:
    lines, shipped = order
    remaining = remaining_quantities(lines, shipped)
    try:
        allocation = allocate(lines, remaining, None)
    except OverShipment:
        return
    # Deal the shipment's units out to the parcels round-robin, as a packer might.
    units = [sku for _line_id, sku, qty in allocation for _ in range(qty)]
    contents: list[Counter[str]] = [Counter() for _ in split]
    for index, sku in enumerate(units):
        contents[index % len(split)][sku] += 1
    parcels = [ParcelIn(contents=[want(s, q) for s, q in c.items()]) for c in contents if c]
    packed = pack(allocation, parcels)
    per_line: Counter[str] = Counter()
    for items, stated in zip(packed, (c for c in contents if c), strict=True):
        held: Counter[str] = Counter()
        for line_id, sku, qty in items:
            per_line[line_id] += qty
            held[sku] += qty
        assert held == stated
    assert per_line == Counter({line_id: qty for line_id, _sku, qty in allocation})
