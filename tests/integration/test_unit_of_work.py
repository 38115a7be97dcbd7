"""The unit of work and the repositories on a real database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ordertrack.catalog import service as catalog_service
from ordertrack.catalog.model import Product
from ordertrack.catalog.schemas import ProductIn
from ordertrack.db.uow import Database
from ordertrack.orders import service as orders_service
from ordertrack.tracking.model import Parcel, TrackingEvent
from ordertrack.tracking.status import EventFact, derive_tracking_state
from tests.integration.scenario import event, ingest, place_order, ship


def count_products(db: Database) -> int:
    with db.uow(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Product)) or 0


def test_work_not_committed_is_rolled_back(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    with db.uow() as uow:
        catalog_service.create_product(uow, tenant.merchant_id, ProductIn(sku="A", name="Tent"))
    assert count_products(db) == 0


def test_an_error_inside_the_unit_rolls_everything_back(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    with pytest.raises(RuntimeError), db.uow() as uow:
        catalog_service.create_product(uow, tenant.merchant_id, ProductIn(sku="A", name="Tent"))
        raise RuntimeError("boom")
    assert count_products(db) == 0


def test_committed_work_is_visible_to_the_next_unit(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    with db.uow() as uow:
        catalog_service.create_product(uow, tenant.merchant_id, ProductIn(sku="A", name="Tent"))
        uow.commit()
    with db.uow(write=False) as uow:
        page = catalog_service.list_products(uow, tenant.merchant_id, sku=None, cursor=None, limit=10)
    assert [p.sku for p in page.items] == ["A"]


def test_repositories_only_see_their_merchants_rows(db: Database, make_merchant) -> None:
    alice, bob = make_merchant("Alice"), make_merchant("Bob")
    order_id = place_order(db, alice.merchant_id, "SAME-NUMBER")
    place_order(db, bob.merchant_id, "SAME-NUMBER")
    with db.uow(write=False) as uow:
        with pytest.raises(orders_service.OrderNotFound):
            orders_service.find_order(uow, bob.merchant_id, order_id)
        assert orders_service.find_order(uow, alice.merchant_id, "SAME-NUMBER").id == order_id


def test_keyset_pages_walk_every_row_once(db: Database, make_merchant) -> None:
    tenant = make_merchant()
    for i in range(7):
        place_order(db, tenant.merchant_id, f"N-{i}")
    seen: list[str] = []
    cursor = None
    while True:
        with db.uow(write=False) as uow:
            page = orders_service.list_orders(
                uow, tenant.merchant_id, status=None, attention=None, cursor=cursor, limit=3
            )
        seen += [o.number for o in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == [f"N-{i}" for i in range(7)]
    assert len(seen) == len(set(seen))


def test_concurrent_batches_for_one_parcel_lose_no_update(db: Database, make_merchant) -> None:
    """Parallel ingests on one parcel serialise on its row: the stored state stays exact."""
    tenant = make_merchant()
    order_id = place_order(db, tenant.merchant_id)
    ship(db, tenant.merchant_id, order_id, "1ZRACE")
    base = datetime.now(UTC) - timedelta(days=2)
    batches = [
        [
            event("1ZRACE", base + timedelta(minutes=10 * (w * 10 + i)), "in_transit", event_id=f"{w}-{i}")
            for i in range(10)
        ]
        for w in range(6)
    ]
    errors: list[BaseException] = []

    def run(batch: list[dict]) -> None:
        try:
            ingest(db, tenant.merchant_id, batch)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with db.uow(write=False) as uow:
        parcel = uow.session.scalars(select(Parcel)).one()
        stored = uow.session.scalars(select(TrackingEvent)).all()
    expected = derive_tracking_state(
        EventFact(e.occurred_at, e.status, e.reason, e.dedupe_key) for e in stored
    )
    assert parcel.event_count == expected.event_count == 60
    assert parcel.last_event_key == expected.last_key[2]
