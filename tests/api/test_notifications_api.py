"""Notification endpoints over HTTP: the log, switches, webhook endpoints, templates,
previews, dead letters, and the unsubscribe link that works without a login.

Webhook endpoints are checked when registered: https, on a host whose every address is public.
The shared test server runs with production's rule; ``dev_client`` talks to one started with
a developer's settings (127.0.0.0/8 and plain http allowed)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from ordertrack.config import Settings
from ordertrack.db.uow import Database
from ordertrack.links import tracking_token, unsubscribe_url
from tests.conftest import TEST_SECRET, Tenant
from tests.integration.scenario import order_payload
from tests.support import LiveServer


@pytest.fixture(scope="module")
def _dev_servers() -> Iterator[dict[str, LiveServer]]:
    servers: dict[str, LiveServer] = {}
    yield servers
    for server in servers.values():
        server.__exit__(None, None, None)


@pytest.fixture
def dev_client(
    db: Database, backend: str, _dev_servers: dict[str, LiveServer], make_merchant: Callable[[str], Tenant]
) -> Iterator[httpx.Client]:
    """A merchant's client on a server with the development settings for outgoing requests."""
    if backend not in _dev_servers:
        settings = Settings(
            database_url=db.url.render_as_string(hide_password=False),
            api_key_cache_seconds=0,
            secret_key=TEST_SECRET,
            outgoing_allowed_networks="127.0.0.0/8",
            webhooks_allow_http=True,
        )
        _dev_servers[backend] = LiveServer(db, settings).__enter__()
    with _dev_servers[backend].client(make_merchant("Acme Outfitters").api_key) as http:
        yield http


def shipped_order(client: httpx.Client) -> dict:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "ups", "tracking_number": "1Z5R89390357567127"},
    )
    return order


def test_the_order_log_lists_what_is_queued_for_whom(dev_client: httpx.Client) -> None:
    client = dev_client
    created = client.post(
        "/api/v1/notifications/webhook-endpoints",
        json={"url": "http://127.0.0.1:9/ot", "event_types": ["shipment.shipped"]},
    )
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    order = shipped_order(client)
    log = client.get(f"/api/v1/orders/{order['number']}/notifications").json()["items"]
    assert sorted((n["trigger"], n["channel"], n["state"]) for n in log) == [
        ("shipped", "email", "pending"),
        ("shipped", "webhook", "pending"),
    ]
    listed = client.get("/api/v1/notifications/webhook-endpoints").json()["items"]
    assert "secret" not in listed[0] and listed[0]["event_types"] == ["shipment.shipped"]
    assert client.get("/api/v1/orders/nope/notifications").status_code == 404


# Each of these was registered, and then posted to by the worker, before the check existed.
INSIDE_OR_MALFORMED = [
    "http://[/",
    "https://127.0.0.1/hooks",
    "https://localhost/hooks",
    "https://[::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://10.0.0.5/hooks",
    "https://192.168.1.20/hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://0.0.0.0/hooks",
    "https://2130706433/hooks",  # 127.0.0.1 as one number
    "ftp://127.0.0.1/hooks",
    "http://127.0.0.1:8000/api/v1/orders",  # plain http, and this machine
]


def test_webhook_endpoints_inside_the_network_or_malformed_are_refused(client: httpx.Client) -> None:
    for url in INSIDE_OR_MALFORMED:
        refused = client.post("/api/v1/notifications/webhook-endpoints", json={"url": url})
        assert refused.status_code == 422, (url, refused.text)
        assert refused.json()["error"]["code"] == "webhook_url_not_allowed", url
    assert client.get("/api/v1/notifications/webhook-endpoints").json()["items"] == []


def test_a_developers_settings_open_loopback_and_http_but_nothing_else(dev_client: httpx.Client) -> None:
    path = "/api/v1/notifications/webhook-endpoints"
    assert dev_client.post(path, json={"url": "http://127.0.0.1:9/hooks"}).status_code == 201
    for url in ("https://169.254.169.254/latest/meta-data/", "https://10.0.0.5/hooks", "http://[/"):
        refused = dev_client.post(path, json={"url": url})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "webhook_url_not_allowed"


def test_switching_a_trigger_off_stops_its_messages(client: httpx.Client) -> None:
    switched = client.put(
        "/api/v1/notifications/settings", json={"trigger": "shipped", "channel": "email", "enabled": False}
    )
    assert switched.status_code == 200
    settings = {
        (s["trigger"], s["channel"]): s["enabled"]
        for s in client.get("/api/v1/notifications/settings").json()["items"]
    }
    assert settings[("shipped", "email")] is False and settings[("delivered", "email")] is True
    order = shipped_order(client)
    assert client.get(f"/api/v1/orders/{order['id']}/notifications").json()["items"] == []
    bad = client.put(
        "/api/v1/notifications/settings", json={"trigger": "teleported", "channel": "email", "enabled": True}
    )
    assert bad.status_code == 422


def test_templates_are_checked_in_the_sandbox_and_previewed_against_a_real_order(
    client: httpx.Client,
) -> None:
    order = shipped_order(client)
    good = client.put(
        "/api/v1/notifications/templates/shipped/sms/en",
        json={"text": "{{ store_name }}: order {{ order_number }} is on its way {{ tracking_url }}"},
    )
    assert good.status_code == 200, good.text
    preview = client.post(
        "/api/v1/notifications/preview",
        json={"trigger": "shipped", "channel": "sms", "order": order["id"]},
    ).json()
    assert preview["text"].startswith(
        "Acme Outfitters: order 1001 is on its way http://127.0.0.1:8000/track/"
    )
    escape = client.put(
        "/api/v1/notifications/templates/shipped/sms/en",
        json={"text": "{{ ''.__class__.__mro__[1].__subclasses__() }}"},
    )
    assert escape.status_code == 422 and escape.json()["error"]["code"] == "invalid_template"
    default_email = client.post(
        "/api/v1/notifications/preview",
        json={"trigger": "delivered", "channel": "email", "locale": "pt_BR", "order": order["id"]},
    ).json()
    assert default_email["subject"] and "ParcelDelivery" in default_email["html"]


def test_the_unsubscribe_link_works_without_a_login_and_stops_email(client: httpx.Client, server) -> None:
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    link = urlsplit(unsubscribe_url(server.base_url, TEST_SECRET, merchant_id, "email", "Ann@Example.com"))
    with httpx.Client(base_url=server.base_url) as anonymous:
        page = anonymous.get(link.path)
        assert page.status_code == 200 and "<form" in page.text
        # RFC 8058 one-click: the mail client posts "List-Unsubscribe=One-Click" to the link.
        done = anonymous.post(link.path, content=b"List-Unsubscribe=One-Click")
        assert done.status_code == 200 and "Done" in done.text
        forged = anonymous.post(link.path[:-3] + "xyz")
        assert forged.status_code == 404
    order = shipped_order(client)
    channels = {
        n["channel"] for n in client.get(f"/api/v1/orders/{order['id']}/notifications").json()["items"]
    }
    assert "email" not in channels  # the shopper opted out: no more email from this store


def test_a_shopper_subscribes_to_text_updates_from_the_tracking_page(client: httpx.Client, server) -> None:
    order = shipped_order(client)
    page = f"/track/{tracking_token(TEST_SECRET, order['id'])}"
    with httpx.Client(base_url=server.base_url) as shopper:
        shopper.post(f"{page}/proof", data={"email": "ann@example.com"})  # the link alone is not enough
        form_token = re.search(r'name="form_token" value="([^"]+)"', shopper.get(page).text).group(1)  # type: ignore[union-attr]
        wrong = shopper.post(f"{page}/sms", data={"phone": "12", "form_token": form_token})
        assert wrong.status_code == 303 and "sms=invalid" in wrong.headers["location"]
        assert "does not look like a mobile number" in shopper.get(wrong.headers["location"]).text
        done = shopper.post(f"{page}/sms", data={"phone": "(650) 253-0000", "form_token": form_token})
        assert done.status_code == 303 and "sms=subscribed" in done.headers["location"]
        assert shopper.post("/track/ord_x.1.forged/sms", data={"phone": "6502530000"}).status_code == 404
    client.post(
        "/api/v1/tracking/events",
        json={
            "events": [
                {
                    "tracking_number": "1Z5R89390357567127",
                    "carrier": "ups",
                    "occurred_at": "2026-11-20T09:00:00-06:00",
                    "status": "out_for_delivery",
                }
            ]
        },
    )
    log = client.get(f"/api/v1/orders/{order['id']}/notifications").json()["items"]
    assert ("out_for_delivery", "sms", "+16502530000") in {
        (n["trigger"], n["channel"], n["recipient"]) for n in log
    }


def test_a_template_is_read_edited_and_reset_to_the_default(client: httpx.Client) -> None:
    path = "/api/v1/notifications/templates/delivered/sms/es"
    default = client.get(path).json()
    assert default["custom"] is False and "{{ tracking_url }}" in default["text"]
    own = "{{ store_name }}: pedido {{ order_number }} entregado. {{ tracking_url }}"
    assert client.put(path, json={"text": own}).status_code == 200
    assert client.get(path).json() == {"subject": None, "text": own, "html": None, "custom": True}
    assert client.delete(path).status_code == 204
    assert client.get(path).json() == default
    assert client.get("/api/v1/notifications/templates/low_stock/sms/en").status_code == 422


def test_staff_alerts_go_by_email_and_webhook_only_and_preview_with_real_stock(client: httpx.Client) -> None:
    refused = client.put(
        "/api/v1/notifications/settings", json={"trigger": "low_stock", "channel": "sms", "enabled": True}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "staff_alert_channel"
    assert (
        client.put(
            "/api/v1/notifications/settings",
            json={"trigger": "low_stock", "channel": "webhook", "enabled": False},
        ).status_code
        == 200
    )
    client.post(
        "/api/v1/warehouses",
        json={
            "code": "AUS",
            "name": "Austin",
            "address": {"line1": "1 Dock Rd", "city": "Austin", "country": "US"},
            "timezone": "America/Chicago",
        },
    )
    client.put("/api/v1/stock/AUS/TENT-2P", json={"on_hand": 7, "low_stock_threshold": 2})
    order = client.post("/api/v1/orders", json=order_payload()).json()
    preview = client.post(
        "/api/v1/notifications/preview",
        json={"trigger": "low_stock", "channel": "email", "order": order["id"]},
    ).json()
    assert preview["subject"] == "Low stock: TENT-2P at AUS" and "Only 7 units" in preview["text"]
    assert "ld+json" not in preview["html"]  # staff mail carries no parcel markup
