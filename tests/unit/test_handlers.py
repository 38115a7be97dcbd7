"""The handler table's dispatch: rounds, batches, order, and the loop guard."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from ordertrack import events as events_module
from ordertrack.events import Event, ParcelScanned, ParcelStatusChanged, ShipmentStatusChanged
from ordertrack.handlers import HANDLERS, MAX_ROUNDS, HandlerLoop, dispatch

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@dataclass
class FakeUnitOfWork:
    """Just what dispatch uses of a unit of work: the recorded events."""

    events: list[Event] = field(default_factory=list)

    def record(self, *events: Event) -> None:
        self.events.extend(events)


def test_each_handler_gets_every_event_of_its_type_in_one_batch() -> None:
    seen: list[list[str]] = []

    def refresh(uow: FakeUnitOfWork, events: Sequence[ParcelStatusChanged]) -> None:
        seen.append([e.parcel_id for e in events])

    uow = FakeUnitOfWork()
    uow.record(*(ParcelStatusChanged("m1", f"p{i}", "s1", "pending", "in_transit") for i in range(100)))
    dispatch(uow, {ParcelStatusChanged: (refresh,)})  # type: ignore[arg-type, dict-item]
    assert seen == [[f"p{i}" for i in range(100)]]
    assert uow.events == []


def test_events_recorded_by_handlers_are_handled_in_the_next_round() -> None:
    calls: list[str] = []

    def shipments(uow: FakeUnitOfWork, events: Sequence[ParcelStatusChanged]) -> None:
        calls.append("shipments")
        uow.record(ShipmentStatusChanged("m1", "s1", "o1", "pending", "in_transit"))

    def orders(uow: FakeUnitOfWork, events: Sequence[ShipmentStatusChanged]) -> None:
        calls.append(f"orders:{events[0].order_id}")

    uow = FakeUnitOfWork([ParcelStatusChanged("m1", "p1", "s1", "pending", "in_transit")])
    table = {ParcelStatusChanged: (shipments,), ShipmentStatusChanged: (orders,)}
    dispatch(uow, table)  # type: ignore[arg-type]
    assert calls == ["shipments", "orders:o1"]


def test_handlers_of_one_event_run_in_table_order() -> None:
    calls: list[str] = []
    table = {
        ParcelScanned: (
            lambda _uow, _events: calls.append("derive first"),
            lambda _uow, _events: calls.append("message last"),
        )
    }
    dispatch(FakeUnitOfWork([ParcelScanned("m1", "p1", "s1", AT)]), table)  # type: ignore[arg-type]
    assert calls == ["derive first", "message last"]


def test_an_event_nobody_handles_is_dropped_quietly() -> None:
    uow = FakeUnitOfWork([ParcelScanned("m1", "p1", "s1", AT)])
    dispatch(uow, {})  # type: ignore[arg-type]
    assert uow.events == []


def test_a_handler_that_feeds_itself_is_stopped() -> None:
    def echo(uow: FakeUnitOfWork, events: Sequence[ParcelScanned]) -> None:
        uow.record(*events)

    uow = FakeUnitOfWork([ParcelScanned("m1", "p1", "s1", AT)])
    with pytest.raises(HandlerLoop):
        dispatch(uow, {ParcelScanned: (echo,)})  # type: ignore[arg-type, dict-item]
    assert MAX_ROUNDS > 3


def test_the_table_lists_only_events_and_plain_two_argument_handlers() -> None:
    for event_type, handlers in HANDLERS.items():
        assert issubclass(event_type, Event) and event_type is not Event
        assert getattr(events_module, event_type.__name__) is event_type
        assert handlers, event_type
        for handler in handlers:
            required = [
                p
                for p in inspect.signature(handler).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD
            ]
            assert len(required) == 2, f"{handler.__qualname__} must take (uow, events)"


def test_the_facts_of_a_scan_each_have_someone_who_reacts() -> None:
    for event_type in (ParcelScanned, ParcelStatusChanged, ShipmentStatusChanged):
        assert HANDLERS.get(event_type), event_type.__name__
