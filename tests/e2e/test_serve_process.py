"""``ordertrack serve`` as an operator runs it: where its links point, which proxies it believes,
and what its access log keeps, checked on the real process on both databases."""

from __future__ import annotations

import time
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordertrack.db.uow import Database
from tests.conftest import TEST_SECRET
from tests.integration.scenario import order_payload
from tests.support import ServeProcess, barcodes

UPS_NUMBER = "1Z5R89390357567127"


def _ship_one_order(http: httpx.Client) -> dict[str, Any]:
    order = http.post("/api/v1/orders", json=order_payload("1001")).json()
    shipment = http.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": "ups", "tracking_number": UPS_NUMBER}
    )
    assert shipment.status_code == 201, shipment.text
    return shipment.json()


def _links_in_label(http: httpx.Client, shipment_id: str) -> list[str]:
    pdf = http.get(f"/api/v1/shipments/{shipment_id}/label.pdf")
    assert pdf.status_code == 200, pdf.text
    return [text for kind, text in barcodes(pdf.content) if kind == "QRCode"]


def _webhook_url(http: httpx.Client) -> str:
    answer = http.put("/api/v1/carriers/ups/webhook-settings", json={"signing_secret": "s3cret-for-ups"})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["webhook_url"])


def _html(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return str(part.get_payload(decode=True).decode())
    raise AssertionError("no HTML part")


def _lookups(base_url: str, forwarded_for: list[str]) -> list[int]:
    statuses = []
    with httpx.Client(base_url=base_url, timeout=10) as http:
        for address in forwarded_for:
            answer = http.post(
                "/track",
                data={"kind": "order", "order_number": "NOPE-1", "contact": "x@example.com"},
                headers={"X-Forwarded-For": address},
            )
            statuses.append(answer.status_code)
    return statuses


def test_without_a_public_url_every_link_points_to_the_served_port_and_start_up_says_so(
    db: Database, make_merchant, relay, tmp_path: Path
) -> None:
    handler, smtp_port = relay
    url = db.url.render_as_string(hide_password=False)
    env = {"ORDERTRACK_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=5"}
    with ServeProcess(url, tmp_path, secret=TEST_SECRET, env=env) as served:
        base = served.base_url
        assert f"links point to {base}" in served.log()
        tenant = make_merchant("Acme Outfitters")
        with served.client(tenant.api_key) as http:
            shipment = _ship_one_order(http)
            assert _webhook_url(http).startswith(f"{base}/api/v1/carriers/ups/webhook?token=")
            qr = _links_in_label(http, shipment["id"])
            assert qr and all(link.startswith(f"{base}/track/") for link in qr), qr
        deadline = time.monotonic() + 30
        while not handler.received and time.monotonic() < deadline:
            time.sleep(0.2)
        assert handler.received, f"the embedded worker sent no email:\n{served.log()[-3000:]}"
        message = handler.received[0]
        assert f"<{base}/notifications/unsubscribe/" in message["List-Unsubscribe"]
        assert f'href="{base}/m/' in _html(message)  # the counted click link to the tracking page
        assert "127.0.0.1:8000" not in _html(message)


def test_a_set_public_url_is_used_for_every_link(db: Database, make_merchant, tmp_path: Path) -> None:
    public = "https://127.0.0.1:9443/shop"
    url = db.url.render_as_string(hide_password=False)
    with ServeProcess(url, tmp_path, secret=TEST_SECRET, env={"ORDERTRACK_PUBLIC_URL": public}) as served:
        assert f"links point to {public} (ORDERTRACK_PUBLIC_URL)" in served.log()
        tenant = make_merchant("Acme Outfitters")
        with served.client(tenant.api_key) as http:
            shipment = _ship_one_order(http)
            assert _webhook_url(http).startswith(f"{public}/api/v1/carriers/ups/webhook?token=")
            qr = _links_in_label(http, shipment["id"])
            assert qr and all(link.startswith(f"{public}/track/") for link in qr), qr


LIMITED = {"ORDERTRACK_TRACK_LOOKUP_BURST": "5", "ORDERTRACK_TRACK_LOOKUPS_PER_MINUTE": "1"}


def test_a_forged_forwarded_for_does_not_get_a_client_past_the_lookup_limit(
    db: Database, tmp_path: Path
) -> None:
    url = db.url.render_as_string(hide_password=False)
    with ServeProcess(url, tmp_path, secret=TEST_SECRET, env=LIMITED) as served:
        statuses = _lookups(served.base_url, [f"203.0.113.{n}" for n in range(1, 9)])
    assert statuses[:5] == [404] * 5 and set(statuses[5:]) == {429}, statuses


@pytest.mark.parametrize("backend", ["sqlite"])
def test_forwarded_for_is_believed_from_a_named_proxy(db: Database, tmp_path: Path) -> None:
    url = db.url.render_as_string(hide_password=False)
    env = {**LIMITED, "ORDERTRACK_FORWARDED_ALLOW_IPS": "127.0.0.1"}
    with ServeProcess(url, tmp_path, secret=TEST_SECRET, env=env) as served:
        # Behind a named proxy each shopper is counted on their own address.
        assert 429 not in _lookups(served.base_url, [f"203.0.113.{n}" for n in range(1, 9)])
        assert 429 in _lookups(served.base_url, ["198.51.100.7"] * 8)


def test_the_access_log_keeps_the_path_but_not_the_webhook_token(served: ServeProcess) -> None:
    token = "cwh_" + "q" * 40
    httpx.post(f"{served.base_url}/api/v1/carriers/ups/webhook?token={token}", content=b"{}", timeout=10)
    deadline = time.monotonic() + 5
    while "/api/v1/carriers/ups/webhook" not in served.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = served.log()
    assert '"POST /api/v1/carriers/ups/webhook HTTP/1.1"' in log
    assert token not in log
