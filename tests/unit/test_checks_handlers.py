"""The checks' handlers with fakes: what each reaction asks of the features it reaches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from ordertrack.checks import handlers
from ordertrack.events import AttentionClosed, AttentionOpened, ParcelScanned, PromiseRevised

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class FakeUnitOfWork:
    """Stands in for the unit of work: the handlers only pass it on to the functions given."""


class FakeOrders:
    """The orders' attention flags, and which orders have open attention items."""

    def __init__(self, open_items: set[str]) -> None:
        self.open_items = open_items
        self.flags: dict[str, bool] = {}
        self.asked: list[list[str]] = []

    def needing(self, _uow: Any, _merchant_id: str, order_ids: Sequence[str]) -> set[str]:
        self.asked.append(list(order_ids))
        return self.open_items & set(order_ids)

    def set_flags(self, _uow: Any, _merchant_id: str, flags: Mapping[str, bool]) -> None:
        self.flags.update(flags)


def test_an_order_is_flagged_while_any_of_its_shipments_has_an_open_item() -> None:
    orders = FakeOrders(open_items={"ord_1"})  # shp_2's item closed, shp_1's is still open
    handlers.flag_orders_needing_attention(
        FakeUnitOfWork(),  # type: ignore[arg-type]
        [
            AttentionClosed("mer_1", "shp_2", "ord_1", "stalled"),
            AttentionClosed("mer_1", "shp_3", "ord_2", "late"),
        ],
        needing=orders.needing,
        set_flags=orders.set_flags,
    )
    assert orders.flags == {"ord_1": True, "ord_2": False}


def test_a_batch_of_openings_asks_once_per_merchant() -> None:
    orders = FakeOrders(open_items={"ord_1", "ord_2"})
    handlers.flag_orders_needing_attention(
        FakeUnitOfWork(),  # type: ignore[arg-type]
        [AttentionOpened("mer_1", f"shp_{i}", f"ord_{i % 2 + 1}", "late") for i in range(10)],
        needing=orders.needing,
        set_flags=orders.set_flags,
    )
    assert orders.asked == [["ord_1", "ord_2"]]
    assert orders.flags == {"ord_1": True, "ord_2": True}


def test_new_scans_make_their_shipments_due_from_when_they_arrived() -> None:
    scheduled: list[tuple[str, dict[str, datetime | None]]] = []
    handlers.schedule_checks_after_scans(
        FakeUnitOfWork(),  # type: ignore[arg-type]
        [
            ParcelScanned("mer_1", "par_1", "shp_1", AT),
            ParcelScanned("mer_1", "par_2", "shp_1", AT),
            ParcelScanned("mer_2", "par_3", "shp_9", AT),
        ],
        schedule=lambda _uow, merchant_id, when: scheduled.append((merchant_id, dict(when))),
    )
    assert scheduled == [("mer_1", {"shp_1": AT}), ("mer_2", {"shp_9": AT})]


def test_a_revised_promise_becomes_the_shipments_cached_window() -> None:
    kept: dict[str, tuple[date, date, date]] = {}
    day = date(2026, 12, 10)
    handlers.keep_shipment_promises(
        FakeUnitOfWork(),  # type: ignore[arg-type]
        [
            PromiseRevised("mer_1", "shp_1", "ord_1", "check", day, day, notify=False, most_likely=day),
            PromiseRevised("mer_1", "shp_2", "ord_1", "check", None, None),  # no window: nothing to keep
        ],
        keep=lambda _uow, _merchant_id, windows: kept.update(windows),
    )
    assert kept == {"shp_1": (day, day, day)}
