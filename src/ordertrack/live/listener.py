"""PostgreSQL's side of live pages: one ``LISTEN`` connection per process feeding its hub.

Units of work send ``pg_notify`` inside their transaction, so PostgreSQL delivers a change
only once it is committed and never one that rolled back, to every listening process (other
``serve`` processes, whichever process committed it). If the connection drops (PostgreSQL
restarted, a network blip) the listener reconnects with backoff and then asks every open page
to catch up, since notifications sent while nobody listened are lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.engine.url import URL

from ordertrack.live.hub import Hub

log = logging.getLogger(__name__)

CHANNEL = "ordertrack_pages"
# pg_notify payloads must stay under 8,000 bytes: ids go in comma-separated chunks below it.
PAYLOAD_LIMIT = 7_900
# Seconds between reconnection attempts, the last one repeating.
BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0)
# A silent connection is checked this often, so a dead one is noticed without a notification.
PING_SECONDS = 30.0


def payloads(ids: set[str]) -> list[str]:
    """Comma-separated chunks of ``ids``, each under the payload limit."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for one in sorted(ids):
        if current and size + len(one) + 1 > PAYLOAD_LIMIT:
            chunks.append(",".join(current))
            current, size = [], 0
        current.append(one)
        size += len(one) + 1
    if current:
        chunks.append(",".join(current))
    return chunks


class PostgresListener:
    """Runs on the app's event loop from the lifespan's start to its end."""

    def __init__(self, url: URL, hub: Hub) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._hub = hub
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()
        self.connections = 0  # how many times it (re)connected: tests and the benchmark read it

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="ordertrack-live-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        import psycopg  # noqa: PLC0415 - only a PostgreSQL process listens, so only it loads psycopg

        failures = 0
        while True:
            try:
                await self._listen()
                failures = 0
            except (psycopg.Error, OSError) as error:
                log.warning("live updates: listener connection lost (%s); reconnecting", error)
                failures += 1
            self.listening.clear()
            await asyncio.sleep(BACKOFF[min(failures, len(BACKOFF) - 1)])

    async def _listen(self) -> None:
        import psycopg  # noqa: PLC0415

        conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True, connect_timeout=5)
        async with conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            self.connections += 1
            self.listening.set()
            # Anything committed while nobody listened is lost: every open page catches up.
            self._hub.resync()
            while True:
                async for note in conn.notifies(timeout=PING_SECONDS):
                    self._hub.publish(note.payload.split(","))
                await conn.execute("SELECT 1")
