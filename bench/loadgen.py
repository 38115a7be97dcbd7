"""A small closed-loop HTTP/1.1 load generator on raw asyncio streams.

Each of ``concurrency`` workers holds one keep-alive connection and sends its next request
as soon as the previous answer is read. A warm-up phase runs first and is not recorded;
then requests started during ``duration`` seconds are timed. Raw streams on uvloop cost a
fraction of what an HTTP client library does per request, which matters when the load
generator shares two cores with the server and the database.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import uvloop

T = TypeVar("T")

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes


def encode_request(
    method: str, path: str, *, headers: Mapping[str, str] | None = None, body: bytes = b""
) -> bytes:
    """The bytes of one HTTP/1.1 request (keep-alive is the HTTP/1.1 default)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """One keep-alive connection that exchanges one request for one reply at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    async def exchange(self, request: bytes) -> Reply:
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].split(b"\r\n")
        length = 0
        for line in header_lines:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                raise RuntimeError("chunked replies are not supported by this load generator")
        return Reply(int(status_line.split(b" ", 2)[1]), await self._reader.readexactly(length))

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (``q`` in 0..100)."""
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * q // 100))  # ceil without floats
    return ordered[int(rank) - 1]


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def summary(self, items_per_request: int = 1) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        rps = self.requests / self.seconds
        figures: dict[str, Any] = {
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "requests_per_s": round(rps, 1),
            "p50_ms": round(percentile(ordered, 50), 2),
            "p99_ms": round(percentile(ordered, 99), 2),
            "errors": self.errors,
        }
        if items_per_request != 1:
            figures["events_per_s"] = round(rps * items_per_request, 1)
        if self.first_error:
            figures["first_error"] = self.first_error
        return figures


def expect_status(status: int) -> Callable[[Reply], bool]:
    return lambda reply: reply.status == status


def expect_accepted(count: int) -> Callable[[Reply], bool]:
    """An ingest reply that stored exactly ``count`` new events."""

    def check(reply: Reply) -> bool:
        return reply.status == 200 and json.loads(reply.body).get("accepted") == count

    return check


async def closed_loop(
    port: int,
    next_request: Callable[[], bytes],
    *,
    concurrency: int,
    warmup: float,
    duration: float,
    accept: Callable[[Reply], bool] = expect_status(200),
) -> LoadResult:
    """Drive the server at ``concurrency`` for ``warmup`` + ``duration`` seconds."""
    result = LoadResult(concurrency=concurrency, seconds=duration)
    connections = [await Connection.open(port) for _ in range(concurrency)]
    measure_from = time.perf_counter() + warmup
    stop_at = measure_from + duration

    async def work(conn: Connection) -> None:
        while True:
            request = next_request()
            started = time.perf_counter()
            if started >= stop_at:
                return
            reply = await conn.exchange(request)
            elapsed_ms = (time.perf_counter() - started) * 1000
            if not accept(reply):
                result.errors += 1
                result.first_error = result.first_error or f"{reply.status} {reply.body[:300]!r}"
            elif started >= measure_from:
                result.latencies_ms.append(elapsed_ms)

    try:
        await asyncio.gather(*(work(conn) for conn in connections))
    finally:
        await asyncio.gather(*(conn.close() for conn in connections))
    return result


async def timed_sequence(port: int, requests: list[bytes], accept: Callable[[Reply], bool]) -> list[float]:
    """Send ``requests`` one after the other on one connection; each one's latency in ms."""
    conn = await Connection.open(port)
    latencies: list[float] = []
    try:
        for request in requests:
            started = time.perf_counter()
            reply = await conn.exchange(request)
            latencies.append((time.perf_counter() - started) * 1000)
            if not accept(reply):
                raise RuntimeError(f"unexpected reply {reply.status}: {reply.body[:300]!r}")
    finally:
        await conn.close()
    return latencies


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on uvloop, the event loop uvicorn uses on the server side too."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)
