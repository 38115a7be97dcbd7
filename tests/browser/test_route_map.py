"""The route map on the shopper's page, in Chromium against ``ordertrack serve``: real land
and borders, the current position and the destination, legible at 360 px, placed by name when
the carrier gave no coordinates (as simulated carriers' formats do), and the merchant's tiles
allowed by that page's CSP alone. Nothing is fetched from outside 127.0.0.1."""

from __future__ import annotations

import http.server
import re
import struct
import threading
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ordertrack.db.uow import Database
from ordertrack.merchants import repository as merchants_repository
from tests.browser.conftest import axe_audit, screenshots
from tests.integration.scenario import order_payload
from tests.support import ServeProcess

pytestmark = pytest.mark.browser

NUMBER = "1Z5R89390357567127"
NOW = datetime.now(UTC).replace(microsecond=0)
PAGE = re.compile(r"/track/[\w-]+\.[\w-]+$")


@pytest.fixture
def travelling_order(served_client: httpx.Client) -> dict[str, Any]:
    """Order 2001 to Austin, TX: seen in Louisville (with coordinates), then in Dallas with a
    city and a region only, the way a carrier's own format reports it."""
    order = served_client.post("/api/v1/orders", json=order_payload("2001")).json()
    shipped = served_client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "ups", "tracking_number": NUMBER, "lines": [{"sku": "TENT-2P", "quantity": 2}]},
    )
    assert shipped.status_code == 201, shipped.text
    events = [
        {
            "tracking_number": NUMBER,
            "carrier": "ups",
            "occurred_at": (NOW - timedelta(hours=30)).isoformat(),
            "status": "in_transit",
            "description": "Departed facility",
            "location": {
                "city": "Louisville",
                "region": "KY",
                "country": "US",
                "latitude": 38.25,
                "longitude": -85.76,
                "timezone": "America/Kentucky/Louisville",
            },
        },
        {
            "tracking_number": NUMBER,
            "carrier": "ups",
            "occurred_at": (NOW - timedelta(hours=6)).isoformat(),
            "status": "in_transit",
            "description": "Arrived at facility",
            "location": {"city": "DALLAS", "region": "TX", "country": "US"},
        },
    ]
    assert served_client.post("/api/v1/tracking/events", json={"events": events}).json()["accepted"] == 2
    return order


def _open(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/track")
    page.get_by_label("Order number", exact=True).fill("2001")
    page.get_by_label("Email address or postal code").fill("ann@example.com")
    page.get_by_role("button", name="Track order").click()
    page.wait_for_url(PAGE)


def test_map_draws_land_route_current_position_and_destination(
    page: Any, served: ServeProcess, travelling_order: dict[str, Any], backend: str
) -> None:
    from playwright.sync_api import expect

    _open(page, served.base_url)
    svg = page.locator("svg.route-map")
    expect(svg).to_have_count(1)
    assert page.locator("svg.route-map .map-land path").count() >= 2  # the US and Mexico at least
    expect(page.locator("svg.route-map .map-stop")).to_have_count(2)  # Dallas placed by its name
    expect(page.locator("svg.route-map .map-current")).to_be_visible()
    expect(page.locator("svg.route-map .map-destination")).to_be_visible()
    expect(page.locator("svg.route-map .map-remaining")).to_have_count(1)
    labels = page.locator("svg.route-map .map-label")
    expect(labels).to_have_text(["DALLAS", "Austin"])
    key = page.locator(".map-key")
    expect(key).to_contain_text("Last seen: DALLAS TX")  # in the page's words, home country unsaid
    expect(key).to_contain_text("Going to: Austin")
    expect(page.locator(".map-credit")).to_have_text("Borders: Natural Earth")
    title = page.locator("svg.route-map title").first.text_content()
    assert "DALLAS" in title and "Austin" in title
    # The text alternative lists the places in order.
    page.locator(".map-places summary").click()
    expect(page.locator(".map-places li")).to_have_text(["Louisville KY", "DALLAS TX"])
    # The current position is west-south-west of Louisville and east-north-east of Austin.
    stops = page.locator("svg.route-map .map-stop")
    louisville = float(stops.nth(0).get_attribute("cx"))
    dallas = float(stops.nth(1).get_attribute("cx"))
    assert louisville > dallas
    assert axe_audit(page) == []
    screenshots(page, f"track-route-map-{backend}")


def test_map_fills_a_phone_screen_and_its_labels_stay_legible(
    phone_page: Any, served: ServeProcess, travelling_order: dict[str, Any], backend: str
) -> None:
    _open(phone_page, served.base_url)
    box = phone_page.locator("svg.route-map").bounding_box()
    assert box is not None
    assert box["width"] >= 300 and box["height"] >= 0.7 * box["width"], box  # full width, 4:3
    for index in range(phone_page.locator("svg.route-map .map-label").count()):
        label = phone_page.locator("svg.route-map .map-label").nth(index).bounding_box()
        assert label is not None and label["height"] >= 12, label  # at least a 12 px line
        assert label["x"] >= box["x"] - 1 and label["x"] + label["width"] <= box["x"] + box["width"] + 1
    current = phone_page.locator("svg.route-map .map-current .map-dot").bounding_box()
    assert current is not None and current["width"] >= 10  # a dot a finger can see
    assert axe_audit(phone_page) == []
    phone_page.locator("figure.route").screenshot(path=str(_artifact(f"track-route-map-phone-{backend}")))


def test_merchant_tiles_are_placed_in_the_map_and_allowed_by_that_page_only(
    served_client: httpx.Client, served: ServeProcess, travelling_order: dict[str, Any]
) -> None:
    refused = served_client.put(
        "/api/v1/settings/map-tiles",
        json={"url_template": "http://tiles.example.com/{z}/{x}/{y}.png", "attribution": "x"},
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_map_tiles"
    assert (
        served_client.put(
            "/api/v1/settings/map-tiles", json={"url_template": "https://t.example.com/{z}/{x}"}
        ).status_code
        == 422
    )
    saved = served_client.put(
        "/api/v1/settings/map-tiles",
        json={"url_template": "https://tiles.example.com/{z}/{x}/{y}.png", "attribution": "© Example Maps"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["image_origin"] == "https://tiles.example.com"
    assert served_client.get("/api/v1/settings/map-tiles").json()["attribution"] == "© Example Maps"
    with served.client() as shopper:
        lookup = {"kind": "order", "order_number": "2001", "contact": "ann@example.com"}
        found = shopper.post("/track", data=lookup)
        assert found.status_code == 303
        page = shopper.get(found.headers["location"])
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "img-src 'self' data: https://tiles.example.com;" in policy
        tiles = re.findall(r'<image href="https://tiles\.example\.com/(\d+)/(\d+)/(\d+)\.png"', page.text)
        assert 4 <= len(tiles) <= 30
        assert "Map tiles: © Example Maps" in page.text
        # Only the merchant's order page gets the host; the lookup form keeps the strict policy.
        assert "tiles.example.com" not in shopper.get("/track").headers["content-security-policy"]
    cleared = served_client.put("/api/v1/settings/map-tiles", json={"url_template": None})
    assert cleared.json() == {"url_template": None, "attribution": None, "image_origin": None}


def _png(size: int = 256) -> bytes:
    """A plain light-grey square PNG, as a tile server sends."""
    row = b"\x00" + b"\xdd\xdd\xdd" * size
    raw = zlib.compress(row * size)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.fixture
def tile_server() -> Iterator[tuple[str, list[str]]]:
    """A tile server on 127.0.0.1 (another origin than the shop's): its base URL and the paths asked."""
    asked: list[str] = []
    tile = _png()

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def test_chromium_loads_the_merchants_tiles_that_the_page_policy_allows(
    page: Any,
    served: ServeProcess,
    served_db: Database,
    served_client: httpx.Client,
    travelling_order: dict[str, Any],
    tile_server: tuple[str, list[str]],
    backend: str,
) -> None:
    # Stored as the settings service stores it; the service would ask for https, which a
    # local test server has no certificate for, and the page draws what is stored.
    base, asked = tile_server
    with served_db.uow() as uow:
        merchant = merchants_repository.merchant(uow, served_client.tenant.merchant_id)  # type: ignore[attr-defined]
        assert merchant is not None
        merchant.settings = {
            **(merchant.settings or {}),
            "map_tiles": {"url_template": base + "/tiles/{z}/{x}/{y}.png", "attribution": "Local tiles"},
        }
        uow.commit()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security" in message.text else None,
    )
    _open(page, served.base_url)
    images = page.locator("svg.route-map .map-tiles image")
    assert images.count() >= 4
    page.wait_for_function(
        "n => performance.getEntriesByType('resource').filter(e => e.name.includes('/tiles/')).length >= n",
        arg=images.count(),
    )
    assert len([path for path in asked if re.fullmatch(r"/tiles/\d+/\d+/\d+\.png", path)]) >= images.count()
    assert refused == []
    from playwright.sync_api import expect

    expect(page.locator(".map-credit")).to_have_text("Map tiles: Local tiles")
    assert axe_audit(page) == []
    screenshots(page, f"track-route-map-tiles-{backend}")


def _artifact(name: str) -> Any:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
