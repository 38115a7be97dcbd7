"""What every command shares: the --db option, the database handle, the schema check."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import inspect

from ordertrack import tables as _tables  # noqa: F401  (every table, so foreign keys resolve)
from ordertrack.bootstrap import open_database
from ordertrack.config import Settings, get_settings
from ordertrack.db import migrate
from ordertrack.db.uow import Database

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="database URL (default: ORDERTRACK_DATABASE_URL or ./var/ordertrack.db)"),
]


def settings_for(db_url: str | None) -> Settings:
    settings = get_settings()
    if db_url:
        settings = settings.model_copy(update={"database_url": db_url})
    return settings


def database_from(settings: Settings) -> Database:
    try:
        return open_database(settings.database_url)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--db") from None


def ensure_schema(db: Database) -> None:
    """Upgrade an empty database; refuse to run on one that is behind (migrate it on purpose)."""
    if not migrate.needs_upgrade(db.engine):
        return
    tables = set(inspect(db.engine).get_table_names())
    if not tables - {"alembic_version"}:
        typer.echo("Empty database: creating the schema...", err=True)
        migrate.upgrade(db.engine)
        return
    typer.echo(
        "The database schema is behind this version of ordertrack: run 'ordertrack db upgrade'.",
        err=True,
    )
    raise typer.Exit(1)


def database_for(db_url: str | None) -> Database:
    return database_from(settings_for(db_url))
