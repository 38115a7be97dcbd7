"""The needs-attention workflow over HTTP: an item is assigned (to staff of the same merchant
only), acknowledged, noted, the shopper is written to through the outbox (past opt-outs), a
carrier claim is opened and moved on, and the item is resolved with a reason. A resolved
problem stays quiet while it lasts and opens a new item when it comes back; an item that
closes by itself keeps its history. Both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from ordertrack.attention.model import AttentionItem
from ordertrack.checks import shipment_checks
from ordertrack.db.uow import Database
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.model import Notification
from ordertrack.staff import service as staff_service
from tests.conftest import Tenant
from tests.integration.scenario import order_payload

NUMBER = "ACME55500001"


def _scan(client: httpx.Client, status: str, at: datetime, **extra: Any) -> None:
    event = {
        "tracking_number": NUMBER,
        "carrier": "acme_post",
        "status": status,
        "occurred_at": at.isoformat(),
        "location": {"city": "Austin", "region": "TX", "country": "US", "timezone": "America/Chicago"},
        **extra,
    }
    answer = client.post("/api/v1/tracking/events", json={"events": [event]})
    assert answer.status_code in (200, 202), answer.text


def _in_exception(client: httpx.Client, db: Database, number: str = "W-1") -> dict[str, Any]:
    """An order whose parcel the carrier put in exception (address issue); the checks open the item."""
    order = client.post("/api/v1/orders", json=order_payload(number)).json()
    shipped = client.post(
        f"/api/v1/orders/{order['id']}/shipments", json={"carrier": "acme_post", "tracking_number": NUMBER}
    )
    assert shipped.status_code == 201, shipped.text
    now = datetime.now(UTC)
    _scan(client, "in_transit", now - timedelta(hours=3))
    _scan(client, "exception", now - timedelta(hours=1), reason="address_issue")
    shipment_checks.run_checks(db, now + timedelta(minutes=1))
    items = client.get("/api/v1/attention", params={"kind": "exception"}).json()["items"]
    assert len(items) == 1, items
    return {"order": order, "item": items[0]}


def _staff(db: Database, merchant_id: str, email: str, role: str = "staff") -> str:
    with db.uow() as uow:
        user = staff_service.create_staff(
            uow,
            merchant_id,
            email=email,
            name=email.split("@")[0].title(),
            password="a long password",
            now=datetime.now(UTC),
            role=role,
        )
        uow.commit()
        return user.id


def _shopper_messages(db: Database, merchant_id: str) -> list[Notification]:
    with db.uow(write=False) as uow:
        return list(
            uow.session.scalars(
                select(Notification).where(
                    Notification.merchant_id == merchant_id, Notification.trigger == "shopper_message"
                )
            )
        )


def test_an_item_is_assigned_acknowledged_noted_messaged_claimed_and_resolved(
    client: httpx.Client, db: Database, make_merchant: Callable[[str], Tenant]
) -> None:
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    found = _in_exception(client, db)
    item_id = found["item"]["id"]
    assert found["item"]["state"] == "open" and found["item"]["assignee_id"] is None
    kim = _staff(db, merchant_id, "kim@acme.example")
    outsider = _staff(db, make_merchant("Other Shop").merchant_id, "eve@other.example")

    detail = client.get(f"/api/v1/attention/{item_id}").json()
    assert "address" in detail["prepared_message"] and "W-1" in detail["prepared_message"]

    # Assign: a colleague yes, another merchant's staff no (not even named as existing).
    refused = client.post(f"/api/v1/attention/{item_id}/assign", json={"assignee_id": outsider})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "staff_not_found"
    assigned = client.post(f"/api/v1/attention/{item_id}/assign", json={"assignee_id": kim}).json()
    assert assigned["assignee_id"] == kim and assigned["history"][-1]["action"] == "assigned"

    # Acknowledge: once.
    acknowledged = client.post(f"/api/v1/attention/{item_id}/acknowledge")
    assert acknowledged.status_code == 200 and acknowledged.json()["state"] == "acknowledged"
    again = client.post(f"/api/v1/attention/{item_id}/acknowledge")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_attention_transition"

    # A note, with its author and time.
    noted = client.post(f"/api/v1/attention/{item_id}/notes", json={"text": "Called the depot."}).json()
    note = noted["history"][-1]
    assert (note["action"], note["body"], note["author"]) == ("note", "Called the depot.", "API") and note[
        "at"
    ]
    assert client.post(f"/api/v1/attention/{item_id}/notes", json={"text": ""}).status_code == 422

    # Message the shopper: one outbox email in their language frame, kept on the item.
    text = "Could you confirm your flat number? The carrier could not find it."
    messaged = client.post(f"/api/v1/attention/{item_id}/messages", json={"text": text}).json()
    assert messaged["history"][-1]["action"] == "messaged" and messaged["history"][-1]["body"] == text
    rows = _shopper_messages(db, merchant_id)
    assert [(r.channel, r.recipient, r.facts["message"]) for r in rows] == [
        ("email", "ann@example.com", text)
    ]

    # A carrier claim: opened on the item, listed, moved forward only.
    claimed = client.post(
        f"/api/v1/attention/{item_id}/claims", json={"reason": "lost", "amount": "411.00", "currency": "usd"}
    )
    assert claimed.status_code == 201, claimed.text
    claim = claimed.json()["claims"][0]
    assert (
        claim["carrier"],
        claim["tracking_number"],
        claim["status"],
        claim["amount"],
        claim["currency"],
    ) == (
        "acme_post",
        NUMBER,
        "open",
        "411.00",
        "USD",
    )
    bad_parcel = client.post(
        f"/api/v1/attention/{item_id}/claims", json={"reason": "lost", "tracking_number": "NOPE"}
    )
    assert bad_parcel.status_code == 404 and bad_parcel.json()["error"]["code"] == "parcel_not_found"
    moved = client.patch(f"/api/v1/claims/{claim['id']}", json={"status": "submitted", "reference": "CLM-9"})
    assert moved.status_code == 200 and (moved.json()["status"], moved.json()["reference"]) == (
        "submitted",
        "CLM-9",
    )
    back = client.patch(f"/api/v1/claims/{claim['id']}", json={"status": "open"})
    assert back.status_code == 409
    assert [
        c["id"] for c in client.get("/api/v1/claims", params={"status": "submitted"}).json()["items"]
    ] == [claim["id"]]

    # Resolve: a reason from the list; "other" needs words.
    wrong = client.post(f"/api/v1/attention/{item_id}/resolve", json={"reason": "bored"})
    assert wrong.status_code == 422
    vague = client.post(f"/api/v1/attention/{item_id}/resolve", json={"reason": "other"})
    assert vague.status_code == 422 and vague.json()["error"]["code"] == "validation_error"
    resolved = client.post(
        f"/api/v1/attention/{item_id}/resolve", json={"reason": "shopper_informed", "note": "address fixed"}
    ).json()
    assert (resolved["state"], resolved["open"], resolved["resolution"], resolved["close_reason"]) == (
        "resolved",
        False,
        "shopper_informed",
        "address fixed",
    )
    assert client.get(f"/api/v1/orders/{found['order']['id']}").json()["attention"] is False
    late_ack = client.post(f"/api/v1/attention/{item_id}/acknowledge")
    assert late_ack.status_code == 409 and late_ack.json()["error"]["code"] == "attention_item_closed"
    actions = [h["action"] for h in client.get(f"/api/v1/attention/{item_id}").json()["history"]]
    assert actions == [
        "assigned",
        "acknowledged",
        "note",
        "messaged",
        "claim_opened",
        "claim_updated",
        "resolved",
    ]

    # Another merchant sees none of it.
    other = make_merchant("Nosy Shop")
    with httpx.Client(
        base_url=str(client.base_url), headers={"Authorization": f"Bearer {other.api_key}"}
    ) as nosy:
        assert nosy.get(f"/api/v1/attention/{item_id}").status_code == 404
        assert nosy.post(f"/api/v1/attention/{item_id}/notes", json={"text": "hi"}).status_code == 404
        assert nosy.patch(f"/api/v1/claims/{claim['id']}", json={"status": "settled"}).status_code == 404
        assert nosy.get("/api/v1/claims").json()["items"] == []


def test_a_message_skips_a_shopper_who_opted_out(client: httpx.Client, db: Database) -> None:
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    item_id = _in_exception(client, db)["item"]["id"]
    with db.uow() as uow:
        notifications_service.opt_out(uow, merchant_id, "email", "ann@example.com")
        uow.commit()
    answer = client.post(f"/api/v1/attention/{item_id}/messages", json={"text": "Hello"})
    assert answer.status_code == 200 and answer.json()["history"][-1]["action"] == "messaged"
    assert [r.channel for r in _shopper_messages(db, merchant_id)] == []


def test_a_resolved_problem_stays_quiet_while_it_lasts_and_reopens_as_a_new_item(
    client: httpx.Client, db: Database
) -> None:
    found = _in_exception(client, db)
    first = found["item"]["id"]
    client.post(f"/api/v1/attention/{first}/resolve", json={"reason": "carrier_fixed"})
    now = datetime.now(UTC)
    shipment_checks.run_checks(db, now + timedelta(minutes=2))  # still in exception: no new item
    assert client.get("/api/v1/attention", params={"kind": "exception"}).json()["items"] == []
    _scan(client, "in_transit", now + timedelta(minutes=3))  # the problem ends...
    shipment_checks.run_checks(db, now + timedelta(minutes=4))
    _scan(client, "exception", now + timedelta(minutes=5), reason="damaged")  # ...and comes back
    shipment_checks.run_checks(db, now + timedelta(minutes=6))
    listed = client.get("/api/v1/attention", params={"kind": "exception", "state": "all"}).json()["items"]
    assert {i["id"] for i in listed if i["open"]} - {first} and len(listed) == 2
    assert [i["state"] for i in listed if i["id"] == first] == ["resolved"]


def test_an_item_that_closes_by_itself_keeps_its_history(client: httpx.Client, db: Database) -> None:
    item_id = _in_exception(client, db)["item"]["id"]
    client.post(f"/api/v1/attention/{item_id}/notes", json={"text": "Waiting for the carrier."})
    now = datetime.now(UTC)
    _scan(client, "in_transit", now + timedelta(minutes=1))
    shipment_checks.run_checks(db, now + timedelta(minutes=2))
    detail = client.get(f"/api/v1/attention/{item_id}").json()
    assert detail["state"] == "resolved" and detail["resolution"] is None
    assert [h["action"] for h in detail["history"]] == ["note", "closed"]
    assert detail["history"][-1]["author"] == "ordertrack" and "moved on" in detail["history"][-1]["body"]


def test_the_list_filters_by_state_kind_assignee_and_age(client: httpx.Client, db: Database) -> None:
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    item_id = _in_exception(client, db)["item"]["id"]
    kim = _staff(db, merchant_id, "kim@acme.example")

    def ids(**params: str) -> list[str]:
        answer = client.get("/api/v1/attention", params=params)
        assert answer.status_code == 200, answer.text
        return [i["id"] for i in answer.json()["items"] if i["kind"] == "exception"]

    assert ids(assignee="unassigned") == [item_id] and ids(assignee=kim) == []
    client.post(f"/api/v1/attention/{item_id}/assign", json={"assignee_id": kim})
    assert ids(assignee=kim) == [item_id] and ids(assignee="unassigned") == []
    assert ids(state="open") == [item_id] and ids(state="acknowledged") == []
    client.post(f"/api/v1/attention/{item_id}/acknowledge")
    assert ids(state="open") == [] and ids(state="acknowledged") == [item_id] and ids() == [item_id]
    assert ids(older_than="1d") == []  # opened an hour ago
    with db.uow() as uow:
        uow.session.get(AttentionItem, item_id).opened_at = datetime.now(UTC) - timedelta(days=4)  # type: ignore[union-attr]
        uow.commit()
    assert ids(older_than="3d") == [item_id] and ids(older_than="7d") == []
    for bad in ({"older_than": "2d"}, {"state": "sleeping"}, {"kind": "sunburn"}):
        refused = client.get("/api/v1/attention", params=bad)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_error"
