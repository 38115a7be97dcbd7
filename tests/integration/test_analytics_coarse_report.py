"""The delivery report read from the coarse cells (no filter or one: day and week totals, cells
per warehouse, carrier and lane) equals the report added up from the fine cells, for every
split, with and without a grouping, on a period that starts and ends mid-week."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from ordertrack.analytics import report, store
from ordertrack.db.uow import Database
from tests.conftest import Tenant
from tests.integration.test_analytics_store import fold_everything, send_simulation, stored_cells
from tests.support import LiveServer


@pytest.fixture
def shop(db: Database, server: LiveServer, make_merchant: Callable[[str], Tenant]) -> Tenant:
    """A merchant fed the simulator's stream, and another beside it whose cells must not count."""
    tenant, other = make_merchant("Alpha"), make_merchant("Beta")
    send_simulation(server, tenant.api_key, seed=5, orders=80)
    send_simulation(server, other.api_key, seed=5, orders=20)
    return tenant


class TestCoarseReportEqualsFineReport:
    def test_every_split_equals_the_fine_cells_report(self, db: Database, shop: Tenant) -> None:
        assert fold_everything(db) > 0
        tenant = shop
        fine = stored_cells(db, tenant.merchant_id)
        days = sorted(key.day for key in fine)
        some = max(fine, key=lambda key: fine[key].shipments)
        # Mid-week ends: whole weeks from the weekly cells, the days around them from the daily ones.
        first = days[0] + timedelta(days=(2 - days[0].weekday()) % 7)
        last = days[-1]
        assert (last - first).days >= 14
        questions = [
            {},
            {"carrier": some.carrier},
            {"warehouse": some.warehouse or ""},
            {"destination_country": some.destination_country or ""},
            {"service": some.service or ""},
            {"carrier": some.carrier, "destination_country": some.destination_country or ""},
        ]
        with db.uow(write=False) as uow:
            for filters in questions:
                chosen = {name: value for name, value in filters.items() if value}
                for group_by in ("", *report.GROUPS):
                    query = report.DeliveryQuery(first, last, chosen, "", group_by)
                    expected = report.report_of(
                        store.read_cells(uow, tenant.merchant_id, first, last, **chosen), query
                    )
                    found = report.delivery_report(uow, tenant.merchant_id, query)
                    assert found.figures.shipments > 0, (filters, group_by)
                    for part in ("figures", "weeks", "by_warehouse", "by_carrier"):
                        assert getattr(found, part) == getattr(expected, part), (filters, group_by, part)
                    assert [lane for lane, _ in found.by_lane] == [lane for lane, _ in expected.by_lane]
                    for (lane, figures), (_, wanted) in zip(found.by_lane, expected.by_lane, strict=True):
                        assert figures == wanted, (filters, group_by, lane)
                    assert found == expected
                    if group_by:
                        named = report.delivery_report(uow, tenant.merchant_id, query, (group_by,))
                        assert named.figures == expected.figures
                        assert getattr(named, f"by_{group_by}") == getattr(expected, f"by_{group_by}")

    def test_lanes_come_a_page_at_a_time_in_the_order_of_the_whole_list(
        self, db: Database, shop: Tenant
    ) -> None:
        """The database picks a page of lanes (most shipments first, then by name) and only those
        lanes' cells are read: the pages laid end to end are the whole list, lane for lane and
        figure for figure, with and without a filter; a page past the end is empty."""
        assert fold_everything(db) > 0
        fine = stored_cells(db, shop.merchant_id)
        days = sorted(key.day for key in fine)
        first = days[0] + timedelta(days=(2 - days[0].weekday()) % 7)
        last = days[-1]
        some = max(fine, key=lambda key: fine[key].shipments)
        with db.uow(write=False) as uow:
            # A service is not a lane cell's dimension: its lanes are counted and read from the
            # fine cells of the service (the service with the most lanes).
            lanes_of: dict[str, set] = {}
            for key in fine:
                if first <= key.day <= last and key.service:
                    lanes_of.setdefault(key.service, set()).add(key.lane)
            service = max(lanes_of, key=lambda name: len(lanes_of[name]))
            for filters in (
                {},
                {"carrier": some.carrier},
                {"warehouse": some.warehouse or ""},
                {"service": service},
            ):
                chosen = {name: value for name, value in filters.items() if value}
                query = report.DeliveryQuery(first, last, chosen, "", "lane")
                whole = report.delivery_report(uow, shop.merchant_id, query, ("lane",))
                assert whole.lanes_total == len(whole.by_lane) > 4, filters
                counts = [figures.shipments for _, figures in whole.by_lane]
                assert counts == sorted(counts, reverse=True)
                pages = []
                for offset in range(0, whole.lanes_total + 3, 3):
                    page = report.delivery_report(
                        uow, shop.merchant_id, query, ("lane",), lane_page=(offset, 3)
                    )
                    assert page.lanes_total == whole.lanes_total
                    assert page.figures == whole.figures
                    pages.extend(page.by_lane)
                assert tuple(pages) == whole.by_lane, filters
                beyond = report.delivery_report(
                    uow, shop.merchant_id, query, ("lane",), lane_page=(whole.lanes_total, 3)
                )
                assert beyond.by_lane == () and beyond.lanes_total == whole.lanes_total
            values = store.dimension_values(uow, shop.merchant_id, first, last, "carrier")
            assert values == sorted({key.carrier for key in fine if first <= key.day <= last})
