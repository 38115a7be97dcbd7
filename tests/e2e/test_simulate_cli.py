"""``ordertrack simulate`` as a user runs it: to a file, to ``ordertrack serve`` running in its own
process, to the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from ordertrack.db.uow import Database
from ordertrack.simulate.records import event_ids, read_jsonl
from ordertrack.tracking.model import TrackingEvent
from tests.support import ServeProcess

START = "2026-06-01T00:00:00+00:00"


def simulate(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ordertrack", "simulate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def test_the_same_seed_writes_the_same_file_with_a_progress_bar(tmp_path: Path) -> None:
    one = simulate("--orders", "150", "--seed", "9", "--start", START, "--out", "a.jsonl", cwd=tmp_path)
    two = simulate("--orders", "150", "--seed", "9", "--start", START, "--out", "b.jsonl", cwd=tmp_path)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert "150/150" in one.stderr and "orders/s" in one.stderr
    other = simulate("--orders", "150", "--seed", "10", "--start", START, "--out", "c.jsonl", cwd=tmp_path)
    assert other.returncode == 0
    assert (tmp_path / "a.jsonl").read_bytes() != (tmp_path / "c.jsonl").read_bytes()


def test_purchase_orders_are_written_to_the_file_beside_the_orders(tmp_path: Path) -> None:
    args = ("--orders", "20", "--seed", "9", "--start", START)
    plain = simulate(*args, "--out", "plain.jsonl", cwd=tmp_path)
    buying = simulate(*args, "--purchase-orders", "4", "--out", "buying.jsonl", cwd=tmp_path)
    assert plain.returncode == 0 and buying.returncode == 0, plain.stderr + buying.stderr
    kinds = [r["kind"] for r in read_jsonl(tmp_path / "buying.jsonl")]
    assert kinds.count("purchase_order") == 4 and "inbound_shipment" in kinds and "receipt" in kinds
    assert [r for r in read_jsonl(tmp_path / "plain.jsonl") if r["kind"] == "order"] != []
    assert not {r["kind"] for r in read_jsonl(tmp_path / "plain.jsonl")} & {"purchase_order", "supplier"}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--out", "x.jsonl", "--to-db"), "exactly one of"),
        (("--fault", "gremlins=0.1", "--out", "x.jsonl"), "unknown fault 'gremlins'"),
        (("--fault", "lost=2", "--out", "x.jsonl"), "between 0 and 1"),
        (("--to", "http://127.0.0.1:9"), "API key"),
        (("--start", "yesterday", "--out", "x.jsonl"), "not an ISO 8601 time"),
        (("--purchase-orders", "3", "--to-db"), "send purchase orders with --to"),
    ],
)
def test_bad_arguments_are_usage_errors_that_say_what_is_wrong(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    result = simulate(*args, cwd=tmp_path, env={"ORDERTRACK_API_KEY": ""})
    assert result.returncode == 2
    assert says in " ".join(result.stderr.split())
    assert not (tmp_path / "x.jsonl").exists()


def test_to_a_server_every_scan_is_stored_once_and_acknowledged(
    tmp_path: Path, served: ServeProcess, served_client: httpx.Client, served_db: Database
) -> None:
    tenant = served_client.tenant  # type: ignore[attr-defined]
    result = simulate(
        "--orders", "60", "--seed", "3", "--start", START, "--to", served.base_url,
        "--api-key", tenant.api_key, "--ack-log", "acks.jsonl", "--batch", "50",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 records refused" in result.stdout
    acked = set()
    for line in (tmp_path / "acks.jsonl").read_text().splitlines():
        acked.update(json.loads(line)["event_ids"])
    # The same stream, written to a file, names every scan the server should hold.
    simulate("--orders", "60", "--seed", "3", "--start", START, "--out", "run.jsonl", cwd=tmp_path)
    expected = {i for record in read_jsonl(tmp_path / "run.jsonl") for i in event_ids(record)}
    assert acked == expected
    with served_db.uow(write=False) as uow:
        stored = uow.session.execute(
            select(TrackingEvent.event_id, func.count())
            .where(TrackingEvent.merchant_id == tenant.merchant_id, TrackingEvent.source == "simulator")
            .group_by(TrackingEvent.event_id)
        ).all()
    unified = {i for i, _ in stored}
    assert all(count == 1 for _, count in stored)
    webhook_ids = {
        i
        for record in read_jsonl(tmp_path / "run.jsonl")
        if record["kind"] == "webhook"
        for i in event_ids(record)
    }
    assert unified == expected - webhook_ids
    orders = httpx.get(
        f"{served.base_url}/api/v1/orders",
        params={"limit": 100},
        headers={"Authorization": f"Bearer {tenant.api_key}"},
    ).json()["items"]
    assert len(orders) == 60


def test_to_the_database_through_the_bulk_path(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    result = simulate("--orders", "80", "--seed", "5", "--start", START, "--to-db", "--db", url, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stored 80 orders, 80 shipments" in result.stdout
    assert "API key (shown once)" in result.stdout
