"""``ordertrack serve`` stops within 5 seconds of SIGTERM or SIGINT, even with tracking pages
open on it (WebSockets and server-sent-event streams), on both databases."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from ordertrack.bootstrap import open_database
from ordertrack.db.uow import Database
from ordertrack.links import tracking_token
from tests.conftest import TEST_SECRET, Tenant
from tests.integration.scenario import order_payload
from tests.support import ServeProcess

STOP_WITHIN = 5.0
PAGES = 4  # of each kind


@pytest.fixture
def serving(db: Database, tmp_path: Path) -> Iterator[ServeProcess]:
    """A process of this test's own: stopping it is the test."""
    with ServeProcess(db.url.render_as_string(hide_password=False), tmp_path, secret=TEST_SECRET) as process:
        yield process


def _open_event_stream(stack: ExitStack, base_url: str, path: str) -> None:
    host, port = base_url.removeprefix("http://").split(":")
    sock = stack.enter_context(socket.create_connection((host, int(port)), timeout=10))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
    received = b""
    while b"retry:" not in received:
        chunk = sock.recv(4096)
        assert chunk, received
        received += chunk
    assert received.startswith(b"HTTP/1.1 200"), received


def _open_pages(stack: ExitStack, serving: ServeProcess, make_merchant: Callable[[str], Tenant]) -> list[Any]:
    tenant = make_merchant("Acme Outfitters")
    with serving.client(tenant.api_key) as http:
        order = http.post("/api/v1/orders", json=order_payload("1001")).json()
    token = tracking_token(TEST_SECRET, order["id"])
    sockets = []
    for _ in range(PAGES):
        websocket = stack.enter_context(connect(f"ws://127.0.0.1:{serving.port}/track/{token}/live"))
        sockets.append(websocket)
        _open_event_stream(stack, serving.base_url, f"/track/{token}/events")
    return sockets


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_within_five_seconds_with_pages_open(
    serving: ServeProcess, make_merchant: Callable[[str], Tenant], sig: signal.Signals
) -> None:
    with ExitStack() as stack:
        websockets = _open_pages(stack, serving, make_merchant)
        took = serving.stop(sig, timeout=30)
        assert took < STOP_WITHIN, f"stopped after {took:.1f} s:\n{serving.log()[-2000:]}"
        assert serving.process is not None and serving.process.returncode is not None
        # Pages were told the server is going (1012, "service restart"), so they come back.
        for websocket in websockets:
            with pytest.raises(ConnectionClosed):
                websocket.recv(timeout=1)
            assert websocket.close_code in (1006, 1012)


def test_the_demo_stops_within_five_seconds_while_its_carriers_move_parcels(tmp_path: Path) -> None:
    """``serve --demo``: the embedded worker and the simulated carriers' threads stop too."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with ServeProcess(url, tmp_path, secret=TEST_SECRET, args=["--demo"]) as demo, ExitStack() as stack:
        order_id = _demo_order(url)
        token = tracking_token(TEST_SECRET, order_id)
        stack.enter_context(connect(f"ws://127.0.0.1:{demo.port}/track/{token}/live"))
        _open_event_stream(stack, demo.base_url, f"/track/{token}/events")
        took = demo.stop(signal.SIGTERM, timeout=30)
        assert took < STOP_WITHIN, f"stopped after {took:.1f} s:\n{demo.log()[-2000:]}"


def _demo_order(url: str) -> str:
    database = open_database(url)
    try:
        with database.engine.connect() as conn:
            return str(
                conn.exec_driver_sql("SELECT id FROM orders ORDER BY placed_at DESC LIMIT 1").scalar_one()
            )
    finally:
        database.dispose()
