"""Send a simulator stream to an ordertrack server over HTTP, riding out crashes and outages.

Every request carries an ``Idempotency-Key`` derived from the record ids it carries, so a retry
after a lost answer has no second effect; events are also deduplicated by their ``event_id``.
A request is retried (with backoff) on connection errors, timeouts, 5xx and 429 until no
request at all has succeeded for ``give_up_after`` seconds. Other 4xx answers are the stream's
fault: they are counted, never retried.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import httpx

from ordertrack.simulate.records import Record, event_ids

# Conflicts that mean "what this record creates is already there": on a retry, the first
# attempt did it and its answer was lost.
ALREADY_THERE = frozenset(
    {
        "duplicate_order_number",
        "tracking_number_in_use",
        "duplicate_purchase_order_number",
        "duplicate_inbound_shipment_number",
    }
)
# What a run sets up first may be there from an earlier run into the same merchant: fine.
SET_UP_ALREADY = frozenset({"duplicate_sku", "duplicate_warehouse"})
MAX_BATCH = 1000  # the server's cap on events per request
BACKOFF_FIRST = 0.1
BACKOFF_MAX = 5.0
RETRY_AFTER_MAX = 30.0


@dataclass(frozen=True)
class Rejection:
    """A record the server refused with a 4xx that retrying cannot fix."""

    records: tuple[str, ...]
    status: int
    code: str
    message: str


@dataclass
class SendReport:
    """What a ``send`` did: counts, retries and errors by kind."""

    records: int = 0
    events_sent: int = 0
    events_acknowledged: int = 0
    duplicates: int = 0
    retries: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    rejected_records: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    events_rejected: int = 0  # single events refused inside an accepted batch
    seconds: float = 0.0
    stopped: bool = False
    gave_up: bool = False


@dataclass(frozen=True)
class Delivery:
    """One request: the records it carries and what it sends."""

    records: tuple[str, ...]
    path: str
    body: dict[str, Any]
    idempotency_key: str
    event_ids: tuple[str, ...] = ()
    events: int = 0
    remember: str | None = None  # keep the answer's id under this name (a supplier's)
    fill: str | None = None  # put the id kept under this name into the body's supplier_id


class GaveUp(Exception):
    """No request succeeded for ``give_up_after`` seconds."""


class Stopped(Exception):
    """The caller set ``stop``."""


def send(
    records: Iterable[Record],
    base_url: str,
    api_key: str,
    *,
    batch_events: int = 500,
    ack_log: Path | None = None,
    pace: Callable[[datetime], None] | None = None,
    progress: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
    give_up_after: float = 600.0,
    seed: int = 0,
    timeout: float = 60.0,
    transport: httpx.BaseTransport | None = None,
) -> SendReport:
    """Send ``records`` in order; returns when all are answered, ``stop`` is set or it gives up."""
    if not 1 <= batch_events <= MAX_BATCH:
        raise ValueError(f"batch_events must be 1 to {MAX_BATCH}")
    stop = stop or threading.Event()
    report = SendReport()
    started = time.monotonic()
    sender = _Sender(report, stop, give_up_after, random.Random(seed))
    client = httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=httpx.Timeout(timeout, connect=5.0),
        transport=transport,
    )
    log = ack_log.open("a", encoding="utf-8") if ack_log is not None else None
    finished = threading.Event()
    halt = lambda: stop.is_set() or finished.is_set()  # noqa: E731
    feed = _paced(records, pace, halt, batch_events) if pace else _greedy(records, batch_events)
    try:
        for delivery in feed:
            report.events_sent += delivery.events
            sender.deliver(client, delivery, log)
            report.records += len(delivery.records)
            if progress is not None:
                progress(report.records)
            if stop.is_set():
                report.stopped = True
                break
    except Stopped:
        report.stopped = True
    except GaveUp:
        report.gave_up = True
    finally:
        finished.set()
        feed.close()
        client.close()
        if log is not None:
            log.close()
        report.seconds = time.monotonic() - started
    return report


class _Sender:
    def __init__(self, report: SendReport, stop: threading.Event, give_up_after: float, rng: random.Random):
        self.report = report
        self.stop = stop
        self.give_up_after = give_up_after
        self.rng = rng
        self.last_success = time.monotonic()
        self.ids: dict[str, str] = {}  # suppliers' ids by name, as the server gave them

    def deliver(self, client: httpx.Client, delivery: Delivery, log: IO[str] | None) -> None:
        attempt = 0
        while True:
            if self.stop.is_set():
                raise Stopped
            wait: float | None = None
            body = delivery.body
            if delivery.fill is not None:
                body = {**body, "supplier_id": self.ids.get(delivery.fill, delivery.fill)}
            try:
                response = client.post(
                    delivery.path, json=body, headers={"Idempotency-Key": delivery.idempotency_key}
                )
            except httpx.TimeoutException:
                kind = "timeout"
            except httpx.ConnectError:
                kind = "connect"
            except httpx.TransportError:
                kind = "transport"  # the connection broke mid-request: the answer is lost
            else:
                status = response.status_code
                if 200 <= status < 300:
                    answer = _json(response)
                    if delivery.remember is not None and isinstance(answer.get("id"), str):
                        self.ids[delivery.remember] = answer["id"]
                    self._acknowledged(delivery, status, answer, log)
                    return
                code, message = _error(response)
                if status == 409 and code in SET_UP_ALREADY:
                    self._acknowledged(delivery, status, {}, log)
                    return
                if status == 409 and code in ALREADY_THERE and attempt > 0:
                    self._acknowledged(delivery, status, {}, log)
                    return
                if status != 429 and status < 500:
                    self.report.rejected_records += len(delivery.records)
                    self.report.rejections.append(Rejection(delivery.records, status, code, message))
                    self.last_success = time.monotonic()  # the server is up and answering
                    return
                kind = f"http_{status}"
                wait = _retry_after(response)
            self.report.errors[kind] += 1
            if time.monotonic() - self.last_success > self.give_up_after:
                raise GaveUp
            self.report.retries += 1
            if wait is None:
                wait = min(BACKOFF_MAX, BACKOFF_FIRST * 2**attempt) * (0.5 + self.rng.random())
            attempt += 1
            if self.stop.wait(wait):
                raise Stopped

    def _acknowledged(
        self, delivery: Delivery, status: int, body: dict[str, Any], log: IO[str] | None
    ) -> None:
        self.last_success = time.monotonic()
        refused = {r["index"] for r in body.get("rejected", ()) if isinstance(r, dict) and "index" in r}
        taken = [e for i, e in enumerate(delivery.event_ids) if i not in refused]
        accepted = int(body.get("accepted", 0) or 0)
        duplicates = int(body.get("duplicates", 0) or 0)
        self.report.events_acknowledged += len(taken)
        self.report.events_rejected += len(refused)
        self.report.duplicates += duplicates
        if log is None:
            return
        line = {
            "records": list(delivery.records),
            "status": status,
            "event_ids": taken,
            "accepted": accepted,
            "duplicates": duplicates,
        }
        if refused:
            line["rejected"] = sorted(refused)
        log.write(json.dumps(line, separators=(",", ":")) + "\n")
        # On disk before the next request: an acknowledgement in the log is one the server gave.
        log.flush()
        os.fsync(log.fileno())


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error(response: httpx.Response) -> tuple[str, str]:
    error = _json(response).get("error")
    if isinstance(error, dict):
        return str(error.get("code", f"http_{response.status_code}")), str(error.get("message", ""))
    return f"http_{response.status_code}", response.text[:200]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), RETRY_AFTER_MAX)


# --- turning records into requests ---------------------------------------------------------


def _single(record: Record) -> Delivery:
    rid = str(record["id"])
    key = f"sim:{rid}"
    kind = record["kind"]
    if kind == "order":
        return Delivery((rid,), "/api/v1/orders", record["order"], key)
    if kind == "shipment":
        path = f"/api/v1/orders/{quote(str(record['order_number']), safe='')}/shipments"
        return Delivery((rid,), path, record["shipment"], key)
    if kind == "webhook":
        ids = tuple(event_ids(record))
        path = f"/api/v1/carriers/{quote(str(record['carrier']), safe='')}/webhook"
        return Delivery((rid,), path, record["body"], key, ids, len(ids))
    if kind in ("product", "warehouse", "supplier"):
        remember = str(record["supplier"]["name"]) if kind == "supplier" else None
        return Delivery((rid,), f"/api/v1/{kind}s", record[kind], key, remember=remember)
    if kind in ("purchase_order", "purchase_order_action", "inbound_shipment"):
        po = quote(str(record["purchase_order"]), safe="")
        if kind == "purchase_order":
            return Delivery(
                (rid,), "/api/v1/purchase-orders", record["body"], key, fill=str(record["supplier"])
            )
        tail = str(record["action"]) if kind == "purchase_order_action" else "inbound-shipments"
        return Delivery((rid,), f"/api/v1/purchase-orders/{po}/{tail}", record["body"], key)
    if kind == "receipt":
        path = f"/api/v1/inbound-shipments/{quote(str(record['inbound_shipment']), safe='')}/receipts"
        return Delivery((rid,), path, record["body"], key)
    raise ValueError(f"record {rid}: unknown kind {kind!r}")


def _events(parts: list[tuple[str, list[dict[str, Any]]]]) -> Delivery:
    """One events request from consecutive (record id, events) parts."""
    ids = tuple(dict.fromkeys(rid for rid, _ in parts))
    events = [e for _, chunk in parts for e in chunk]
    # Parts of one long record get their offset in the key so each chunk is its own request.
    shape = ",".join(f"{rid}+{len(chunk)}" for rid, chunk in parts)
    digest = hashlib.sha256(shape.encode()).hexdigest()[:24]
    key = f"sim:{ids[0]}..{ids[-1]}:{len(events)}:{digest}"
    scan_ids = tuple(str(e.get("event_id", "")) if isinstance(e, dict) else "" for e in events)
    return Delivery(ids, "/api/v1/tracking/events", {"events": events}, key, scan_ids, len(events))


def _event_parts(record: Record, size: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A record's events in chunks no longer than ``size`` (a long record spans requests)."""
    events = list(record["events"])
    for start in range(0, len(events), size):
        yield str(record["id"]), events[start : start + size]


class _Batcher:
    """Collects consecutive events records into requests of at most ``size`` events."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.parts: list[tuple[str, list[dict[str, Any]]]] = []
        self.count = 0

    def add(self, record: Record) -> Iterator[Delivery]:
        for part in _event_parts(record, self.size):
            if self.count + len(part[1]) > self.size:
                yield from self.flush()
            self.parts.append(part)
            self.count += len(part[1])

    def flush(self) -> Iterator[Delivery]:
        if self.parts:
            yield _events(self.parts)
        self.parts, self.count = [], 0


def _greedy(records: Iterable[Record], size: int) -> Generator[Delivery]:
    batcher = _Batcher(size)
    for record in records:
        if record["kind"] == "events":
            yield from batcher.add(record)
        else:
            yield from batcher.flush()
            yield _single(record)
    yield from batcher.flush()


_END = object()


def _paced(
    records: Iterable[Record], pace: Callable[[datetime], None], halt: Callable[[], bool], size: int
) -> Generator[Delivery]:
    """Records released by ``pace`` in a thread; events already due when the sender is free
    go out together, so a slow server gets bigger batches, not a growing delay."""
    due: queue.Queue[Any] = queue.Queue(maxsize=4 * size)

    def release() -> None:
        try:
            for record in records:
                if halt():
                    break
                pace(datetime.fromisoformat(record["at"]))
                while not halt():
                    try:
                        due.put(record, timeout=0.2)
                        break
                    except queue.Full:
                        continue
        finally:
            while not halt():
                try:
                    due.put(_END, timeout=0.2)
                    break
                except queue.Full:
                    continue

    thread = threading.Thread(target=release, name="simulate-pace", daemon=True)
    thread.start()
    held: Any = None
    while True:
        item = held if held is not None else _take(due, halt)
        held = None
        if item is _END or item is None:
            return
        if item["kind"] != "events":
            yield _single(item)
            continue
        batcher = _Batcher(size)
        ready = list(batcher.add(item))
        while not ready:
            try:
                nxt = due.get_nowait()
            except queue.Empty:
                break
            if nxt is _END or nxt["kind"] != "events":
                held = nxt
                break
            ready = list(batcher.add(nxt))
        yield from ready
        yield from batcher.flush()


def _take(due: queue.Queue[Any], halt: Callable[[], bool]) -> Any:
    while not halt():
        try:
            return due.get(timeout=0.2)
        except queue.Empty:
            continue
    return None
