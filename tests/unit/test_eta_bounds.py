"""What distance and the service allow (eta.bounds), how learned windows are held to it, and
why each revision happened (eta.estimating.Cause)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.eta.bounds import (
    Scope,
    ServiceClass,
    TransitBounds,
    hold_within,
    route,
    service_class,
    transit_bounds,
)
from ordertrack.eta.engine import BASIS_ROUTE, BASIS_TYPICAL, BASIS_WIDER
from ordertrack.eta.estimating import (
    Cause,
    ShipmentJourney,
    Stage,
    Window,
    estimate_shipment,
    revise_shipment,
)
from ordertrack.eta.learning import Lane, TransitHistory
from ordertrack.eta.places import Origin, origin_of, place
from ordertrack.kit import geo

LEIPZIG = origin_of("DE", None, "Europe/Berlin", "14:00", "1,2,3,4,5", city="Leipzig")
NEW_YORK = place("US", "NY", "America/New_York", "New York")
BERLIN = place("DE", None, "Europe/Berlin", "Berlin")
PARIS = place("FR", None, "Europe/Paris", "Paris")
LONDON = place("GB", None, "Europe/London", "London")
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def bounds(
    carrier: str | None, service: str | None, origin: Origin, destination_place: object
) -> TransitBounds:
    to = destination_place
    return transit_bounds(
        carrier,
        service,
        route(origin.place.country, origin.place.point, to.country, to.point),  # type: ignore[attr-defined]
    )


def fast_history(lane: Lane, days: float = 0.5, count: int = 37) -> TransitHistory:
    """``count`` deliveries of ``days`` each on ``lane`` (and every wider lane), just before MONDAY."""
    history = TransitHistory(min_weight=10)
    for index in range(count):
        history.add(lane, MONDAY - timedelta(hours=index + 1), days, leg="handoff")
    return history


def journey(carrier: str, destination: object, **changes: object) -> ShipmentJourney:
    values: dict[str, object] = {
        "shipment_id": "shp_1",
        "order_id": "ord_1",
        "carrier": carrier,
        "service": None,
        "status": "in_transit",
        "origin": LEIPZIG,
        "destination": destination,
        "ordered_at": MONDAY - timedelta(days=1),
        "labelled_at": MONDAY - timedelta(hours=2),
        "handed_over_at": MONDAY - timedelta(hours=1),
        "first_carrier_scan_at": MONDAY - timedelta(hours=1),
        "delivered_at": None,
        "promise": None,
    }
    values.update(changes)
    return ShipmentJourney(**values)  # type: ignore[arg-type]


# --- the bounds ------------------------------------------------------------------------------------


def test_services_are_classed_by_their_names() -> None:
    assert service_class("own", None) is ServiceClass.own_courier
    assert service_class("ups", "next_day_air") is ServiceClass.express
    assert service_class("dhl_express", "express_worldwide") is ServiceClass.express
    assert service_class("dhl_express", "economy_select") is ServiceClass.economy
    assert service_class("usps", "Media Mail") is ServiceClass.economy
    assert service_class("ups", "ground") is ServiceClass.standard
    assert service_class(None, None) is ServiceClass.standard


def test_the_fewest_days_grow_with_distance_borders_customs_and_oceans() -> None:
    at_home = bounds("dhl", None, LEIPZIG, BERLIN)
    in_the_eu = bounds("dhl", None, LEIPZIG, PARIS)
    through_customs = bounds("dhl", None, LEIPZIG, LONDON)
    across_the_ocean = bounds("dhl", None, LEIPZIG, NEW_YORK)
    assert (at_home.scope, in_the_eu.scope, across_the_ocean.scope) == (
        Scope.domestic,
        Scope.cross_border,
        Scope.intercontinental,
    )
    assert not in_the_eu.customs and through_customs.customs and across_the_ocean.customs
    assert at_home.fewest < in_the_eu.fewest <= through_customs.fewest < across_the_ocean.fewest
    assert at_home.most < in_the_eu.most < through_customs.most < across_the_ocean.most


def test_an_express_service_is_faster_than_standard_and_economy_slower() -> None:
    express = bounds("ups", "express_saver", LEIPZIG, NEW_YORK)
    standard = bounds("ups", "standard", LEIPZIG, NEW_YORK)
    economy = bounds("usps", "economy", LEIPZIG, NEW_YORK)
    assert express.fewest < standard.fewest < economy.fewest
    assert express.most < standard.most < economy.most


def test_an_own_courier_may_deliver_the_same_day_nearby_but_not_across_an_ocean() -> None:
    nearby = transit_bounds(
        "own", None, route("DE", geo.locate("DE", None, "Leipzig"), "DE", geo.locate("DE", None, "Halle"))
    )
    transatlantic = bounds("own", None, LEIPZIG, NEW_YORK)
    assert nearby.fewest == 0
    assert transatlantic.fewest >= 5 and transatlantic.customs


def test_without_positions_a_typical_distance_for_the_scope_stands_in() -> None:
    unplaced = transit_bounds("dhl", None, route("DE", None, "US", None))
    assert unplaced.scope is Scope.intercontinental and unplaced.fewest >= 4


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ((0, 0.5, 1), (5, 5, 6)),  # too fast for the route: moved to start at the fewest, width kept
        ((6, 8, 9), (6, 8, 9)),  # inside: untouched
        ((5, 12, 30), (5, 11, 11)),  # three weeks wide from sparse data: cut to the widest useful
    ],
)
def test_a_window_is_held_inside_the_bounds(
    window: tuple[float, float, float], expected: tuple[int, int, int]
) -> None:
    limits = TransitBounds(5, 13, ServiceClass.own_courier, Scope.intercontinental, True, widest=6)
    held = hold_within(*window, limits)
    assert (held.low, held.middle, held.high) == expected


# --- learned windows held to the bounds --------------------------------------------------------------


def test_a_transatlantic_own_courier_parcel_is_never_due_today_or_tomorrow_from_all_lanes_data() -> None:
    # 37 local van deliveries, half a day each, on another route: "all lanes" says today-tomorrow.
    history = fast_history(Lane("own", None, "DE", "DE"))
    window = estimate_shipment(journey("own", NEW_YORK), None, history, MONDAY)
    earliest_allowed = NEW_YORK.calendar.add_business_days(date(2026, 12, 7), 5)
    assert window.earliest >= earliest_allowed
    assert window.basis == BASIS_TYPICAL and window.deliveries == 0
    assert "typical for own courier service, intercontinental" in window.reason
    assert "from Germany to United States" in window.reason


def test_wider_lanes_that_fit_the_route_are_used_and_say_how_many_deliveries() -> None:
    history = fast_history(Lane("own", None, "DE", "FR"), days=2)  # another EU route, two days each
    window = estimate_shipment(journey("own", BERLIN), None, history, MONDAY)
    assert window.basis == BASIS_WIDER and window.deliveries == 37
    assert window.reason.startswith("based on 37 deliveries on own")


def test_the_merchants_own_deliveries_on_the_route_are_trusted_as_they_are() -> None:
    lane = Lane("own", None, LEIPZIG.place.lane_name, NEW_YORK.lane_name)
    history = fast_history(lane, days=3)
    window = estimate_shipment(journey("own", NEW_YORK), None, history, MONDAY)
    assert window.basis == BASIS_ROUTE and window.deliveries == 37
    assert window.reason.startswith("based on 37 deliveries from Germany to United States")
    assert window.latest == NEW_YORK.calendar.add_business_days(date(2026, 12, 7), 3)


def test_a_window_that_already_passed_is_running_late_from_today() -> None:
    long_ago = MONDAY - timedelta(days=20)
    late = journey(
        "dhl", BERLIN, handed_over_at=long_ago, first_carrier_scan_at=long_ago, labelled_at=long_ago
    )
    window = estimate_shipment(late, None, TransitHistory(), MONDAY)
    assert window.cause is Cause.running_late and window.reason.startswith("taking longer than usual")
    # Held at today, as a window that ends today is: one day of learned history either side of
    # the edge must not move the promise (two workers learn in different orders).
    assert window.earliest == window.latest == date(2026, 12, 7)


# --- why each revision happened ---------------------------------------------------------------------

PROMISE = Window(date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 8), "before", cause=Cause.shipped)


def revised(
    stage: Stage,
    promised_at: datetime | None = MONDAY,
    carrier: str = "dhl",
    destination: object = BERLIN,
    **changes: object,
) -> Window:
    window, _ = revise_shipment(
        journey(carrier, destination, **{"promise": PROMISE, **changes}),
        None,
        TransitHistory(),
        now=MONDAY + timedelta(hours=1),
        stage=stage,
        promised_at=promised_at,
    )
    return window


def test_the_carrier_picking_it_up_is_the_cause_of_the_revision_it_prompts() -> None:
    window = revised(Stage.check, promised_at=MONDAY - timedelta(hours=3))  # handed over since
    assert window.cause is Cause.picked_up


def test_a_customs_hold_moves_the_last_day_and_says_delayed_at_customs() -> None:
    due_tomorrow = replace_promise(date(2026, 12, 8), date(2026, 12, 8))
    window = revised(Stage.check, status="exception", reason="customs_hold", promise=due_tomorrow)
    assert window.cause is Cause.customs_delay
    assert window.latest == date(2026, 12, 9) > due_tomorrow.latest  # two business days from today


def test_a_missed_delivery_attempt_moves_the_first_day_to_the_next_business_day() -> None:
    window = revised(Stage.check, status="failed_attempt", promise=replace_promise(date(2026, 12, 7)))
    assert window.cause is Cause.missed_delivery and window.earliest == date(2026, 12, 8)


def test_the_carriers_new_estimate_and_a_label_say_so() -> None:
    assert revised(Stage.carrier).cause is Cause.carrier_estimate
    assert revised(Stage.shipped, promise=None).cause is Cause.shipped


def test_a_delivery_and_a_missed_promise_say_so() -> None:
    delivered = revised(Stage.check, status="delivered", delivered_at=MONDAY)
    assert delivered.cause is Cause.delivered
    overdue = revised(Stage.check, promise=replace_promise(date(2026, 12, 2), date(2026, 12, 4)))
    assert overdue.cause is Cause.running_late


def replace_promise(earliest: date, latest: date | None = None) -> Window:
    return Window(earliest, latest or PROMISE.latest, earliest, "before")


def test_a_fresh_estimate_after_the_hand_off_still_meets_a_missed_attempt() -> None:
    # The first scan the checks see is after the promise (a hand-off) and the van already missed.
    window = revised(
        Stage.check,
        promised_at=MONDAY - timedelta(hours=3),
        carrier="own",
        destination=place("DE", None, "Europe/Berlin", "Leipzig"),
        status="failed_attempt",
    )
    assert window.cause is Cause.missed_delivery and window.earliest == date(2026, 12, 8)


# --- properties -------------------------------------------------------------------------------------

windows = st.tuples(
    st.floats(0, 60, allow_nan=False), st.floats(0, 60, allow_nan=False), st.floats(0, 60, allow_nan=False)
).map(sorted)
limits = st.builds(
    lambda fewest, extra, widest: TransitBounds(
        fewest, fewest + extra, ServiceClass.standard, Scope.cross_border, False, widest
    ),
    st.integers(0, 15),
    st.integers(0, 20),
    st.integers(1, 10),
)


@given(windows, limits)
def test_a_held_window_never_starts_too_soon_never_ends_too_late_nor_spans_too_wide(
    window: list[float], bounds: TransitBounds
) -> None:
    held = hold_within(*window, bounds)
    assert bounds.fewest <= held.low <= held.middle <= held.high
    assert held.high <= max(bounds.most, held.low) and held.high - held.low <= bounds.widest


@given(limits, st.data())
def test_a_whole_day_window_inside_the_bounds_is_left_alone(
    bounds: TransitBounds, data: st.DataObject
) -> None:
    low = data.draw(st.integers(bounds.fewest, bounds.most))
    high = data.draw(st.integers(low, min(bounds.most, low + bounds.widest)))
    middle = data.draw(st.integers(low, high))
    held = hold_within(low, middle, high, bounds)
    assert (held.low, held.middle, held.high, held.raised, held.narrowed) == (low, middle, high, False, False)
