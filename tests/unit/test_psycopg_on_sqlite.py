"""psycopg is PostgreSQL's driver: a process on SQLite never loads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Runs in a fresh interpreter, so nothing this test session imported can hide an import.
SERVE_ON_SQLITE = """
import sys

from fastapi.testclient import TestClient

from ordertrack.api.app import create_app
from ordertrack.config import Settings
from ordertrack.merchants import service as merchants_service
from ordertrack.db import migrate

settings = Settings(database_url=sys.argv[1], secret_key="s" * 32)
app = create_app(settings)
migrate.upgrade(app.state.db.engine)
with app.state.db.uow() as uow:
    key = merchants_service.create_merchant(uow, "Northwind").api_key
    uow.commit()
with TestClient(app) as client:
    answer = client.get("/api/v1/tracking/1Z999AA10123456784", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 404, answer.text
    assert client.get("/dashboard/login").status_code == 200
print("psycopg" in sys.modules, "psycopg_pool" in sys.modules)
"""


def test_an_app_on_sqlite_serves_requests_without_loading_psycopg(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ordertrack.db'}"

    done = subprocess.run(
        [sys.executable, "-c", SERVE_ON_SQLITE, url], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
