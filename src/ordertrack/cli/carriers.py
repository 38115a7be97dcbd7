"""``ordertrack carriers``: detect a number's carrier, read a raw carrier payload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Carrier connectors: detection and payload reading.", no_args_is_help=True)


@app.command("detect")
def detect(
    tracking_number: Annotated[str, typer.Argument(help="the tracking number, spaces allowed")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The carriers a tracking number can belong to, most likely first."""
    from ordertrack.carriers.registry import carrier_name  # noqa: PLC0415
    from ordertrack.carriers.tracking_numbers import detect_carriers  # noqa: PLC0415
    from ordertrack.kit.schema import normalise_tracking_number  # noqa: PLC0415

    try:
        canonical = normalise_tracking_number(tracking_number)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    matches = detect_carriers(canonical)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "tracking_number": canonical,
                    "candidates": [
                        {
                            "carrier": m.carrier,
                            "name": carrier_name(m.carrier),
                            "format": m.format_name,
                            "valid": m.valid,
                        }
                        for m in matches
                    ],
                },
                indent=2,
            )
        )
        return
    if not matches:
        typer.echo(f"{canonical}: no known carrier format matches")
        raise typer.Exit(1)
    for m in matches:
        verdict = "valid check digit" if m.valid else "shape only, check digit does not agree"
        typer.echo(f"{carrier_name(m.carrier):<20} {m.format_name:<34} {verdict}")


@app.command("parse")
def parse(
    carrier: Annotated[str, typer.Argument(help="connector slug, e.g. ups, fedex, easypost")],
    file: Annotated[Path, typer.Argument(help="the raw payload (JSON or XML) as the carrier sent it")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """What the carrier's mapping reads from one raw payload (pure: no database)."""
    from ordertrack.carriers.intake import read_safely  # noqa: PLC0415
    from ordertrack.carriers.registry import UnknownCarrier, connector  # noqa: PLC0415

    try:
        found = connector(carrier)
    except UnknownCarrier as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    try:
        body = file.read_bytes()
    except OSError as error:
        typer.echo(f"error: cannot read {file}: {error.strerror or error}", err=True)
        raise typer.Exit(2) from None
    reading = read_safely(found, body)
    documents = [tracking.as_dict() for tracking in reading.trackings]
    general = [m.as_dict() for m in reading.messages]
    if not reading.readable:
        reasons = "; ".join(f"{m['code']}: {m['text']}" for m in general) or "no tracking data"
        if as_json:
            typer.echo(json.dumps({"carrier": found.slug, "trackings": [], "messages": general}, indent=2))
        typer.echo(f"error: nothing could be read from {file}: {reasons}", err=True)
        raise typer.Exit(1)
    if as_json:
        for document in documents:
            document["messages"] = general + document["messages"]
        typer.echo(
            json.dumps(documents[0] if len(documents) == 1 else documents, indent=2, ensure_ascii=False)
        )
        return
    for tracking in reading.trackings:
        typer.echo(f"{tracking.carrier} {tracking.tracking_number}: {tracking.status}")
        if tracking.estimated_delivery:
            edd = tracking.estimated_delivery
            typer.echo(
                f"  estimated delivery {edd.earliest}"
                + (f" to {edd.latest}" if edd.latest != edd.earliest else "")
            )
        for event in reversed(tracking.events):
            where = (
                ", ".join(
                    p for p in (event.location.city, event.location.region, event.location.country) if p
                )
                if event.location
                else ""
            )
            reason = f" ({event.reason})" if event.reason else ""
            said = event.description or ""
            typer.echo(f"  {event.occurred_at.isoformat()}  {event.status}{reason}  {said}  {where}")
        for message in tracking.messages:
            typer.echo(f"  ! {message.code}: {message.text}")
    for message in reading.messages:
        typer.echo(f"! {message.code}: {message.text}")
