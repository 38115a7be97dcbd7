"""A purchase order's status is derived from its facts, and each action has its allowed states."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.suppliers.rules import (
    ALLOWED_ACTIONS,
    CancelInstead,
    LineAlreadyClosed,
    PromiseInThePast,
    PromiseOutOfOrder,
    PurchaseLineFacts,
    PurchaseOrderFacts,
    PurchaseOrderStatus,
    PurchaseOrderTransitionRefused,
    check_action,
    check_promised_dates,
    check_short_close,
    derive_purchase_order_status,
)

S = PurchaseOrderStatus


def status(
    *lines: PurchaseLineFacts, sent: bool = True, confirmed: bool = True, cancelled: bool = False
) -> S:
    return derive_purchase_order_status(PurchaseOrderFacts(sent, confirmed, cancelled, lines))


def test_an_unsent_order_is_a_draft() -> None:
    assert status(PurchaseLineFacts(10), sent=False, confirmed=False) == S.draft


def test_a_sent_order_awaits_the_suppliers_confirmation() -> None:
    assert status(PurchaseLineFacts(10), confirmed=False) == S.sent


def test_a_confirmed_order_with_nothing_moving_is_confirmed() -> None:
    assert status(PurchaseLineFacts(10, confirmed=8)) == S.confirmed


def test_some_units_shipped_is_partially_shipped() -> None:
    assert status(PurchaseLineFacts(10, shipped=4), PurchaseLineFacts(5)) == S.partially_shipped


def test_every_expected_unit_shipped_is_shipped() -> None:
    assert status(PurchaseLineFacts(10, shipped=10), PurchaseLineFacts(5, shipped=5)) == S.shipped


def test_shipped_is_measured_against_the_suppliers_confirmed_quantity() -> None:
    assert status(PurchaseLineFacts(10, confirmed=6, shipped=6)) == S.shipped
    assert status(PurchaseLineFacts(10, confirmed=12, shipped=10)) == S.partially_shipped


def test_some_units_received_is_partially_received() -> None:
    assert (
        status(PurchaseLineFacts(10, shipped=10, received=3), PurchaseLineFacts(5, shipped=5))
        == S.partially_received
    )


def test_every_expected_unit_received_is_received() -> None:
    assert (
        status(PurchaseLineFacts(10, shipped=10, received=10), PurchaseLineFacts(5, shipped=5, received=6))
        == S.received
    )


def test_units_received_without_a_declared_shipment_count_as_shipped_and_received() -> None:
    assert status(PurchaseLineFacts(10, received=10)) == S.received
    assert status(PurchaseLineFacts(10, received=4)) == S.partially_received


def test_a_short_closed_line_counts_as_complete() -> None:
    short = PurchaseLineFacts(10, shipped=7, received=7, short_closed=True)
    assert status(short, PurchaseLineFacts(5, shipped=5, received=5)) == S.received
    assert (
        status(PurchaseLineFacts(10, shipped=7, short_closed=True), PurchaseLineFacts(5, shipped=5))
        == S.shipped
    )
    assert (
        status(PurchaseLineFacts(10, short_closed=True), PurchaseLineFacts(5, shipped=2))
        == S.partially_shipped
    )


def test_a_short_closed_line_alone_does_not_make_anything_arrive() -> None:
    assert status(PurchaseLineFacts(10, short_closed=True), PurchaseLineFacts(5)) == S.confirmed


def test_cancelled_wins_over_every_other_fact() -> None:
    assert status(PurchaseLineFacts(10), sent=False, cancelled=True) == S.cancelled
    assert status(PurchaseLineFacts(10), cancelled=True) == S.cancelled


lines = st.lists(
    st.builds(
        PurchaseLineFacts,
        ordered=st.integers(1, 50),
        confirmed=st.none() | st.integers(1, 50),
        shipped=st.integers(0, 60),
        received=st.integers(0, 60),
        short_closed=st.booleans(),
    ),
    min_size=1,
    max_size=5,
)


@given(lines, st.booleans(), st.booleans(), st.booleans())
def test_the_status_is_the_same_whatever_the_order_of_the_lines(
    facts: list[PurchaseLineFacts], sent: bool, confirmed: bool, cancelled: bool
) -> None:
    forward = status(*facts, sent=sent, confirmed=confirmed, cancelled=cancelled)
    assert status(*reversed(facts), sent=sent, confirmed=confirmed, cancelled=cancelled) == forward


@given(lines)
def test_receiving_more_never_moves_the_status_back(facts: list[PurchaseLineFacts]) -> None:
    order = list(S)
    before = status(*facts)
    more = [
        PurchaseLineFacts(f.ordered, f.confirmed, f.shipped, f.received + 1, f.short_closed) for f in facts
    ]
    assert order.index(status(*more)) >= order.index(before)


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("send", {S.draft}),
        ("confirm", {S.sent, S.confirmed}),
        ("cancel", {S.draft, S.sent, S.confirmed}),
        (
            "short-close a line of",
            {S.sent, S.confirmed, S.partially_shipped, S.shipped, S.partially_received},
        ),
    ],
)
def test_each_action_is_allowed_in_its_states_only(action: str, allowed: set[S]) -> None:
    assert ALLOWED_ACTIONS[action] == allowed
    for state in S:
        if state in allowed:
            check_action(action, state)
        else:
            with pytest.raises(PurchaseOrderTransitionRefused) as refused:
                check_action(action, state)
            assert refused.value.code == "invalid_purchase_order_transition"
            assert state.value in refused.value.message


def test_short_closing_a_complete_line_is_refused() -> None:
    with pytest.raises(LineAlreadyClosed):
        check_short_close([PurchaseLineFacts(5, received=5), PurchaseLineFacts(5)], 0)
    with pytest.raises(LineAlreadyClosed):
        check_short_close([PurchaseLineFacts(5, short_closed=True), PurchaseLineFacts(5)], 0)


def test_short_closing_the_last_open_line_of_an_order_nothing_shipped_on_says_cancel() -> None:
    with pytest.raises(CancelInstead):
        check_short_close([PurchaseLineFacts(5)], 0)
    with pytest.raises(CancelInstead):
        check_short_close([PurchaseLineFacts(5, short_closed=True), PurchaseLineFacts(5)], 1)
    check_short_close([PurchaseLineFacts(5, shipped=2)], 0)
    check_short_close([PurchaseLineFacts(5), PurchaseLineFacts(5)], 0)


def test_promised_dates_may_not_be_in_the_past_nor_out_of_order() -> None:
    today = date(2026, 12, 7)
    check_promised_dates(today, today, today)
    check_promised_dates(None, None, today)
    with pytest.raises(PromiseInThePast):
        check_promised_dates(date(2026, 12, 6), None, today)
    with pytest.raises(PromiseInThePast):
        check_promised_dates(None, date(2026, 12, 6), today)
    with pytest.raises(PromiseOutOfOrder):
        check_promised_dates(date(2026, 12, 10), date(2026, 12, 9), today)
