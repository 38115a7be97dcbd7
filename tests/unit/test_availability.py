"""Available to promise as pure arithmetic: the inbound schedule of PO lines and ASNs, and the
allocation of inbound to backordered order lines, with its invariants as properties."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.suppliers.availability import (
    Inbound,
    OpenLine,
    ShelfStock,
    ShippedPart,
    Waiting,
    allocate,
    availability,
    inbound_units,
    order_arrivals,
)

DAY = date(2026, 12, 7)


def line(
    line_id: str = "pl1", expected: int = 100, received: int = 0, damaged: int = 0, **kw: object
) -> OpenLine:
    values: dict[str, object] = dict(
        purchase_order_id="po1",
        purchase_order_line_id=line_id,
        warehouse_id="w1",
        sku="TENT",
        expected=expected,
        received=received,
        damaged=damaged,
        short_closed=False,
        unshipped_arrive_on=DAY + timedelta(days=20),
    )
    values.update(kw)
    return OpenLine(**values)  # type: ignore[arg-type]


def part(
    asn: str, quantity: int, days: int, line_id: str = "pl1", received: int = 0, damaged: int = 0
) -> ShippedPart:
    return ShippedPart(asn, line_id, quantity, received, damaged, DAY + timedelta(days=days))


def wait(order: str, quantity: int, hour: int, sku: str = "TENT") -> Waiting:
    return Waiting(order, f"{order}-l", sku, quantity, datetime(2026, 12, 1, hour, tzinfo=UTC))


def test_asn_units_arrive_with_their_asn_and_the_rest_on_the_lines_own_date() -> None:
    found = inbound_units([line()], [part("asn2", 40, 5), part("asn1", 50, 3)])
    assert [(i.inbound_shipment_id, i.quantity, i.arrive_on) for i in found] == [
        ("asn1", 50, DAY + timedelta(days=3)),
        ("asn2", 40, DAY + timedelta(days=5)),
        (None, 10, DAY + timedelta(days=20)),
    ]


def test_received_damaged_and_short_closed_units_are_not_expected_again() -> None:
    found = inbound_units(
        [line(received=48, damaged=2)], [part("asn1", 50, 3, received=48, damaged=2), part("asn2", 50, 5)]
    )
    assert [(i.inbound_shipment_id, i.quantity) for i in found] == [("asn2", 50)]
    assert inbound_units([line(short_closed=True)], [part("asn1", 50, 3)]) == []


def test_an_over_receipt_leaves_nothing_open_and_nothing_negative() -> None:
    assert inbound_units([line(expected=10, received=12)], [part("asn1", 12, 1, received=12)]) == []


def test_backorders_take_the_earliest_inbound_oldest_order_first() -> None:
    inbound = inbound_units([line()], [part("asn1", 50, 3), part("asn2", 50, 5)])
    covers = allocate([wait("o3", 20, 12), wait("o1", 20, 10), wait("o2", 20, 11)], inbound)
    assert covers["o1-l"].arrive_on == DAY + timedelta(days=3)
    assert covers["o2-l"].arrive_on == DAY + timedelta(days=3)
    # o3 takes the last 10 of asn1 and 10 of asn2: ready when the later one arrives.
    assert [(s.inbound_shipment_id, s.quantity) for s in covers["o3-l"].sources] == [
        ("asn1", 10),
        ("asn2", 10),
    ]
    assert covers["o3-l"].arrive_on == DAY + timedelta(days=5)


def test_a_delayed_asn_moves_who_waits_for_what() -> None:
    inbound = inbound_units([line()], [part("asn1", 50, 9), part("asn2", 50, 5)])
    covers = allocate([wait("o1", 20, 10), wait("o2", 20, 11), wait("o3", 20, 12)], inbound)
    assert [covers[f"o{i}-l"].arrive_on for i in (1, 2, 3)] == [
        DAY + timedelta(days=5),
        DAY + timedelta(days=5),
        DAY + timedelta(days=9),
    ]


def test_free_stock_comes_before_inbound_and_nothing_covers_the_rest() -> None:
    inbound = [Inbound(DAY, "w1", "TENT", 5, "po1", "pl1", None)]
    covers = allocate(
        [wait("o1", 3, 10), wait("o2", 4, 11), wait("o3", 9, 12)], inbound, [ShelfStock("w1", "TENT", 5, 3)]
    )
    assert covers["o1-l"].sources[0].arrive_on is None  # the two free units, then inbound
    assert covers["o1-l"].arrive_on == DAY
    assert covers["o2-l"].arrive_on == DAY
    assert covers["o3-l"].uncovered == 9 and covers["o3-l"].arrive_on is None
    assert order_arrivals(covers.values())["o3"] == (None, False)


def test_what_a_new_order_can_be_promised_comes_after_the_backorders() -> None:
    inbound = [
        Inbound(DAY, "w1", "TENT", 10, "po1", "pl1", None),
        Inbound(DAY + timedelta(days=4), "w1", "TENT", 10, "po1", "pl1", "a"),
    ]
    found = availability("TENT", [ShelfStock("w1", "TENT", 3, 3)], inbound, backordered=12)
    assert (found.on_hand, found.reserved, found.available, found.backordered, found.inbound_total) == (
        3,
        3,
        0,
        12,
        20,
    )
    assert found.free_by() == ((DAY + timedelta(days=4), 8),)
    assert found.ready_on(8) == DAY + timedelta(days=4)
    assert found.ready_on(9) is None


# --- properties --------------------------------------------------------------------------------

inbound_strategy = st.lists(
    st.builds(
        Inbound,
        arrive_on=st.dates(DAY, DAY + timedelta(days=30)),
        warehouse_id=st.sampled_from(["w1", "w2"]),
        sku=st.sampled_from(["A", "B"]),
        quantity=st.integers(0, 30),
        purchase_order_id=st.sampled_from(["po1", "po2"]),
        purchase_order_line_id=st.sampled_from(["l1", "l2", "l3"]),
        inbound_shipment_id=st.sampled_from([None, "s1", "s2"]),
    ),
    max_size=8,
    unique_by=lambda i: (i.purchase_order_line_id, i.inbound_shipment_id, i.warehouse_id, i.sku),
)
waiting_strategy = st.lists(
    st.builds(
        Waiting,
        order_id=st.sampled_from(["o1", "o2", "o3", "o4"]),
        order_line_id=st.uuids().map(str),
        sku=st.sampled_from(["A", "B"]),
        quantity=st.integers(1, 25),
        placed_at=st.datetimes(datetime(2026, 11, 1), datetime(2026, 12, 1), timezones=st.just(UTC)),
    ),
    max_size=8,
)
level_strategy = st.lists(
    st.builds(
        ShelfStock,
        warehouse_id=st.sampled_from(["w1", "w2"]),
        sku=st.sampled_from(["A", "B"]),
        on_hand=st.integers(0, 10),
        reserved=st.just(0),
    ),
    max_size=3,
    unique_by=lambda x: (x.warehouse_id, x.sku),
)


@settings(max_examples=200, deadline=None)
@given(waiting_strategy, inbound_strategy, level_strategy, st.randoms(use_true_random=False))
def test_allocation_is_a_function_of_the_facts_not_their_order(
    waiting, inbound, levels, rng: random.Random
) -> None:
    first = allocate(waiting, inbound, levels)
    shuffled_waiting, shuffled_inbound, shuffled_levels = list(waiting), list(inbound), list(levels)
    for items in (shuffled_waiting, shuffled_inbound, shuffled_levels):
        rng.shuffle(items)
    assert allocate(shuffled_waiting, shuffled_inbound, shuffled_levels) == first


@settings(max_examples=200, deadline=None)
@given(waiting_strategy, inbound_strategy, level_strategy)
def test_allocation_sums_and_never_goes_negative(waiting, inbound, levels) -> None:
    covers = allocate(waiting, inbound, levels)
    for sku in ("A", "B"):
        supply = sum(i.quantity for i in inbound if i.sku == sku) + sum(
            x.on_hand - x.reserved for x in levels if x.sku == sku
        )
        demand = sum(w.quantity for w in waiting if w.sku == sku)
        given_out = sum(s.quantity for c in covers.values() if c.waiting.sku == sku for s in c.sources)
        short = sum(c.uncovered for c in covers.values() if c.waiting.sku == sku)
        assert given_out == min(supply, demand)
        assert given_out + short == demand
    for cover in covers.values():
        assert cover.uncovered >= 0 and all(s.quantity > 0 for s in cover.sources)
        assert sum(s.quantity for s in cover.sources) + cover.uncovered == cover.waiting.quantity


@settings(max_examples=200, deadline=None)
@given(waiting_strategy, inbound_strategy)
def test_an_older_order_never_waits_longer_than_a_newer_one_for_the_same_sku(waiting, inbound) -> None:
    covers = allocate(waiting, inbound)
    for sku in ("A", "B"):
        queue = sorted(
            (c for c in covers.values() if c.waiting.sku == sku),
            key=lambda c: (c.waiting.placed_at, c.waiting.order_id, c.waiting.order_line_id),
        )
        ready = [c.arrive_on if c.covered else date.max for c in queue]
        assert ready == sorted(ready)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 200),
    st.integers(0, 250),
    st.integers(0, 50),
    st.booleans(),
    st.lists(
        st.tuples(st.integers(1, 120), st.integers(0, 120), st.integers(0, 20), st.integers(0, 30)),
        max_size=4,
    ),
)
def test_the_schedule_never_expects_more_than_the_line_still_owes(
    expected, received, damaged, closed, parts
) -> None:
    open_line = line(expected=expected, received=received, damaged=damaged, short_closed=closed)
    shipped = [
        part(f"s{i}", q, d, received=min(r, q), damaged=min(x, q - min(r, q)))
        for i, (q, r, x, d) in enumerate(parts)
    ]
    found = inbound_units([open_line], shipped)
    owed = 0 if closed else max(0, expected - received - damaged)
    assert sum(i.quantity for i in found) == owed
    assert all(i.quantity > 0 for i in found)
    rng = random.Random(expected)
    again = list(shipped)
    rng.shuffle(again)
    assert inbound_units([open_line], again) == found


def test_a_revision_round_works_out_each_unshipped_estimate_once_and_keeps_nothing_after() -> None:
    from ordertrack.eta import estimating
    from ordertrack.eta.learning import TransitHistory
    from ordertrack.eta.places import origin_of, place

    origin = origin_of("US", "TX", "America/Chicago", "14:00", "1,2,3,4,5")
    where = place("US", "NY", "America/New_York")
    start, now, history = (
        datetime(2026, 12, 8, 6, tzinfo=UTC),
        datetime(2026, 12, 7, 12, tzinfo=UTC),
        TransitHistory(),
    )
    with estimating.same_answers():
        first = estimating.estimate_unshipped(start, origin, where, history, now)
        assert estimating.estimate_unshipped(start, origin, where, history, now) is first
    again = estimating.estimate_unshipped(start, origin, where, history, now)
    assert again == first and again is not first
