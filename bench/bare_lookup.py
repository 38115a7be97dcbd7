"""The lookup baseline: a bare Starlette endpoint running ordertrack's two lookup SELECTs.

It reads the parcel by tracking number joined to its shipment and order, then the parcel's
events, with psycopg 3 on a small pool of async connections, and answers JSON. No ORM, no
validation models: the floor a tracking lookup over this schema could cost in Python.

Configured by environment (``servers.serve`` passes it): ``BENCH_DATABASE_URL`` (libpq
form), ``BENCH_MERCHANT_ID``, ``BENCH_API_KEY`` and ``BENCH_POOL_SIZE``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

PARCEL_SQL = """
SELECT p.id, p.tracking_number, p.carrier, p.status, p.reason, p.delivered_at,
       p.shipment_id, s.order_id, o.number AS order_number
FROM parcels p
JOIN shipments s ON s.id = p.shipment_id
JOIN orders o ON o.id = s.order_id
WHERE p.merchant_id = %s AND p.tracking_number = %s
ORDER BY p.created_at DESC, p.id DESC
LIMIT 1
"""

# Every column, as ordertrack's ``select(TrackingEvent)`` reads them.
EVENTS_SQL = """
SELECT id, merchant_id, parcel_id, tracking_number, carrier, source, event_id, dedupe_key,
       occurred_at, utc_offset_minutes, timezone, status, reason, code, description,
       city, region, postal_code, country, latitude, longitude, received_at, raw
FROM tracking_events
WHERE merchant_id = %s AND parcel_id = %s
ORDER BY occurred_at, id
"""


class ConnectionPool:
    """A fixed set of autocommit connections handed out one request at a time."""

    def __init__(self, conninfo: str, size: int) -> None:
        self._conninfo = conninfo
        self._size = size
        self._idle: asyncio.Queue[psycopg.AsyncConnection[dict[str, Any]]] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self._size):
            conn = await psycopg.AsyncConnection.connect(
                self._conninfo, autocommit=True, row_factory=dict_row
            )
            self._idle.put_nowait(conn)

    async def close(self) -> None:
        while not self._idle.empty():
            await self._idle.get_nowait().close()

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
        conn = await self._idle.get()
        try:
            yield conn
        finally:
            self._idle.put_nowait(conn)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _event(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "occurred_at": _iso(row["occurred_at"]),
        "timezone": row["timezone"],
        "status": row["status"],
        "reason": row["reason"],
        "code": row["code"],
        "description": row["description"],
        "location": {
            key: row[key] for key in ("city", "region", "postal_code", "country", "latitude", "longitude")
        },
        "carrier": row["carrier"],
        "source": row["source"],
        "event_id": row["event_id"],
        "received_at": _iso(row["received_at"]),
    }


def create_app() -> Starlette:
    pool = ConnectionPool(os.environ["BENCH_DATABASE_URL"], int(os.environ.get("BENCH_POOL_SIZE", "16")))
    merchant_id = os.environ["BENCH_MERCHANT_ID"]
    authorization = f"Bearer {os.environ['BENCH_API_KEY']}"

    async def lookup(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != authorization:
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        number = request.path_params["tracking_number"].upper()
        async with pool.connection() as conn:
            parcel = await (await conn.execute(PARCEL_SQL, (merchant_id, number))).fetchone()
            if parcel is None:
                return JSONResponse({"error": "not found"}, status_code=404)
            events = await (await conn.execute(EVENTS_SQL, (merchant_id, parcel["id"]))).fetchall()
        return JSONResponse(
            {
                "tracking_number": parcel["tracking_number"],
                "carrier": parcel["carrier"],
                "status": parcel["status"],
                "reason": parcel["reason"],
                "delivered_at": _iso(parcel["delivered_at"]),
                "matched": True,
                "shipment_id": parcel["shipment_id"],
                "order": {"id": parcel["order_id"], "number": parcel["order_number"]},
                "event_count": len(events),
                "events": [_event(row) for row in events],
            }
        )

    async def healthz(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await pool.open()
        try:
            yield
        finally:
            await pool.close()

    return Starlette(
        routes=[Route("/healthz", healthz), Route("/api/v1/tracking/{tracking_number}", lookup)],
        lifespan=lifespan,
    )
