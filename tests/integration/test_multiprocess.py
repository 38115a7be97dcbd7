"""Two ``ordertrack serve`` and two ``ordertrack worker`` processes on one PostgreSQL end in the
same state as one of each, and send no notification twice.

One simulator stream is split into two lanes by order: an order, its shipment and every scan
or EasyPost push about its parcel travel in the same lane, in stream order. So both runs make
exactly the same requests per parcel (the notification triggers fold the statuses of one
request, so the grouping of scans into requests is part of the input); what differs is only how
many processes take them and in what interleaving.

- run A: one database, one server, one worker; both lanes sent to that server at once;
- run B: another database, two servers, two workers; one lane to each server at once.

Both runs deliver to the same local SMTP relay and webhook receiver; each message is counted by
its ``Message-ID`` / ``webhook-id`` (the outbox id), so a repeat would show.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.routing import Route

from ordertrack.bootstrap import open_database
from ordertrack.carriers.registry import connector
from ordertrack.config import Settings
from ordertrack.db import migrate
from ordertrack.db.uow import Database
from ordertrack.simulate.generator import SimConfig, generate
from ordertrack.simulate.http import SendReport, send
from ordertrack.simulate.records import Record
from tests.fault_support import ServerProcess, create_merchant
from tests.notifications import local_http_server
from tests.notifications.servers import Receiver, Relay
from tests.support import free_port, fresh_postgres_database

pytestmark = pytest.mark.postgres

ORDERS = 150
SEED = 4242
BATCH = 100
LANES = 2
DRAIN_SECONDS = 90.0
# Once the senders are done, every scanned shipment is due for a check (the workers look every
# 30 s) and every message is pending until sent: a run is over when nothing is, for this long.
QUIET_SECONDS = 3.0


# --- the stream, in lanes --------------------------------------------------------------------


def lane_of(order_number: str) -> int:
    return zlib.crc32(order_number.encode()) % LANES


def pushed_number(record: Record) -> str:
    """The tracking number a carrier-format push is about, as its connector reads it."""
    (tracking,) = connector(record["carrier"]).read(json.dumps(record["body"]).encode()).trackings
    return tracking.tracking_number


def split_by_order(records: list[Record]) -> list[list[Record]]:
    """The stream in ``LANES`` lanes; everything about one order stays in one lane, in order.

    An events record may carry scans of several parcels (a carrier's push): it is cut into one
    record per lane, keeping the scans' order.
    """
    order_of: dict[str, str] = {}
    for record in records:
        if record["kind"] == "shipment":
            order_of[record["shipment"]["tracking_number"]] = record["order_number"]

    def lane_of_parcel(tracking_number: str) -> int:
        return lane_of(order_of.get(tracking_number, tracking_number))

    lanes: list[list[Record]] = [[] for _ in range(LANES)]
    for record in records:
        kind = record["kind"]
        if kind == "order":
            lanes[lane_of(record["order"]["number"])].append(record)
        elif kind == "shipment":
            lanes[lane_of(record["order_number"])].append(record)
        elif kind == "webhook":
            lanes[lane_of_parcel(pushed_number(record))].append(record)
        else:
            parts: dict[int, list[dict[str, Any]]] = {}
            for event in record["events"]:
                parts.setdefault(lane_of_parcel(event["tracking_number"]), []).append(event)
            for lane, events in parts.items():
                lanes[lane].append({**record, "id": f"{record['id']}.{lane}", "events": events})
    return lanes


@pytest.fixture(scope="module")
def lanes() -> list[list[Record]]:
    # All in the past: every journey is over before the run starts.
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=40)
    return split_by_order(list(generate(SimConfig(orders=ORDERS, seed=SEED, start=start, days=5))))


# --- the outside world ---------------------------------------------------------------------------


@dataclass
class Sinks:
    relay: Relay
    smtp_url: str
    receiver: Receiver
    hook_url: str

    def received(self) -> Counter[str]:
        """Every delivered message's outbox id, with how often it arrived."""
        ids: Counter[str] = Counter()
        for message in list(self.relay.received):
            ids[str(message["Message-ID"]).strip("<>").split("@")[0]] += 1
        for headers, _ in list(self.receiver.bodies):
            ids[headers["webhook-id"]] += 1
        return ids


@contextlib.contextmanager
def local_sinks() -> Iterator[Sinks]:
    """An SMTP relay and a webhook receiver on 127.0.0.1."""
    relay = Relay()
    port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    receiver = Receiver()
    app = Starlette(routes=[Route("/hooks", receiver.hook, methods=["POST"])])
    try:
        with local_http_server(app) as base_url:
            yield Sinks(relay, f"smtp://127.0.0.1:{port}?timeout=10", receiver, f"{base_url}/hooks")
    finally:
        controller.stop()


def process_environment(sinks: Sinks, var_dir: Path) -> dict[str, str]:
    """What the server and worker processes need on top of the caller's environment."""
    return {
        "ORDERTRACK_SMTP_URL": sinks.smtp_url,
        "ORDERTRACK_MAIL_FROM": "shop@shop.example",
        "ORDERTRACK_SECRET_KEY": "multiprocess-test-secret-of-32-chars!",
        "ORDERTRACK_VAR_DIR": str(var_dir),
        # The webhook sink is on 127.0.0.1 over http: a developer's settings, not production's.
        "ORDERTRACK_OUTGOING_ALLOWED_NETWORKS": "127.0.0.0/8",
        "ORDERTRACK_WEBHOOKS_ALLOW_HTTP": "true",
    }


@pytest.fixture(scope="module")
def sinks() -> Iterator[Sinks]:
    with local_sinks() as started:
        yield started


@pytest.fixture(scope="module")
def postgres_server() -> str:
    settings = Settings()
    if not settings.test_postgres_url:
        if settings.require_postgres_tests:
            pytest.fail("ORDERTRACK_REQUIRE_POSTGRES_TESTS is set but ORDERTRACK_TEST_POSTGRES_URL is not")
        pytest.skip("PostgreSQL tests are off: set ORDERTRACK_TEST_POSTGRES_URL to a server URL")
    return settings.test_postgres_url


# --- processes -------------------------------------------------------------------------------


class WorkerProcess:
    """``ordertrack worker`` on a database, stopped with Ctrl-C."""

    def __init__(self, database_url: str, log: Path) -> None:
        command = [sys.executable, "-m", "ordertrack", "worker", "--db", database_url]
        with log.open("ab") as output:
            self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Run:
    name: str
    url: str
    merchant_id: str
    seconds: float  # from the first record sent until nothing is left to do
    sending: float  # until the last record was answered
    reports: list[SendReport]
    logs: list[Path]


def run(
    name: str,
    url: str,
    lanes: list[list[Record]],
    *,
    servers: int,
    workers: int,
    sinks: Sinks,
    tmp_path: Path,
) -> Run:
    """On a migrated database: start the processes, send every lane at once (lane i to server
    i mod servers), wait until nothing is left to do, stop the processes."""
    db = open_database(url)
    merchant_id, api_key = create_merchant(db, f"Run {name} Outfitters")
    logs = [tmp_path / f"{name}-server-{i}.log" for i in range(servers)]
    logs += [tmp_path / f"{name}-worker-{i}.log" for i in range(workers)]
    reports: list[SendReport | None] = [None] * len(lanes)
    with contextlib.ExitStack() as stack:
        started = [ServerProcess(url, log=logs[i]) for i in range(servers)]
        for server in started:
            stack.enter_context(server)
        httpx.post(
            f"{started[0].base_url}/api/v1/notifications/webhook-endpoints",
            json={"url": sinks.hook_url, "event_types": []},
            headers={"Authorization": f"Bearer {api_key}"},
        ).raise_for_status()
        for i in range(workers):
            stack.callback(WorkerProcess(url, logs[servers + i]).stop)
        began = time.monotonic()

        def send_lane(i: int) -> None:
            target = started[i % servers].base_url
            reports[i] = send(lanes[i], target, api_key, batch_events=BATCH, give_up_after=60, seed=i)

        threads = [threading.Thread(target=send_lane, args=(i,), daemon=True) for i in range(len(lanes))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert all(report is not None for report in reports), "a sender did not finish"
        sending = time.monotonic() - began
        wait_until_settled(db)
        seconds = time.monotonic() - began
    db.dispose()
    return Run(name, url, merchant_id, seconds, sending, [r for r in reports if r is not None], logs)


def wait_until_settled(db: Database) -> None:
    """Until no message is pending and no shipment is due for a check, for QUIET_SECONDS."""
    deadline = time.monotonic() + DRAIN_SECONDS + QUIET_SECONDS
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            busy = conn.execute(
                text(
                    "SELECT (SELECT COUNT(*) FROM notifications WHERE state = 'pending')"
                    " + (SELECT COUNT(*) FROM shipments WHERE next_check_at <= now())"
                )
            ).scalar_one()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_SECONDS:
            return
        time.sleep(0.5)
    raise AssertionError(f"still {busy} messages pending or shipments due after {DRAIN_SECONDS}s")


# --- the final state, in the stream's own names ---------------------------------------------------

STATE_QUERIES = {
    "orders": """
        SELECT o.number, o.status, o.attention, o.confirmed_at IS NOT NULL, o.cancelled_at IS NOT NULL,
               o.edd_earliest, o.edd_latest, o.edd_most_likely
        FROM orders o""",
    "shipments": """
        SELECT p.tracking_number, o.number, s.carrier, s.status, s.reason, s.delivered_at,
               s.edd_earliest, s.edd_latest, s.edd_most_likely
        FROM shipments s JOIN orders o ON o.id = s.order_id JOIN parcels p ON p.shipment_id = s.id""",
    "parcels": """
        SELECT p.tracking_number, p.status, p.reason, p.delivered_at, p.last_event_at, p.event_count,
               (SELECT COUNT(*) FROM tracking_events e WHERE e.parcel_id = p.id)
        FROM parcels p""",
    "unmatched events": """
        SELECT tracking_number, carrier, event_id, occurred_at, status
        FROM tracking_events WHERE parcel_id IS NULL""",
    "carrier estimates": """
        SELECT p.tracking_number, d.earliest, d.latest, d.most_likely, d.source, d.reason
        FROM delivery_estimates d JOIN parcels p ON p.id = d.parcel_id""",
    "open attention items": """
        SELECT p.tracking_number, a.kind
        FROM attention_items a JOIN parcels p ON p.shipment_id = a.shipment_id
        WHERE a.closed_at IS NULL""",
    "carrier payloads": """
        SELECT carrier, channel, state, events_accepted, COUNT(*) FROM carrier_payloads
        GROUP BY carrier, channel, state, events_accepted""",
    "notifications": """
        SELECT n.trigger, n.channel, o.number, p.tracking_number,
               CASE WHEN n.channel = 'webhook' THEN 'endpoint' ELSE n.recipient END,
               replace(split_part(n.facts ->> 'alert', ':', 1), ' ', '_')
        FROM notifications n LEFT JOIN orders o ON o.id = n.order_id
        LEFT JOIN parcels p ON p.shipment_id = n.shipment_id""",
    "closed attention items": """
        SELECT p.tracking_number, a.kind
        FROM attention_items a JOIN parcels p ON p.shipment_id = a.shipment_id
        WHERE a.closed_at IS NOT NULL""",
}


def final_state(url: str) -> dict[str, Counter[tuple[Any, ...]]]:
    """Each part of the state as a multiset of rows keyed by order and tracking numbers."""
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            return {
                part: Counter(tuple(row) for row in conn.execute(text(query)))
                for part, query in STATE_QUERIES.items()
            }
    finally:
        db.dispose()


def notification_states(url: str) -> dict[str, tuple[str, int]]:
    """Outbox id: (state, attempts)."""
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, state, attempts FROM notifications"))
            return {nid: (state, attempts) for nid, state, attempts in rows}
    finally:
        db.dispose()


def differences(a: Counter[tuple[Any, ...]], b: Counter[tuple[Any, ...]]) -> str:
    only_a, only_b = sorted(a - b, key=repr), sorted(b - a, key=repr)
    return f"{len(only_a)} rows only in A, e.g. {only_a[:3]}; {len(only_b)} only in B, e.g. {only_b[:3]}"


# --- the test --------------------------------------------------------------------------------

# Parts compared row for row; "notifications" is compared apart (see transient_alerts).
COMPARED = [p for p in STATE_QUERIES if p not in ("notifications", "closed attention items")]


def transient_alerts(state: dict[str, Counter[tuple[Any, ...]]]) -> Counter[tuple[Any, ...]]:
    """Staff alerts the shipment checks raised for trouble that was gone by the end, and the
    shopper's "new delivery date" messages.

    A check that runs while a parcel's old scans are still arriving sees it silent for weeks
    and alerts; whether a check falls in that moment is timing, so these may differ by run.
    A delay is told against the promise standing at that moment, and that promise is learned
    from the deliveries recorded so far: in which order the two lanes' deliveries land is timing
    too (the final promises are compared row for row above).
    """
    still_open = set(state["open attention items"])
    return Counter(
        {
            row: n
            for row, n in state["notifications"].items()
            if (row[5] and (row[3], row[5]) not in still_open) or row[0] == "delivery_revised"
        }
    )


def test_two_servers_and_two_workers_end_in_the_same_state_as_one_of_each_with_no_message_twice(
    lanes: list[list[Record]], sinks: Sinks, postgres_server: str, tmp_path: Path
) -> None:
    env = process_environment(sinks, tmp_path / "var")
    runs: dict[str, Run] = {}
    failures: list[BaseException] = []

    def in_thread(name: str, url: str, servers: int, workers: int) -> None:
        try:
            runs[name] = run(
                name, url, lanes, servers=servers, workers=workers, sinks=sinks, tmp_path=tmp_path
            )
        except BaseException as error:  # re-raised in the test's thread
            failures.append(error)

    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        with (
            fresh_postgres_database(postgres_server) as url_a,
            fresh_postgres_database(postgres_server) as url_b,
        ):
            for url in (url_a, url_b):  # Alembic's context is global: one at a time
                migrated = open_database(url)
                migrate.upgrade(migrated.engine)
                migrated.dispose()
            # The two runs go side by side, on their own databases, to keep the test short.
            threads = [
                threading.Thread(target=in_thread, args=("A", url_a, 1, 1)),
                threading.Thread(target=in_thread, args=("B", url_b, 2, 2)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if failures:
                raise failures[0]
            state = {"A": final_state(url_a), "B": final_state(url_b)}
            outbox = {"A": notification_states(url_a), "B": notification_states(url_b)}

    for r in runs.values():
        for report in r.reports:
            assert not report.gave_up and not report.rejected_records, (r.name, report.rejections[:3])
        for log in r.logs:
            assert "Traceback" not in log.read_text(), f"{log.name}:\n{log.read_text()[-3000:]}"
    a, b = state["A"], state["B"]
    assert a["shipments"] and a["parcels"] and a["notifications"]
    for part in COMPARED:
        assert a[part] == b[part], f"{part}: {differences(a[part], b[part])}"
    transient = {name: transient_alerts(s) for name, s in state.items()}
    for name, s in state.items():
        raised = {(row[3], row[5]) for row in transient[name] if row[5]}
        assert raised <= set(s["closed attention items"]), f"run {name}: an alert without its item"
    lasting_a, lasting_b = a["notifications"] - transient["A"], b["notifications"] - transient["B"]
    assert lasting_a == lasting_b, f"notifications: {differences(lasting_a, lasting_b)}"

    received = sinks.received()
    assert set(received) <= set(outbox["A"]) | set(outbox["B"]), "a message from neither outbox"
    for name, messages in outbox.items():
        unsettled = {nid: s for nid, s in messages.items() if s[0] not in ("sent", "suppressed")}
        assert not unsettled, f"run {name}: neither sent nor suppressed: {list(unsettled.items())[:3]}"
        twice = {nid: n for nid, n in received.items() if nid in messages and n > 1}
        assert not twice, f"run {name}: {len(twice)} messages delivered more than once"
        sent = {nid for nid, (s, _) in messages.items() if s == "sent"}
        assert {nid for nid in received if nid in messages} == sent, f"run {name}: sent and received differ"
    by_state = {name: dict(Counter(s for s, _ in m.values())) for name, m in outbox.items()}
    events = sum(report.events_acknowledged for report in runs["A"].reports)
    print(
        f"\n{ORDERS} orders, {events} scans; messages A {by_state['A']}, B {by_state['B']}; "
        f"transient alerts A {sum(transient['A'].values())}, B {sum(transient['B'].values())}; "
        f"A (1 server + 1 worker) sent in {runs['A'].sending:.1f}s, settled in {runs['A'].seconds:.1f}s, "
        f"B (2 + 2) {runs['B'].sending:.1f}s, {runs['B'].seconds:.1f}s; "
        "none delivered twice"
    )
