"""Carrier endpoints over HTTP: detection, signed webhooks, the quarantine and replay,
unknown codes, polling accounts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import httpx

from ordertrack.links import tracking_token
from tests.carriers.test_canadapost import DELIVERED
from tests.conftest import TEST_SECRET
from tests.integration.scenario import order_payload

SECRET = "aftership-webhook-secret"


def aftership_push(number: str, *checkpoints: dict, ts: float | None = None) -> bytes:
    """An AfterShip ``tracking_update`` webhook body, in the shape its docs give."""
    return json.dumps(
        {
            "event": "tracking_update",
            "event_id": "a1b2c3",
            "is_tracking_first_tag": False,
            "ts": int(ts if ts is not None else time.time()),
            "msg": {
                "id": "tr-1",
                "tracking_number": number,
                "slug": "ups",
                "tag": checkpoints[-1]["tag"],
                "subtag": checkpoints[-1]["subtag"],
                "checkpoints": list(checkpoints),
            },
        }
    ).encode()


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"aftership-hmac-sha256": base64.b64encode(digest).decode(), "content-type": "application/json"}


def checkpoint(at: str, tag: str, subtag: str, message: str, city: str = "Louisville") -> dict:
    return {
        "checkpoint_time": at,
        "tag": tag,
        "subtag": subtag,
        "message": message,
        "city": city,
        "state": "KY",
        "country_iso3": "USA",
    }


def webhook_url(client: httpx.Client, carrier: str, secret: str | None) -> tuple[str, str]:
    response = client.put(f"/api/v1/carriers/{carrier}/webhook-settings", json={"signing_secret": secret})
    assert response.status_code == 200, response.text
    url = urlsplit(response.json()["webhook_url"])
    return url.path, parse_qs(url.query)["token"][0]


def test_detection_ranks_candidates_and_explains_a_bad_number(client: httpx.Client) -> None:
    ups = client.get("/api/v1/carriers/detect", params={"tracking_number": "1z5r 8939 0357 5671 27"}).json()
    assert ups["tracking_number"] == "1Z5R89390357567127"
    assert (ups["candidates"][0]["carrier"], ups["candidates"][0]["valid"]) == ("ups", True)
    assert ups["candidates"][0]["tracking_url"].endswith("1Z5R89390357567127")
    twelve = client.get("/api/v1/carriers/detect", params={"tracking_number": "320595463938"}).json()
    assert [c["carrier"] for c in twelve["candidates"]] == ["purolator", "fedex"]
    bad = client.get("/api/v1/carriers/detect", params={"tracking_number": "!!"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_tracking_number"
    slugs = {c["slug"] for c in client.get("/api/v1/carriers").json()["items"]}
    assert {"ups", "fedex", "usps", "dhl", "dhl_express", "easypost", "aftership", "shippo"} <= slugs


def test_a_signed_push_is_ingested_and_a_bad_signature_is_refused(client: httpx.Client, server) -> None:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "ups", "tracking_number": "1Z5R89390357567127"},
    )
    path, token = webhook_url(client, "aftership", SECRET)
    body = aftership_push(
        "1Z5R89390357567127",
        checkpoint("2026-11-18T21:04:00-05:00", "InTransit", "InTransit_001", "Departed from facility"),
        checkpoint("2026-11-19T09:12:00-05:00", "Delivered", "Delivered_001", "Delivered, front door"),
    )
    with httpx.Client(base_url=server.base_url) as anonymous:
        pushed = anonymous.post(path, params={"token": token}, content=body, headers=signed(body))
        assert pushed.status_code == 200, pushed.text
        assert (pushed.json()["state"], pushed.json()["accepted"]) == ("ingested", 2)
        again = anonymous.post(path, params={"token": token}, content=body, headers=signed(body))
        assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 2)
        tampered = body.replace(b"front door", b"back door")
        refused = anonymous.post(path, params={"token": token}, content=tampered, headers=signed(body))
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "bad_signature"
        wrong = anonymous.post(path, params={"token": token}, content=body, headers=signed(body, "not-it"))
        assert wrong.status_code == 401
        old = aftership_push(
            "1Z5R89390357567127",
            checkpoint("2026-11-18T21:04:00-05:00", "InTransit", "InTransit_001", "Departed"),
            ts=time.time() - 30 * 86400,
        )
        replayed = anonymous.post(path, params={"token": token}, content=old, headers=signed(old))
        assert replayed.status_code == 401
        no_token = anonymous.post(path, content=body, headers=signed(body))
        assert no_token.status_code == 401
        bad_token = anonymous.post(path, params={"token": "cwh_guess"}, content=body, headers=signed(body))
        assert bad_token.status_code == 401 and bad_token.json()["error"]["code"] == "unknown_webhook_token"
    tracking = client.get("/api/v1/tracking/1Z5R89390357567127").json()
    assert tracking["status"] == "delivered" and tracking["matched"] is True
    assert client.get(f"/api/v1/orders/{order['id']}").json()["status"] == "delivered"


def test_an_unreadable_push_is_quarantined_listed_and_replayable(client: httpx.Client, server) -> None:
    path, token = webhook_url(client, "ups", None)  # UPS does not sign: the URL token is the proof
    garbage = b'{"trackResponse": {"shipment": [truncated'
    with httpx.Client(base_url=server.base_url) as anonymous:
        pushed = anonymous.post(path, params={"token": token}, content=garbage)
    assert pushed.status_code == 202, pushed.text
    payload_id = pushed.json()["payload_id"]
    listed = client.get("/api/v1/carriers/quarantine").json()["items"]
    assert [(p["id"], p["state"], p["carrier"]) for p in listed] == [(payload_id, "quarantined", "ups")]
    assert listed[0]["reason"].startswith("unreadable_payload")
    detail = client.get(f"/api/v1/carriers/quarantine/{payload_id}").json()
    assert detail["body"] == garbage.decode()
    replay = client.post(f"/api/v1/carriers/quarantine/{payload_id}/replay")
    assert replay.status_code == 409 and replay.json()["error"]["code"] == "still_unreadable"
    assert client.get("/api/v1/carriers/quarantine/cpl_nope").status_code == 404


def test_unknown_codes_are_counted_where_the_merchant_can_see_them(client: httpx.Client, server) -> None:
    path, token = webhook_url(client, "aftership", SECRET)
    body = aftership_push(
        "1Z5R89390357567127",
        checkpoint("2026-11-18T21:04:00-05:00", "InTransit", "InTransit_999", "Parcel admired by staff"),
    )
    with httpx.Client(base_url=server.base_url) as anonymous:
        pushed = anonymous.post(path, params={"token": token}, content=body, headers=signed(body))
    assert pushed.status_code == 200 and pushed.json()["accepted"] == 1
    codes = client.get("/api/v1/carriers/unknown-codes").json()["items"]
    assert [(c["carrier"], c["seen"]) for c in codes] == [("ups", 1)]
    assert codes[0]["code"] == "InTransit_999" and codes[0]["example"] == "Parcel admired by staff"


def test_polling_accounts_keep_their_secrets_and_refuse_what_cannot_be_polled(client: httpx.Client) -> None:
    saved = client.put(
        "/api/v1/carriers/ups/account",
        json={"environment": "sandbox", "client_id": "id", "client_secret": "shh"},
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["has_client_secret"] is True and "shh" not in saved.text
    shown = client.get("/api/v1/carriers/ups/account").json()
    assert (shown["environment"], shown["base_url"]) == ("sandbox", "https://wwwcie.ups.com")
    pushed_only = client.put("/api/v1/carriers/aftership/account", json={"api_key": "k"})
    assert pushed_only.status_code == 422 and pushed_only.json()["error"]["code"] == "carrier_not_pollable"
    assert client.put("/api/v1/carriers/nope/account", json={}).status_code == 404
    assert client.get("/api/v1/carriers/fedex/account").status_code == 404
    unknown = client.put("/api/v1/carriers/ups/account", json={"environment": "staging"})
    assert unknown.status_code == 422


def test_an_account_is_production_unless_it_says_sandbox(client: httpx.Client) -> None:
    saved = client.put("/api/v1/carriers/dhl/account", json={"api_key": "k"}).json()
    assert (saved["environment"], saved["base_url"]) == ("production", "https://api-eu.dhl.com")


def test_a_merchant_cannot_aim_the_poller_at_an_address(client: httpx.Client) -> None:
    """The poller once fetched any base_url and kept the answer readable in the quarantine."""
    for base_url in ("http://127.0.0.1:8000/any/path?x=", "https://onlinetools.ups.com"):
        refused = client.put(
            "/api/v1/carriers/ups/account",
            json={"base_url": base_url, "client_id": "id", "client_secret": "shh"},
        )
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert error["code"] == "carrier_base_url_not_accepted" and "environment" in error["message"]
    assert client.get("/api/v1/carriers/ups/account").status_code == 404  # nothing was saved


def test_an_xml_carrier_pushes_xml_and_is_read(client: httpx.Client, server) -> None:
    path, token = webhook_url(client, "canadapost", None)
    with httpx.Client(base_url=server.base_url) as anonymous:
        pushed = anonymous.post(
            path, params={"token": token}, content=DELIVERED, headers={"content-type": "application/xml"}
        )
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["state"] in ("ingested", "partial") and pushed.json()["accepted"] >= 1
        broken = anonymous.post(
            path, params={"token": token}, content=b"<tracking-detail>", headers={"content-type": "text/xml"}
        )
    assert broken.status_code == 202 and broken.json()["state"] == "quarantined"
    number = pushed.json()["trackings"][0]
    assert client.get(f"/api/v1/tracking/{number}").json()["status"] == "delivered"


def test_a_carriers_estimate_is_kept_with_its_revisions_and_shown_to_the_shopper(
    client: httpx.Client, server
) -> None:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": "ups", "tracking_number": "1Z5R89390357567127"},
    )
    path, token = webhook_url(client, "aftership", SECRET)
    departed = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    scan = checkpoint(
        departed.astimezone(timezone(timedelta(hours=-5))).isoformat(),
        "InTransit",
        "InTransit_001",
        "Departed from facility",
    )
    # The carrier's promises lie ahead, on a Tuesday and then the Thursday after it.
    promised = departed.date() + timedelta(days=7 + (1 - departed.weekday()) % 7)
    later = promised + timedelta(days=2)
    pushes = []
    for day in (promised, promised, later):  # the second push repeats the first promise
        body = json.loads(aftership_push("1Z5R89390357567127", scan))
        body["msg"]["expected_delivery"] = day.isoformat()
        pushes.append(json.dumps(body).encode())
    with httpx.Client(base_url=server.base_url) as anonymous:
        for body in pushes:
            assert (
                anonymous.post(path, params={"token": token}, content=body, headers=signed(body)).status_code
                == 200
            )
        page = anonymous.get(
            f"/track/{tracking_token(TEST_SECRET, order['id'])}", headers={"accept-language": "en"}
        )
    assert page.status_code == 200
    text = page.text
    assert "Estimated delivery" in text and "How the estimate changed" in text
    assert all(f"{day:%b} {day.day}, {day.year}" in text for day in (promised, later))
    revisions = client.get(f"/api/v1/orders/{order['id']}").json()["estimate_revisions"]
    carrier_moves = [(r["latest"], r["delayed"]) for r in revisions if r["stage"] == "carrier"]
    # two revisions, not three
    assert carrier_moves == [(promised.isoformat(), False), (later.isoformat(), True)]
    log = client.get(f"/api/v1/orders/{order['id']}/notifications").json()["items"]
    revised = [n for n in log if n["trigger"] == "delivery_revised"]
    assert [(n["channel"], n["recipient"]) for n in revised] == [("email", "ann@example.com")]
