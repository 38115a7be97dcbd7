"""Text-update sign-ups on the tracking page over HTTP: the link printed on the label is not
enough, the shopper proves the order's email; forms come from this site; sign-ups are
bounded per order and per number; finished orders offer none; every text says how to stop."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from ordertrack.db.uow import Database
from ordertrack.links import tracking_token
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.channels.sms import twilio_signature
from ordertrack.web.track.ratelimit import LookupLimiter
from ordertrack.web.track.sms_signup import SignupLimits
from tests.conftest import TEST_SECRET
from tests.integration.scenario import order_payload
from tests.support import LiveServer

NUMBER = "1Z5R89390357567127"


@pytest.fixture(autouse=True)
def _fresh_limits(server: LiveServer) -> None:
    state = server.server.config.app.state
    state.track_lookup_limiter = LookupLimiter()
    state.track_sms_limits = SignupLimits()


def shipped_order(client: httpx.Client, number: str = "1001", tracking_number: str = NUMBER) -> dict:
    order = client.post("/api/v1/orders", json=order_payload(number)).json()
    carrier = "ups" if tracking_number == NUMBER else "acme_post"
    shipment = client.post(
        f"/api/v1/orders/{order['id']}/shipments",
        json={"carrier": carrier, "tracking_number": tracking_number},
    )
    assert shipment.status_code == 201, shipment.text
    return order


def scan(client: httpx.Client, status: str) -> None:
    event = {"tracking_number": NUMBER, "carrier": "ups", "occurred_at": "2026-11-20T09:00:00-06:00"}
    assert (
        client.post("/api/v1/tracking/events", json={"events": [{**event, "status": status}]}).status_code
        < 300
    )


def page_of(order: dict) -> str:
    return f"/track/{tracking_token(TEST_SECRET, order['id'])}"


def numbers(db: Database, client: httpx.Client, order: dict) -> list[str]:
    with db.uow(write=False) as uow:
        return notifications_service.sms_numbers(uow, client.tenant.merchant_id, order["id"])  # type: ignore[attr-defined]


def form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "the page has no SMS form"
    return found.group(1)


@contextlib.contextmanager
def proven_shopper(server: LiveServer, order: dict) -> Iterator[httpx.Client]:
    """A browser that confirmed the order's email on its page."""
    with httpx.Client(base_url=server.base_url) as shopper:
        answer = shopper.post(f"{page_of(order)}/proof", data={"email": "Ann@Example.com"})
        assert answer.status_code == 303 and "sms=proven" in answer.headers["location"]
        yield shopper


def sign_up(shopper: httpx.Client, order: dict, phone: str) -> httpx.Response:
    token = form_token(shopper.get(page_of(order)).text)
    return shopper.post(f"{page_of(order)}/sms", data={"phone": phone, "form_token": token})


def test_the_link_printed_on_the_label_cannot_sign_a_number_up(
    server: LiveServer, client: httpx.Client, db: Database
) -> None:
    order = shipped_order(client)
    with httpx.Client(base_url=server.base_url) as stranger:
        page = stranger.get(page_of(order)).text
        assert 'name="phone"' not in page and f"{page_of(order)}/proof" in page
        for phone in ("(650) 253-0000", "+16502530001", "+16502530002"):
            refused = stranger.post(f"{page_of(order)}/sms", data={"phone": phone})
            assert refused.status_code == 403
    assert numbers(db, client, order) == []


def test_a_wrong_email_does_not_unlock_the_sign_up(server: LiveServer, client: httpx.Client) -> None:
    order = shipped_order(client)
    with httpx.Client(base_url=server.base_url) as stranger:
        answer = stranger.post(f"{page_of(order)}/proof", data={"email": "someone@example.com"})
        assert answer.status_code == 303 and "sms=wrong_email" in answer.headers["location"]
        page = stranger.get(answer.headers["location"]).text
        assert "doesn't match this order" in page and 'name="phone"' not in page


def test_guessing_the_email_from_the_link_is_limited_per_order(
    server: LiveServer, client: httpx.Client
) -> None:
    server.server.config.app.state.track_lookup_limiter = LookupLimiter(capacity=100)  # many addresses, say
    order = shipped_order(client)
    with httpx.Client(base_url=server.base_url) as guesser:
        codes = [
            guesser.post(f"{page_of(order)}/proof", data={"email": f"guess{n}@example.com"}).status_code
            for n in range(11)
        ]
        assert codes == [303] * 10 + [429]
        right = guesser.post(f"{page_of(order)}/proof", data={"email": "ann@example.com"})
        assert right.status_code == 429 and "Retry-After" in right.headers


def test_a_proven_shopper_signs_up_with_consent_shown_and_every_text_says_how_to_stop(
    server: LiveServer, client: httpx.Client, db: Database
) -> None:
    order = shipped_order(client)
    with proven_shopper(server, order) as shopper:
        page = shopper.get(page_of(order)).text
        assert "Acme Outfitters texts this number about this order only" in page
        assert "Reply STOP to any text" in page
        wrong = sign_up(shopper, order, "12")
        assert wrong.status_code == 303 and "sms=invalid" in wrong.headers["location"]
        done = sign_up(shopper, order, "(650) 253-0000")
        assert done.status_code == 303 and "sms=subscribed" in done.headers["location"]
        assert "ending in 0000" in shopper.get(done.headers["location"]).text
    assert numbers(db, client, order) == ["+16502530000"]
    scan(client, "out_for_delivery")
    log = client.get(f"/api/v1/orders/{order['id']}/notifications").json()["items"]
    assert ("out_for_delivery", "sms", "+16502530000") in {
        (n["trigger"], n["channel"], n["recipient"]) for n in log
    }
    text = client.post(
        "/api/v1/notifications/preview",
        json={"trigger": "out_for_delivery", "channel": "sms", "locale": "en", "order": order["id"]},
    ).json()["text"]
    assert text.endswith("\nReply STOP to opt out")


def test_a_form_posted_from_another_site_or_without_its_token_is_refused(
    server: LiveServer, client: httpx.Client, db: Database
) -> None:
    order = shipped_order(client)
    with proven_shopper(server, order) as shopper:
        token = form_token(shopper.get(page_of(order)).text)
        elsewhere = shopper.post(
            f"{page_of(order)}/sms",
            data={"phone": "+16502530000", "form_token": token},
            headers={"Origin": "https://shop.example"},
        )
        assert elsewhere.status_code == 403
        tokenless = shopper.post(f"{page_of(order)}/sms", data={"phone": "+16502530000"})
        assert tokenless.status_code == 403 and "This form has expired" in tokenless.text
        forged = shopper.post(f"{page_of(order)}/sms", data={"phone": "+16502530000", "form_token": "x" * 22})
        assert forged.status_code == 403
        same_site = shopper.post(
            f"{page_of(order)}/sms",
            data={"phone": "+16502530000", "form_token": token},
            headers={"Origin": server.base_url},
        )
        assert same_site.status_code == 303
    assert numbers(db, client, order) == ["+16502530000"]


def test_sign_ups_are_limited_per_order(server: LiveServer, client: httpx.Client, db: Database) -> None:
    order = shipped_order(client)
    with proven_shopper(server, order) as shopper:
        codes = [sign_up(shopper, order, f"+1650253000{n}").status_code for n in range(5)]
    assert codes == [303, 303, 303, 429, 429]
    assert len(numbers(db, client, order)) == 3


def test_sign_ups_are_limited_per_number_across_orders(server: LiveServer, client: httpx.Client) -> None:
    orders = [shipped_order(client, f"10{n}", f"AP10000{n}") for n in range(5)]
    codes = []
    for order in orders:
        with proven_shopper(server, order) as shopper:
            answer = sign_up(shopper, order, "+16502530000")
            codes.append(answer.status_code)
    assert codes == [303, 303, 303, 429, 429]
    assert "Retry-After" in answer.headers and "Too many tries" in answer.text


def test_an_order_texts_at_most_three_numbers(server: LiveServer, client: httpx.Client, db: Database) -> None:
    server.server.config.app.state.track_sms_limits = SignupLimits(per_order=LookupLimiter(capacity=10))
    order = shipped_order(client)
    with proven_shopper(server, order) as shopper:
        states = [sign_up(shopper, order, f"+1650253000{n}").headers["location"] for n in range(4)]
        assert ["sms=subscribed" in s for s in states] == [True, True, True, False]
        assert "sms=full" in states[-1]
        page = shopper.get(states[-1]).text
        assert "already sends texts to 3 numbers" in page and 'name="phone" type="tel"' not in page
    assert len(numbers(db, client, order)) == 3


def test_the_shopper_stops_texts_from_the_page_and_queued_ones_are_dropped(
    server: LiveServer, client: httpx.Client, db: Database
) -> None:
    order = shipped_order(client)
    with proven_shopper(server, order) as shopper:
        assert sign_up(shopper, order, "+16502530000").status_code == 303
        scan(client, "out_for_delivery")  # a text queued for the number
        token = form_token(shopper.get(page_of(order)).text)
        stopped = shopper.post(
            f"{page_of(order)}/sms/stop", data={"phone": "+16502530000", "form_token": token}
        )
        assert stopped.status_code == 303 and "sms=stopped" in stopped.headers["location"]
        assert "ending in 0000" not in shopper.get(stopped.headers["location"]).text
    assert numbers(db, client, order) == []
    log = client.get(f"/api/v1/orders/{order['id']}/notifications").json()["items"]
    assert {n["state"] for n in log if n["channel"] == "sms"} == {"suppressed"}
    with httpx.Client(base_url=server.base_url) as stranger:  # the link alone stops nothing either
        assert stranger.post(f"{page_of(order)}/sms/stop", data={"phone": "+16502530000"}).status_code == 403


def test_a_finished_order_offers_no_sign_up(server: LiveServer, client: httpx.Client, db: Database) -> None:
    order = shipped_order(client)
    with proven_shopper(server, order) as shopper:
        token = form_token(shopper.get(page_of(order)).text)
        scan(client, "delivered")
        page = shopper.get(page_of(order)).text
        assert 'name="phone"' not in page and "sms-heading" not in page
        late = shopper.post(f"{page_of(order)}/sms", data={"phone": "+16502530000", "form_token": token})
        assert late.status_code == 303 and "sms=closed" in late.headers["location"]
        assert "nothing left to text you about" in shopper.get(late.headers["location"]).text
    assert numbers(db, client, order) == []


@pytest.fixture
def sms_on(server: LiveServer) -> Iterator[str]:
    """The server with an SMS provider account configured; its auth token."""
    state = server.server.config.app.state
    kept = state.settings
    state.settings = kept.model_copy(update={"sms_token": SecretStr("provider-auth-token")})
    yield "provider-auth-token"
    state.settings = kept


def test_a_stop_reply_stops_the_texts_and_drops_the_queued_ones(
    server: LiveServer, client: httpx.Client, db: Database, sms_on: str
) -> None:
    order = shipped_order(client)
    with proven_shopper(server, order) as shopper:
        assert sign_up(shopper, order, "+16502530000").status_code == 303
    scan(client, "out_for_delivery")
    reply = {"MessageSid": "SM1", "From": "+16502530000", "To": "+15005550006", "Body": " stop. "}
    url = "http://127.0.0.1:8000/notifications/sms/inbound"  # the public URL the provider calls
    with httpx.Client(base_url=server.base_url) as provider:
        forged = provider.post(
            "/notifications/sms/inbound", data=reply, headers={"X-Twilio-Signature": "AAAA"}
        )
        assert forged.status_code == 403 and numbers(db, client, order) == ["+16502530000"]
        signature = twilio_signature(sms_on, url, reply)
        answer = provider.post(
            "/notifications/sms/inbound", data=reply, headers={"X-Twilio-Signature": signature}
        )
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/xml")
    assert numbers(db, client, order) == []
    log = client.get(f"/api/v1/orders/{order['id']}/notifications").json()["items"]
    assert {n["state"] for n in log if n["channel"] == "sms"} == {"suppressed"}


def test_the_reply_hook_is_absent_while_sms_is_off(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url) as anyone:
        assert anyone.post("/notifications/sms/inbound", data={"Body": "STOP"}).status_code == 404
