"""The pure rules of a promise revision (eta.estimating): which window, under which stage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ordertrack.eta.estimating import (
    OrderJourney,
    ShipmentJourney,
    Stage,
    Window,
    is_delay,
    promise_order,
    revise_shipment,
)
from ordertrack.eta.learning import TransitHistory
from ordertrack.eta.places import default_origin, place

AUSTIN = place("US", "TX", "America/Chicago")
LABEL = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # a Tuesday
PROMISE = Window(date(2026, 12, 4), date(2026, 12, 8), date(2026, 12, 7), "learned")


def journey(**changes: object) -> ShipmentJourney:
    values: dict[str, object] = {
        "shipment_id": "shp_1",
        "order_id": "ord_1",
        "carrier": "ups",
        "service": None,
        "status": "in_transit",
        "origin": default_origin(AUSTIN),
        "destination": AUSTIN,
        "ordered_at": LABEL - timedelta(days=1),
        "labelled_at": LABEL,
        "handed_over_at": None,
        "first_carrier_scan_at": LABEL + timedelta(hours=3),
        "delivered_at": None,
        "promise": PROMISE,
    }
    values.update(changes)
    return ShipmentJourney(**values)  # type: ignore[arg-type]


def test_a_check_keeps_a_promise_that_can_still_be_kept() -> None:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    window, stage = revise_shipment(
        journey(), None, TransitHistory(), now=now, stage=Stage.check, promised_at=LABEL + timedelta(hours=4)
    )
    assert (window.days, stage) == (PROMISE.days, Stage.check)


def test_past_the_promised_day_a_check_gives_a_new_window_from_today_and_it_is_a_delay() -> None:
    now = datetime(2026, 12, 9, 18, 0, tzinfo=UTC)  # the 9th in Austin, a day past the 8th
    window, stage = revise_shipment(
        journey(), None, TransitHistory(), now=now, stage=Stage.check, promised_at=LABEL + timedelta(hours=4)
    )
    assert window.earliest == date(2026, 12, 9) and window.latest > PROMISE.latest
    assert stage is Stage.check and is_delay(journey(), window)


def test_a_hand_off_after_the_promise_is_a_fresh_estimate_stored_as_handoff() -> None:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    _window, stage = revise_shipment(
        journey(), None, TransitHistory(), now=now, stage=Stage.check, promised_at=LABEL
    )
    assert stage is Stage.handoff


def test_a_delivery_collapses_the_window_to_its_day_and_is_stored_as_delivered() -> None:
    delivered = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
    window, stage = revise_shipment(
        journey(status="delivered", delivered_at=delivered),
        None,
        TransitHistory(),
        now=delivered + timedelta(minutes=5),
        stage=Stage.check,
        promised_at=LABEL + timedelta(hours=4),
    )
    assert window.days == (date(2026, 12, 7),) * 3 and stage is Stage.delivered
    assert not is_delay(journey(status="delivered", delivered_at=delivered), window)


def test_an_order_is_promised_by_its_last_part() -> None:
    later = Window(date(2026, 12, 6), date(2026, 12, 11), date(2026, 12, 9), "another part")
    order = OrderJourney(
        order_id="ord_1",
        ordered_at=LABEL,
        destination=AUSTIN,
        origin=default_origin(AUSTIN),
        promise=None,
        parts=(PROMISE, later),
        all_shipped=True,
    )
    window = promise_order(order, TransitHistory(), LABEL)
    assert window is not None
    assert window.days == (date(2026, 12, 6), date(2026, 12, 11), date(2026, 12, 9))


def test_the_stage_names_are_the_documented_set() -> None:
    assert {s.value for s in Stage} == {"order", "shipped", "carrier", "handoff", "check", "delivered"}
