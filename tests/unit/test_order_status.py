"""Order status derivation from quantities and shipment states, and the action table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.orders.status import (
    InvalidTransition,
    OrderFacts,
    OrderStatus,
    ShipmentFacts,
    check_action,
    derive_order_status,
)

ORDERED = {"l1": 2, "l2": 1}


def derive(*shipments: ShipmentFacts, confirmed: bool = True, cancelled: bool = False) -> OrderStatus:
    return derive_order_status(OrderFacts(ORDERED, confirmed, cancelled, shipments)).status


def test_unconfirmed_order_is_pending() -> None:
    assert derive(confirmed=False) == "pending"


def test_confirmed_order_without_shipments_is_processing() -> None:
    assert derive() == "processing"


def test_order_is_partially_shipped_until_every_unit_ships() -> None:
    assert derive(ShipmentFacts("in_transit", {"l1": 2})) == "partially_shipped"
    assert derive(ShipmentFacts("in_transit", {"l1": 2}), ShipmentFacts("pending", {"l2": 1})) == "shipped"


def test_order_is_delivered_when_every_unit_is() -> None:
    one = ShipmentFacts("delivered", {"l1": 2})
    assert derive(one, ShipmentFacts("in_transit", {"l2": 1})) == "partially_delivered"
    assert derive(one, ShipmentFacts("delivered", {"l2": 1})) == "delivered"


def test_returns_are_counted_by_units() -> None:
    assert (
        derive(ShipmentFacts("returned", {"l1": 2}), ShipmentFacts("delivered", {"l2": 1}))
        == "partially_returned"
    )
    assert derive(ShipmentFacts("returned", {"l1": 2, "l2": 1})) == "returned"


def test_cancelled_wins_over_everything() -> None:
    assert derive(ShipmentFacts("delivered", {"l1": 2}), cancelled=True) == "cancelled"


def test_over_shipped_line_does_not_cover_another_line() -> None:
    assert derive(ShipmentFacts("delivered", {"l1": 5})) == "partially_delivered"


def test_cancel_after_shipping_is_an_invalid_transition() -> None:
    with pytest.raises(InvalidTransition) as caught:
        check_action("cancel", "shipped")
    assert caught.value.code == "invalid_transition"
    check_action("cancel", "processing")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["pending", "in_transit", "delivered", "returned", "exception"]),
            st.integers(0, 2),
            st.integers(0, 1),
        ),
        max_size=4,
    ),
    st.permutations([0, 1, 2, 3]),
)
def test_order_status_does_not_depend_on_shipment_order(
    shipments: list[tuple[str, int, int]], perm: list[int]
) -> None:
    facts = [ShipmentFacts(s, {"l1": a, "l2": b}) for s, a, b in shipments]
    shuffled = [facts[i] for i in perm if i < len(facts)]
    first = derive_order_status(OrderFacts(ORDERED, True, False, facts))
    assert derive_order_status(OrderFacts(ORDERED, True, False, shuffled)) == first
