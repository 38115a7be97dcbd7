"""Order confirmations/s in-process: ``confirm_order`` in units of work from N threads,
against a bare psycopg script doing the same row work (``bare_confirm.py``).

A merchant with 3 warehouses holds plenty of stock of ``SKUS`` SKUs in each, so every
order is filled from one warehouse (the preferred one) and nothing is backordered: the
common path of a confirmation. Orders of 1 and of 5 lines are placed in advance through
``place_order``; each phase confirms its own pending orders, each exactly once. The bare
phases get more orders (``plan.confirm_bare_orders``) so that they last about as long.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from ordertrack.bootstrap import open_database
from ordertrack.db.uow import Database
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.kit.schema import AddressIn
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn

from bare_confirm import BareConfirmer, OrderToConfirm
from benchdb import SEED_ORDERS_PER_COMMIT, Tenant, libpq_url
from cpu import cpu_use
from loadgen import percentile
from plan import Plan

SKUS = [f"SKU-{i:03d}" for i in range(50)]
# Lower priority ships first: MAIN fills every order here, the others hold the same SKUs.
WAREHOUSES = (("MAIN", 10, "Chicago", "US"), ("EAST", 20, "Newark", "US"), ("WEST", 30, "Reno", "US"))
# Far more than a run reserves, so no order is backordered or split.
ON_HAND = 1_000_000
LINE_COUNTS = (1, 5)
CONCURRENCIES = (1, 8)
ACTOR = "bench"


@dataclass(frozen=True)
class Pools:
    """Pending orders per (lines, concurrency, who), plus warm-up orders per line count."""

    phases: dict[tuple[int, int, str], list[OrderToConfirm]]
    warmup: dict[tuple[int, str], list[OrderToConfirm]]
    warehouse_of: dict[str, str]  # code -> id
    merchant_id: str


def _order_in(number: str, lines: Sequence[tuple[str, int]], placed_at: datetime) -> OrderIn:
    return OrderIn.model_validate(
        {
            "number": number,
            "customer": {"email": f"{number.lower()}@example.com", "name": "Ada Bench"},
            "shipping_address": {"line1": "1 Main St", "city": "Chicago", "country": "US"},
            "lines": [
                {"sku": sku, "quantity": quantity, "unit_price": Decimal("9.90")} for sku, quantity in lines
            ],
            "currency": "USD",
            "placed_at": placed_at.isoformat(),
        }
    )


def _stock(db: Database, tenant: Tenant) -> dict[str, str]:
    with db.uow() as uow:
        ids = {}
        for code, priority, city, country in WAREHOUSES:
            warehouse = inventory_service.create_warehouse(
                uow,
                tenant.merchant_id,
                WarehouseIn(
                    code=code,
                    name=f"{city} DC",
                    address=AddressIn(line1="100 Dock Rd", city=city, country=country),
                    timezone="America/Chicago",
                    priority=priority,
                ),
            )
            ids[code] = warehouse.id
            for sku in SKUS:
                inventory_service.set_stock(uow, tenant.merchant_id, code, sku, ON_HAND, actor=ACTOR)
        uow.commit()
    return ids


def _place(
    db: Database, tenant: Tenant, wanted: list[tuple[str, list[tuple[str, int]]]]
) -> list[OrderToConfirm]:
    placed_at = datetime.now(UTC) - timedelta(hours=1)
    placed: list[OrderToConfirm] = []
    for start in range(0, len(wanted), SEED_ORDERS_PER_COMMIT):
        with db.uow() as uow:
            for number, lines in wanted[start : start + SEED_ORDERS_PER_COMMIT]:
                order = orders_service.place_order(
                    uow, tenant.merchant_id, _order_in(number, lines, placed_at)
                )
                placed.append(
                    OrderToConfirm(
                        order.id, tuple((line.id, line.sku, line.quantity) for line in order.lines)
                    )
                )
            uow.commit()
    return placed


def prepare(db: Database, tenant: Tenant, plan: Plan) -> Pools:
    """Warehouses, stock, and every phase's pending orders (SKUs and quantities at random)."""
    warehouse_of = _stock(db, tenant)
    rng = random.Random(7)
    wanted: list[tuple[str, list[tuple[str, int]]]] = []
    slots: list[tuple[Any, int]] = []
    for lines in LINE_COUNTS:
        for who in ("ordertrack", "bare"):
            slots.append(((lines, who), plan.confirm_warmup))
            count = plan.confirm_orders if who == "ordertrack" else plan.confirm_bare_orders
            for concurrency in CONCURRENCIES:
                slots.append(((lines, concurrency, who), count))
    for key, count in slots:
        lines = key[0]
        for _ in range(count):
            wanted.append(
                (f"C-{len(wanted):06d}", [(sku, rng.randint(1, 3)) for sku in rng.sample(SKUS, lines)])
            )
    placed = iter(_place(db, tenant, wanted))
    phases: dict[tuple[int, int, str], list[OrderToConfirm]] = {}
    warmup: dict[tuple[int, str], list[OrderToConfirm]] = {}
    for key, count in slots:
        orders = [next(placed) for _ in range(count)]
        if len(key) == 2:
            warmup[key] = orders
        else:
            phases[key] = orders
    return Pools(phases, warmup, warehouse_of, tenant.merchant_id)


def _in_threads(
    orders: Sequence[OrderToConfirm], concurrency: int, confirm: Callable[[OrderToConfirm], None]
) -> dict[str, Any]:
    """Confirm every order once from ``concurrency`` threads; confirmations/s and latencies."""
    pending = iter(orders)
    take = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def worker() -> None:
        while True:
            with take:
                order = next(pending, None)
            if order is None:
                return
            started = time.perf_counter()
            try:
                confirm(order)
            except Exception as exc:  # noqa: BLE001 - counted and reported, the phase goes on
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    with cpu_use(None) as cpu:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    latencies.sort()
    figures: dict[str, Any] = {
        "concurrency": concurrency,
        "seconds": round(seconds, 2),
        "confirmations": len(latencies),
        "confirmations_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "errors": len(errors),
        "cpu_cores": cpu.as_dict(),
    }
    if errors:
        figures["first_error"] = errors[0][:300]
    return figures


def _ordertrack_confirm(db: Database, merchant_id: str) -> Callable[[OrderToConfirm], None]:
    def confirm(order: OrderToConfirm) -> None:
        with db.uow() as uow:
            orders_service.confirm_order(uow, merchant_id, order.order_id, actor=ACTOR)
            uow.commit()

    return confirm


def _check(db: Database, pools: Pools) -> dict[str, Any]:
    """Every order confirmed once, reserved where the bare script would, ledger equal to levels."""
    with db.engine.connect() as conn:
        pending = conn.execute(
            text("SELECT count(*) FROM orders WHERE merchant_id = :m AND status = 'pending'"),
            {"m": pools.merchant_id},
        ).scalar()
        drift = conn.execute(
            text(
                "SELECT count(*) FROM stock_levels l JOIN ("
                " SELECT warehouse_id, sku, sum(on_hand_delta) AS oh, sum(reserved_delta) AS rs"
                " FROM stock_movements WHERE merchant_id = :m GROUP BY warehouse_id, sku) s"
                " USING (warehouse_id, sku)"
                " WHERE l.merchant_id = :m AND (l.on_hand <> s.oh OR l.reserved <> s.rs)"
            ),
            {"m": pools.merchant_id},
        ).scalar()
        outside_main = conn.execute(
            text("SELECT count(*) FROM reservations WHERE merchant_id = :m AND warehouse_id <> :w"),
            {"m": pools.merchant_id, "w": pools.warehouse_of["MAIN"]},
        ).scalar()
    return {
        "orders_left_pending": pending,
        "levels_off_ledger": drift,
        "reservations_outside_main": outside_main,
    }


def measure(db_url: str, pools: Pools, plan: Plan) -> dict[str, Any]:
    """Per line count and concurrency: the bare script's phase first (smaller tables), then
    ordertrack's; each phase confirms its own fresh orders, once each."""
    db = open_database(db_url)
    bare = BareConfirmer(libpq_url(db_url), pools.merchant_id, pools.warehouse_of["MAIN"], ACTOR)
    ours_confirm = _ordertrack_confirm(db, pools.merchant_id)
    results: dict[str, Any] = {}
    try:
        for lines in LINE_COUNTS:
            _in_threads(pools.warmup[(lines, "bare")], 1, bare.confirm)
            _in_threads(pools.warmup[(lines, "ordertrack")], 1, ours_confirm)
            for concurrency in CONCURRENCIES:
                baseline = _in_threads(pools.phases[(lines, concurrency, "bare")], concurrency, bare.confirm)
                ours = _in_threads(
                    pools.phases[(lines, concurrency, "ordertrack")], concurrency, ours_confirm
                )
                results[f"lines_{lines}_concurrency_{concurrency}"] = {
                    "lines_per_order": lines,
                    "ordertrack": ours,
                    "baseline_bare_psycopg": baseline,
                    "ratio": round(ours["confirmations_per_s"] / baseline["confirmations_per_s"], 3),
                }
        checks = _check(db, pools)
    finally:
        bare.close()
        db.dispose()
    return {
        "warehouses": len(WAREHOUSES),
        "skus": len(SKUS),
        "orders_per_phase": {"ordertrack": plan.confirm_orders, "bare": plan.confirm_bare_orders},
        "phases": results,
        "checks": checks,
    }
