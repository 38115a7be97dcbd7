"""Revising the promises of 10,000 customer orders waiting on one delayed inbound, by the worker,
while tracking events keep coming in, on PostgreSQL.

    python bench/backorder_revision.py [--quick] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

(also ``python bench/run.py --only backorder_revision``). Seeded for one merchant: a warehouse,
a supplier, a sent purchase order of 12,000 units of one SKU with an ASN for all of them, and
10,000 customer orders (2,000 with ``--quick``) backordered on that SKU, bulk-copied; the worker
gives them their first promises from the ASN (timed as ``first_promises``). 200 shipments are
seeded through the services for the ingest load.

Then the ASN is delayed by 10 days (its derived arrival moves and ``InboundExpectationChanged``
is recorded, as a carrier's later estimate does), and, in the same run:

- ``ingest_alone``: ``POST /api/v1/tracking/events`` in batches of 100 events, two clients in
  a loop, for ``seconds``: events/s;
- ``revision``: the worker's job (``revise_waiting_promises``, in its own process, 250 orders
  per transaction) revising every waiting order: its wall time (target <= 30 s);
- ``ingest_during_revision``: the same ingest load while the revision runs: events/s, and its
  ratio to ``ingest_alone`` (target >= 0.8).

stdout carries one JSON document; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import psycopg
from sqlalchemy import func, select

from ordertrack.catalog import service as catalog_service
from ordertrack.catalog.schemas import ProductIn
from ordertrack.checks.restocking import ORDERS_PER_TRANSACTION, PAUSE_RATIO
from ordertrack.db.uow import Database
from ordertrack.eta.model import EddRevision
from ordertrack.events import InboundExpectationChanged
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.ids import new_id
from ordertrack.kit.number_keys import number_key
from ordertrack.kit.schema import AddressIn
from ordertrack.purchasing import declaring
from ordertrack.suppliers import purchase_orders
from ordertrack.suppliers import service as suppliers_service
from ordertrack.suppliers.inbound_schemas import InboundShipmentIn
from ordertrack.suppliers.model import InboundShipment
from ordertrack.suppliers.schemas import PurchaseOrderIn, SupplierIn

from benchdb import (
    DEFAULT_SERVER,
    Tenant,
    analyze,
    create_tenant,
    fresh_database,
    libpq_url,
    migrated,
    seed_parcels,
)
from events import EventStream
from servers import ORDERTRACK_APP, Server, ordertrack_env, serve

SKU = "HOT-TENT"
WAREHOUSE = "DOCK"
TARGET_SECONDS = 30.0
TARGET_RATIO = 0.8
BATCH = 100
CLIENTS = 2
# Parcels per ingest phase: each phase scans a fresh set, as a parcel's timeline grows with
# its scans and later batches would otherwise cost more than earlier ones.
PARCELS = 300


@dataclass(frozen=True)
class Seeded:
    asn_id: str
    warehouse_id: str
    orders: int
    shop: Tenant  # whose parcels the ingest load scans
    parcels: list[str]
    first_promises_seconds: float


def progress(message: str) -> None:
    print(f"[backorders {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _copy(
    conn: psycopg.Connection[Any], table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


_WORKER = (
    "import json, sys, time\n"
    "from ordertrack import tables  # every table, as the CLI imports them\n"
    "from ordertrack.bootstrap import open_database\n"
    "from ordertrack.config import Settings\n"
    "from ordertrack.kit.clock import utcnow\n"
    "from ordertrack.worker.jobs import revise_waiting_promises\n"
    "db = open_database(sys.argv[1])\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "started = time.perf_counter()\n"
    "revised = revise_waiting_promises(db, Settings(), utcnow())\n"
    "print(json.dumps({'orders': revised, 'seconds': round(time.perf_counter() - started, 2)}), flush=True)\n"
)


class WorkerProcess:
    """The worker's job in a process of its own (as ``ordertrack worker`` runs it), imported and
    connected before it is told to go, so its start-up is not timed."""

    def __init__(self, url: str) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _WORKER, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        if self._process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the worker did not start:\n{self._process.stderr.read()[-3000:]}")  # type: ignore[union-attr]

    def go(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write("go\n")
        self._process.stdin.flush()

    def report(self) -> dict[str, Any]:
        out, err = self._process.communicate(timeout=600)
        if self._process.returncode != 0:
            raise RuntimeError(f"the worker's job failed:\n{err[-3000:]}")
        return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _revise_in_process(url: str) -> dict[str, Any]:
    worker = WorkerProcess(url)
    worker.go()
    return worker.report()


def prepare(db: Database, url: str, tenant: Tenant, orders: int) -> Seeded:
    m = tenant.merchant_id
    with db.uow() as uow:
        warehouse = inventory_service.create_warehouse(
            uow,
            m,
            WarehouseIn(
                code=WAREHOUSE,
                name="Bench DC",
                address=AddressIn(line1="1 Dock Rd", city="Chicago", country="US"),
                timezone="America/Chicago",
            ),
        )
        catalog_service.create_product(uow, m, ProductIn(sku=SKU, name="The tent everyone wants"))
        supplier = suppliers_service.create_supplier(
            uow,
            m,
            SupplierIn(
                name="Bench Supplier",
                address=AddressIn(line1="Industriestr. 4", city="Munich", country="DE"),
                timezone="Europe/Berlin",
            ),
        )
        po = purchase_orders.create_purchase_order(
            uow,
            m,
            PurchaseOrderIn.model_validate(
                {
                    "number": "PO-HOT",
                    "supplier_id": supplier.id,
                    "warehouse": WAREHOUSE,
                    "currency": "EUR",
                    "lines": [{"sku": SKU, "quantity": orders + 2_000, "unit_cost": "40.00"}],
                }
            ),
        )
        purchase_orders.send_purchase_order(uow, m, po.id)
        asn = declaring.declare_inbound_shipment(
            uow,
            m,
            po.id,
            InboundShipmentIn.model_validate(
                {
                    "number": "ASN-HOT",
                    "expected_arrival_date": (date.today() + timedelta(days=12)).isoformat(),
                    "lines": [{"sku": SKU, "quantity": orders + 2_000}],
                }
            ),
            actor="bench",
        )
        uow.commit()
        warehouse_id, asn_id = warehouse.id, asn.shipment.id
    progress(f"copying {orders} backordered orders")
    now = datetime.now(UTC)
    placed = now - timedelta(days=3)
    order_rows, line_rows, backorder_rows = [], [], []
    for i in range(orders):
        order_id, line_id, number = new_id("ord"), new_id("oln"), f"HOT-{i:06d}"
        at = placed + timedelta(seconds=i)
        order_rows.append(
            (order_id, m, number, number_key(number), "USD", at, "bench", "processing", False, at, now, now,
             "Chicago", "IL", "US")
        )  # fmt: skip
        line_rows.append((line_id, m, order_id, 1, SKU, 1, "199.00"))
        backorder_rows.append((new_id("bko"), m, order_id, line_id, SKU, 1, at))
    with psycopg.connect(libpq_url(url)) as conn:
        _copy(
            conn,
            "orders",
            ("id", "merchant_id", "number", "number_key", "currency", "placed_at", "source", "status",
             "attention", "confirmed_at", "created_at", "updated_at",
             "ship_city", "ship_region", "ship_country"),
            order_rows,
        )  # fmt: skip
        _copy(
            conn,
            "order_lines",
            ("id", "merchant_id", "order_id", "line_no", "sku", "quantity", "unit_price"),
            line_rows,
        )
        _copy(
            conn,
            "backorders",
            ("id", "merchant_id", "order_id", "order_line_id", "sku", "quantity", "placed_at"),
            backorder_rows,
        )
        conn.commit()
    # The ingest load is another shop's, on the same server and database (a shop with
    # warehouses names one per shipment; the tracking is the same either way).
    progress(f"seeding {2 * PARCELS} shipments for the ingest load")
    shop = create_tenant(db, "Ingest Shop")
    numbers = [f"HOTBENCH{i:05d}" for i in range(2 * PARCELS)]
    parcels = [p.tracking_number for p in seed_parcels(db, shop, numbers)]
    analyze(url)
    # Their first promises, from the ASN (noted due as the confirmation's inbound change would).
    _delay(db, m, asn_id, warehouse_id, days=0)
    progress("first promises from the inbound")
    first = _revise_in_process(url)
    return Seeded(asn_id, warehouse_id, orders, shop, parcels, first["seconds"])


def _delay(db: Database, merchant_id: str, asn_id: str, warehouse_id: str, *, days: int) -> None:
    """The ASN's derived arrival moves ``days`` later and the change is recorded, as purchasing
    does when the carrier's estimate for its parcels moves."""
    with db.uow() as uow:
        asn = uow.session.get(InboundShipment, asn_id)
        assert asn is not None
        base = asn.arrival_estimate or asn.expected_arrival_date or date.today()
        asn.arrival_estimate, asn.arrival_basis = base + timedelta(days=days), "carrier"
        uow.record(
            InboundExpectationChanged(
                merchant_id,
                (SKU,),
                warehouse_id,
                "supplier_delay" if days else "carrier_estimate",
                datetime.now(UTC),
            )
        )
        uow.commit()


def _ingest(server: Server, tenant: Tenant, parcels: list[str], stop: threading.Event) -> tuple[int, float]:
    """Events stored by ``CLIENTS`` clients posting batches until ``stop``; (events, seconds)."""
    stream = EventStream(f"rev-{time.monotonic_ns()}")
    counted = [0] * CLIENTS
    started = time.perf_counter()

    def client(index: int) -> None:
        mine = parcels[index::CLIENTS]
        headers = {"Authorization": f"Bearer {tenant.api_key}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", headers=headers, timeout=60) as http:
            start = 0
            while not stop.is_set():
                # 20 parcels a batch, moving along the client's own parcels (no two clients share one).
                window = [mine[(start + k) % len(mine)] for k in range(20)]
                start += 20
                answer = http.post("/api/v1/tracking/events", json={"events": stream.batch(window, BATCH)})
                if answer.status_code != 200:
                    raise RuntimeError(f"ingest answered {answer.status_code}: {answer.text[:200]}")
                counted[index] += BATCH

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counted), time.perf_counter() - started


def measure(server: Server, db: Database, url: str, tenant: Tenant, seeded: Seeded) -> dict[str, Any]:
    during_parcels, alone_parcels = seeded.parcels[:PARCELS], seeded.parcels[PARCELS:]
    _delay(db, tenant.merchant_id, seeded.asn_id, seeded.warehouse_id, days=10)
    revisions_before = _order_revisions(db)
    worker = WorkerProcess(url)
    stop = threading.Event()
    ingest_result: list[tuple[int, float]] = []
    loader = threading.Thread(
        target=lambda: ingest_result.append(_ingest(server, seeded.shop, during_parcels, stop))
    )
    # Ingest and the revision start together; ingest is counted for as long as the revision runs.
    loader.start()
    worker.go()
    revision = worker.report()
    stop.set()
    loader.join()
    during_events, during_seconds = ingest_result[0]
    during = during_events / during_seconds
    revised = _order_revisions(db) - revisions_before

    # The same load for as long, on parcels as fresh, with nothing else running.
    stop = threading.Event()
    timer = threading.Timer(during_seconds, stop.set)
    timer.start()
    alone_events, alone_seconds = _ingest(server, seeded.shop, alone_parcels, stop)
    alone = alone_events / alone_seconds
    ratio = during / alone
    return {
        "orders_waiting": seeded.orders,
        "first_promises_seconds": seeded.first_promises_seconds,
        "revision": {
            **revision,
            "revisions_written": revised,
            "orders_per_transaction": ORDERS_PER_TRANSACTION,
            "pause_ratio": PAUSE_RATIO,
        },
        "ingest_during_revision_events_per_s": round(during, 1),
        "ingest_during_revision_seconds": round(during_seconds, 1),
        "ingest_alone_events_per_s": round(alone, 1),
        "ingest_alone_seconds": round(alone_seconds, 1),
        "ingest_ratio": round(ratio, 3),
        "targets": {"revision_seconds": TARGET_SECONDS, "ingest_ratio": TARGET_RATIO},
        "met": revision["seconds"] <= TARGET_SECONDS and ratio >= TARGET_RATIO,
    }


def _order_revisions(db: Database) -> int:
    with db.uow(write=False) as uow:
        return int(
            uow.session.scalar(
                select(func.count()).select_from(EddRevision).where(EddRevision.shipment_id.is_(None))
            )
            or 0
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pg", default=DEFAULT_SERVER)
    args = parser.parse_args()
    orders = 2_000 if args.quick else 10_000
    started = time.perf_counter()
    with fresh_database(args.pg) as url:
        db = migrated(url)
        tenant = create_tenant(db)
        seeded = prepare(db, url, tenant, orders)
        progress("measuring against ordertrack serve")
        with serve(ORDERTRACK_APP, ordertrack_env(url)) as server:
            result = measure(server, db, url, tenant, seeded)
        db.dispose()
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
