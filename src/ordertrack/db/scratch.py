"""Throwaway PostgreSQL databases for the test suite and the benchmarks."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextlib.contextmanager
def scratch_postgres_database(
    server_url: str, prefix: str = "ordertrack_scratch", keep: bool = False
) -> Iterator[str]:
    """Create an empty ``<prefix>_<hex>`` database on the server, yield its URL, drop it after
    (unless ``keep``: then it stays for whoever wants to look at it, and dropping is theirs)."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin_url = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
