"""A shipment's printable documents: labels (PDF and ZPL) and the packing slip."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.db.uow import Database
from ordertrack.documents import service
from ordertrack.documents.batch import render_batch_pdf
from ordertrack.documents.model import PageSize
from ordertrack.documents.zpl import render_label_zpl
from ordertrack.kit.schema import ApiModel, error_responses

router = APIRouter(prefix="/api/v1/shipments", tags=["documents"])

ShipmentId = Annotated[str, Path(min_length=1, max_length=32)]


def _file(content_type: str, description: str) -> dict[int | str, dict[str, object]]:
    return {
        200: {
            "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            "description": description,
        },
        **error_responses(404),
    }


def _labels(request: Request, db: Database, merchant_id: str, shipment_id: str) -> list[service.LabelData]:
    settings = request.app.state.settings
    with db.uow(write=False) as uow:
        return service.label_data(
            uow,
            merchant_id,
            shipment_id,
            public_url=settings.public_url,
            secret=settings.resolved_secret_key(),
        )


def _packing_slips_pdf(
    db: Database, merchant_id: str, shipment_ids: list[str], page_size: PageSize, parcel: int | None = None
) -> bytes:
    with db.uow(write=False) as uow:
        slips = [
            slip
            for sid in shipment_ids
            for slip in service.packing_slip_data(uow, merchant_id, sid, page_size, parcel=parcel)
        ]
    return render_batch_pdf(slips)


@router.get(
    "/{shipment_id}/label.pdf",
    response_class=Response,
    responses=_file("application/pdf", "4x6 inch labels, one page per parcel"),
)
async def label_pdf(
    shipment_id: ShipmentId,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    labels = await run_in_threadpool(_labels, request, db, merchant_id, shipment_id)
    pdf = await run_in_threadpool(render_batch_pdf, labels)
    return Response(pdf, media_type="application/pdf")


class ShipmentBatchIn(ApiModel):
    shipment_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=500
    )


batch_router = APIRouter(prefix="/api/v1/documents", tags=["documents"])


@batch_router.post(
    "/labels.pdf",
    response_class=Response,
    responses=_file("application/pdf", "the labels of every parcel of these shipments, in order"),
)
async def labels_batch_pdf(
    data: ShipmentBatchIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    labels = []
    for shipment_id in data.shipment_ids:
        labels += await run_in_threadpool(_labels, request, db, merchant_id, shipment_id)
    return Response(await run_in_threadpool(render_batch_pdf, labels), media_type="application/pdf")


@batch_router.post(
    "/packing-slips.pdf",
    response_class=Response,
    responses=_file("application/pdf", "the packing slips of these shipments, in order"),
)
async def packing_slips_batch_pdf(
    data: ShipmentBatchIn,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    page_size: Annotated[Literal["A4", "Letter"], Query()] = "A4",
) -> Response:
    pdf = await run_in_threadpool(_packing_slips_pdf, db, merchant_id, data.shipment_ids, page_size)
    return Response(pdf, media_type="application/pdf")


@router.get(
    "/{shipment_id}/label.zpl",
    response_class=Response,
    responses=_file("application/zpl", "ZPL II for 203 dpi 4x6 thermal printers, one label per parcel"),
)
async def label_zpl(
    shipment_id: ShipmentId,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    labels = await run_in_threadpool(_labels, request, db, merchant_id, shipment_id)
    return Response("".join(render_label_zpl(label) for label in labels), media_type="application/zpl")


@router.get(
    "/{shipment_id}/packing-slip.pdf",
    response_class=Response,
    responses=_file(
        "application/pdf",
        "packing slips: one per parcel when the parcels are itemised (else one for the shipment), "
        "each with what it carries and what is still to follow",
    ),
)
async def packing_slip_pdf(
    shipment_id: ShipmentId,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    page_size: Annotated[Literal["A4", "Letter"], Query()] = "A4",
    parcel: Annotated[
        int | None, Query(ge=1, le=100, description="only this parcel's slip (1-based)")
    ] = None,
) -> Response:
    pdf = await run_in_threadpool(_packing_slips_pdf, db, merchant_id, [shipment_id], page_size, parcel)
    return Response(pdf, media_type="application/pdf")
