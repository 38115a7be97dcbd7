"""The store's contact (support email, phone, help page): set through the API and the
dashboard's settings, checked, kept per merchant, and shown on the shopper's page."""

from __future__ import annotations

import re

import httpx

from ordertrack.db.uow import Database
from ordertrack.merchants import contact as merchants_contact
from tests.integration.test_dashboard_forms import _csrf, signed_in
from tests.integration.test_staff import make_staff
from tests.support import LiveServer

GOOD = {"email": "Help@Acme.EXAMPLE", "phone": "+1 (502) 555-0142", "help_url": "https://acme.example/help"}


def test_the_store_contact_is_empty_until_set_and_kept_in_one_form(client: httpx.Client) -> None:
    assert client.get("/api/v1/settings/store-contact").json() == {
        "email": None,
        "phone": None,
        "help_url": None,
    }
    saved = client.put("/api/v1/settings/store-contact", json=GOOD)
    assert saved.status_code == 200, saved.text
    expected = {
        "email": "Help@acme.example",
        "phone": "+15025550142",
        "help_url": "https://acme.example/help",
    }
    assert saved.json() == expected
    assert client.get("/api/v1/settings/store-contact").json() == expected
    # The whole contact is replaced: a channel left out is removed.
    assert client.put("/api/v1/settings/store-contact", json={"email": "help@acme.example"}).json() == {
        "email": "help@acme.example",
        "phone": None,
        "help_url": None,
    }


def test_a_bad_contact_is_refused_with_its_code_and_changes_nothing(client: httpx.Client) -> None:
    client.put("/api/v1/settings/store-contact", json=GOOD)
    # The shape of each value is declared in the document (validation_error) ...
    for bad in (
        {"phone": "502-555-0142"},
        {"phone": "+1 555"},
        {"email": "help at acme"},
        {"email": "help@acme.test"},
        {"help_url": "http://acme.example/help"},
        {"help_url": "javascript:alert(1)"},
        {"help_url": "https://user@acme.example/"},
        {"fax": "123"},
        {"email": "x" * 300},
        {"phone": 5025550142},
    ):
        refused = client.put("/api/v1/settings/store-contact", json={**GOOD, **bad})
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["code"] == "validation_error", bad
    # ... a number outside its country's numbering plan is the rule the document cannot say.
    refused = client.put("/api/v1/settings/store-contact", json={**GOOD, "phone": "+1 123 456 7890"})
    assert refused.status_code == 422
    assert refused.json()["error"] == {
        "code": "invalid_store_contact",
        "message": "the support phone must be a valid number with its country code, like +1 502 555 0100",
    }
    assert client.get("/api/v1/settings/store-contact").json()["phone"] == "+15025550142"


def test_one_stores_contact_is_not_anothers(client: httpx.Client, server: LiveServer, make_merchant) -> None:  # type: ignore[no-untyped-def]
    client.put("/api/v1/settings/store-contact", json=GOOD)
    other = make_merchant("Other Shop")
    with server.client(other.api_key) as theirs:
        assert theirs.get("/api/v1/settings/store-contact").json()["email"] is None
    with server.client() as nobody:
        assert nobody.get("/api/v1/settings/store-contact").status_code == 401


def test_the_owner_sets_the_contact_in_the_dashboard_settings(
    server: LiveServer, db: Database, make_merchant
) -> None:  # type: ignore[no-untyped-def]
    merchant = make_merchant("Acme")
    make_staff(db, merchant.merchant_id)
    with signed_in(server) as http:
        settings = http.get("/dashboard/settings")
        assert "Store contact" in settings.text
        token = _csrf(settings.text)
        saved = http.post("/dashboard/settings/contact", data={"csrf_token": token, **GOOD})
        assert saved.status_code == 303 and saved.headers["location"].startswith(
            "/dashboard/settings?saved=contact"
        )
        page = http.get(saved.headers["location"]).text
        assert "Store contact saved." in page and 'value="+1 502-555-0142"' in page
        # A bad number: a 422 page that says why and keeps what was typed.
        refused = http.post(
            "/dashboard/settings/contact", data={"csrf_token": token, **GOOD, "phone": "555 0142 call me"}
        )
        assert refused.status_code == 422
        assert re.search(r'role="alert"[^>]*>the support phone must be a valid number', refused.text)
        assert 'value="555 0142 call me"' in refused.text
        forged = http.post("/dashboard/settings/contact", data={**GOOD, "phone": ""})
        assert forged.status_code == 403
    with db.uow(write=False) as uow:
        kept = merchants_contact.store_contact(uow, merchant.merchant_id)
    assert kept.phone == "+15025550142" and kept.help_url == "https://acme.example/help"
