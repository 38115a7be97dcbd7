"""``ordertrack simulate``: orders, shipments and carrier journeys, to a file, a server or the database."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from ordertrack.cli.common import DbOption, database_from, ensure_schema, settings_for
from ordertrack.kit.progress import ProgressBar
from ordertrack.simulate import generator
from ordertrack.simulate.generator import SimConfig, generate
from ordertrack.simulate.journeys import FaultRates
from ordertrack.simulate.records import Record, read_jsonl, write_jsonl

# Without pacing, a run ends this long before now, so every journey it starts has ended.
SETTLE_DAYS = 30


def parse_faults(specs: list[str], *, none: bool) -> FaultRates:
    """``name=rate`` pairs over the defaults (or over all-zero with ``--no-faults``)."""
    rates = FaultRates(**dict.fromkeys(FaultRates.names(), 0.0)) if none else FaultRates()
    for spec in specs:
        name, _, value = spec.partition("=")
        if name not in FaultRates.names():
            raise typer.BadParameter(
                f"unknown fault {name!r}; one of {', '.join(FaultRates.names())}", param_hint="--fault"
            )
        try:
            rate = float(value)
        except ValueError:
            raise typer.BadParameter(f"{spec!r}: the rate must be a number", param_hint="--fault") from None
        if not 0.0 <= rate <= 1.0:
            raise typer.BadParameter(f"{spec!r}: the rate must be between 0 and 1", param_hint="--fault")
        rates = replace(rates, **{name: rate})
    return rates


def pacer(
    speed: float, simulated_start: datetime, sleep: Callable[[float], None] = time.sleep
) -> Callable[[datetime], None]:
    """Blocks until a record stamped ``at`` is due when simulated time runs ``speed`` times real time."""
    real_start = time.monotonic()

    def wait(at: datetime) -> None:
        due = real_start + (at - simulated_start).total_seconds() / speed
        delay = due - time.monotonic()
        if delay > 0:
            sleep(delay)

    return wait


def _counted(
    items: Iterable[Any], bar: ProgressBar, counts: Callable[[Any], tuple[int, int]]
) -> Iterator[Any]:
    """``items`` passed through, the bar moved by ``counts(item)``: (orders, scans) in it."""
    orders = events = 0
    for item in items:
        more_orders, more_events = counts(item)
        orders, events = orders + more_orders, events + more_events
        bar.update(orders, f"{events:,} scans")
        yield item
    bar.finish(f"{events:,} scans")


def _record_counts(record: Record) -> tuple[int, int]:
    if record["kind"] == "events":
        return 0, len(record["events"])
    if record["kind"] == "webhook":
        return 0, len(record.get("event_ids", ()))
    return int(record["kind"] == "order"), 0


def _prepared_counts(item: Any) -> tuple[int, int]:
    """The same for records already read (``bulk.Prepared``)."""
    if item.kind in ("events", "webhook") and item.body is not None:
        return 0, len(item.body)
    return int(item.kind == "order"), 0


def simulate(
    orders: Annotated[int, typer.Option(min=1, help="orders to place")] = 1000,
    seed: Annotated[int, typer.Option(help="the same seed gives the same run, record for record")] = 1,
    days: Annotated[float, typer.Option(min=0.01, help="days over which the orders are placed")] = 30.0,
    start: Annotated[
        str | None,
        typer.Option(
            help="simulated start (ISO 8601); default now with --speed, else early enough to be over"
        ),
    ] = None,
    fault: Annotated[list[str], typer.Option("--fault", help="NAME=RATE, e.g. lost=0.01 (repeatable)")] = [],  # noqa: B006
    no_faults: Annotated[
        bool, typer.Option("--no-faults", help="every fault rate 0 unless --fault sets it")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="write the records to this JSONL file")] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="send to a running ordertrack, e.g. http://127.0.0.1:8000")
    ] = None,
    to_db: Annotated[
        bool, typer.Option("--to-db", help="write straight into the database (bulk path)")
    ] = False,
    replay: Annotated[
        Path | None, typer.Option("--replay", help="send a JSONL file written by --out")
    ] = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", envvar="ORDERTRACK_API_KEY", help="for --to")
    ] = None,
    merchant_id: Annotated[
        str | None, typer.Option("--merchant-id", help="for --to-db; default a new merchant")
    ] = None,
    speed: Annotated[
        float | None,
        typer.Option(min=0.001, help="simulated seconds per real second (default: as fast as possible)"),
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="events per request with --to")] = 500,
    ack_log: Annotated[
        Path | None, typer.Option("--ack-log", help="with --to: one line per acknowledged request")
    ] = None,
    order_prefix: Annotated[str, typer.Option(help="order numbers start with this")] = "SIM-",
    unified_only: Annotated[
        bool, typer.Option("--unified-only", help="every scan as unified events, no carrier-format pushes")
    ] = False,
    purchase_orders: Annotated[
        int,
        typer.Option(
            "--purchase-orders",
            min=0,
            help="also send this many purchase orders to suppliers, with their inbound shipments and faults"
            " (late, short, damaged, split); --to and --out only",
        ),
    ] = 0,
    db: DbOption = None,
) -> None:
    """Simulate a shop's orders and their carrier journeys, with real-world faults.

    Exactly one of --out (a JSONL file), --to (a running ordertrack, through its public API)
    and --to-db (this machine's database, bulk path). --replay sends a saved file instead of
    generating one.
    """
    targets = [name for name, chosen in (("--out", out), ("--to", to), ("--to-db", to_db)) if chosen]
    if len(targets) != 1:
        raise typer.BadParameter(
            "choose exactly one of --out, --to and --to-db", param_hint="--out/--to/--to-db"
        )
    if purchase_orders and to_db:
        raise typer.BadParameter(
            "the bulk loader plays orders and scans only: send purchase orders with --to",
            param_hint="--purchase-orders",
        )
    if replay is not None and to is None:
        raise typer.BadParameter("--replay sends a file to a server: add --to", param_hint="--replay")
    if to is not None and not api_key:
        raise typer.BadParameter(
            "--to needs the merchant's API key (or ORDERTRACK_API_KEY)", param_hint="--api-key"
        )
    now = datetime.now(UTC)
    if start is not None:
        try:
            simulated_start = datetime.fromisoformat(start)
        except ValueError:
            raise typer.BadParameter(f"{start!r} is not an ISO 8601 time", param_hint="--start") from None
        if simulated_start.tzinfo is None:
            simulated_start = simulated_start.replace(tzinfo=UTC)
    elif speed is not None:
        simulated_start = now
    else:
        # Midnight-aligned, so the same arguments give the same file all day long.
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        simulated_start = midnight - timedelta(days=math.ceil(days) + SETTLE_DAYS)
    config = SimConfig(
        seed=seed,
        orders=orders,
        start=simulated_start,
        days=days,
        faults=parse_faults(fault, none=no_faults),
        order_prefix=order_prefix,
        purchase_orders=purchase_orders,
        # Sent as it happens from now: the supplier's dates are not in the past, so they are sent.
        purchase_order_promises=speed is not None and start is None,
    )
    if unified_only:
        config = generator.unified_only(config)
    if replay is not None:
        try:
            records: Iterable[Record] = list(read_jsonl(replay))
        except (OSError, ValueError) as error:
            raise typer.BadParameter(str(error), param_hint="--replay") from None
        total = sum(1 for r in records if r["kind"] == "order")
        first = next(iter(records), None)
        if first is not None and start is None:
            simulated_start = datetime.fromisoformat(first["at"])
    else:
        records = generate(config)
        total = orders
    bar = ProgressBar("orders", total, "orders")
    if to_db:
        _load(config, bar, db, merchant_id)
        return
    stream = _counted(records, bar, _record_counts)
    if out is not None:
        count = write_jsonl(out, stream)
        typer.echo(f"wrote {count:,} records to {out}")
    else:
        _send(stream, to or "", api_key or "", batch, ack_log, speed, simulated_start)


def _send(
    stream: Iterable[Record],
    url: str,
    api_key: str,
    batch: int,
    ack_log: Path | None,
    speed: float | None,
    simulated_start: datetime,
) -> None:
    from ordertrack.simulate import http

    stop = threading.Event()
    try:
        report = http.send(
            stream,
            url.rstrip("/"),
            api_key,
            batch_events=batch,
            ack_log=ack_log,
            pace=pacer(speed, simulated_start) if speed is not None else None,
            stop=stop,
        )
    except KeyboardInterrupt:
        stop.set()
        raise
    typer.echo(
        f"sent {report.records:,} records, {report.events_acknowledged:,} scans acknowledged "
        f"({report.duplicates:,} duplicates), {report.retries:,} retries, "
        f"{report.rejected_records:,} records refused, {report.seconds:.1f}s"
    )
    if report.rejected_records:
        raise typer.Exit(1)


def _load(config: SimConfig, bar: ProgressBar, db: str | None, merchant_id: str | None) -> None:
    from ordertrack.merchants import service as merchants_service
    from ordertrack.simulate import bulk, pipeline

    database = database_from(settings_for(db))
    ensure_schema(database)
    if merchant_id is None:
        with database.uow() as uow:
            created = merchants_service.create_merchant(uow, "Simulated Shop")
            uow.commit()
        merchant_id = created.merchant_id
        typer.echo(f"merchant {merchant_id} (Simulated Shop), API key (shown once): {created.api_key}")
    started = time.monotonic()
    # Made and read in child processes while this one writes (simulate/pipeline.py).
    stream = _counted(pipeline.prepared(config, merchant_id), bar, _prepared_counts)
    report = bulk.load(database, merchant_id, stream)
    typer.echo(
        f"stored {report.orders:,} orders, {report.shipments:,} shipments, {report.events_stored:,} scans "
        f"({report.duplicates:,} duplicates, {report.unmatched:,} unmatched) "
        f"in {time.monotonic() - started:.1f}s"
    )


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
