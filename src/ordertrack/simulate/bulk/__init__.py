"""Load a large simulated stream straight into the database, under the services' rules.

``ordertrack simulate --to-db`` writes a million orders with twenty scans each; through the
services that is tens of millions of statements. This loader reads the stream in chunks of
orders (with the records interleaved between them), plays each chunk in memory with the
services' own rules and pure functions, and writes the chunk's rows in bulk: on PostgreSQL
COPY for new rows and one UPDATE from a COPY-filled temporary table per table for changed
ones, on SQLite executemany. One chunk is one transaction. Larger chunks cost memory and save
time: a parcel still travelling is read and rewritten once per chunk that has news of it. The
default, 50,000 orders, holds about 3.5 GB in the loading process at the density of a million
orders over 90 days.

What is the same as the services (the equivalence test compares both paths):

- rows: ids (``new_id``), orders with their customer (upserted by email) and lines, shipments
  with lines, parcels and parcel items (``shipments.rules``: ``allocate``, ``pack``,
  ``requested_lines``, ``boxes``), tracking events built by ``tracking.rules.event_row``
  (same ``dedupe_key``, UTC offset, raw input), stored once per dedupe key;
- matching: ``tracking.rules.match_parcel`` with the recycle window at arrival, unknown
  numbers parked with ``parcel_id`` NULL, parked and recycled-number scans claimed when their
  parcel is created (``tracking.rules.claims``), a number still travelling refused
  (``shipments.rules.number_in_flight``);
- state: parcels by ``extend_tracking_state``/``derive_tracking_state``, shipments by
  ``derive_shipment_status``, orders by ``derive_order_status``; ``next_check_at`` as ingest,
  claims and shipment creation set it.

The clock is the stream's: a record's ``at`` is "now" for it (created_at, received_at), as
if the services had run at the simulated time; every use case here takes that ``now`` as an
argument and nothing reads the wall clock.

The package, by use case: ``reading`` (records to checked rows, no database), ``prefetch``
(what a chunk touches, read in a few statements), ``orders``, ``shipments`` and ``events``
(playing each kind of record on the chunk's picture, ``chunk``), ``writing`` (the rows out).

Left out, on purpose (a bulk load is history, not live traffic):

- notifications and webhooks to merchants (no outbox rows);
- delivery promises: ``edd_*``/``promised_latest`` stay NULL and no ``edd_revisions`` are
  written. Every shipment keeps a ``next_check_at``, so the worker's checks compute each
  shipment's promise and its order's on their first pass (``revise_promises``); an order
  never shipped keeps no promise until it ships;
- stock: a merchant with warehouses is refused (stock rules need the services);
- carrier webhook payload rows: a ``webhook`` record is read by its connector and its
  events are loaded, but no ``carrier_payloads`` row, carrier estimate or unknown-code
  count is kept;
- shipments without a tracking number (the services issue the merchant's own numbers).

Known differences in the counts (not in the rows): a scan repeating a carrier event id that
was already read is counted as a duplicate without being validated again (the API would
report an invalid repeat as rejected); ``refused`` counts, by error code, the orders and
shipments the services would have refused.

The loader assumes nobody else writes the merchant's tracking data while it runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from sqlalchemy import func, select

from ordertrack.carriers.model import CarrierAccount
from ordertrack.db.uow import Database
from ordertrack.inventory.model import Warehouse
from ordertrack.kit.errors import OrdertrackError, Unprocessable
from ordertrack.simulate.bulk.chunk import Chunk
from ordertrack.simulate.bulk.events import ingest
from ordertrack.simulate.bulk.orders import place_order
from ordertrack.simulate.bulk.prefetch import prefetch
from ordertrack.simulate.bulk.reading import Prepared, RecordReader, chunks, prepare
from ordertrack.simulate.bulk.report import BulkReport
from ordertrack.simulate.bulk.shipments import create_shipment
from ordertrack.simulate.bulk.writing import write
from ordertrack.simulate.records import Record
from ordertrack.tracking.model import TrackingEvent

RECYCLE_WINDOW = timedelta(days=60)  # Settings.recycle_window_days' default


class InventoryMerchant(Unprocessable):
    code = "bulk_needs_tracking_only_merchant"


def load(
    database: Database,
    merchant_id: str,
    records: Iterable[Record | Prepared],
    *,
    progress: Callable[[BulkReport], None] | None = None,
    chunk_orders: int = 50_000,
    recycle_window: timedelta = RECYCLE_WINDOW,
) -> BulkReport:
    """Write ``records`` (in stream order) for the merchant; a chunk of orders per transaction.

    ``records`` may already have been through :func:`prepare` (for example in another
    process, beside the generator): reading them needs no database.
    """
    started = time.perf_counter()
    report = BulkReport()
    with database.engine.connect() as conn:
        if conn.scalar(select(Warehouse.id).where(Warehouse.merchant_id == merchant_id).limit(1)):
            raise InventoryMerchant("bulk loading is for tracking-only merchants (this one keeps stock)")
        polled = set(
            conn.scalars(
                select(CarrierAccount.carrier).where(
                    CarrierAccount.merchant_id == merchant_id, CarrierAccount.enabled.is_(True)
                )
            )
        )
    reader = RecordReader(merchant_id)
    items = (item if isinstance(item, Prepared) else reader.read(item) for item in records)
    for part in chunks(items, chunk_orders):
        for item in part:
            report.rejected_events += item.rejected_events
            report.webhooks += item.webhook
            if item.body is None:
                report.refused[f"invalid_{item.kind}"] += 1
        readable = [item for item in part if item.body is not None]
        if readable:
            with database.engine.begin() as conn:
                chunk = Chunk(conn, merchant_id, recycle_window, polled, report, readable[0].at)
                play(chunk, readable)
        report.records += len(part)
        report.seconds = time.perf_counter() - started
        if progress is not None:
            progress(report)
    with database.engine.connect() as conn:
        report.unmatched = (
            conn.scalar(
                select(func.count(TrackingEvent.id)).where(
                    TrackingEvent.merchant_id == merchant_id, TrackingEvent.parcel_id.is_(None)
                )
            )
            or 0
        )
    report.seconds = time.perf_counter() - started
    return report


def play(chunk: Chunk, items: list[Prepared]) -> None:
    """One transaction: read what the records touch, play them in stream order, write the outcome."""
    prefetch(chunk, items)
    for item in items:
        chunk.now = item.at
        if item.kind == "order":
            place_order(chunk, item.body, item.at)
        elif item.kind == "shipment":
            try:
                create_shipment(chunk, item.order_number or "", item.body, item.at)
            except OrdertrackError as error:
                chunk.report.refused[error.code] += 1
        else:
            ingest(chunk, item.body, item.at)
    write(chunk)


__all__ = ["RECYCLE_WINDOW", "BulkReport", "InventoryMerchant", "Prepared", "load", "prepare"]
