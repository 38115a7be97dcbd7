"""Migration 0016 on both databases: orders already there get their number key (so
``Nw-10442`` finds ``NW-10442`` right after the upgrade), numbers that read alike are kept,
and the downgrade takes the column away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from ordertrack.bootstrap import open_database
from ordertrack.db import migrate
from ordertrack.kit.number_keys import number_key
from tests.conftest import _postgres_server
from tests.support import fresh_postgres_database

BEFORE = "0015"
NUMBERS = ["NW-10442", "nw10442", "#A 1", "ＮＷ－７", "1001", "x.y_z"]


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


def test_orders_already_there_get_their_number_key_and_keep_working(empty_url: str) -> None:
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
            for index, number in enumerate(NUMBERS):
                conn.execute(
                    text(
                        "INSERT INTO orders (id, merchant_id, number, currency, placed_at, source, status, "
                        "attention, created_at, updated_at) VALUES (:id, 'mer_1', :number, 'USD', "
                        "CURRENT_TIMESTAMP, 'api', 'pending', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"id": f"ord_{index:026d}", "number": number},
                )
        migrate.upgrade(db.engine, "0016")
        with db.engine.connect() as conn:
            keys = dict(conn.execute(text("SELECT number, number_key FROM orders")).all())
        assert keys == {number: number_key(number) for number in NUMBERS}
        assert keys["NW-10442"] == keys["nw10442"] == "nw10442"  # both kept; the proof tells them apart
        indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("orders")}
        assert {"ix_orders_number_key", "ix_orders_merchant_placed"} <= indexes
        column = next(c for c in inspect(db.engine).get_columns("orders") if c["name"] == "number_key")
        assert column["nullable"] is False

        config = migrate.alembic_config()
        with db.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, BEFORE)
        assert "number_key" not in {c["name"] for c in inspect(db.engine).get_columns("orders")}
        migrate.upgrade(db.engine)
    finally:
        db.dispose()
