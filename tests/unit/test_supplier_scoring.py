"""Supplier performance and reorder arithmetic, pure: on-time, lead time, fill and discrepancy
rates, and when a SKU runs out and how much to order, from plain facts."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ordertrack.suppliers.calendar import SupplierCalendar
from ordertrack.suppliers.replenishment import REVIEW_DAYS, SAFETY_DAYS, StockPosition, advise
from ordertrack.suppliers.scoring import (
    MIN_LEAD_TIME_SAMPLES,
    LineOutcome,
    PurchaseOutcome,
    discrepancy_rate,
    fill_rate,
    lead_time_samples,
    learn_lead_time,
    nearest_rank,
    on_time_rate,
    scorecard,
)

MONDAY = date(2026, 3, 2)
TODAY = date(2026, 6, 1)
WEEKDAYS = SupplierCalendar("ZZ")  # unknown country: weekends only


def order(**kw: object) -> PurchaseOutcome:
    facts: dict[str, object] = {
        "sent_on": MONDAY,
        "promised_arrival": MONDAY + timedelta(days=14),
        "first_arrival": None,
        "last_arrival": None,
        "closed": False,
        "lines": (),
    }
    facts.update(kw)
    return PurchaseOutcome(**facts)  # type: ignore[arg-type]


def test_closed_order_arriving_on_its_promised_day_is_on_time() -> None:
    promised = MONDAY + timedelta(days=14)
    rate = on_time_rate([order(closed=True, first_arrival=promised, last_arrival=promised)], TODAY)
    assert (rate.numerator, rate.denominator) == (1, 1)


def test_last_unit_after_the_promise_makes_the_order_late() -> None:
    promised = MONDAY + timedelta(days=14)
    late = order(closed=True, first_arrival=promised, last_arrival=promised + timedelta(days=1))
    assert on_time_rate([late], TODAY).value == 0


def test_open_order_past_its_promise_counts_as_late_and_one_before_it_is_not_measured() -> None:
    overdue = order(promised_arrival=TODAY - timedelta(days=1))
    pending = order(promised_arrival=TODAY + timedelta(days=3))
    unpromised = order(promised_arrival=None, closed=True)
    rate = on_time_rate([overdue, pending, unpromised], TODAY)
    assert (rate.numerator, rate.denominator) == (0, 1)


def test_fill_rate_counts_short_closed_and_damaged_against_and_caps_over_receipts() -> None:
    lines = (
        LineOutcome(ordered=100, received=98, damaged=2),
        LineOutcome(ordered=50, received=30, short_closed=True),
        LineOutcome(ordered=10, received=15),
    )
    rate = fill_rate([order(closed=True, lines=lines), order(closed=False, lines=lines)])
    assert (rate.numerator, rate.denominator) == (98 + 30 + 10, 160)


def test_discrepancy_rate_counts_over_damaged_and_short_lines_of_counted_lines() -> None:
    lines = (
        LineOutcome(ordered=10, received=10),  # clean
        LineOutcome(ordered=10, received=9, damaged=1),  # damaged
        LineOutcome(ordered=10, received=12),  # over
        LineOutcome(ordered=10, confirmed=8, received=8),  # as confirmed: clean
        LineOutcome(ordered=10, received=5, short_closed=True),  # short
        LineOutcome(ordered=10),  # nothing counted: not in the rate
    )
    rate = discrepancy_rate([order(closed=True, lines=lines)])
    assert (rate.numerator, rate.denominator) == (3, 5)


def test_a_line_still_arriving_is_not_short_yet() -> None:
    rate = discrepancy_rate([order(closed=False, lines=(LineOutcome(ordered=10, received=4),))])
    assert (rate.numerator, rate.denominator) == (0, 1)


def test_lead_time_is_counted_in_business_days_of_the_supplier_calendar() -> None:
    # Sent on a Monday, arrived the Monday two weeks later: 10 business days.
    outcome = order(first_arrival=MONDAY + timedelta(days=14))
    assert lead_time_samples([outcome], WEEKDAYS.business_days_between) == [10]
    # In Germany, Good Friday and Easter Monday 2026 (April 3 and 6) are not working days.
    german = SupplierCalendar("DE")
    sent = date(2026, 3, 30)
    assert german.business_days_between(sent, sent + timedelta(days=14)) == 8


def test_too_few_orders_fall_back_to_the_stated_lead_time_and_say_so() -> None:
    lead = learn_lead_time([3] * (MIN_LEAD_TIME_SAMPLES - 1), 12)
    assert (lead.p50_days, lead.p90_days, lead.basis, lead.samples) == (12, 12, "default", 2)


def test_learned_lead_time_takes_p50_and_p90_by_nearest_rank() -> None:
    lead = learn_lead_time([5, 7, 6, 20, 8, 6, 7, 9, 6, 10], 30)
    assert (lead.p50_days, lead.p90_days, lead.basis, lead.samples) == (7, 10, "learned", 10)


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_percentiles_are_observed_values_in_order(values: list[int]) -> None:
    p50, p90 = nearest_rank(values, 50), nearest_rank(values, 90)
    assert p50 in values and p90 in values
    assert min(values) <= p50 <= p90 <= max(values)


line_outcomes = st.builds(
    LineOutcome,
    ordered=st.integers(1, 500),
    confirmed=st.none() | st.integers(1, 500),
    received=st.integers(0, 600),
    damaged=st.integers(0, 50),
    short_closed=st.booleans(),
)


@given(st.lists(st.tuples(st.booleans(), st.lists(line_outcomes, max_size=5)), max_size=8))
def test_rates_stay_between_zero_and_one(orders: list[tuple[bool, list[LineOutcome]]]) -> None:
    outcomes = [order(closed=closed, lines=tuple(lines)) for closed, lines in orders]
    card = scorecard(
        outcomes, today=TODAY, default_lead_time_days=10, business_days_between=WEEKDAYS.business_days_between
    )
    for rate in (card.fill, card.discrepancy, card.on_time):
        assert 0 <= rate.numerator <= rate.denominator
        assert rate.value is None or 0 <= rate.value <= 1


@given(st.integers(0, 120), st.integers(0, 20))
def test_add_business_days_inverts_business_days_between(n: int, offset: int) -> None:
    start = MONDAY + timedelta(days=offset)
    end = WEEKDAYS.add_business_days(start, n)
    assert WEEKDAYS.is_business_day(end)
    if n > 0:
        assert WEEKDAYS.business_days_between(start, end) == n


# --- reorder arithmetic -----------------------------------------------------------------------


def position(**kw: object) -> StockPosition:
    facts: dict[str, object] = {
        "on_hand": 30,
        "reserved": 0,
        "backordered": 0,
        "shipped_recently": 4 * 28,
        "inbound": 0,
        "next_inbound_on": None,
    }
    facts.update(kw)
    return StockPosition(**facts)  # type: ignore[arg-type]


def test_the_documented_example_suggests_82_units() -> None:
    advice = advise(position(), today=TODAY, lead_days=14)
    assert advice.daily_rate == 4 and advice.days_of_cover == 7.5
    assert advice.runs_out_on == TODAY + timedelta(days=7) and advice.runs_out_before_inbound
    assert (advice.order_up_to, advice.suggested_quantity) == (112, 82)


def test_stock_on_the_way_in_time_is_not_suggested_again() -> None:
    arriving = position(inbound=90, next_inbound_on=TODAY + timedelta(days=5))
    advice = advise(arriving, today=TODAY, lead_days=14)
    assert not advice.runs_out_before_inbound and advice.suggested_quantity == 0


def test_an_inbound_arriving_after_the_shelf_is_empty_is_flagged() -> None:
    late = position(inbound=200, next_inbound_on=TODAY + timedelta(days=20))
    advice = advise(late, today=TODAY, lead_days=14)
    assert advice.runs_out_before_inbound and advice.suggested_quantity == 0


def test_backorders_are_covered_even_when_nothing_sells() -> None:
    advice = advise(position(on_hand=0, shipped_recently=0, backordered=5), today=TODAY, lead_days=14)
    assert advice.available == -5 and advice.runs_out_on == TODAY
    assert advice.suggested_quantity == 5


def test_a_sku_that_does_not_sell_never_runs_out() -> None:
    advice = advise(position(shipped_recently=0), today=TODAY, lead_days=14)
    assert advice.runs_out_on is None and advice.days_of_cover is None
    assert not advice.runs_out_before_inbound and advice.suggested_quantity == 0


@given(
    st.integers(0, 10_000),
    st.integers(0, 500),
    st.integers(0, 300),
    st.integers(0, 5_000),
    st.integers(0, 60),
    st.integers(0, 200),
)
def test_a_suggestion_tops_up_to_the_target_and_never_below_zero(
    on_hand: int, reserved: int, backordered: int, shipped: int, lead_days: int, inbound: int
) -> None:
    reserved = min(reserved, on_hand)
    facts = position(
        on_hand=on_hand, reserved=reserved, backordered=backordered, shipped_recently=shipped, inbound=inbound
    )
    advice = advise(facts, today=TODAY, lead_days=lead_days)
    assert advice.suggested_quantity >= 0
    assert advice.order_up_to >= advice.daily_rate * (lead_days + REVIEW_DAYS + SAFETY_DAYS) - 1e-9
    if advice.suggested_quantity > 0:
        # Ordering it brings stock and inbound exactly to the target.
        assert advice.available + inbound + advice.suggested_quantity == advice.order_up_to
    else:
        assert advice.available + inbound >= advice.order_up_to


outcomes = st.builds(
    PurchaseOutcome,
    sent_on=st.dates(date(2026, 1, 1), date(2026, 3, 1)),
    promised_arrival=st.none() | st.dates(date(2026, 2, 1), date(2026, 7, 1)),
    first_arrival=st.none() | st.dates(date(2026, 1, 1), date(2026, 7, 1)),
    last_arrival=st.none() | st.dates(date(2026, 1, 1), date(2026, 7, 1)),
    closed=st.booleans(),
    lines=st.lists(line_outcomes, max_size=4).map(tuple),
)


@given(st.lists(outcomes, max_size=10), st.randoms())
def test_the_scorecard_does_not_depend_on_the_order_of_the_orders(
    found: list[PurchaseOutcome], shuffle: object
) -> None:
    def card(items: list[PurchaseOutcome]) -> object:
        return scorecard(
            items,
            today=TODAY,
            default_lead_time_days=10,
            business_days_between=WEEKDAYS.business_days_between,
        )

    shuffled = list(found)
    shuffle.shuffle(shuffled)  # type: ignore[attr-defined]
    assert card(shuffled) == card(found)
