"""Where-is-my-order demand over real HTTP: tracking page views and lookups counted per order and
day, message links that count a click and only ever open this server's tracking page, contacts
by API and CSV with their codes, Zendesk's signed webhook, and one merchant never seeing
another's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from ordertrack.analytics import helpdesk
from ordertrack.analytics.wismo_model import MessageClick, SupportContact, TrackingDemandDay
from ordertrack.db.uow import Database
from ordertrack.kit.ids import new_id
from ordertrack.links import message_click_url, tracking_url
from ordertrack.notifications.model import Notification
from ordertrack.tracking.model import Parcel
from tests.conftest import TEST_SECRET, Tenant
from tests.integration.scenario import order_payload, ship
from tests.support import LiveServer

SAMPLE = Path(__file__).parent / "samples" / "zendesk_ticket_created.json"
NOW = datetime.now(UTC).replace(microsecond=0)


def place(client: httpx.Client, number: str = "1001") -> str:
    response = client.post("/api/v1/orders", json=order_payload(number))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def message(db: Database, merchant_id: str, order_id: str, *, trigger: str = "shipped") -> str:
    with db.uow() as uow:
        row = Notification(
            id=new_id("ntf"),
            merchant_id=merchant_id,
            order_id=order_id,
            trigger=trigger,
            channel="email",
            recipient="ann@example.com",
            locale="en",
            dedupe_key=new_id("ddk"),
            state="sent",
            next_attempt_at=NOW,
            created_at=NOW,
            sent_at=NOW,
        )
        uow.session.add(row)
        uow.commit()
        return row.id


def demand(db: Database, merchant_id: str) -> list[tuple[str, int, int, int]]:
    with db.uow(write=False) as uow:
        rows = uow.session.scalars(
            select(TrackingDemandDay).where(TrackingDemandDay.merchant_id == merchant_id)
        )
        return sorted((r.order_id, r.page_views, r.lookups, r.clicks) for r in rows)


def counted(db: Database, merchant_id: str, expected: list[tuple[str, int, int, int]]) -> None:
    """The counters reach ``expected``: a visit is counted just after its page was sent."""
    deadline = time.monotonic() + 5
    while (found := demand(db, merchant_id)) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert found == expected


def code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


# --- views, lookups and clicks ------------------------------------------------------------------


def test_page_views_and_lookups_add_up_in_one_row_per_order_and_day(
    client: httpx.Client, server: LiveServer, db: Database
) -> None:
    order_id = place(client)
    other = place(client, "1002")
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    page = tracking_url("", TEST_SECRET, order_id)
    with server.client() as shopper:
        for _ in range(3):
            assert shopper.get(page).status_code == 200
        found = shopper.post("/track", data={"order_number": "1001", "contact": "ann@example.com"})
        assert found.status_code == 303
        assert shopper.get(tracking_url("", TEST_SECRET, order_id) + "/timeline").status_code in (200, 204)
        assert shopper.get("/track/not-a-token").status_code == 404
    counted(db, merchant_id, [(order_id, 3, 1, 0)])
    assert other not in {row[0] for row in demand(db, merchant_id)}


def test_a_parcels_page_and_a_lookup_by_tracking_number_count_for_its_order(
    client: httpx.Client, server: LiveServer, db: Database
) -> None:
    order_id = place(client)
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    ship(db, merchant_id, order_id, "ACME555000111")
    with db.uow(write=False) as uow:
        parcel_id = uow.session.scalars(
            select(Parcel.id).where(Parcel.tracking_number == "ACME555000111")
        ).one()
    with server.client() as shopper:
        assert shopper.get(tracking_url("", TEST_SECRET, parcel_id)).status_code == 200
        found = shopper.post("/track", data={"kind": "parcel", "tracking_number": "ACME555000111"})
        assert found.status_code == 303
    counted(db, merchant_id, [(order_id, 1, 1, 0)])


def test_a_message_link_counts_the_click_and_opens_this_servers_tracking_page(
    client: httpx.Client, server: LiveServer, db: Database
) -> None:
    order_id = place(client)
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    message_id = message(db, merchant_id, order_id)
    link = message_click_url("https://evil.example", TEST_SECRET, message_id)
    path = link.removeprefix("https://evil.example")
    with server.client() as shopper:
        for _ in range(2):
            answer = shopper.get(path, follow_redirects=False)
            assert answer.status_code == 303
            location = answer.headers["location"]
            assert location.startswith("/track/") and "//" not in location  # this server, no host
        assert shopper.get(location).status_code == 200
    with db.uow(write=False) as uow:
        click = uow.session.get(MessageClick, message_id)
        assert click is not None and (click.clicks, click.order_id, click.merchant_id) == (
            2,
            order_id,
            merchant_id,
        )
    counted(db, merchant_id, [(order_id, 1, 0, 2)])


def test_an_altered_expired_or_foreign_message_link_is_a_neutral_404(
    client: httpx.Client, server: LiveServer, db: Database
) -> None:
    order_id = place(client)
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    message_id = message(db, merchant_id, order_id)
    good = message_click_url("", TEST_SECRET, message_id).removeprefix("/m/")
    altered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    forged = message_click_url("", "another-servers-secret", message_id).removeprefix("/m/")
    gone = message_click_url("", TEST_SECRET, "ntf_01kbx5c2r9m4n6p8q0s2t4v6w8").removeprefix("/m/")
    from ordertrack.kit.signing import Signer, SigningKeys
    from ordertrack.links import Purpose

    signer = Signer(SigningKeys(TEST_SECRET), Purpose.MESSAGE_CLICK)
    expired = signer.sign([message_id, "track"], expires_at=NOW - timedelta(days=1))
    elsewhere = signer.sign([message_id, "https://evil.example/"], expires_at=NOW + timedelta(days=1))
    tracking_token_as_click = tracking_url("", TEST_SECRET, order_id).removeprefix("/track/")
    with server.client() as shopper:
        for token in (altered, forged, gone, expired, elsewhere, tracking_token_as_click, "x" * 400):
            answer = shopper.get(f"/m/{token}", follow_redirects=False)
            assert answer.status_code == 404, token
            assert "location" not in answer.headers
    assert demand(db, merchant_id) == []


# --- contacts -----------------------------------------------------------------------------------


def contact(order: str, **extra: object) -> dict[str, object]:
    return {
        "order": order,
        "channel": "email",
        "reason": "where_is_my_order",
        "occurred_at": (NOW - timedelta(hours=1)).isoformat(),
        **extra,
    }


def test_a_contact_names_its_order_by_id_number_or_tracking_number(
    client: httpx.Client, db: Database
) -> None:
    order_id = place(client)
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    ship(db, merchant_id, order_id, "ACME123456789")
    by_id = client.post("/api/v1/contacts", json=contact(order_id))
    by_number = client.post("/api/v1/contacts", json=contact("1001", channel="phone", reason="delay"))
    assert (by_id.status_code, by_number.status_code) == (201, 201), by_id.text
    assert by_number.json()["order"] == {"id": order_id, "number": "1001"}
    assert by_number.json()["source"] == "api"
    listed = client.get("/api/v1/contacts")
    assert listed.status_code == 200
    assert [c["reason"] for c in listed.json()["items"]] == ["delay", "where_is_my_order"]  # newest first
    assert listed.json()["next_cursor"] is None
    first = client.get("/api/v1/contacts", params={"limit": 1})
    second = client.get("/api/v1/contacts", params={"limit": 1, "cursor": first.json()["next_cursor"]})
    assert first.json()["items"][0]["id"] != second.json()["items"][0]["id"]
    by_tracking = client.post("/api/v1/contacts", json=contact("acme123456789", channel="chat"))
    assert by_tracking.status_code == 201 and by_tracking.json()["order"]["id"] == order_id
    assert len(client.get("/api/v1/contacts", params={"order": "1001"}).json()["items"]) == 3
    assert client.get("/api/v1/contacts", params={"order": "9999"}).status_code == 404


def test_the_same_external_id_is_recorded_once(client: httpx.Client) -> None:
    place(client)
    first = client.post("/api/v1/contacts", json=contact("1001", external_id="T-77"))
    again = client.post("/api/v1/contacts", json=contact("1001", external_id="T-77", reason="other"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["reason"] == "where_is_my_order"
    assert len(client.get("/api/v1/contacts").json()["items"]) == 1


def test_bad_contacts_are_refused_with_a_code(client: httpx.Client) -> None:
    place(client)
    future = (NOW + timedelta(days=1)).isoformat()
    cases = [
        (contact("nope-404"), 422, "unknown_order"),
        (contact("1001", channel="pigeon"), 422, "validation_error"),
        (contact("1001", reason="bored"), 422, "validation_error"),
        (contact("1001", occurred_at="2026-12-01T10:00:00"), 422, "validation_error"),  # no offset
        (contact("1001", occurred_at=future), 422, "occurred_in_future"),
        (contact("1001", surprise=1), 422, "validation_error"),
        ({"order": "1001"}, 422, "validation_error"),
    ]
    for body, status, expected in cases:
        answer = client.post("/api/v1/contacts", json=body)
        assert (answer.status_code, code(answer)) == (status, expected), (body, answer.text)
    assert client.get("/api/v1/contacts", params={"cursor": "nonsense"}).status_code == 422
    assert client.get("/api/v1/contacts").json()["items"] == []


def test_a_contacts_file_is_recorded_all_or_none_naming_every_bad_row(client: httpx.Client) -> None:
    place(client)
    place(client, "1002")
    bad = (
        "order,channel,reason,occurred_at,external_id\n"
        "1001,email,where_is_my_order,2026-12-01T10:00:00Z,Z-1\n"
        "9999,chat,delay,2026-12-01T11:00:00Z,Z-2\n"
        "1002,pigeon,delay,2026-12-01T11:00:00Z,Z-3\n"
        "1002,chat,delay,yesterday,Z-1\n"
    )
    refused = client.post("/api/v1/contacts/csv", json={"csv": bad})
    assert refused.status_code == 422 and code(refused) == "contacts_file_refused"
    problems = [(p["line"], p["column"], p["code"]) for p in refused.json()["error"]["details"]]
    assert (3, "order", "unknown_order") in problems
    assert (4, "channel", "enum") in problems
    assert (5, "occurred_at", "datetime_from_date_parsing") in problems or any(
        p[0] == 5 and p[1] == "occurred_at" for p in problems
    )
    assert client.get("/api/v1/contacts").json()["items"] == []
    missing = client.post("/api/v1/contacts/csv", json={"csv": "order,channel\n1001,email\n"})
    assert missing.status_code == 422 and code(missing) == "contacts_file_refused"
    good = (
        "order,channel,reason,occurred_at,external_id\n"
        "1001,email,where_is_my_order,2026-12-01T10:00:00Z,Z-1\n"
        "1002,chat,delay,2026-12-01T11:00:00+01:00,\n"
    )
    done = client.post("/api/v1/contacts/csv", json={"csv": good})
    assert done.status_code == 201 and done.json() == {"new": 2, "already_known": 0}, done.text
    again = client.post(
        "/api/v1/contacts/csv", json={"csv": good.splitlines()[0] + "\n" + good.splitlines()[1]}
    )
    assert again.json() == {"new": 0, "already_known": 1}
    assert {c["source"] for c in client.get("/api/v1/contacts").json()["items"]} == {"csv"}


def test_one_merchant_never_sees_or_names_anothers_orders_or_contacts(
    client: httpx.Client, server: LiveServer, make_merchant: Callable[[str], Tenant]
) -> None:
    place(client)
    assert client.post("/api/v1/contacts", json=contact("1001")).status_code == 201
    other = make_merchant("Other Shop")
    with server.client(other.api_key) as them:
        assert them.get("/api/v1/contacts").json()["items"] == []
        answer = them.post("/api/v1/contacts", json=contact("1001"))
        assert (answer.status_code, code(answer)) == (422, "unknown_order")


# --- Zendesk ------------------------------------------------------------------------------------


def signed(secret: str, body: bytes, when: datetime) -> dict[str, str]:
    timestamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


def zendesk_receiver(db: Database, merchant_id: str, secret: str) -> str:
    with db.uow() as uow:
        receiver = helpdesk.save_zendesk_secret(uow, merchant_id, secret, now=NOW)
        uow.commit()
        return receiver.id


def test_the_recorded_zendesk_ticket_is_a_contact_once_when_signed_with_the_merchants_secret(
    client: httpx.Client, server: LiveServer, db: Database, make_merchant: Callable[[str], Tenant]
) -> None:
    order_id = place(client, "NW-10442")
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    receiver = zendesk_receiver(db, merchant_id, "dGhlLXNpZ25pbmctc2VjcmV0")
    other = make_merchant("Other Shop")
    other_receiver = zendesk_receiver(db, other.merchant_id, "b3RoZXItc2hvcHMtc2VjcmV0")
    sample = json.loads(SAMPLE.read_text())
    sample["detail"]["created_at"] = (NOW - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps(sample).encode()
    url = f"/api/v1/helpdesk/zendesk/{receiver}"
    with server.client() as zendesk:
        refused = [
            zendesk.post(url, content=body, headers=signed("a-wrong-secret", body, NOW)),
            zendesk.post(url, content=body, headers=signed("b3RoZXItc2hvcHMtc2VjcmV0", body, NOW)),
            zendesk.post(
                url,
                content=body,
                headers=signed("dGhlLXNpZ25pbmctc2VjcmV0", body, NOW - timedelta(minutes=6)),
            ),
            zendesk.post(url, content=body + b" ", headers=signed("dGhlLXNpZ25pbmctc2VjcmV0", body, NOW)),
            zendesk.post(url, content=body, headers={"Content-Type": "application/json"}),
        ]
        assert [(r.status_code, code(r)) for r in refused] == [
            (401, "bad_signature"),
            (401, "bad_signature"),
            (401, "stale_signature"),
            (401, "bad_signature"),
            (401, "bad_signature"),
        ]
        # The other merchant's receiver with its own secret: its body names no order of theirs.
        theirs = zendesk.post(
            f"/api/v1/helpdesk/zendesk/{other_receiver}",
            content=body,
            headers=signed("b3RoZXItc2hvcHMtc2VjcmV0", body, NOW),
        )
        assert theirs.status_code == 200 and theirs.json()["order"] is None
        first = zendesk.post(url, content=body, headers=signed("dGhlLXNpZ25pbmctc2VjcmV0", body, NOW))
        again = zendesk.post(url, content=body, headers=signed("dGhlLXNpZ25pbmctc2VjcmV0", body, NOW))
        unknown = zendesk.post(
            "/api/v1/helpdesk/zendesk/hdr_01kbx5c2r9m4n6p8q0s2t4v6w8",
            content=body,
            headers=signed("dGhlLXNpZ25pbmctc2VjcmV0", body, NOW),
        )
    assert first.status_code == 200, first.text
    assert first.json()["recorded"] is True and first.json()["order"] == {
        "id": order_id,
        "number": "NW-10442",
    }
    assert again.status_code == 200 and again.json()["recorded"] is False
    assert again.json()["contact_id"] == first.json()["contact_id"]
    assert unknown.status_code == 404
    with db.uow(write=False) as uow:
        kept = uow.session.scalars(
            select(SupportContact).where(SupportContact.merchant_id == merchant_id)
        ).one()
    assert (kept.source, kept.external_id, kept.channel, kept.reason) == (
        "zendesk",
        "35436",
        "email",
        "where_is_my_order",
    )
    listed = client.get("/api/v1/contacts").json()["items"]
    assert [c["source"] for c in listed] == ["zendesk"]


def test_a_zendesk_event_that_is_not_a_new_ticket_is_acknowledged_and_ignored(
    client: httpx.Client, server: LiveServer, db: Database
) -> None:
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    receiver = zendesk_receiver(db, merchant_id, "c2VjcmV0")
    sample = json.loads(SAMPLE.read_text())
    sample["type"] = "zen:event-type:ticket.priority_changed"
    body = json.dumps(sample).encode()
    with server.client() as zendesk:
        answer = zendesk.post(
            f"/api/v1/helpdesk/zendesk/{receiver}", content=body, headers=signed("c2VjcmV0", body, NOW)
        )
        broken = zendesk.post(
            f"/api/v1/helpdesk/zendesk/{receiver}", content=b"{", headers=signed("c2VjcmV0", b"{", NOW)
        )
    assert answer.status_code == 200 and answer.json() == {
        "recorded": False,
        "contact_id": None,
        "order": None,
    }
    assert (broken.status_code, code(broken)) == (422, "unreadable_ticket")
    assert client.get("/api/v1/contacts").json()["items"] == []


def test_the_contact_figures_answer_per_week_as_json_and_csv(client: httpx.Client) -> None:
    placed = (NOW - timedelta(minutes=30)).isoformat()
    for number in ("W-1", "W-2"):
        assert client.post("/api/v1/orders", json=order_payload(number, placed_at=placed)).status_code == 201
    asked = (NOW - timedelta(minutes=10)).isoformat()
    body = contact("W-1", occurred_at=asked, reason="delay")
    assert client.post("/api/v1/contacts", json=body).status_code == 201
    answer = client.get("/api/v1/analytics/contacts", params={"weeks": 2})  # across a Monday too
    assert answer.status_code == 200, answer.text
    figures = answer.json()
    assert len(figures["weeks"]) == 1
    assert figures["total"]["orders"]["all"] == {"contacts": 1, "orders": 2, "per_100_orders": 50.0}
    assert figures["total"]["orders"]["told_first"] == {"contacts": 0, "orders": 0, "per_100_orders": None}
    assert figures["total"]["without_problem"]["not_told"]["orders"] == 2
    assert figures["demand"] == {"page_views": 0, "lookups": 0, "clicks": 0, "orders": 0}
    csv_text = client.get("/api/v1/analytics/contacts", params={"weeks": 2, "format": "csv"}).text
    lines = csv_text.splitlines()
    assert lines[0].startswith(
        "week,orders_group,all_contacts,all_orders,all_per_100_orders,told_first_contacts"
    )
    assert lines[1].endswith(",all orders,1,2,50.00,0,0,,1,2,50.00")
    refused = client.get("/api/v1/analytics/contacts", params={"weeks": 0})
    assert refused.status_code == 422 and code(refused) == "validation_error"
