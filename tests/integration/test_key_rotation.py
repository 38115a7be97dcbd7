"""Rotating the secret key over HTTP (SQLite and PostgreSQL): links sent before the rotation
still open while the old key is listed, and stop once it is dropped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx

from ordertrack.config import Settings
from ordertrack.db.uow import Database
from ordertrack.links import tracking_url, unsubscribe_url
from tests.conftest import TEST_SECRET
from tests.integration.scenario import order_payload
from tests.support import LiveServer

NEW_SECRET = "the-key-that-replaced-the-test-secret"


@contextmanager
def shopper_after_rotation(db: Database, previous: list[str]) -> Iterator[httpx.Client]:
    """A visitor of the same database served after the operator's swap: the new key signs,
    ``previous`` verify."""
    settings = Settings(
        database_url=db.url.render_as_string(hide_password=False),
        api_key_cache_seconds=0,
        secret_key=NEW_SECRET,
        previous_secret_keys=previous,
    )
    with LiveServer(db, settings) as server, httpx.Client(base_url=server.base_url) as shopper:
        yield shopper


def test_links_sent_before_a_rotation_open_while_the_old_key_is_listed_and_stop_once_dropped(
    client: httpx.Client, db: Database
) -> None:
    order = client.post("/api/v1/orders", json=order_payload()).json()
    merchant_id = client.tenant.merchant_id  # type: ignore[attr-defined]
    page = urlsplit(tracking_url("http://x", TEST_SECRET, order["id"])).path
    unsubscribe = urlsplit(unsubscribe_url("http://x", TEST_SECRET, merchant_id, "email", "a@b.c")).path
    with shopper_after_rotation(db, previous=[TEST_SECRET]) as shopper:
        assert shopper.get(page).status_code == 200
        assert shopper.get(unsubscribe).status_code == 200
        signed_after = urlsplit(tracking_url("http://x", NEW_SECRET, order["id"])).path
        assert shopper.get(signed_after).status_code == 200
    with shopper_after_rotation(db, previous=[]) as shopper:
        assert shopper.get(page).status_code == 404
        assert shopper.get(unsubscribe).status_code == 404


def test_the_email_proof_given_before_a_rotation_still_greets_the_shopper(
    client: httpx.Client, db: Database, server: LiveServer
) -> None:
    assert client.post("/api/v1/orders", json=order_payload()).status_code == 201
    with httpx.Client(base_url=server.base_url) as shopper:
        found = shopper.post("/track", data={"order_number": "1001", "contact": "ann@example.com"})
        assert found.status_code == 303, found.text
        proof = shopper.cookies.get("ot_email_proof")
    assert proof
    with shopper_after_rotation(db, previous=[TEST_SECRET]) as later:
        later.cookies.set("ot_email_proof", proof, path="/track")
        answer = later.get(found.headers["location"])
        assert answer.status_code == 200 and "Ann Lee" in answer.text
        assert re.search(r'name="form_token" value="[^"]+"', answer.text)
