"""Available to promise for one SKU through the API, at 100,000 SKUs and 1,000 open purchase
orders, on PostgreSQL.

    python bench/atp.py [--quick] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

(also ``python bench/run.py --only atp``). Seeded in bulk (``COPY``) for one merchant: two
warehouses, 100,000 products with a stock level each (a third of them at zero), a supplier,
1,000 sent or confirmed purchase orders of 10 lines each on random SKUs (10,000 open lines), a
declared ASN on 300 of them; then 300 customer orders placed and confirmed through the
services, backordered on SKUs with inbound, so the answers have queues to count.

Measured against ``ordertrack serve``'s API (one uvicorn worker), in the same run, one client
in a loop (after a warm-up), random SKUs:

- ``availability``: ``GET /api/v1/availability?sku=..&country=US&quantity=2``, half of the
  SKUs with open purchase orders (the target: p99 <= 20 ms);
- baseline ``stock_lookup``: ``GET /api/v1/stock?sku=..`` (the existing stock lookup), the
  same SKUs.

stdout carries one JSON document; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg

from ordertrack.db.uow import Database
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.ids import new_id
from ordertrack.kit.number_keys import number_key
from ordertrack.kit.schema import AddressIn
from ordertrack.orders import service as orders_service
from ordertrack.suppliers import service as suppliers_service
from ordertrack.suppliers.schemas import SupplierIn

from benchdb import DEFAULT_SERVER, Tenant, analyze, create_tenant, fresh_database, libpq_url, migrated
from confirmations import _order_in
from servers import ORDERTRACK_APP, Server, ordertrack_env, serve

TARGET_P99_MS = 20.0


@dataclass(frozen=True)
class Sizes:
    skus: int
    purchase_orders: int
    lines_per_po: int
    asns: int
    backordered_orders: int
    requests: int


FULL_SIZES = Sizes(100_000, 1_000, 10, 300, 300, 2_000)
QUICK_SIZES = Sizes(20_000, 200, 10, 60, 60, 400)


@dataclass(frozen=True)
class Pools:
    with_inbound: list[str]
    without: list[str]
    sizes: Sizes


def progress(message: str) -> None:
    print(f"[atp {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _copy(
    conn: psycopg.Connection[Any], table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def prepare(db: Database, url: str, tenant: Tenant, sizes: Sizes) -> Pools:
    m = tenant.merchant_id
    rng = random.Random(21)
    with db.uow() as uow:
        warehouses = [
            inventory_service.create_warehouse(
                uow,
                m,
                WarehouseIn(
                    code=code,
                    name=f"{city} DC",
                    address=AddressIn(line1="1 Dock Rd", city=city, country=country),
                    timezone=zone,
                ),
            ).id
            for code, city, country, zone in (
                ("AUS1", "Austin", "US", "America/Chicago"),
                ("BER1", "Berlin", "DE", "Europe/Berlin"),
            )
        ]
        supplier = suppliers_service.create_supplier(
            uow,
            m,
            SupplierIn(
                name="Bench Supplier",
                address=AddressIn(line1="Industriestr. 4", city="Munich", country="DE"),
                timezone="Europe/Berlin",
            ),
        )
        uow.commit()
        supplier_id = supplier.id
    now = datetime.now(UTC)
    today = now.date()
    skus = [f"ATP-{i:06d}" for i in range(sizes.skus)]
    progress(f"copying {sizes.skus} products and levels")
    with psycopg.connect(libpq_url(url)) as conn:
        _copy(
            conn,
            "products",
            ("id", "merchant_id", "sku", "name", "created_at"),
            [(new_id("prd"), m, s, s, now) for s in skus],
        )
        _copy(
            conn,
            "stock_levels",
            (
                "id",
                "merchant_id",
                "warehouse_id",
                "sku",
                "on_hand",
                "reserved",
                "below_threshold",
                "updated_at",
            ),
            [
                (
                    new_id("stk"),
                    m,
                    warehouses[i % 2],
                    s,
                    0 if i % 3 == 0 else rng.randint(1, 50),
                    0,
                    False,
                    now,
                )
                for i, s in enumerate(skus)
            ],
        )
        inbound_skus = sorted({s for i, s in enumerate(skus) if i % 3 == 0})
        po_rows, line_rows, asn_rows, asn_line_rows = [], [], [], []
        lined: set[str] = set()
        for p in range(sizes.purchase_orders):
            po_id, number = new_id("po"), f"PO-B{p:05d}"
            confirmed = p % 2 == 0
            po_rows.append(
                (
                    po_id, m, number, number_key(number), supplier_id, warehouses[p % 2], "EUR",
                    today + timedelta(days=rng.randint(5, 20)), today + timedelta(days=rng.randint(20, 60)),
                    now - timedelta(days=3), now - timedelta(days=2) if confirmed else None,
                    "confirmed" if confirmed else "sent", now, now,
                )
            )  # fmt: skip
            chosen = rng.sample(inbound_skus, sizes.lines_per_po)
            lines = []
            for n, sku in enumerate(chosen, start=1):
                line_id = new_id("pol")
                lines.append((line_id, sku))
                lined.add(sku)
                line_rows.append((line_id, m, po_id, n, sku, rng.randint(20, 200), "1.00", 0, 0, 0))
            if p < sizes.asns:
                asn_id = new_id("asn")
                asn_rows.append(
                    (
                        asn_id, m, po_id, 1, f"{number}-1", number_key(f"{number}-1"), "ups",
                        today + timedelta(days=rng.randint(3, 15)), "declared", "bench", now, now,
                    )
                )  # fmt: skip
                for line_id, sku in lines[:5]:
                    asn_line_rows.append((new_id("asl"), m, asn_id, line_id, sku, 10, 0, 0))
        progress(f"copying {len(po_rows)} purchase orders, {len(line_rows)} lines, {len(asn_rows)} ASNs")
        _copy(
            conn,
            "purchase_orders",
            (
                "id", "merchant_id", "number", "number_key", "supplier_id", "warehouse_id", "currency",
                "promised_ship_date", "promised_arrival_date", "sent_at", "confirmed_at", "status",
                "created_at", "updated_at",
            ),
            po_rows,
        )  # fmt: skip
        _copy(
            conn,
            "purchase_order_lines",
            (
                "id", "merchant_id", "purchase_order_id", "line_no", "sku", "quantity", "unit_cost",
                "shipped_quantity", "received_quantity", "damaged_quantity",
            ),
            line_rows,
        )  # fmt: skip
        _copy(
            conn,
            "inbound_shipments",
            (
                "id", "merchant_id", "purchase_order_id", "seq", "number", "number_key", "carrier",
                "expected_arrival_date", "status", "declared_by", "created_at", "updated_at",
            ),
            asn_rows,
        )  # fmt: skip
        _copy(
            conn,
            "inbound_shipment_lines",
            (
                "id", "merchant_id", "inbound_shipment_id", "purchase_order_line_id", "sku", "quantity",
                "received_quantity", "damaged_quantity",
            ),
            asn_line_rows,
        )  # fmt: skip
        conn.commit()
    with_inbound = sorted(lined)
    progress(f"placing {sizes.backordered_orders} backordered customer orders")
    placed = now - timedelta(days=1)
    with db.uow() as uow:
        for i in range(sizes.backordered_orders):
            sku = with_inbound[i % len(with_inbound)]
            order = orders_service.place_order(
                uow, m, _order_in(f"ATP-{i:05d}", [(sku, 3)], placed + timedelta(minutes=i))
            )
            orders_service.confirm_order(uow, m, order.id)
            if i % 100 == 99:
                uow.commit()
        uow.commit()
    analyze(url)
    without = [s for s in skus if s not in lined]
    return Pools(with_inbound, without, sizes)


def _latencies(http: httpx.Client, path: str, params: list[dict[str, Any]]) -> list[float]:
    found = []
    for query in params:
        started = time.perf_counter()
        answer = http.get(path, params=query)
        found.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{path} answered {answer.status_code}: {answer.text[:300]}")
    return found


def _summary(ms: list[float]) -> dict[str, Any]:
    ordered = sorted(ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "requests": len(ms),
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(max(ms), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def measure(server: Server, tenant: Tenant, pools: Pools) -> dict[str, Any]:
    rng = random.Random(7)
    count = pools.sizes.requests
    skus = [rng.choice(pools.with_inbound) if i % 2 == 0 else rng.choice(pools.without) for i in range(count)]
    headers = {"Authorization": f"Bearer {tenant.api_key}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", headers=headers, timeout=30) as http:
        warm = [{"sku": s, "country": "US", "quantity": 2} for s in skus[:100]]
        _latencies(http, "/api/v1/availability", warm)
        _latencies(http, "/api/v1/stock", [{"sku": s} for s in skus[:100]])
        stock = _latencies(http, "/api/v1/stock", [{"sku": s} for s in skus])
        atp = _latencies(
            http, "/api/v1/availability", [{"sku": s, "country": "US", "quantity": 2} for s in skus]
        )
        sample = http.get(
            "/api/v1/availability", params={"sku": pools.with_inbound[0], "country": "DE"}
        ).json()
    figures = _summary(atp)
    return {
        "skus": pools.sizes.skus,
        "open_purchase_orders": pools.sizes.purchase_orders,
        "open_lines": pools.sizes.purchase_orders * pools.sizes.lines_per_po,
        "backordered_orders": pools.sizes.backordered_orders,
        "availability": figures,
        "baseline_stock_lookup": _summary(stock),
        "sample_answer": sample,
        "target_p99_ms": TARGET_P99_MS,
        "met": figures["p99_ms"] <= TARGET_P99_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pg", default=DEFAULT_SERVER)
    args = parser.parse_args()
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    started = time.perf_counter()
    with fresh_database(args.pg) as url:
        db = migrated(url)
        tenant = create_tenant(db)
        pools = prepare(db, url, tenant, sizes)
        db.dispose()
        progress("measuring against ordertrack serve")
        with serve(ORDERTRACK_APP, ordertrack_env(url)) as server:
            result = measure(server, tenant, pools)
    result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
