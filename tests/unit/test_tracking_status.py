"""Parcel and shipment status derivation: the rules, and order-independence as a property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.statuses import EventStatus, ShipmentStatus
from ordertrack.tracking.status import (
    EMPTY_STATE,
    EventFact,
    ParcelFacts,
    apply_event,
    derive_shipment_status,
    derive_tracking_state,
    extend_tracking_state,
    next_status,
    timeline,
)

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def ev(hours: float, status: str, reason: str | None = None, key: str | None = None) -> EventFact:
    return EventFact(T0 + timedelta(hours=hours), status, reason, key or f"{status}@{hours}")


def status_of(*events: EventFact) -> str:
    return derive_tracking_state(events).status


def test_parcel_without_events_is_pending() -> None:
    assert derive_tracking_state([]) == EMPTY_STATE
    assert EMPTY_STATE.status == ShipmentStatus.pending


def test_status_follows_the_latest_event_in_time_not_in_arrival() -> None:
    events = [ev(30, "out_for_delivery"), ev(0, "info_received"), ev(10, "in_transit")]
    assert status_of(*events) == "out_for_delivery"


def test_late_in_transit_scan_does_not_reopen_delivered_parcel() -> None:
    assert status_of(ev(0, "in_transit"), ev(20, "delivered"), ev(25, "in_transit")) == "delivered"


def test_exception_after_delivery_is_honoured() -> None:
    state = derive_tracking_state([ev(0, "in_transit"), ev(20, "delivered"), ev(30, "exception", "damaged")])
    assert (state.status, state.reason) == ("exception", "damaged")
    assert state.delivered_at == T0 + timedelta(hours=20)


def test_returning_after_delivery_is_honoured() -> None:
    assert status_of(ev(20, "delivered"), ev(40, "returning", "refused")) == "returning"


def test_scans_on_the_way_back_keep_a_parcel_returning() -> None:
    state = derive_tracking_state(
        [ev(0, "returning", "refused"), ev(5, "in_transit"), ev(9, "out_for_delivery")]
    )
    assert (state.status, state.reason) == ("returning", "refused")


def test_delivery_of_a_returning_parcel_means_returned_to_sender() -> None:
    assert status_of(ev(0, "returning"), ev(9, "delivered")) == "returned"


def test_returned_is_final() -> None:
    assert status_of(ev(0, "returned"), ev(9, "in_transit"), ev(10, "delivered")) == "returned"


def test_label_data_after_pickup_does_not_move_parcel_back() -> None:
    assert status_of(ev(0, "in_transit"), ev(2, "info_received")) == "in_transit"


def test_parcel_recovers_from_exception_when_it_moves_again() -> None:
    assert status_of(ev(0, "exception", "weather"), ev(5, "in_transit")) == "in_transit"


def test_redelivery_after_a_post_delivery_exception_sets_a_new_delivered_at() -> None:
    state = derive_tracking_state([ev(10, "delivered"), ev(12, "exception", "lost"), ev(30, "delivered")])
    assert state.status == "delivered"
    assert state.delivered_at == T0 + timedelta(hours=30)


def test_second_delivered_scan_keeps_first_delivery_time() -> None:
    state = derive_tracking_state([ev(10, "delivered", key="a"), ev(11, "delivered", key="b")])
    assert state.delivered_at == T0 + timedelta(hours=10)


def test_simultaneous_events_order_by_progress() -> None:
    assert status_of(ev(5, "delivered"), ev(5, "in_transit")) == "delivered"


def test_same_event_twice_counts_once() -> None:
    state = derive_tracking_state([ev(1, "in_transit", key="k"), ev(1, "in_transit", key="k")])
    assert state.event_count == 1


def test_absorbed_event_keeps_previous_reason() -> None:
    assert next_status("delivered", "in_transit") == "delivered"
    state = derive_tracking_state([ev(0, "returning", "address_issue"), ev(3, "in_transit")])
    assert state.reason == "address_issue"


def test_extend_refuses_events_inside_the_known_timeline() -> None:
    state = derive_tracking_state([ev(0, "in_transit"), ev(10, "in_transit")])
    assert extend_tracking_state(state, [ev(5, "out_for_delivery")]) is None


def test_extend_folds_later_events() -> None:
    base = [ev(0, "in_transit")]
    more = [ev(10, "out_for_delivery"), ev(12, "delivered")]
    extended = extend_tracking_state(derive_tracking_state(base), more)
    assert extended == derive_tracking_state(base + more)


# --- shipment status from parcels ----------------------------------------------------------


def pf(status: str, reason: str | None = None, delivered_hours: float | None = None) -> ParcelFacts:
    delivered = T0 + timedelta(hours=delivered_hours) if delivered_hours is not None else None
    return ParcelFacts(status, reason, delivered)


def test_shipment_without_parcels_is_pending() -> None:
    assert derive_shipment_status([]).status == "pending"


def test_shipment_is_delivered_when_every_parcel_is_with_the_latest_time() -> None:
    derived = derive_shipment_status([pf("delivered", delivered_hours=3), pf("delivered", delivered_hours=7)])
    assert (derived.status, derived.delivered_at) == ("delivered", T0 + timedelta(hours=7))


def test_shipment_shows_its_slowest_parcel() -> None:
    assert (
        derive_shipment_status([pf("delivered", delivered_hours=1), pf("in_transit")]).status == "in_transit"
    )


def test_a_parcel_in_exception_puts_the_shipment_in_exception() -> None:
    derived = derive_shipment_status([pf("out_for_delivery"), pf("exception", "damaged")])
    assert (derived.status, derived.reason) == ("exception", "damaged")


def test_a_shipment_whose_parcels_all_ended_some_returned_is_delivered() -> None:
    derived = derive_shipment_status([pf("delivered", delivered_hours=4), pf("returned")])
    assert (derived.status, derived.reason) == ("delivered", "partially_returned")
    assert derived.delivered_at == T0 + timedelta(hours=4)


def test_a_returned_parcel_does_not_hold_back_the_others() -> None:
    assert derive_shipment_status([pf("returned"), pf("out_for_delivery")]).status == "out_for_delivery"


def test_a_returning_parcel_makes_the_shipment_returning() -> None:
    assert derive_shipment_status([pf("delivered", delivered_hours=1), pf("returning")]).status == "returning"
    assert derive_shipment_status([pf("returned"), pf("returned")]).status == "returned"


# --- the property: arrival order and duplication never matter ------------------------------

statuses = st.sampled_from([s.value for s in EventStatus])
reasons = st.none() | st.sampled_from(["damaged", "weather", "address_issue", "refused"])
events = st.builds(
    lambda minutes, status, reason, key: EventFact(
        T0 + timedelta(minutes=minutes), status, reason, f"k{key}"
    ),
    st.integers(min_value=0, max_value=60 * 24 * 14),
    statuses,
    reasons,
    st.integers(min_value=0, max_value=10_000),
)
# Distinct keys: a key names one event, so two different payloads never share one.
event_sets = st.lists(events, min_size=0, max_size=25, unique_by=lambda e: e.key)


@settings(max_examples=300, deadline=None)
@given(event_sets, st.data())
def test_any_arrival_order_with_duplicates_gives_the_same_status_and_timeline(
    event_set: list[EventFact], data: st.DataObject
) -> None:
    reference_state = derive_tracking_state(event_set)
    reference_timeline = timeline(event_set)
    arrival = data.draw(st.permutations(event_set))
    duplicated = data.draw(st.lists(st.sampled_from(event_set), max_size=10)) if event_set else []
    shuffled = data.draw(st.permutations(arrival + duplicated))
    assert derive_tracking_state(shuffled) == reference_state
    assert timeline(shuffled) == reference_timeline


@settings(max_examples=200, deadline=None)
@given(event_sets, st.data())
def test_folding_batches_as_they_arrive_equals_deriving_from_the_whole_set(
    event_set: list[EventFact], data: st.DataObject
) -> None:
    """What ingest does: extend the stored state per batch, re-derive when a batch interleaves."""
    arrival = data.draw(st.permutations(event_set))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(arrival)), max_size=5)))
    batches = [arrival[a:b] for a, b in zip([0, *cuts], [*cuts, len(arrival)], strict=True)]
    state = EMPTY_STATE
    seen: list[EventFact] = []
    for batch in batches:
        seen.extend(batch)
        state = extend_tracking_state(state, batch) or derive_tracking_state(seen)
    assert state == derive_tracking_state(event_set)


@settings(max_examples=200, deadline=None)
@given(event_sets)
def test_nothing_moves_a_delivered_parcel_but_a_post_delivery_problem(event_set: list[EventFact]) -> None:
    ordered = timeline(event_set)
    state = EMPTY_STATE
    for event in ordered:
        after = apply_event(state, event)
        if state.status == "delivered" and after.status != "delivered":
            assert event.status in ("exception", "returning", "returned")
        state = after
