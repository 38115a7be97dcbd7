"""``ordertrack serve --demo``: the simulated carriers move the demo shop's parcels while it runs."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx

from tests.conftest import TEST_SECRET
from tests.support import ServeProcess

MOVED_ON = {"in_transit", "out_for_delivery", "delivered", "failed_attempt", "exception", "returning"}


def _live_shipments(base: str, key: str) -> dict[str, tuple[str, int]]:
    """Status and scan count of every shipment of the live orders (NW-L...)."""
    found: dict[str, tuple[str, int]] = {}
    cursor = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{base}/api/v1/orders", params=params, headers={"Authorization": f"Bearer {key}"})
        page.raise_for_status()
        body = page.json()
        for order in body["items"]:
            if not order["number"].startswith("NW-L"):
                continue
            detail = httpx.get(
                f"{base}/api/v1/orders/{order['number']}", headers={"Authorization": f"Bearer {key}"}
            ).json()
            for shipment in detail["shipments"]:
                scans = sum(parcel["event_count"] for parcel in shipment["parcels"])
                found[shipment["id"]] = (shipment["status"], scans)
        cursor = body.get("next_cursor")
        if not cursor:
            return found


def test_the_demo_shows_parcels_moving_on_in_accelerated_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with ServeProcess(url, tmp_path, secret=TEST_SECRET, args=["--demo", "--demo-speed", "4000"]) as demo:
        # Both are printed before the server answers.
        printed = demo.log().splitlines()
        key = next(line.split("API key:")[1].strip() for line in printed if "API key:" in line)
        assert any("Live:" in line for line in printed)
        base = demo.base_url
        # Within a minute the backlog is in and the replay is moving parcels on.
        first: dict[str, tuple[str, int]] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(3)
            try:
                first = _live_shipments(base, key)
            except httpx.TransportError:
                continue
            if sum(1 for status, _ in first.values() if status in MOVED_ON) >= 5:
                break
        assert sum(1 for status, _ in first.values() if status in MOVED_ON) >= 5, Counter(first.values())
        # Then parcels keep moving: new scans, and some reach the door (12 s at 4000x is over
        # 13 simulated hours).
        deadline = time.monotonic() + 12
        while True:
            time.sleep(2)
            later = _live_shipments(base, key)
            progressed = [sid for sid, (_, scans) in first.items() if later[sid][1] > scans]
            statuses = Counter(status for status, _ in later.values())
            arrived = statuses["delivered"] + statuses["out_for_delivery"]
            if (progressed and arrived) or time.monotonic() > deadline:
                break
        assert len(later) >= len(first)
        assert progressed, "no live parcel got a new scan in 12 s at 4000x"
        assert arrived > 0, statuses
