"""The notification handlers: which events write which outbox occurrences, for whom, when.

No database: the handlers get a fake unit of work, a fake customer lookup and a fake enqueue
that keeps what it was given."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ordertrack.events import (
    AttentionOpened,
    OrderConfirmed,
    PromiseRevised,
    ShipmentCreated,
    ShipmentStatusChanged,
    StockRanLow,
)
from ordertrack.handlers import HANDLERS
from ordertrack.notifications import handlers
from ordertrack.notifications.service import Occurrence

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CLOCK = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class FakeUnitOfWork:
    """Stands in for the transaction the handlers pass along; nothing here touches it."""


@dataclass
class FakeOutbox:
    """Keeps each enqueue call: (merchant, occurrences, now)."""

    calls: list[tuple[str, list[Occurrence], datetime]] = field(default_factory=list)

    def enqueue(self, uow: Any, merchant_id: str, occurrences: Iterable[Occurrence], *, now: datetime) -> int:
        written = list(occurrences)
        self.calls.append((merchant_id, written, now))
        return len(written)

    @property
    def occurrences(self) -> list[Occurrence]:
        return [o for _, found, _ in self.calls for o in found]


@dataclass
class FakeOrders:
    """Each order's customer, and the lookups asked of it."""

    owners: Mapping[str, str | None]
    asked: list[tuple[str, set[str]]] = field(default_factory=list)

    def customers_of_orders(self, uow: Any, merchant_id: str, ids: Iterable[str]) -> dict[str, str | None]:
        wanted = set(ids)
        self.asked.append((merchant_id, wanted))
        return {i: self.owners[i] for i in wanted if i in self.owners}


ORDERS = {"ord_1": "cus_1", "ord_2": "cus_2", "ord_3": None}


def react(handler: Any, events: list[Any], **extra: Any) -> tuple[FakeOutbox, FakeOrders]:
    outbox, orders = FakeOutbox(), FakeOrders(ORDERS)
    handler(FakeUnitOfWork(), events, customers=orders.customers_of_orders, enqueue=outbox.enqueue, **extra)
    return outbox, orders


def moved(
    previous: str, current: str, shipment: str = "shp_1", order: str = "ord_1"
) -> ShipmentStatusChanged:
    return ShipmentStatusChanged("mer_1", shipment, order, previous, current)


# --- shipment moves -----------------------------------------------------------------------------


def test_a_shipment_delivered_tells_its_shopper_once_at_the_clock() -> None:
    outbox, _ = react(
        handlers.notify_shipment_moves, [moved("out_for_delivery", "delivered")], clock=lambda: CLOCK
    )
    assert outbox.calls == [("mer_1", [Occurrence("delivered", "ord_1", "cus_1", "shp_1")], CLOCK)]


def test_a_move_into_in_transit_tells_nobody() -> None:
    outbox, _ = react(
        handlers.notify_shipment_moves, [moved("info_received", "in_transit")], clock=lambda: CLOCK
    )
    assert outbox.occurrences == []


def test_an_exception_tells_the_shopper_and_alerts_staff_once_per_shipment_and_state() -> None:
    outbox, _ = react(handlers.notify_shipment_moves, [moved("in_transit", "exception")], clock=lambda: CLOCK)
    assert outbox.occurrences == [
        Occurrence("exception", "ord_1", "cus_1", "shp_1"),
        Occurrence("needs_attention", "ord_1", "cus_1", "shp_1", subject="shp_1:exception"),
    ]


def test_a_failed_attempt_tells_the_shopper_and_alerts_staff() -> None:
    outbox, _ = react(
        handlers.notify_shipment_moves, [moved("out_for_delivery", "failed_attempt")], clock=lambda: CLOCK
    )
    assert [(o.trigger, o.subject) for o in outbox.occurrences] == [
        ("failed_attempt", None),
        ("needs_attention", "shp_1:failed_attempt"),
    ]


def test_moves_of_two_merchants_are_enqueued_apart_with_one_customer_lookup_each() -> None:
    other = ShipmentStatusChanged("mer_2", "shp_9", "ord_2", "in_transit", "out_for_delivery")
    outbox, orders = react(
        handlers.notify_shipment_moves,
        [moved("in_transit", "delivered"), other, moved("in_transit", "delivered", "shp_2", "ord_3")],
        clock=lambda: CLOCK,
    )
    assert [(merchant, [o.shipment_id for o in found]) for merchant, found, _ in outbox.calls] == [
        ("mer_1", ["shp_1", "shp_2"]),
        ("mer_2", ["shp_9"]),
    ]
    assert orders.asked == [("mer_1", {"ord_1", "ord_3"}), ("mer_2", {"ord_2"})]
    assert outbox.occurrences[1].customer_id is None  # an order without a customer still tells webhooks


# --- shipments and orders -------------------------------------------------------------------------


def test_a_new_shipment_is_shipped_news_at_the_time_it_was_made() -> None:
    created = ShipmentCreated("mer_1", "shp_1", "ord_2", "ups", ("prc_1",), AT)
    outbox, _ = react(handlers.notify_shipped, [created])
    assert outbox.calls == [("mer_1", [Occurrence("shipped", "ord_2", "cus_2", "shp_1")], AT)]


def test_a_confirmed_order_tells_its_shopper_at_the_confirmation_time() -> None:
    outbox, _ = react(handlers.notify_order_confirmed, [OrderConfirmed("mer_1", "ord_1", AT)])
    assert outbox.calls == [("mer_1", [Occurrence("order_confirmed", "ord_1", "cus_1")], AT)]


def test_events_at_different_times_are_enqueued_each_at_its_own_time() -> None:
    later = datetime(2026, 3, 3, tzinfo=UTC)
    outbox, _ = react(
        handlers.notify_order_confirmed,
        [OrderConfirmed("mer_1", "ord_1", AT), OrderConfirmed("mer_1", "ord_2", later)],
    )
    assert [(o.order_id, now) for _, found, now in outbox.calls for o in found] == [
        ("ord_1", AT),
        ("ord_2", later),
    ]


# --- promises -------------------------------------------------------------------------------------


def revised(notify: bool, at: datetime | None = AT) -> PromiseRevised:
    return PromiseRevised(
        "mer_1", "shp_1", "ord_1", "check", date(2026, 3, 9), date(2026, 3, 11), notify=notify, at=at
    )


def test_a_delay_is_told_once_per_shipment_and_new_window() -> None:
    outbox, _ = react(handlers.notify_revised_promises, [revised(notify=True)], clock=lambda: CLOCK)
    assert outbox.calls == [
        (
            "mer_1",
            [
                Occurrence(
                    "delivery_revised", "ord_1", "cus_1", "shp_1", subject="shp_1:eta:2026-03-09/2026-03-11"
                )
            ],
            AT,
        )
    ]


def test_a_revision_the_promise_engine_keeps_quiet_about_tells_nobody() -> None:
    outbox, _ = react(handlers.notify_revised_promises, [revised(notify=False)], clock=lambda: CLOCK)
    assert outbox.calls == []


def test_a_revision_without_a_time_is_told_at_the_clock() -> None:
    outbox, _ = react(handlers.notify_revised_promises, [revised(notify=True, at=None)], clock=lambda: CLOCK)
    assert [now for _, _, now in outbox.calls] == [CLOCK]


# --- staff alerts ---------------------------------------------------------------------------------


def test_a_late_shipment_alerts_staff_with_the_finding_in_words() -> None:
    opened = AttentionOpened("mer_1", "shp_1", "ord_1", "late", detail="promised by Mar 2", at=AT)
    outbox, _ = react(handlers.alert_staff_of_attention, [opened], clock=lambda: CLOCK)
    assert outbox.calls == [
        (
            "mer_1",
            [
                Occurrence(
                    "needs_attention",
                    "ord_1",
                    "cus_1",
                    "shp_1",
                    subject="shp_1:late",
                    facts={"alert": "late: promised by Mar 2"},
                )
            ],
            AT,
        )
    ]


def test_an_exception_found_by_a_check_does_not_alert_again() -> None:
    opened = AttentionOpened("mer_1", "shp_1", "ord_1", "exception", detail="damaged", at=AT)
    outbox, _ = react(handlers.alert_staff_of_attention, [opened], clock=lambda: CLOCK)
    assert outbox.calls == []


def test_low_stock_alerts_staff_once_per_alert_with_its_numbers() -> None:
    outbox = FakeOutbox()
    low = StockRanLow("mer_1", "sal_1", "CHI-1", "SKU-1", available=2, threshold=5, at=AT)
    handlers.alert_staff_of_low_stock(FakeUnitOfWork(), [low], enqueue=outbox.enqueue)  # type: ignore[arg-type]
    assert outbox.calls == [
        (
            "mer_1",
            [
                Occurrence(
                    "low_stock",
                    None,
                    None,
                    subject="sal_1",
                    facts={"sku": "SKU-1", "warehouse": "CHI-1", "available": 2, "threshold": 5},
                )
            ],
            AT,
        )
    ]


def test_every_notification_handler_is_in_the_handler_table() -> None:
    listed = {h for found in HANDLERS.values() for h in found}
    assert {
        handlers.notify_shipment_moves,
        handlers.notify_shipped,
        handlers.notify_order_confirmed,
        handlers.notify_revised_promises,
        handlers.alert_staff_of_attention,
        handlers.alert_staff_of_low_stock,
    } <= listed
