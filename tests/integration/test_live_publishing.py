"""Live pages hear committed changes, and only those: on SQLite through the process's hub,
on PostgreSQL through pg_notify and the process's listener."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from ordertrack.bootstrap import open_database
from ordertrack.db.uow import Database
from ordertrack.live.hub import Wake
from ordertrack.live.listener import PostgresListener
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service
from ordertrack.tracking import service as tracking_service
from tests.integration.scenario import WINDOW, event, ingest, place_order, ship

NUMBER = "LIVE000111"
NOW = datetime.now(UTC).replace(microsecond=0)


@contextlib.asynccontextmanager
async def live_process(db: Database) -> AsyncIterator[tuple[Database, PostgresListener | None]]:
    """A process of its own on the test's database: its hub, and its listener on PostgreSQL.
    (``writer`` says which handle commits: on PostgreSQL another one, as another process
    would; SQLite's changes never leave their process.)"""
    process = open_database(db.url.render_as_string(hide_password=False))
    process.hub.attach(asyncio.get_running_loop())
    listener = None if process.is_sqlite else PostgresListener(process.url, process.hub)
    if listener is not None:
        listener.start()
        await asyncio.wait_for(listener.listening.wait(), 10)
    try:
        yield process, listener
    finally:
        if listener is not None:
            await listener.stop()
        process.dispose()


def writer(db: Database, process: Database) -> Database:
    return process if process.is_sqlite else db


def shipped_order(db: Database, merchant_id: str) -> tuple[str, str]:
    order_id = place_order(db, merchant_id)
    ship(db, merchant_id, order_id, NUMBER)
    with db.uow(write=False) as uow:
        (parcel_id,) = shipments_service.parcel_ids_of_order(uow, merchant_id, order_id)
    return order_id, parcel_id


def test_a_committed_scan_wakes_the_order_page_and_the_parcel_page(db: Database, make_merchant) -> None:  # type: ignore[no-untyped-def]
    merchant = make_merchant().merchant_id
    order_id, parcel_id = shipped_order(db, merchant)

    async def scenario() -> tuple[Wake, Wake, Wake]:
        async with live_process(db) as (process, _):
            order_page = process.hub.subscribe({order_id, parcel_id})
            parcel_page = process.hub.subscribe({parcel_id})
            stranger = process.hub.subscribe({"ord_someone_else"})
            await asyncio.to_thread(
                ingest, writer(db, process), merchant, [event(NUMBER, NOW - timedelta(hours=1), "in_transit")]
            )
            return await order_page.wait(5), await parcel_page.wait(5), await stranger.wait(0.3)

    assert asyncio.run(scenario()) == (Wake.CHANGED, Wake.CHANGED, Wake.TIMEOUT)


def test_a_rolled_back_scan_wakes_no_page(db: Database, make_merchant) -> None:  # type: ignore[no-untyped-def]
    merchant = make_merchant().merchant_id
    order_id, parcel_id = shipped_order(db, merchant)

    def ingest_then_roll_back(process: Database) -> set[str]:
        with process.uow() as uow:
            tracking_service.ingest_events(
                uow,
                merchant,
                [event(NUMBER, NOW - timedelta(hours=1), "in_transit")],
                received_at=NOW,
                recycle_window=WINDOW,
            )
            return set(uow.page_changes)  # recorded, then never committed

    async def scenario() -> tuple[set[str], Wake]:
        async with live_process(db) as (process, _):
            page = process.hub.subscribe({order_id, parcel_id})
            recorded = await asyncio.to_thread(ingest_then_roll_back, process)
            return recorded, await page.wait(0.5)

    recorded, wake = asyncio.run(scenario())
    assert parcel_id in recorded and wake is Wake.TIMEOUT


def test_a_new_shipment_and_a_cancellation_wake_the_order_page(db: Database, make_merchant) -> None:  # type: ignore[no-untyped-def]
    merchant = make_merchant().merchant_id
    shipped_id = place_order(db, merchant, "2001")
    cancelled_id = place_order(db, merchant, "2002")
    handle = db

    def cancel() -> None:
        with handle.uow() as uow:
            orders_service.cancel_order(uow, merchant, cancelled_id)
            uow.commit()

    async def scenario() -> tuple[Wake, set[str], Wake]:
        nonlocal handle
        async with live_process(db) as (process, _):
            handle = writer(db, process)
            shipped_page = process.hub.subscribe({shipped_id})
            cancelled_page = process.hub.subscribe({cancelled_id})
            await asyncio.to_thread(ship, handle, merchant, shipped_id, NUMBER)
            shipped = await shipped_page.wait(5)
            fired = shipped_page.take_fired()
            await asyncio.to_thread(cancel)
            return shipped, fired, await cancelled_page.wait(5)

    shipped, fired, cancelled = asyncio.run(scenario())
    assert (shipped, cancelled) == (Wake.CHANGED, Wake.CHANGED) and shipped_id in fired


def test_after_postgres_drops_the_listener_pages_catch_up_and_keep_hearing(  # type: ignore[no-untyped-def]
    db: Database, backend: str, make_merchant
) -> None:
    if backend != "postgresql":
        return  # SQLite has no listener: its changes never leave the process
    merchant = make_merchant().merchant_id
    order_id, parcel_id = shipped_order(db, merchant)

    def drop_listeners() -> None:
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query = 'LISTEN ordertrack_pages'"
                )
            )

    async def scenario() -> tuple[Wake, set[str], int, Wake]:
        async with live_process(db) as (process, listener):
            assert listener is not None
            page = process.hub.subscribe({order_id, parcel_id})
            await asyncio.to_thread(drop_listeners)
            # Notifications sent while nobody listened are lost: the page is told to catch up.
            caught_up = await page.wait(10)
            fired = page.take_fired()
            await asyncio.wait_for(listener.listening.wait(), 10)
            await asyncio.to_thread(
                ingest, db, merchant, [event(NUMBER, NOW - timedelta(hours=1), "in_transit")]
            )
            return caught_up, fired, listener.connections, await page.wait(5)

    caught_up, fired, connections, later = asyncio.run(scenario())
    assert (caught_up, fired, connections, later) == (Wake.CHANGED, set(), 2, Wake.CHANGED)
