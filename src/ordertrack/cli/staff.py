"""``ordertrack staff``: logins for the merchant dashboard."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ordertrack.cli.common import DbOption, database_from, ensure_schema, settings_for

app = typer.Typer(help="Staff logins for the merchant dashboard.", no_args_is_help=True)


@app.command("create")
def create(
    merchant: Annotated[str, typer.Option("--merchant", help="the merchant id (mer_...)")],
    email: Annotated[str, typer.Option("--email", help="the staff member's email (their login)")],
    name: Annotated[str, typer.Option("--name", help="the staff member's name")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create a staff login; the password is prompted for (or read from stdin)."""
    from ordertrack.kit.clock import utcnow
    from ordertrack.kit.errors import OrdertrackError
    from ordertrack.merchants import service as merchants_service
    from ordertrack.staff import service as staff_service

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    database = database_from(settings_for(db))
    ensure_schema(database)
    try:
        with database.uow() as uow:
            if not merchants_service.merchant_name(uow, merchant):
                raise typer.BadParameter(f"no merchant {merchant!r}", param_hint="--merchant")
            user = staff_service.create_staff(
                uow, merchant, email=email, name=name, password=password, now=utcnow()
            )
            uow.commit()
    except OrdertrackError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"staff {user.id} ({user.email}) can now sign in at /dashboard/login")
