"""The shopper's lookup by tracking number over HTTP: a number copied by another merchant
never takes over the public page, and a store's own page shows only its own parcels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ordertrack.kit.signing import SigningKeys
from ordertrack.links import read_tracking_token
from ordertrack.web.track.ratelimit import LookupLimiter
from tests.conftest import TEST_SECRET, Tenant
from tests.integration.scenario import order_payload
from tests.support import LiveServer

NUMBER = "1Z5R89390357567127"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(autouse=True)
def _fresh_lookup_budget(server: LiveServer) -> None:
    server.server.config.app.state.track_lookup_limiter = LookupLimiter()


def ship(client: httpx.Client, order_number: str, status: str, hours_ago: float) -> str:
    """An order shipped with NUMBER and one scan; the id of its parcel."""
    order = client.post("/api/v1/orders", json=order_payload(order_number)).json()
    shipment = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": "ups", "tracking_number": NUMBER}
    )
    assert shipment.status_code == 201, shipment.text
    scan = {
        "tracking_number": NUMBER,
        "carrier": "ups",
        "occurred_at": (NOW - timedelta(hours=hours_ago)).isoformat(),
        "status": status,
    }
    assert client.post("/api/v1/tracking/events", json={"events": [scan]}).json()["accepted"] == 1
    return str(shipment.json()["parcels"][0]["id"])


def look_up(server: LiveServer, path: str, number: str = NUMBER) -> httpx.Response:
    with httpx.Client(base_url=server.base_url) as shopper:
        return shopper.post(path, data={"kind": "parcel", "tracking_number": number})


def opened(answer: httpx.Response) -> str | None:
    """The parcel a lookup's redirect opens."""
    assert answer.status_code == 303, answer.status_code
    return read_tracking_token(SigningKeys(TEST_SECRET), answer.headers["location"].removeprefix("/track/"))


def test_a_number_copied_by_another_merchant_no_longer_opens_by_number_alone(
    server: LiveServer, client: httpx.Client, make_merchant: Callable[[str], Tenant]
) -> None:
    ship(client, "A-1", "in_transit", hours_ago=5)
    forger = make_merchant("Forger Goods")
    with server.client(forger.api_key) as forger_api:
        ship(forger_api, "B-1", "delivered", hours_ago=1)  # newer, and "delivered"

    answer = look_up(server, "/track")
    assert answer.status_code == 200 and "location" not in answer.headers
    assert "order number and the email address" in answer.text
    assert "Acme Outfitters" not in answer.text and "Forger Goods" not in answer.text
    assert 'value="1Z5R89390357567127"' in answer.text  # kept for the shopper, nothing more


def test_a_store_page_opens_only_its_own_parcel_whoever_else_holds_the_number(
    server: LiveServer, client: httpx.Client, make_merchant: Callable[[str], Tenant]
) -> None:
    honest = client.tenant  # type: ignore[attr-defined]
    own = ship(client, "A-1", "in_transit", hours_ago=5)
    forger = make_merchant("Forger Goods")
    with server.client(forger.api_key) as forger_api:
        forged = ship(forger_api, "B-1", "delivered", hours_ago=1)

    assert opened(look_up(server, f"/track/store/{honest.merchant_id}")) == own
    assert opened(look_up(server, f"/track/store/{forger.merchant_id}")) == forged
    stranger = make_merchant("Third Store")
    assert look_up(server, f"/track/store/{stranger.merchant_id}").status_code == 404


def test_a_number_only_one_merchant_holds_still_opens_from_the_generic_page(
    server: LiveServer, client: httpx.Client
) -> None:
    parcel = ship(client, "A-1", "in_transit", hours_ago=5)
    assert opened(look_up(server, "/track")) == parcel
    assert look_up(server, "/track", "NOSUCHNUMBER1").status_code == 404
