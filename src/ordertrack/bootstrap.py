"""Where the parts are put together: a database whose units of work run the handler table."""

from __future__ import annotations

from ordertrack.db.uow import Database
from ordertrack.handlers import dispatch


def open_database(url: str, **engine_kw: object) -> Database:
    """The database for ``url``, with the product's event handlers wired in."""
    return Database(url, dispatch=dispatch, **engine_kw)
