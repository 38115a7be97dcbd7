"""Receiving a 1,000-line inbound shipment (ASN) in one request, through the API, on PostgreSQL.

    python bench/receiving.py [--quick] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

(also ``python bench/run.py --only receiving``). Seeded through ordertrack's services: a
warehouse, 1,000 SKUs, a supplier, a sent purchase order of 1,000 lines, and ASNs declared
on it; 20 customer orders wait on backorders of 20 of the SKUs, so the counts also fill
backorders (oldest first) as a real delivery does.

Measured against ``ordertrack serve``'s API (one uvicorn worker), in the same run:

- ``asn_1000_lines``: each of ``runs`` ASNs of 1,000 lines counted in one
  ``POST /api/v1/inbound-shipments/{id}/receipts`` (after one untimed warm-up ASN): the
  target is <= 2 s each;
- baseline ``asn_1_line``: ASNs of one line, counted in one request each (the fixed cost of a
  request: auth, locks, the transaction);
- baseline ``one_request_per_line``: the lines of a 1,000-line ASN (200 in ``--quick``, the
  total scaled to 1,000) counted one request per line, as a client without batching would.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ordertrack.catalog import service as catalog_service
from ordertrack.catalog.schemas import ProductIn
from ordertrack.db.uow import Database
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.schema import AddressIn
from ordertrack.orders import service as orders_service
from ordertrack.purchasing import declaring
from ordertrack.suppliers import purchase_orders
from ordertrack.suppliers import service as suppliers_service
from ordertrack.suppliers.inbound_schemas import InboundShipmentIn
from ordertrack.suppliers.schemas import PurchaseOrderIn, SupplierIn

from benchdb import DEFAULT_SERVER, Tenant, analyze, create_tenant, fresh_database, migrated
from confirmations import _order_in
from servers import ORDERTRACK_APP, Server, ordertrack_env, serve

LINES = 1_000
SKUS = [f"RCV-{i:04d}" for i in range(LINES)]
WAREHOUSE = "DOCK"
TARGET_SECONDS = 2.0
BACKORDERED_ORDERS = 20
ACTOR = "bench"


@dataclass(frozen=True)
class Pools:
    warmup: str
    big: list[str]  # ASN ids, 1,000 lines each, one timed request each
    single: list[str]  # ASN ids of one line
    per_line: str  # an ASN whose lines are counted one request each
    per_line_count: int


def _sizes(quick: bool) -> tuple[int, int, int]:
    """(1,000-line ASNs timed, 1-line ASNs, lines counted one request each)."""
    return (3, 20, 200) if quick else (7, 50, LINES)


def prepare(db: Database, tenant: Tenant, quick: bool) -> Pools:
    runs, singles, per_line = _sizes(quick)
    m = tenant.merchant_id
    with db.uow() as uow:
        inventory_service.create_warehouse(
            uow,
            m,
            WarehouseIn(
                code=WAREHOUSE,
                name="Receiving bench DC",
                address=AddressIn(line1="1 Dock Rd", city="Chicago", country="US"),
                timezone="America/Chicago",
            ),
        )
        for sku in SKUS:
            catalog_service.create_product(uow, m, ProductIn(sku=sku, name=f"Bench part {sku}"))
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
                    "number": "PO-BENCH",
                    "supplier_id": supplier.id,
                    "warehouse": WAREHOUSE,
                    "currency": "EUR",
                    "lines": [{"sku": sku, "quantity": 1000, "unit_cost": "1.00"} for sku in SKUS],
                }
            ),
        )
        purchase_orders.send_purchase_order(uow, m, po.id)
        uow.commit()
        po_id = po.id

    def asn(lines: list[str], quantity: int) -> str:
        with db.uow() as uow:
            declared = declaring.declare_inbound_shipment(
                uow,
                m,
                po_id,
                InboundShipmentIn.model_validate(
                    {"lines": [{"sku": s, "quantity": quantity} for s in lines]}
                ),
                actor=ACTOR,
            )
            uow.commit()
            return declared.shipment.id

    # Customer orders waiting on 20 of the SKUs, placed a minute apart: oldest filled first.
    placed_at = datetime.now(UTC) - timedelta(days=1)
    with db.uow() as uow:
        for i in range(BACKORDERED_ORDERS):
            order = orders_service.place_order(
                uow,
                m,
                _order_in(f"BO-{i:03d}", [(SKUS[i], 3)], placed_at + timedelta(minutes=i)),
            )
            orders_service.confirm_order(uow, m, order.id)
        uow.commit()

    return Pools(
        warmup=asn(SKUS, 5),
        big=[asn(SKUS, 5) for _ in range(runs)],
        single=[asn(SKUS[i : i + 1], 5) for i in range(singles)],
        per_line=asn(SKUS[:per_line], 5),
        per_line_count=per_line,
    )


def _receive(http: httpx.Client, asn_id: str, lines: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    answer = http.post(f"/api/v1/inbound-shipments/{asn_id}/receipts", json={"lines": lines})
    elapsed = time.perf_counter() - started
    if answer.status_code != 201:
        raise RuntimeError(f"receiving answered {answer.status_code}: {answer.text[:300]}")
    return elapsed


def _all_lines(count: int = LINES) -> list[dict[str, Any]]:
    # Every tenth line short by one, every 50th with a damaged unit: a realistic delivery.
    return [
        {"sku": sku, "good": 5 - (i % 10 == 0) - (i % 50 == 0), "damaged": int(i % 50 == 0)}
        for i, sku in enumerate(SKUS[:count])
    ]


def measure(server: Server, tenant: Tenant, pools: Pools) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {tenant.api_key}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", headers=headers, timeout=120) as http:
        _receive(http, pools.warmup, _all_lines())
        big = [_receive(http, asn_id, _all_lines()) for asn_id in pools.big]
        single = []
        for index, asn_id in enumerate(pools.single):
            single.append(_receive(http, asn_id, [{"sku": SKUS[index], "good": 5}]))
        started = time.perf_counter()
        for line in _all_lines(pools.per_line_count):
            _receive(http, pools.per_line, [line])
        per_line_total = time.perf_counter() - started
    per_line_scaled = per_line_total * LINES / pools.per_line_count
    median_big = statistics.median(big)
    return {
        "asn_1000_lines_seconds": {
            "runs": len(big),
            "median": round(median_big, 3),
            "max": round(max(big), 3),
            "each": [round(x, 3) for x in big],
        },
        "baseline_asn_1_line_ms": {
            "runs": len(single),
            "median": round(statistics.median(single) * 1000, 1),
            "max": round(max(single) * 1000, 1),
        },
        "baseline_one_request_per_line": {
            "lines_counted": pools.per_line_count,
            "seconds": round(per_line_total, 2),
            "seconds_for_1000_lines": round(per_line_scaled, 1),
        },
        "batched_vs_one_request_per_line": round(per_line_scaled / median_big, 1),
        "target_seconds": TARGET_SECONDS,
        "met": max(big) <= TARGET_SECONDS,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pg", default=DEFAULT_SERVER)
    args = parser.parse_args(argv)
    with fresh_database(args.pg) as url:
        db = migrated(url)
        tenant = create_tenant(db)
        print("[bench receiving] seeding...", file=sys.stderr, flush=True)
        pools = prepare(db, tenant, args.quick)
        analyze(url)
        db.dispose()
        with serve(ORDERTRACK_APP, ordertrack_env(url)) as server:
            print("[bench receiving] measuring...", file=sys.stderr, flush=True)
            result = measure(server, tenant, pools)
    print(
        json.dumps({"when": datetime.now(UTC).isoformat(timespec="seconds"), "receiving": result}, indent=2)
    )


if __name__ == "__main__":
    main()
