"""The simulator's sender against real faults: a killed server, a restarted database, bad batches.

The rule under test everywhere: an event the server acknowledged is stored exactly once, and a
sender that keeps retrying ends with every event of its stream stored exactly once.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordertrack.bootstrap import open_database
from ordertrack.config import Settings
from ordertrack.db import migrate
from ordertrack.db.uow import Database
from ordertrack.simulate.http import SendReport, send
from ordertrack.simulate.records import Record
from tests.fault_support import (
    PrivatePostgres,
    ServerProcess,
    acknowledged_event_ids,
    create_merchant,
    order_body,
    postgres_binaries,
    private_postgres,
    record_stream,
    scan,
    stored_event_counts,
    wait_for,
)
from tests.support import LiveServer, fresh_postgres_database, sqlite_url

EVENTS = 3000
BATCH = 50


@contextlib.contextmanager
def database_for(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of ``backend``; its URL."""
    if backend == "sqlite":
        url = sqlite_url(tmp_path)
        _migrate(url)
        yield url
        return
    settings = Settings()
    if not settings.test_postgres_url:
        if settings.require_postgres_tests:
            pytest.fail("ORDERTRACK_REQUIRE_POSTGRES_TESTS is set but ORDERTRACK_TEST_POSTGRES_URL is not")
        pytest.skip("PostgreSQL tests are off: set ORDERTRACK_TEST_POSTGRES_URL to a server URL")
    with fresh_postgres_database(settings.test_postgres_url) as url:
        _migrate(url)
        yield url


def _migrate(url: str) -> None:
    db = open_database(url)
    migrate.upgrade(db.engine)
    db.dispose()


class Sending:
    """``send`` running in a thread, as the CLI runs it."""

    def __init__(self, records: list[Record], base_url: str, api_key: str, ack_log: Path) -> None:
        self.ack_log = ack_log
        self.report: SendReport | None = None
        self.thread = threading.Thread(
            target=self._run, args=(records, base_url, api_key), name="sender", daemon=True
        )

    def _run(self, records: list[Record], base_url: str, api_key: str) -> None:
        self.report = send(
            records, base_url, api_key, batch_events=BATCH, ack_log=self.ack_log, give_up_after=60
        )

    def acknowledged(self) -> int:
        return len(acknowledged_event_ids(self.ack_log))

    def finish(self, timeout: float = 60) -> SendReport:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the sender did not finish"
        assert self.report is not None
        return self.report


def quarter(server: ServerProcess, sending: Sending) -> bool:
    server.ensure_alive()
    return sending.acknowledged() >= EVENTS // 4


def assert_each_stored_once(stored: dict[str, int], event_ids: Any) -> None:
    missing = [e for e in event_ids if stored.get(e, 0) == 0]
    doubled = {e: stored[e] for e in event_ids if stored.get(e, 0) > 1}
    assert not missing, f"{len(missing)} events lost, e.g. {missing[:3]}"
    assert not doubled, f"{len(doubled)} events stored more than once, e.g. {list(doubled.items())[:3]}"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_events_acknowledged_before_a_kill_9_are_stored_once_and_the_sender_finishes_the_rest(
    backend: str, tmp_path: Path
) -> None:
    stream = record_stream(parcels=30, events=EVENTS)
    with database_for(backend, tmp_path) as url:
        db = open_database(url)
        merchant_id, api_key = create_merchant(db, "Kill Nine Outfitters")
        server = ServerProcess(url, log=tmp_path / "server.log").start()
        try:
            sending = Sending(stream.records, server.base_url, api_key, tmp_path / "acks.jsonl")
            sending.thread.start()
            wait_for(lambda: quarter(server, sending), 60, "a quarter of the events acknowledged")
            server.kill()
            # Checked with the server dead: nothing can still be on its way to the database.
            acknowledged_at_kill = set(acknowledged_event_ids(sending.ack_log))
            assert_each_stored_once(stored_event_counts(db, merchant_id), acknowledged_at_kill)
            assert len(acknowledged_at_kill) < len(stream.event_ids), "the kill came after the end"
            time.sleep(0.5)  # the sender meets a refused connection and backs off
            server.start()
            report = sending.finish()
        finally:
            server.stop()
        assert not report.gave_up and not report.rejected_records
        assert report.errors["connect"] + report.errors["transport"] > 0, report.errors
        stored = stored_event_counts(db, merchant_id)
        assert_each_stored_once(stored, stream.event_ids)
        assert set(stored) == stream.event_ids
        assert set(acknowledged_event_ids(sending.ack_log)) == stream.event_ids
        db.dispose()


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    bindir = postgres_binaries()
    if bindir is None:
        message = "initdb and pg_ctl are not installed: no private PostgreSQL cluster to restart"
        if os.environ.get("ORDERTRACK_REQUIRE_POSTGRES_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with private_postgres(bindir) as pg:
        yield pg


@pytest.mark.postgres
def test_a_postgres_restart_mid_ingest_is_503_then_the_same_server_recovers_and_loses_nothing(
    cluster: PrivatePostgres, tmp_path: Path
) -> None:
    stream = record_stream(parcels=30, events=EVENTS)
    _migrate(cluster.url)
    db = open_database(cluster.url)
    merchant_id, api_key = create_merchant(db, "Restart Outfitters")
    with ServerProcess(cluster.url, log=tmp_path / "server.log") as server:
        pid = server.pid
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {api_key}"}) as http:
            sending = Sending(stream.records, server.base_url, api_key, tmp_path / "acks.jsonl")
            sending.thread.start()
            wait_for(lambda: quarter(server, sending), 60, "a quarter of the events acknowledged")
            assert http.get(f"/api/v1/tracking/{stream.tracking_numbers[0]}").status_code == 200
            cluster.stop("immediate")
            acknowledged_at_stop = set(acknowledged_event_ids(sending.ack_log))
            during = http.post("/api/v1/tracking/events", json={"events": [_late_scan(stream)]})
            time.sleep(2)
            cluster.start()
            report = sending.finish()
            # The lookup path reads through its own async pool; it heals as well.
            lookup = _retry_until_ok(lambda: http.get(f"/api/v1/tracking/{stream.tracking_numbers[0]}"))
        assert server.alive() and server.pid == pid, "the server process was replaced"

    assert during.status_code == 503, during.text
    assert during.json()["error"]["code"] == "database_unavailable"
    assert during.headers["Retry-After"] == "1"
    assert lookup.status_code == 200, lookup.text
    assert report.errors["http_503"] > 0, report.errors
    assert set(report.errors) == {"http_503"}, f"only clean 503s expected: {report.errors}"
    assert not report.gave_up and not report.rejected_records
    stored = stored_event_counts(db, merchant_id)
    assert_each_stored_once(stored, acknowledged_at_stop)
    assert_each_stored_once(stored, stream.event_ids)
    assert set(stored) == stream.event_ids  # the probe sent during the outage was refused whole
    assert "Traceback" not in (tmp_path / "server.log").read_text()
    db.dispose()


def _late_scan(stream: Any) -> dict[str, Any]:
    from datetime import UTC, datetime

    return scan(stream.tracking_numbers[1], "probe-during-outage", datetime.now(UTC))


def _retry_until_ok(call: Callable[[], httpx.Response], seconds: float = 15) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        answer = call()
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(float(answer.headers.get("Retry-After", "0.2")))


# --- the sender's rules, against a scripted server ---------------------------------------------


def _scripted(answers: list[Any], seen: list[httpx.Request]) -> httpx.MockTransport:
    """A transport that answers the requests in turn: a status (with a JSON body) or an error."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body, headers = answer
        return httpx.Response(status, json=body, headers=headers)

    return httpx.MockTransport(handle)


def _events_records(count: int, per_record: int) -> list[Record]:
    from datetime import UTC, datetime

    at = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        _record(r, "events", events=[scan("SIM0001", f"E{r}-{i}", at) for i in range(per_record)])
        for r in range(count)
    ]


def test_a_lost_answer_is_retried_with_the_same_idempotency_key(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []
    lost = httpx.ReadError("connection reset")
    transport = _scripted([lost, (200, {"accepted": 2, "duplicates": 0, "rejected": []}, {})], seen)
    acks = tmp_path / "acks.jsonl"
    report = send(_events_records(1, 2), "http://sim", "key", ack_log=acks, transport=transport)
    keys = [r.headers["Idempotency-Key"] for r in seen]
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0].startswith("sim:m0000..m0000:2:")
    assert report.retries == 1 and report.errors == {"transport": 1}
    assert report.events_acknowledged == 2 and seen[0].headers["Authorization"] == "Bearer key"
    assert len(acks.read_text().splitlines()) == 1


def test_retry_after_is_honoured_and_a_validation_error_is_not_retried() -> None:
    seen: list[httpx.Request] = []
    invalid = {"error": {"code": "validation_error", "message": "lines: field required"}}
    transport = _scripted(
        [
            (503, {"error": {"code": "database_unavailable"}}, {"Retry-After": "0.3"}),
            (200, {"accepted": 1, "duplicates": 0, "rejected": []}, {}),
            (422, invalid, {}),
        ],
        seen,
    )
    records = [*_events_records(1, 1), _record(9, "order", order={"number": "X"})]
    started = time.monotonic()
    report = send(records, "http://sim", "key", transport=transport)
    assert time.monotonic() - started >= 0.3
    assert len(seen) == 3 and report.errors == {"http_503": 1}
    assert report.rejected_records == 1 and report.rejections[0].code == "validation_error"


def test_an_existing_order_answered_to_a_retry_counts_as_acknowledged(tmp_path: Path) -> None:
    exists = {"error": {"code": "duplicate_order_number", "message": "order X exists"}}
    transport = _scripted([(502, {}, {}), (409, exists, {})], [])
    acks = tmp_path / "acks.jsonl"
    report = send(
        [_record(1, "order", order={"number": "X"})], "http://sim", "k", ack_log=acks, transport=transport
    )
    assert report.rejected_records == 0 and report.records == 1
    assert '"status":409' in acks.read_text()


def test_consecutive_event_records_share_requests_up_to_the_batch_size() -> None:
    seen: list[httpx.Request] = []
    ok = (200, {"accepted": 0, "duplicates": 0, "rejected": []}, {})
    transport = _scripted([ok] * 5, seen)
    records = _events_records(10, 10)
    records.insert(7, _record(99, "order", order={"number": "Y"}))
    send(records, "http://sim", "k", batch_events=30, transport=transport)
    sizes = [len(json.loads(r.content).get("events", ())) or r.url.path for r in seen]
    assert sizes == [30, 30, 10, "/api/v1/orders", 30]


def test_the_sender_gives_up_after_a_silence_of_give_up_after() -> None:
    transport = _scripted([httpx.ConnectError("refused")] * 100, [])
    report = send(_events_records(1, 1), "http://sim", "k", transport=transport, give_up_after=0.3)
    assert report.gave_up and report.events_acknowledged == 0 and report.errors["connect"] >= 2


# --- a mixed bad batch -------------------------------------------------------------------------


def _record(number: int, kind: str, **fields: Any) -> Record:
    return {"id": f"m{number:04d}", "kind": kind, "at": "2026-01-01T00:00:00+00:00", **fields}


def test_a_mixed_bad_batch_parks_unknown_reports_malformed_and_keeps_tenants_apart(
    client: httpx.Client,
    server: LiveServer,
    make_merchant: Callable[[str], Any],
    db: Database,
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime, timedelta

    tenant = client.tenant  # type: ignore[attr-defined]
    other = make_merchant("Other Shop")
    earlier = datetime.now(UTC) - timedelta(days=2)
    with server.client(other.api_key) as theirs:
        assert theirs.post("/api/v1/orders", json=order_body("THEIRS-1")).status_code == 201
        shipped = theirs.post(
            "/api/v1/orders/THEIRS-1/shipments",
            json={"carrier": "acme_post", "tracking_number": "THEIRS0001"},
        )
        assert shipped.status_code == 201, shipped.text
        posted = theirs.post(
            "/api/v1/tracking/events",
            json={
                "events": [
                    scan("THEIRS0001", "T-1", earlier, "info_received"),
                    scan("THEIRS0001", "T-2", earlier),
                ]
            },
        )
        assert posted.json()["accepted"] == 2
        their_view = theirs.get("/api/v1/tracking/THEIRS0001").json()
        their_events = theirs.get("/api/v1/tracking/events", params={"tracking_number": "THEIRS0001"}).json()

    client.post("/api/v1/orders", json=order_body("OURS-1")).raise_for_status()
    client.post(
        "/api/v1/orders/OURS-1/shipments", json={"carrier": "acme_post", "tracking_number": "OURS0001"}
    ).raise_for_status()

    at = earlier + timedelta(hours=1)
    batch = [
        scan("OURS0001", "O-1", at),  # 0: ours, matched
        scan("LATE0001", "L-1", at),  # 1: unknown yet: parked
        {"tracking_number": "LATE0001", "carrier": "acme_post", "event_id": "X-1"},  # 2: no time, no status
        scan("THEIRS0001", "F-1", at, "delivered"),  # 3: another merchant's number
        {**scan("OURS0001", "X-2", at), "occurred_at": "yesterday"},  # 4: unreadable time
        scan("LATE0001", "L-2", at + timedelta(hours=2)),  # 5: parked
        {**scan("OURS0001", "X-3", at), "status": "teleported"},  # 6: unknown status
        scan("THEIRS0001", "F-2", at + timedelta(hours=3), "delivered"),  # 7: another merchant's number
    ]
    records = [
        _record(1, "events", events=batch[:4]),
        _record(2, "events", events=batch[4:]),
        _record(3, "order", order=order_body("OURS-2")),
        _record(
            4,
            "order",
            order=order_body("OURS-1"),  # already placed above, not by this stream: refused, not retried
        ),
    ]
    acks = tmp_path / "acks.jsonl"
    report = send(
        records, server.base_url, tenant.api_key, batch_events=BATCH, ack_log=acks, give_up_after=10
    )

    stored_ids = {"O-1", "L-1", "L-2", "F-1", "F-2"}
    assert report.events_sent == 8 and report.events_rejected == 3
    assert report.events_acknowledged == 5 and report.retries == 0
    assert [(r.records, r.status, r.code) for r in report.rejections] == [
        (("m0004",), 409, "duplicate_order_number")
    ]
    ack_lines = acks.read_text().splitlines()
    assert '"rejected":[2,4,6]' in ack_lines[0]
    assert set(acknowledged_event_ids(acks)) == stored_ids
    stored = stored_event_counts(db, tenant.merchant_id)
    assert_each_stored_once(stored, stored_ids)
    assert set(stored) == stored_ids

    unmatched = client.get("/api/v1/tracking/events", params={"unmatched": "true"}).json()["items"]
    assert {e["event_id"] for e in unmatched} == {"L-1", "L-2", "F-1", "F-2"}

    # The other merchant sees exactly what it saw before: nothing crossed over.
    assert set(stored_event_counts(db, other.merchant_id)) == {"T-1", "T-2"}
    with server.client(other.api_key) as theirs:
        assert theirs.get("/api/v1/tracking/THEIRS0001").json() == their_view
        assert (
            theirs.get("/api/v1/tracking/events", params={"tracking_number": "THEIRS0001"}).json()
            == their_events
        )
        assert their_view["status"] != "delivered"

    # A shipment registered later claims the parked events.
    later = [
        _record(5, "order", order=order_body("OURS-3")),
        _record(
            6,
            "shipment",
            order_number="OURS-3",
            shipment={"carrier": "acme_post", "tracking_number": "LATE0001"},
        ),
    ]
    assert send(later, server.base_url, tenant.api_key).rejected_records == 0
    claimed = client.get("/api/v1/tracking/LATE0001").json()
    assert {e["event_id"] for e in claimed["events"]} == {"L-1", "L-2"}
    unmatched = client.get("/api/v1/tracking/events", params={"unmatched": "true"}).json()["items"]
    assert {e["event_id"] for e in unmatched} == {"F-1", "F-2"}
