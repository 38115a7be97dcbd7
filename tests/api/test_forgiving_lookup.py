"""The shopper's lookup forms over HTTP forgive how a number was typed (``Nw-10442``,
``#nw 10442``) without weakening the proof or the tenant wall: the email or postal code
still picks the order, and a store's page finds only that store's orders."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from ordertrack.kit.signing import SigningKeys
from ordertrack.links import read_tracking_token
from ordertrack.web.track.ratelimit import LookupLimiter
from tests.conftest import TEST_SECRET, Tenant
from tests.integration.scenario import order_payload
from tests.support import LiveServer


@pytest.fixture(autouse=True)
def _fresh_lookup_budget(server: LiveServer) -> None:
    server.server.config.app.state.track_lookup_limiter = LookupLimiter()


def look_up(server: LiveServer, number: str, contact: str, path: str = "/track") -> httpx.Response:
    with httpx.Client(base_url=server.base_url) as shopper:
        return shopper.post(path, data={"order_number": number, "contact": contact})


def opened(answer: httpx.Response) -> str | None:
    assert answer.status_code == 303, answer.status_code
    return read_tracking_token(SigningKeys(TEST_SECRET), answer.headers["location"].removeprefix("/track/"))


def place(client: httpx.Client, number: str, email: str, postal_code: str = "78701") -> str:
    payload = order_payload(number, customer={"email": email, "name": "Ann Lee"})
    payload["shipping_address"]["postal_code"] = postal_code
    answer = client.post("/api/v1/orders", json=payload)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


@pytest.mark.parametrize("typed", ["NW-10442", "nw-10442", "Nw-10442", "#nw 10442", "NW10442", " nw–10442 "])
def test_the_order_number_is_found_however_it_was_typed(
    server: LiveServer, client: httpx.Client, typed: str
) -> None:
    order_id = place(client, "NW-10442", "ann@example.com")
    assert opened(look_up(server, typed, "Ann@Example.com")) == order_id
    assert opened(look_up(server, typed, "787 01")) == order_id  # postal code, spaces ignored


def test_a_typed_number_still_needs_the_right_email(server: LiveServer, client: httpx.Client) -> None:
    place(client, "NW-10442", "ann@example.com")
    answer = look_up(server, "nw-10442", "eve@example.com")
    assert answer.status_code == 404 and "find an order" in answer.text


def test_numbers_that_read_alike_at_two_stores_open_the_one_the_email_proves(
    server: LiveServer, client: httpx.Client, make_merchant: Callable[[str], Tenant]
) -> None:
    mine = place(client, "NW-10442", "ann@example.com")
    other = make_merchant("Other Store")
    with server.client(other.api_key) as theirs:
        their_order = place(theirs, "nw10442", "bob@example.com")
    assert opened(look_up(server, "Nw-10442", "ann@example.com")) == mine
    assert opened(look_up(server, "Nw-10442", "bob@example.com")) == their_order
    # A store's own page never finds the other store's order, whatever the proof.
    store = f"/track/store/{client.tenant.merchant_id}"  # type: ignore[attr-defined]
    assert look_up(server, "nw10442", "bob@example.com", store).status_code == 404
    assert opened(look_up(server, "nw10442", "ann@example.com", store)) == mine


def test_a_parcel_is_found_by_its_tracking_number_typed_with_a_hash_dashes_or_lower_case(
    server: LiveServer, client: httpx.Client
) -> None:
    order_id = place(client, "NW-1", "ann@example.com")
    client.post(f"/api/v1/orders/{order_id}/confirm")
    shipment = client.post(
        f"/api/v1/orders/{order_id}/shipments",
        json={
            "carrier": "ups",
            "tracking_number": "1Z5R89390357567127",
            "lines": [{"sku": "TENT-2P", "quantity": 1}],
        },
    )
    assert shipment.status_code == 201, shipment.text
    parcel_id = shipment.json()["parcels"][0]["id"]
    for typed in ("#1z5r89390357567127", "1z5r-8939-0357-5671-27", "1Z5R 8939 0357 5671 27"):
        with httpx.Client(base_url=server.base_url) as shopper:
            answer = shopper.post("/track", data={"kind": "parcel", "tracking_number": typed})
        assert opened(answer) == parcel_id, typed
