"""The rollup cells kept in the database (analytics.store): the simulator's data sent through the
real API, folded in by the worker's job, equal a from-scratch computation over the raw facts; a
rebuild gives the same cells; a shipment whose facts change moves between cells; one merchant's
cells never hold another's facts; two workers at once count each shipment once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from ordertrack.analytics import facts as facts_loader
from ordertrack.analytics import figures as f
from ordertrack.analytics import rollup, store
from ordertrack.analytics.model import (
    DIMENSION_NAMES,
    AnalyticsCell,
    AnalyticsDue,
    AnalyticsFold,
    AnalyticsShipment,
)
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.shipments.model import Shipment
from ordertrack.simulate.generator import SimConfig, generate
from ordertrack.simulate.http import send
from tests.conftest import Tenant
from tests.integration.scenario import event, ingest, place_order, ship
from tests.support import LiveServer

# Recent enough that every scan finds its parcel (ingest matches numbers within 60 days).
START = (datetime.now(UTC) - timedelta(days=45)).replace(hour=0, minute=0, second=0, microsecond=0)


def fold_everything(db: Database) -> int:
    folded = 0
    while done := store.refresh_due(db, limit=200):
        folded += done
    return folded


def all_facts(db: Database, merchant_id: str) -> list[f.DeliveryFacts]:
    with db.uow(write=False) as uow:
        return [fact for batch in facts_loader.merchant_facts(uow, merchant_id, batch=97) for fact in batch]


def stored_cells(db: Database, merchant_id: str) -> dict[rollup.CellKey, rollup.Cell]:
    with db.uow(write=False) as uow:
        return store.read_cells(uow, merchant_id, date(2000, 1, 1), date(2100, 1, 1))


def send_simulation(server: LiveServer, api_key: str, seed: int, orders: int = 60) -> None:
    records = list(
        generate(SimConfig(seed=seed, orders=orders, start=START, days=20, ship_from_warehouse=True))
    )
    report = send(records, server.base_url, api_key, give_up_after=60)
    assert not report.rejections, report.rejections[:3]


@pytest.fixture
def two_merchants(
    db: Database, server: LiveServer, make_merchant: Callable[[str], Tenant]
) -> tuple[Tenant, Tenant]:
    """Two merchants fed the simulator's streams; the same seed for both: the same tracking
    numbers, carriers and order numbers, so only tenancy tells them apart."""
    a, b = make_merchant("Alpha"), make_merchant("Beta")
    send_simulation(server, a.api_key, seed=3)
    send_simulation(server, b.api_key, seed=3, orders=30)
    return a, b


class TestStoredCellsEqualFromScratch:
    def test_cells_folded_by_the_worker_equal_the_facts_rolled_up_from_scratch(
        self, db: Database, two_merchants: tuple[Tenant, Tenant]
    ) -> None:
        assert fold_everything(db) > 0
        for tenant in two_merchants:
            facts = all_facts(db, tenant.merchant_id)
            assert sum(1 for fact in facts if fact.counted) > 10
            expected = rollup.build(facts)
            assert stored_cells(db, tenant.merchant_id) == expected
            with db.uow(write=False) as uow:
                days = sorted(key.day for key in expected)
                carrier = next(iter(expected)).carrier
                for first, last, filters in (
                    (days[0], days[-1], {}),
                    (days[0], days[len(days) // 2], {}),
                    (days[len(days) // 3], days[-1], {"carrier": carrier}),
                    (days[0], days[-1], {"warehouse": next(iter(expected)).warehouse}),
                    (days[0], days[-1], {"warehouse": None}),
                    (days[0], days[-1], {"carrier": carrier, "destination_country": "US"}),
                ):
                    chosen = [
                        fact
                        for fact in facts
                        if (day := f.analytics_day(fact)) is not None
                        and first <= day <= last
                        and all(getattr(fact, name) == value for name, value in filters.items())
                    ]
                    assert store.figures(uow, tenant.merchant_id, first, last, **filters) == (
                        f.delivery_figures(chosen)
                    )
                # Grouped from the coarse cells as from the fine ones.
                for by in ("warehouse", "carrier", "destination_region"):
                    coarse = store.coarse_cells(uow, tenant.merchant_id, days[0], days[-1], by)
                    group = lambda key, by=by: getattr(key, by)  # noqa: E731
                    assert rollup.figures_by(coarse, group) == rollup.figures_by(expected, group)
        with db.uow(write=False) as uow:
            assert store.due_count(uow) == 0


def folded_at(db: Database, merchant_id: str) -> datetime:
    with db.uow(write=False) as uow:
        stamp = uow.session.scalar(
            select(AnalyticsFold.folded_at).where(AnalyticsFold.merchant_id == merchant_id)
        )
    assert stamp is not None, "never folded"
    return stamp


def snapshot(db: Database, merchant_id: str) -> tuple[list, list]:
    """Every stored cell (fine and coarse) and shipment row of the merchant, ids left out."""
    with db.uow(write=False) as uow:
        cells = uow.session.execute(
            select(
                AnalyticsCell.day, *(getattr(AnalyticsCell, n) for n in DIMENSION_NAMES), AnalyticsCell.counts
            )
            .where(AnalyticsCell.merchant_id == merchant_id)
            .order_by(AnalyticsCell.day, *(getattr(AnalyticsCell, n) for n in DIMENSION_NAMES))
        ).all()
        rows = uow.session.execute(
            select(
                AnalyticsShipment.shipment_id,
                AnalyticsShipment.day,
                AnalyticsShipment.carrier,
                AnalyticsShipment.contribution,
                AnalyticsShipment.promise_offset_days,
                AnalyticsShipment.transit_hours,
            )
            .where(AnalyticsShipment.merchant_id == merchant_id)
            .order_by(AnalyticsShipment.shipment_id)
        ).all()
    return [tuple(cell) for cell in cells], [tuple(row) for row in rows]


class TestRebuildAndTenancy:
    def test_a_rebuild_gives_the_cells_incremental_folding_gave(
        self, db: Database, two_merchants: tuple[Tenant, Tenant]
    ) -> None:
        started = utcnow()
        fold_everything(db)
        # Every fold stamps its merchants (what the judgement of lanes asks before counting again).
        assert {t.merchant_id: started <= folded_at(db, t.merchant_id) for t in two_merchants} == {
            t.merchant_id: True for t in two_merchants
        }
        before = {t.merchant_id: snapshot(db, t.merchant_id) for t in two_merchants}
        seen: list[tuple[int, int]] = []
        rebuilt = utcnow()
        stats = store.rebuild(db, progress=lambda done, total: seen.append((done, total)))
        assert all(folded_at(db, t.merchant_id) >= rebuilt for t in two_merchants)
        assert stats.merchants == 2 and stats.cells == sum(len(cells) for cells, _ in before.values())
        assert all(cells for cells, _ in before.values())
        assert seen and seen[-1][0] == seen[-1][1] == stats.shipments
        for tenant in two_merchants:
            assert snapshot(db, tenant.merchant_id) == before[tenant.merchant_id]
        # A rebuild of one merchant leaves the other's cells alone.
        a, b = two_merchants
        with db.uow() as uow:
            uow.session.execute(delete(AnalyticsCell).where(AnalyticsCell.merchant_id == b.merchant_id))
            uow.commit()
        store.rebuild(db, a.merchant_id)
        assert snapshot(db, b.merchant_id)[0] == []
        store.rebuild(db, b.merchant_id)
        assert snapshot(db, b.merchant_id) == before[b.merchant_id]

    def test_merchant_b_cells_never_count_merchant_a_facts(
        self, db: Database, two_merchants: tuple[Tenant, Tenant]
    ) -> None:
        fold_everything(db)
        a, b = two_merchants
        facts_a, facts_b = all_facts(db, a.merchant_id), all_facts(db, b.merchant_id)
        assert {fact.merchant_id for fact in facts_b} == {b.merchant_id}
        counted_b = [fact for fact in facts_b if fact.counted]
        counted_a = [fact for fact in facts_a if fact.counted]
        assert len(counted_a) > len(counted_b) > 0  # same numbers and carriers, A has twice the orders
        cells_b = stored_cells(db, b.merchant_id)
        assert sum(cell.shipments for cell in cells_b.values()) == len(counted_b)
        assert all(key.merchant_id == b.merchant_id for key in cells_b)
        with db.uow(write=False) as uow:
            owners = uow.session.execute(
                select(AnalyticsShipment.merchant_id, Shipment.merchant_id).join(
                    Shipment, Shipment.id == AnalyticsShipment.shipment_id
                )
            ).all()
            assert owners and all(stored == owner for stored, owner in owners)
            everything = store.figures(uow, b.merchant_id, date(2000, 1, 1), date(2100, 1, 1))
            nothing = store.figures(uow, "mer_nobody", date(2000, 1, 1), date(2100, 1, 1))
        assert everything == f.delivery_figures(facts_b)
        assert everything != f.delivery_figures(facts_a + facts_b)
        assert nothing.shipments == 0


class TestFactsThatChange:
    def test_a_shipment_moves_from_its_hand_off_day_to_its_delivery_day_and_back_out_when_returned(
        self, db: Database, make_merchant: Callable[[str], Tenant]
    ) -> None:
        merchant = make_merchant("Gamma").merchant_id
        order_id = place_order(db, merchant)
        shipment_id = ship(db, merchant, order_id, "GAMMA1")
        picked_up = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
        where = {"location": {"city": "Austin", "region": "TX", "country": "US"}}
        ingest(db, merchant, [event("GAMMA1", picked_up, "in_transit", event_id="e1", **where)])
        fold_everything(db)
        cells = stored_cells(db, merchant)
        assert [key.day for key in cells] == [date(2026, 11, 2)]  # its hand-off day at the destination
        assert rollup.figures_of(rollup.merge_all(cells.values())).transit.count == 0

        # Delivered at 03:00 UTC on the 6th: still the 5th at the destination (no region: New York time).
        delivered = datetime(2026, 11, 6, 3, 0, tzinfo=UTC)
        dallas = {"location": {"city": "Dallas", "region": "TX", "country": "US"}}
        ingest(db, merchant, [event("GAMMA1", delivered, "delivered", event_id="e2", **dallas)])
        with db.uow(write=False) as uow:
            assert store.due_count(uow) == 1  # queued by the handlers, not yet folded
        fold_everything(db)
        cells = stored_cells(db, merchant)
        assert [key.day for key in cells] == [date(2026, 11, 5)]
        assert cells == rollup.build(all_facts(db, merchant))
        merged = rollup.figures_of(rollup.merge_all(cells.values()))
        assert merged.shipments == 1 and merged.transit.count == 1 and merged.transit.p50_hours == 84
        assert merged.where_parcels_wait[0].city == "AUSTIN"
        with db.uow(write=False) as uow:
            lane = next(iter(cells)).lane
            assert store.lane_shipments(
                uow, merchant, lane, date(2026, 11, 5), date(2026, 11, 5), late_only=False
            ) == [shipment_id]
            assert (
                store.lane_shipments(
                    uow, merchant, lane, date(2026, 11, 6), date(2026, 11, 9), late_only=False
                )
                == []
            )

        # Sent back after all (a carrier's correction): no longer delivered, counted on its hand-off day.
        back = datetime(2026, 11, 7, 12, 0, tzinfo=UTC)
        ingest(db, merchant, [event("GAMMA1", back, "returned", event_id="e3", **where)])
        fold_everything(db)
        cells = stored_cells(db, merchant)
        assert cells == rollup.build(all_facts(db, merchant))
        merged = rollup.figures_of(rollup.merge_all(cells.values()))
        assert merged.shipments == 1 and merged.returned_to_sender == f.Share(1, 1)
        assert merged.transit.count == 0

    def test_read_cells_refuses_a_filter_that_is_not_a_dimension(self, db: Database) -> None:
        with db.uow(write=False) as uow, pytest.raises(ValueError, match="day"):
            store.read_cells(uow, "mer_x", date(2026, 1, 1), date(2026, 2, 1), day=date(2026, 1, 5))


class TestTwoWorkers:
    def test_two_workers_folding_at_once_count_each_shipment_once(
        self, db: Database, backend: str, two_merchants: tuple[Tenant, Tenant]
    ) -> None:
        if backend != "postgresql":
            pytest.skip("SQLite has one writer: two workers cannot fold at once")
        errors: list[BaseException] = []
        folded: list[int] = []
        start = threading.Barrier(2)

        def worker() -> None:
            try:
                start.wait()
                done = 0
                while step := store.refresh_due(db, limit=25):
                    done += step
                folded.append(done)
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        with db.uow(write=False) as uow:
            queued = store.due_count(uow)
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        assert sum(folded) == queued and all(folded)  # both took part, none twice
        for tenant in two_merchants:
            facts = all_facts(db, tenant.merchant_id)
            assert stored_cells(db, tenant.merchant_id) == rollup.build(facts)
        with db.uow(write=False) as uow:
            assert uow.session.scalar(select(func.count()).select_from(AnalyticsDue)) == 0


def lane_facts(merchant_id: str, as_of: date) -> list[f.DeliveryFacts]:
    """Ten weeks of deliveries on two lanes, 3 a day; ups got slow and late in the last week."""
    facts = []
    for back in range(70):
        day = as_of - timedelta(days=back)
        for n in range(3):
            for carrier in ("ups", "dhl"):
                bad = carrier == "ups" and back < 7
                handed = datetime.combine(day, datetime.min.time(), UTC) - timedelta(days=6 if bad else 2)
                facts.append(
                    f.DeliveryFacts(
                        shipment_id=f"shp_{merchant_id[-8:]}{back:03d}{n}{carrier}",  # type: ignore[arg-type]
                        merchant_id=merchant_id,  # type: ignore[arg-type]
                        carrier=carrier,
                        ordered_at=handed - timedelta(hours=5),
                        destination_zone="UTC",
                        origin_country="US",
                        destination_country="US",
                        destination_region="TX",
                        handed_off_at=handed,
                        delivered_at=handed + timedelta(days=6 if bad else 2, hours=10 + n),
                        promise_latest=day if bad else day + timedelta(days=n - 1),
                    )
                )
    return facts


class TestLanesFromTheStore:
    def test_lanes_that_got_worse_read_from_the_store_equal_those_of_the_raw_facts(
        self, db: Database, make_merchant: Callable[[str], Tenant]
    ) -> None:
        merchant = make_merchant("Delta").merchant_id
        as_of = date(2026, 11, 30)
        facts = lane_facts(merchant, as_of)
        at = datetime.now(UTC)
        with db.uow() as uow:
            rows = [store._shipment_row(fact, rollup.cell_key(fact), at) for fact in facts]  # type: ignore[arg-type]
            uow.session.execute(AnalyticsShipment.__table__.insert(), rows)
            cells = store.with_coarse(rollup.build(facts))
            cell_rows = [
                store._cell_row(key, cell, at) | {"id": f"anc_t{i}"}
                for i, (key, cell) in enumerate(cells.items())
            ]
            uow.session.execute(AnalyticsCell.__table__.insert(), cell_rows)
            uow.commit()
        for window in (7, 30):
            expected = [
                (a.lane, a.figure, a.current, a.usual_low, a.usual_high)
                for a in rollup.lanes_that_got_worse(rollup.build(facts), as_of, window)
            ]
            with db.uow(write=False) as uow:
                found = store.lanes_that_got_worse(uow, merchant, as_of, window)
            assert [(a.lane, a.figure, a.current, a.usual_low, a.usual_high) for a in found] == expected
        assert any(a.lane[0] == "ups" for a in rollup.lanes_that_got_worse(rollup.build(facts), as_of, 7))
