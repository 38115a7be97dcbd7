"""ordertrack's app for the live-streams benchmark: the same ``create_app`` that ``serve`` runs,
plus a count of the SQL statements this process sends, read at ``/bench/statements``.

The count exists only here (a SQLAlchemy ``before_cursor_execute`` hook on the engines, and
psycopg's reader pool is not used by the pages): ordertrack itself exposes no such endpoint.
"""

from __future__ import annotations

import itertools
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event

from ordertrack.api.app import create_app as create_ordertrack_app
from ordertrack.bootstrap import open_database
from ordertrack.config import get_settings


def create_app() -> FastAPI:
    db = open_database(get_settings().database_url)
    counter = itertools.count()
    seen = [0]

    def count(*_: Any) -> None:
        seen[0] = next(counter) + 1

    for engine in {db.engine, db.read_engine}:
        event.listen(engine, "before_cursor_execute", count)
    app = create_ordertrack_app(db=db, server=True)

    @app.get("/bench/statements", include_in_schema=False)
    async def statements() -> dict[str, int]:  # on the loop, where the hub lives
        return {"statements": seen[0], "streams": db.hub.subscriptions}

    return app
