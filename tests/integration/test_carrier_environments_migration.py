"""Migration 0013 on both databases: accounts that held a free-text base URL keep polling the
carrier's own API, a sandbox URL becomes the sandbox environment, and the URL is gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from ordertrack.bootstrap import open_database
from ordertrack.db import migrate
from tests.conftest import _postgres_server
from tests.support import fresh_postgres_database

BEFORE = "0012"
ACCOUNTS = {
    "ups": "https://wwwcie.ups.com",  # UPS's sandbox
    "fedex": "https://apis-sandbox.fedex.com/",
    "dhl": "http://127.0.0.1:8000/any/path?x=",  # where the poller was aimed at itself
    "usps": "https://apis.usps.com",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'before.db'}"
        return
    server = _postgres_server()
    if not server:
        pytest.skip("PostgreSQL tests are off: set ORDERTRACK_TEST_POSTGRES_URL to a server URL")
    with fresh_postgres_database(server) as url:
        yield url


def test_free_text_base_urls_become_environments_and_the_column_goes(empty_url: str) -> None:
    db = open_database(empty_url)
    try:
        migrate.upgrade(db.engine, BEFORE)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO merchants (id, name, settings, created_at) "
                    "VALUES ('mer_1', 'Acme', '{}', CURRENT_TIMESTAMP)"
                )
            )
            for carrier, base_url in ACCOUNTS.items():
                conn.execute(
                    text(
                        "INSERT INTO carrier_accounts (merchant_id, carrier, base_url, enabled, created_at, "
                        "updated_at) VALUES ('mer_1', :carrier, :base_url, true, CURRENT_TIMESTAMP, "
                        "CURRENT_TIMESTAMP)"
                    ),
                    {"carrier": carrier, "base_url": base_url},
                )
        migrate.upgrade(db.engine, "0013")
        with db.engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT carrier, environment FROM carrier_accounts")).all())
        assert rows == {"ups": "sandbox", "fedex": "sandbox", "dhl": "production", "usps": "production"}
        columns = {c["name"] for c in inspect(db.engine).get_columns("carrier_accounts")}
        assert "base_url" not in columns and "environment" in columns

        # Back down: each account gets its environment's root, never the old free text.
        config = migrate.alembic_config()
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, BEFORE)
        with db.engine.connect() as conn:
            urls = dict(conn.execute(text("SELECT carrier, base_url FROM carrier_accounts")).all())
        assert urls == {
            "ups": "https://wwwcie.ups.com",
            "fedex": "https://apis-sandbox.fedex.com",
            "dhl": "https://api-eu.dhl.com",
            "usps": "https://apis.usps.com",
        }
    finally:
        db.dispose()
