"""``ordertrack``: serve the app, run a worker, migrate the database, manage merchants."""

from __future__ import annotations

import gc
import json
import logging
import threading
from typing import Annotated

import typer

from ordertrack.cli import analytics, carriers, edd, labels, reorder, simulate, staff, stock, suppliers
from ordertrack.cli.common import DbOption, database_from, ensure_schema, settings_for
from ordertrack.db import migrate

app = typer.Typer(help="ordertrack: order tracking for online shops.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
merchants_app = typer.Typer(help="Merchants (tenants) and their API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(merchants_app, name="merchants")
app.add_typer(stock.app, name="stock")
app.add_typer(labels.app, name="labels")
app.add_typer(carriers.app, name="carriers")
app.add_typer(staff.app, name="staff")
app.add_typer(edd.app, name="edd")
app.add_typer(analytics.app, name="analytics")
app.add_typer(suppliers.suppliers_app, name="suppliers")
app.add_typer(suppliers.purchase_orders_app, name="purchase-orders")
app.add_typer(reorder.app, name="reorder")
simulate.register(app)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply all pending migrations."""
    database = database_from(settings_for(db))
    before = migrate.current_revision(database.engine)
    migrate.upgrade(database.engine)
    after = migrate.current_revision(database.engine)
    typer.echo(f"database at {after}" + ("" if before != after else " (already up to date)"))


@merchants_app.command("create")
def merchants_create(
    name: Annotated[str, typer.Option("--name", help="the merchant's name")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    db: DbOption = None,
) -> None:
    """Create a merchant and its first API key (shown once: keep it)."""
    from ordertrack.merchants import service as merchants_service

    database = database_from(settings_for(db))
    ensure_schema(database)
    if not name.strip():
        raise typer.BadParameter("must not be empty", param_hint="--name")
    with database.uow() as uow:
        created = merchants_service.create_merchant(uow, name)
        uow.commit()
    if as_json:
        typer.echo(json.dumps({"merchant_id": created.merchant_id, "api_key": created.api_key}))
    else:
        typer.echo(f"merchant {created.merchant_id} ({created.name})")
        typer.echo(f"API key (shown once): {created.api_key}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    db: DbOption = None,
    demo: Annotated[bool, typer.Option("--demo", help="seed a demo merchant with realistic data")] = False,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="do not run the embedded worker")] = False,
    no_live: Annotated[
        bool, typer.Option("--no-live", help="with --demo: no simulated carriers moving parcels")
    ] = False,
    demo_speed: Annotated[
        float, typer.Option(min=1.0, help="with --demo: how much faster than real time the replay runs")
    ] = 360.0,
) -> None:
    """Run the API (and the embedded worker)."""
    import uvicorn

    from ordertrack.api.app import create_app
    from ordertrack.cli import serving
    from ordertrack.worker.jobs import start_in_thread

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings, links_note = serving.with_public_url(settings_for(db), host, port)
    database = database_from(settings)
    ensure_schema(database)
    base = settings.public_url.rstrip("/")
    if demo:
        from ordertrack.demo.seed import demo_api_key, seed_demo
        from ordertrack.demo.staff import ensure_demo_staff

        with database.uow() as uow:
            seeded = seed_demo(uow, api_key=demo_api_key(settings.resolved_secret_key()))
            login = ensure_demo_staff(uow, seeded.merchant_id)
            uow.commit()
        typer.echo("")
        typer.echo(f"  Demo merchant: {seeded.merchant_name} ({seeded.merchant_id})")
        typer.echo(f"  API key:       {seeded.api_key}")
        typer.echo(f"  Try:           curl -H 'Authorization: Bearer {seeded.api_key}' {base}/api/v1/orders")
        typer.echo(f"  Staff login:   {login.email} / {login.password} (demo password)")
        typer.echo(f"  Pick list:     {base}/api/v1/warehouses/RNO1/pick-list (same key)")
    typer.echo("")
    typer.echo(f"  Shopper page:  {base}/track")
    typer.echo(f"  Dashboard:     {base}/dashboard")
    typer.echo(f"  API docs:      {base}/docs (index: {base}/api/v1/)")
    typer.echo("")
    stops: list[threading.Event] = []
    if not no_worker:
        stops.append(start_in_thread(database, settings)[1])
    if demo and not no_live:
        from ordertrack.demo import live

        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        live_settings = live.LiveSettings(speed=demo_speed)
        stops.append(live.start(f"http://{local}:{port}", seeded.api_key, live_settings))
        typer.echo(
            f"  Live:          simulated carriers are moving orders NW-L…: the last "
            f"{live_settings.replay_hours:.0f} hours replay {demo_speed:.0f}x faster, then real time"
        )
        typer.echo("")
    try:
        # The live demo's own requests would drown the access log.
        access_log = not (demo and not no_live)
        typer.echo(f"  ordertrack serving on {serving.served_url(host, port)}: {links_note}", err=True)
        uvicorn.run(
            create_app(settings, database, server=True),
            host=host,
            port=port,
            log_level="info",
            access_log=access_log,
            log_config=serving.log_config(),
            # Open event streams would hold the stop for up to 10 minutes: cut them after 2 s
            # (live pages reconnect by themselves; WebSockets are closed at once anyway).
            timeout_graceful_shutdown=2,
            **serving.proxy_options(settings),
        )
    finally:
        for stop in stops:
            stop.set()
        # Leaving the interpreter collects every object the app loaded, 2.4 s of CPU here: a
        # stop (Ctrl-C) waited for it. Nothing left needs a finaliser run by the collector.
        gc.freeze()


@app.command()
def worker(db: DbOption = None) -> None:
    """Run a worker process (background jobs) until interrupted."""
    from ordertrack.kit import collector
    from ordertrack.worker.jobs import run_forever

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = settings_for(db)
    database = database_from(settings)
    ensure_schema(database)
    stop = threading.Event()
    if "public_url" not in settings.model_fields_set:
        typer.echo(
            f"links in messages point to {settings.public_url}: set ORDERTRACK_PUBLIC_URL to the "
            "address shoppers reach the server on",
            err=True,
        )
    typer.echo("worker running; Ctrl-C to stop", err=True)
    collector.settle()
    try:
        run_forever(database, settings, stop)
    except KeyboardInterrupt:
        stop.set()


if __name__ == "__main__":
    app()
