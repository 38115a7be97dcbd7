"""Migrations build the schema from nothing, and the models agree with them."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from ordertrack.bootstrap import open_database
from ordertrack.db import migrate
from ordertrack.tables import metadata
from tests.conftest import _postgres_server
from tests.support import fresh_postgres_database


def assert_upgrades_and_matches_models(url: str) -> None:
    db = open_database(url)
    try:
        assert migrate.current_revision(db.engine) is None
        migrate.upgrade(db.engine)
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        assert set(metadata.tables) <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        migrate.upgrade(db.engine)  # a second upgrade is a no-op
    finally:
        db.dispose()


def test_empty_sqlite_database_upgrades_to_head(tmp_path: Path) -> None:
    assert_upgrades_and_matches_models(f"sqlite:///{tmp_path / 'empty.db'}")


def test_empty_postgresql_database_upgrades_to_head() -> None:
    server = _postgres_server()
    if not server:
        pytest.skip("PostgreSQL tests are off: set ORDERTRACK_TEST_POSTGRES_URL to a server URL")
    with fresh_postgres_database(server) as url:
        assert_upgrades_and_matches_models(url)
