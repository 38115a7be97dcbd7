"""The rollup cells kept in the database (analytics.store): the simulator's data sent through the
real API, folded in by the worker's job, equal a from-scratch computation over the raw facts; a
rebuild gives the same cells; a shipment whose facts change moves between cells; one merchant's
cells never hold another's facts; two workers at once count each shipment once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from ordertrack.analytics import facts as facts_loader
from ordertrack.analytics import figures as f
from ordertrack.analytics import rollup, store
from ordertrack.analytics.model import AnalyticsCell, AnalyticsDue, AnalyticsShipment
from ordertrack.db.uow import Database
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
    records = list(generate(SimConfig(seed=seed, orders=orders, start=START, days=20, ship_from_warehouse=True)))
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
                    (days[0], days[-1], {"warehouse": None}),
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
        with db.uow(write=False) as uow:
            assert store.due_count(uow) == 0
