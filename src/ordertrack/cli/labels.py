"""``ordertrack labels``: print a warehouse's labels in one PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ordertrack.cli.common import DbOption, database_from, ensure_schema, settings_for
from ordertrack.documents import service as documents_service
from ordertrack.documents.batch import render_batch_pdf
from ordertrack.shipments import service as shipments_service

app = typer.Typer(help="Shipping labels.", no_args_is_help=True)


@app.command("print")
def print_labels(
    warehouse: Annotated[str, typer.Option("--warehouse", help="warehouse code")],
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="the PDF to write")],
    merchant: Annotated[str, typer.Option("--merchant", help="the merchant id")],
    db: DbOption = None,
) -> None:
    """One PDF with the labels of every shipment at the warehouse still waiting for its carrier."""
    settings = settings_for(db)
    database = database_from(settings)
    ensure_schema(database)
    with database.uow(write=False) as uow:
        shipments = shipments_service.awaiting_hand_over(uow, merchant, warehouse)
        labels = [
            label
            for shipment in shipments
            for label in documents_service.label_data(
                uow,
                merchant,
                shipment.id,
                public_url=settings.public_url,
                secret=settings.resolved_secret_key(),
            )
        ]
    if not labels:
        typer.echo(f"no shipments at {warehouse} are waiting for their carrier")
        raise typer.Exit(0)
    with typer.progressbar(length=len(labels), label="rendering labels") as progress:
        pdf = render_batch_pdf(labels, progress=lambda done, _total: progress.update(1))
    out.write_bytes(pdf)
    typer.echo(f"wrote {len(labels)} labels for {len(shipments)} shipments to {out}")
