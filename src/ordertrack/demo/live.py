"""The live demo: simulated carriers moving the demo shop's parcels while you watch.

``ordertrack serve --demo`` starts :func:`start` next to the server. It runs the simulator
against the server's own public API (the same path ``ordertrack simulate --to`` takes), for the
demo merchant, with the shop's own products:

1. the backlog: orders placed from ``backlog_days`` ago until ``replay_hours`` ago are sent at
   once, so the dashboard opens on parcels already on their way;
2. the replay: the last ``replay_hours`` play ``speed`` times faster than real time (at the
   default 360x, one real second is six simulated minutes: parcels go out for delivery, are
   delivered, fail an attempt or stall within minutes);
3. then live: once simulated time reaches the wall clock it runs at real time, a new order now
   and then, scans as they happen.

No scan is ever stamped after the wall clock: simulated time only catches up with now.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ordertrack.demo.catalog_data import PRODUCTS
from ordertrack.simulate.generator import SimConfig, generate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveSettings:
    speed: float = 360.0  # simulated seconds per real second during the replay
    backlog_days: float = 6.0
    replay_hours: float = 60.0
    orders_per_day: int = 40
    horizon_days: int = 365  # how far the stream reaches (lazily generated)
    seed: int = 2026
    restock_every_seconds: float = 60.0
    restock_quantity: int = 48


def config(now: datetime, settings: LiveSettings) -> SimConfig:
    """The demo's stream: the shop's best sellers, numbered apart from the seeded orders."""
    products = tuple((p.sku, p.name, p.price_usd) for p in PRODUCTS[:16])
    days = settings.backlog_days + settings.horizon_days
    return SimConfig(
        seed=settings.seed,
        orders=int(days * settings.orders_per_day),
        start=now - timedelta(days=settings.backlog_days),
        days=days,
        order_prefix="NW-L",
        products=products,
        ship_from_warehouse=True,
    )


def demo_pace(
    now: datetime,
    settings: LiveSettings,
    wait: Callable[[float], object],
    *,
    monotonic: Callable[[], float] = time.monotonic,
    wall: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[datetime], None]:
    """Blocks until a record is due: backlog at once, the replay sped up, then real time."""
    replay_from = now - timedelta(hours=settings.replay_hours)
    started = monotonic()

    def pace(at: datetime) -> None:
        replayed = (at - replay_from).total_seconds() / settings.speed
        delay = max(started + replayed - monotonic(), (at - wall()).total_seconds(), 0.0)
        if delay > 0:
            wait(delay)

    return pace


def _stock_levels(client: httpx.Client) -> Iterator[dict[str, Any]]:
    """Every stock level of the shop, page after page."""
    cursor: str | None = None
    while True:
        page = client.get("/api/v1/stock", params={"limit": 200, **({"cursor": cursor} if cursor else {})})
        page.raise_for_status()
        body = page.json()
        yield from body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return


def restock(client: httpx.Client, skus: set[str], quantity: int, round_: int) -> int:
    """The shop's deliveries from its suppliers: every demo product running low at a warehouse
    receives ``quantity`` more (through the receipts API, which also fills backorders)."""
    received = 0
    for level in _stock_levels(client):
        if level["sku"] not in skus or level["available"] > 2 * (level["low_stock_threshold"] or 10):
            continue
        answer = client.post(
            f"/api/v1/stock/{level['warehouse']['code']}/{level['sku']}/receipts",
            json={"quantity": quantity, "reason": "supplier_delivery"},
            headers={"Idempotency-Key": f"live-restock-{round_}-{level['warehouse']['code']}-{level['sku']}"},
        )
        answer.raise_for_status()
        received += 1
    return received


def start(base_url: str, api_key: str, settings: LiveSettings | None = None) -> threading.Event:
    """Run the demo's simulated carriers (and supplier deliveries) in daemon threads; set the
    returned event to stop them."""
    from ordertrack.simulate import http

    chosen = settings or LiveSettings()
    stop = threading.Event()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise here
    now = datetime.now(UTC)
    stream = config(now, chosen)

    def carriers() -> None:
        report = http.send(
            generate(stream),
            base_url,
            api_key,
            batch_events=200,
            pace=demo_pace(now, chosen, stop.wait),
            stop=stop,
        )
        if report.rejected_records:
            log.warning("live demo: %d records refused by the server", report.rejected_records)
        log.info("live demo stopped after %d records", report.records)

    def suppliers() -> None:
        skus = {sku for sku, _, _ in stream.products}
        headers = {"Authorization": f"Bearer {api_key}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=30.0) as client:
            round_ = 0
            while not stop.wait(2.0 if round_ == 0 else chosen.restock_every_seconds):
                round_ += 1
                try:
                    restock(client, skus, chosen.restock_quantity, round_)
                except httpx.HTTPError as error:  # the server is still starting, or busy
                    log.info("live demo: restock round %d skipped (%s)", round_, error)

    for target, name in ((carriers, "carriers"), (suppliers, "suppliers")):
        threading.Thread(target=target, name=f"ordertrack-live-{name}", daemon=True).start()
    return stop
