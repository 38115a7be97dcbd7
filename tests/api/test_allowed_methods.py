"""``OPTIONS`` and ``405`` answers name every method of the path (RFC 9110, 9.3.7 and 15.5.6)."""

from __future__ import annotations

import httpx
import pytest


def allow(response: httpx.Response) -> set[str]:
    return {m.strip() for m in response.headers["allow"].split(",")}


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v1/orders", {"GET", "POST", "OPTIONS"}),
        ("/api/v1/carriers/ups/account", {"GET", "PUT", "OPTIONS"}),
        ("/api/v1/notifications/settings", {"GET", "PUT", "OPTIONS"}),
        ("/api/v1/notifications/templates/shipped/email/en", {"GET", "PUT", "DELETE", "OPTIONS"}),
        ("/api/v1/orders/ord_anything/confirm", {"POST", "OPTIONS"}),
    ],
)
def test_options_lists_every_method_of_the_path(client: httpx.Client, path: str, methods: set[str]) -> None:
    response = client.options(path)
    assert response.status_code == 204, response.text
    assert allow(response) == methods
    assert response.content == b""


def test_options_needs_no_api_key(server) -> None:
    with server.client() as anonymous:
        response = anonymous.options("/api/v1/warehouses")
    assert response.status_code == 204
    assert allow(response) == {"GET", "POST", "OPTIONS"}


def test_a_method_the_path_does_not_serve_is_405_naming_all_that_it_does(client: httpx.Client) -> None:
    response = client.patch("/api/v1/carriers/ups/account", json={})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert allow(response) == {"GET", "PUT", "OPTIONS"}


def test_options_on_a_path_nothing_serves_is_404(client: httpx.Client) -> None:
    assert client.options("/api/v1/nowhere").status_code == 404
