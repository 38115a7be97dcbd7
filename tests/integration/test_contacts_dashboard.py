"""The dashboard's Contacts page over HTTP, on both databases: one merchant's figures and contacts
only, the CSV form checked for CSRF and all or none, and only owners keeping a Zendesk secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ordertrack.analytics.wismo_model import HelpdeskReceiver, SupportContact
from ordertrack.db.uow import Database
from tests.integration.scenario import order_payload
from tests.integration.test_dashboard_forms import _csrf, signed_in
from tests.integration.test_staff import make_staff
from tests.support import LiveServer

ASKED = (datetime.now(UTC) - timedelta(days=1)).isoformat()


def _contacts(db: Database, merchant_id: str) -> int:
    with db.uow(write=False) as uow:
        return int(
            uow.session.scalar(select(func.count()).where(SupportContact.merchant_id == merchant_id)) or 0
        )


def test_staff_see_their_own_contacts_import_a_file_and_cannot_keep_a_secret(
    server: LiveServer, db: Database, make_merchant
) -> None:
    ours, theirs = make_merchant("Acme"), make_merchant("Other Shop")
    make_staff(db, ours.merchant_id, role="staff")
    placed = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    with server.client(ours.api_key) as api:
        assert api.post("/api/v1/orders", json=order_payload("A-100", placed_at=placed)).status_code == 201
    with server.client(theirs.api_key) as api:
        assert api.post("/api/v1/orders", json=order_payload("B-900", placed_at=placed)).status_code == 201
        body = {"order": "B-900", "channel": "chat", "reason": "delay", "occurred_at": ASKED}
        assert api.post("/api/v1/contacts", json=body).status_code == 201
    with signed_in(server) as http:
        page = http.get("/dashboard/contacts")
        assert page.status_code == 200
        assert "B-900" not in page.text and "No contacts yet" in page.text
        assert "Only an owner of this shop can connect Zendesk." in page.text
        token = _csrf(page.text)
        good = f"order,channel,reason,occurred_at\nA-100,email,where_is_my_order,{ASKED}\n"
        forged = http.post(
            "/dashboard/contacts/import",
            data={"csrf_token": "forged"},
            files={"file": ("c.csv", good.encode(), "text/csv")},
        )
        assert forged.status_code == 403
        bad = http.post(
            "/dashboard/contacts/import",
            data={"csrf_token": token},
            files={
                "file": ("c.csv", (good + "B-900,email,delay,2026-12-01T10:00:00Z\n").encode(), "text/csv")
            },
        )
        assert bad.status_code == 422 and "Line 3, column order" in bad.text and "unknown_order" in bad.text
        assert _contacts(db, ours.merchant_id) == 0
        done = http.post(
            "/dashboard/contacts/import",
            data={"csrf_token": token},
            files={"file": ("c.csv", good.encode(), "text/csv")},
        )
        assert done.status_code == 303 and done.headers["location"].endswith("imported=1")
        assert _contacts(db, ours.merchant_id) == 1 and _contacts(db, theirs.merchant_id) == 1
        after = http.get(done.headers["location"]).text
        assert "A-100" in after and "1 new contact imported." in after
        secret = http.post(
            "/dashboard/contacts/zendesk", data={"csrf_token": token, "secret": "a-long-enough-secret"}
        )
        assert secret.status_code == 403
    with db.uow(write=False) as uow:
        assert uow.session.scalars(select(HelpdeskReceiver)).all() == []
