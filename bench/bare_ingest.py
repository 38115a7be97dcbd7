"""The ingest baseline: a bare script storing the same rows with psycopg 3, no server.

Each worker owns one connection and, per transaction, inserts one batch of rows into
``tracking_events`` (same table, same columns, same values as ordertrack stores) with
``executemany``, which psycopg 3 sends as one pipeline. (A single multi-row INSERT of 100
rows measured 3x slower here: psycopg spends ~10 ms of client CPU converting a statement
with 2,200 placeholders.) It does none of ordertrack's work (validation, deduplication,
parcel matching, state folding): it is the ceiling for writing the rows at all.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import psycopg

from events import COLUMNS
from loadgen import LoadResult

Rows = list[tuple[Any, ...]]


INSERT = f"INSERT INTO tracking_events ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"


async def insert_batches(
    conninfo: str,
    next_rows: Callable[[], Rows],
    *,
    concurrency: int,
    warmup: float,
    duration: float,
) -> LoadResult:
    """Insert batches on ``concurrency`` connections for ``warmup`` + ``duration`` seconds."""
    result = LoadResult(concurrency=concurrency, seconds=duration)
    connections = [await psycopg.AsyncConnection.connect(conninfo) for _ in range(concurrency)]
    measure_from = time.perf_counter() + warmup
    stop_at = measure_from + duration

    async def work(conn: psycopg.AsyncConnection[Any]) -> None:
        while True:
            rows = next_rows()
            started = time.perf_counter()
            if started >= stop_at:
                return
            async with conn.transaction(), conn.cursor() as cursor:
                await cursor.executemany(INSERT, rows)
            if started >= measure_from:
                result.latencies_ms.append((time.perf_counter() - started) * 1000)

    try:
        await asyncio.gather(*(work(conn) for conn in connections))
    finally:
        await asyncio.gather(*(conn.close() for conn in connections))
    return result
