"""The confirmation baseline: the row work of one confirmation with psycopg 3, no ordertrack.

One transaction per order: lock the order's stock levels (``SELECT ... FOR UPDATE`` in id
order, every warehouse holding its SKUs, as ordertrack does), raise ``reserved`` at the
first warehouse that can fill the whole order, insert one ledger row and one reservation
per line, and set the order's status. The order's lines are known from seeding, so the
order and its lines are not read back; there is no validation, no ORM and no allocation
search: it is the ceiling for writing these rows at all.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg


@dataclass(frozen=True)
class OrderToConfirm:
    order_id: str
    lines: tuple[tuple[str, str, int], ...]  # (order line id, sku, quantity)


LOCK_LEVELS = (
    "SELECT id, warehouse_id, sku, on_hand, reserved FROM stock_levels"
    " WHERE merchant_id = %s AND sku = ANY(%s) ORDER BY id FOR UPDATE"
)
RESERVE = "UPDATE stock_levels SET reserved = reserved + %s, updated_at = %s WHERE id = %s"
LEDGER = (
    "INSERT INTO stock_movements (merchant_id, warehouse_id, sku, kind, on_hand_delta, reserved_delta,"
    " order_id, actor, reason, created_at) VALUES (%s, %s, %s, 'reservation', 0, %s, %s, %s, NULL, %s)"
)
HOLD = (
    "INSERT INTO reservations (id, merchant_id, order_id, order_line_id, warehouse_id, sku, quantity,"
    " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)
CONFIRM = (
    "UPDATE orders SET status = 'processing', confirmed_at = %s, updated_at = %s"
    " WHERE id = %s AND merchant_id = %s"
)


class BareConfirmer:
    """Confirms orders on one psycopg connection per calling thread."""

    def __init__(self, conninfo: str, merchant_id: str, preferred_warehouse: str, actor: str) -> None:
        self._conninfo = conninfo
        self._merchant_id = merchant_id
        self._preferred = preferred_warehouse
        self._actor = actor
        self._local = threading.local()
        self._connections: list[psycopg.Connection[Any]] = []
        self._opening = threading.Lock()

    def _connection(self) -> psycopg.Connection[Any]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = psycopg.connect(self._conninfo)
            self._local.conn = conn
            with self._opening:
                self._connections.append(conn)
        return conn

    def confirm(self, order: OrderToConfirm) -> None:
        merchant, now = self._merchant_id, datetime.now(UTC)
        conn = self._connection()
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(LOCK_LEVELS, (merchant, sorted({sku for _, sku, _ in order.lines})))
            levels = {
                (warehouse, sku): (level_id, on_hand - reserved)
                for level_id, warehouse, sku, on_hand, reserved in cur
            }
            chosen = {}
            for line_id, sku, quantity in order.lines:
                level_id, free = levels[(self._preferred, sku)]
                if free < quantity:
                    raise RuntimeError(f"the bench ran out of {sku}: seed more stock")
                chosen[line_id] = level_id
            cur.executemany(
                RESERVE, [(quantity, now, chosen[line_id]) for line_id, _, quantity in order.lines]
            )
            cur.executemany(
                LEDGER,
                [
                    (merchant, self._preferred, sku, quantity, order.order_id, self._actor, now)
                    for _, sku, quantity in order.lines
                ],
            )
            cur.executemany(
                HOLD,
                [
                    (
                        "rsv_" + os.urandom(13).hex()[:26],
                        merchant,
                        order.order_id,
                        line_id,
                        self._preferred,
                        sku,
                        quantity,
                        now,
                    )
                    for line_id, sku, quantity in order.lines
                ],
            )
            cur.execute(CONFIRM, (now, now, order.order_id, merchant))

    def close(self) -> None:
        for conn in self._connections:
            conn.close()
