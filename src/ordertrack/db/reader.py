"""Async reads for the hottest lookups.

The request path of a lookup must not pay for a thread hand-off and an ORM session: on
PostgreSQL a reader runs prepared Core statements (built once with ``bindparam``) on a
psycopg async connection pool, straight from the event loop. On SQLite, which has no
network round trip to overlap, the same statements run on the read engine in a thread.
Both return plain row tuples in the statement's column order; datetimes come back aware.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg
from sqlalchemy.engine.url import URL
from sqlalchemy.sql import Select
from starlette.concurrency import run_in_threadpool

if TYPE_CHECKING:  # psycopg is loaded on PostgreSQL only: a SQLite process never imports it
    from psycopg_pool import AsyncConnectionPool

Row = tuple[Any, ...]
AnySelect = Select[*tuple[Any, ...]]


class Reader(Protocol):
    async def fetch(self, statement: AnySelect, params: Mapping[str, Any]) -> Sequence[Row]: ...

    async def close(self) -> None: ...


class ThreadedReader:
    """Runs statements on a synchronous engine in the thread pool (SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def fetch_sync(self, statement: AnySelect, params: Mapping[str, Any]) -> list[Row]:
        with self._engine.connect() as conn:
            return [tuple(row) for row in conn.execute(statement, dict(params))]

    async def fetch(self, statement: AnySelect, params: Mapping[str, Any]) -> list[Row]:
        return await run_in_threadpool(self.fetch_sync, statement, params)

    async def close(self) -> None:
        return None


class PostgresReader:
    """Runs statements on a psycopg async pool; one pool per event loop that uses it."""

    def __init__(self, url: URL, max_size: int = 16) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._max_size = max_size
        self._dialect = pg_psycopg.dialect()
        self._sql: dict[int, tuple[str, dict[str, Any]]] = {}
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncConnectionPool] = (
            weakref.WeakKeyDictionary()
        )

    def _compiled(self, statement: AnySelect) -> tuple[str, dict[str, Any]]:
        # Statements are module-level constants, so their identity is a stable cache key.
        cached = self._sql.get(id(statement))
        if cached is None:
            compiled = statement.compile(dialect=self._dialect)
            cached = (str(compiled), dict(compiled.params))
            self._sql[id(statement)] = cached
        return cached

    async def _pool(self) -> AsyncConnectionPool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            from psycopg_pool import AsyncConnectionPool  # noqa: PLC0415

            pool = AsyncConnectionPool(
                self._conninfo,
                min_size=1,
                max_size=self._max_size,
                open=False,
                # While the database is away a lookup waits this long for a connection, then
                # answers 503 database_unavailable (not after the pool's default 30 s).
                timeout=5.0,
                kwargs={"autocommit": True, "prepare_threshold": 2},
            )
            self._pools[loop] = pool
            await pool.open()
        return pool

    async def fetch(self, statement: AnySelect, params: Mapping[str, Any]) -> list[Row]:
        sql, defaults = self._compiled(statement)
        pool = await self._pool()
        async with pool.connection() as conn:
            cursor = await conn.execute(sql, {**defaults, **params})
            rows = await cursor.fetchall()
        return [tuple(_utc(v) for v in row) for row in rows]

    async def close(self) -> None:
        pool = self._pools.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.close()


def _utc(value: Any) -> Any:
    # psycopg returns timestamptz in the session's zone; the rest of ordertrack speaks UTC.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value
