"""The EDD engine: learned windows, cold start, the carrier's estimate, and coherent dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.eta.calendar import calendar_for
from ordertrack.eta.engine import EddInputs, EddPolicy, estimate
from ordertrack.eta.learning import Lane, TransitHistory
from ordertrack.eta.service_levels import service_transit_days

NEW_YORK = ZoneInfo("America/New_York")
LANE = Lane(carrier="ups", service="ground", origin="NY", destination="CA")


def inputs(**changes: object) -> EddInputs:
    base = {
        "moment": datetime(2024, 3, 5, 10, 0, tzinfo=NEW_YORK),  # a Tuesday morning
        "ordered_at": datetime(2024, 3, 5, 10, 0, tzinfo=NEW_YORK),
        "dispatched_at": None,
        "origin": calendar_for("US"),
        "destination": calendar_for("US"),
        "destination_timezone": "America/Los_Angeles",
        "lane": LANE,
        "warehouse_timezone": "America/New_York",
    }
    base.update(changes)
    return EddInputs(**base)  # type: ignore[arg-type]


def history_of(days: list[int], *, leg: str = "order") -> TransitHistory:
    history = TransitHistory(half_life_days=1000, min_weight=5)
    for i, transit in enumerate(days):
        history.add(LANE, datetime(2024, 2, 1, tzinfo=NEW_YORK) + timedelta(hours=i), transit, leg=leg)  # type: ignore[arg-type]
    return history


def test_cold_start_uses_the_advertised_service_level() -> None:
    result = estimate(inputs(), TransitHistory())
    fastest, slowest = service_transit_days("ups", "ground", international=False)
    us = calendar_for("US")
    assert result.earliest == us.add_business_days(date(2024, 3, 5), fastest)
    assert result.latest == us.add_business_days(
        date(2024, 3, 5), slowest + EddPolicy().cold_start_margin_days
    )
    assert "advertised" in result.reason


def test_learned_transit_sets_the_window_from_the_dispatch_day() -> None:
    result = estimate(inputs(), history_of([3] * 40), policy=EddPolicy())
    # Dispatched Tuesday 5 March before the cut-off; three business days later is Friday the 8th.
    assert result.earliest == result.most_likely == result.latest == date(2024, 3, 8)
    assert "learned from 40" in result.reason


def test_handoff_uses_the_handoff_leg_and_day() -> None:
    handoff = datetime(2024, 3, 7, 9, 0, tzinfo=NEW_YORK)
    history = history_of([1] * 40, leg="handoff")
    result = estimate(inputs(moment=handoff, dispatched_at=handoff), history)
    assert result.latest == date(2024, 3, 8)


def test_carrier_estimate_stands_in_when_nothing_is_learned() -> None:
    result = estimate(inputs(carrier_estimate=(date(2024, 3, 12), date(2024, 3, 11))), TransitHistory())
    assert (result.earliest, result.latest) == (date(2024, 3, 11), date(2024, 3, 12))


def test_carrier_weight_pulls_the_latest_day_towards_the_carrier() -> None:
    promise = (date(2024, 3, 18), date(2024, 3, 18))
    alone = estimate(
        inputs(carrier_estimate=promise), history_of([3] * 40), policy=EddPolicy(carrier_weight=0)
    )
    blended = estimate(
        inputs(carrier_estimate=promise), history_of([3] * 40), policy=EddPolicy(carrier_weight=0.5)
    )
    assert alone.latest == date(2024, 3, 8)
    assert blended.latest == date(2024, 3, 13)


def test_delivered_parcel_collapses_to_the_delivery_day() -> None:
    result = estimate(inputs(delivered_on=date(2024, 3, 6)), history_of([3] * 40))
    assert result.earliest == result.latest == result.most_likely == date(2024, 3, 6)


@settings(max_examples=150, deadline=None)
@given(
    transits=st.lists(st.integers(min_value=0, max_value=40), min_size=0, max_size=60),
    moment_offset=st.integers(min_value=0, max_value=24 * 40),
    promise_offset=st.one_of(st.none(), st.integers(min_value=-20, max_value=40)),
    weight=st.floats(min_value=0, max_value=1),
)
def test_windows_are_ordered_and_never_before_the_moment(
    transits: list[int], moment_offset: int, promise_offset: int | None, weight: float
) -> None:
    ordered = datetime(2024, 3, 1, 12, 0, tzinfo=NEW_YORK)
    moment = ordered + timedelta(hours=moment_offset)
    promise = None if promise_offset is None else ((ordered + timedelta(days=promise_offset)).date(),) * 2
    result = estimate(
        inputs(moment=moment, ordered_at=ordered, carrier_estimate=promise),
        history_of(transits),
        policy=EddPolicy(carrier_weight=weight),
    )
    today = moment.astimezone(ZoneInfo("America/Los_Angeles")).date()
    assert today <= result.earliest <= result.most_likely <= result.latest


def test_blended_latest_day_lands_on_a_business_day() -> None:
    # Learned latest Friday 8 March; the carrier says Sunday 10 March; the full blend would be Sunday.
    promise = (date(2024, 3, 10), date(2024, 3, 10))
    result = estimate(
        inputs(carrier_estimate=promise), history_of([3] * 40), policy=EddPolicy(carrier_weight=1.0)
    )
    assert result.latest == date(2024, 3, 11)
