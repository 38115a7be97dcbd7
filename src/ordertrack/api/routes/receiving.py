"""Receiving endpoints: count an inbound shipment's lines (or a purchase order's, for goods that
came without one), list the counts, a purchase order's discrepancies, a count's photo, and the
receiving sheet to count on paper."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrack.api.auth import api_actor, current_merchant, get_db
from ordertrack.api.transactions import idempotent_write, json_response
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.documents import receiving_sheet
from ordertrack.documents.model import PageSize
from ordertrack.inventory import repository as inventory_repository
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Unprocessable
from ordertrack.kit.schema import error_responses
from ordertrack.purchasing import receiving as dock
from ordertrack.suppliers import purchase_orders, receipts, receiving
from ordertrack.suppliers.model import PurchaseOrder, Receipt
from ordertrack.suppliers.receiving_schemas import (
    BackorderFilledOut,
    CountedLineOut,
    DiscrepancyList,
    DiscrepancyOut,
    DocumentRef,
    InboundDiscrepancyOut,
    ReceiptList,
    ReceiptOut,
    ReceivingIn,
    ReceivingOut,
    StockAfterOut,
)

router = APIRouter(tags=["receiving"])

Ref = Annotated[str, Path(min_length=1, max_length=64, description="id or number")]
ReceiptId = Annotated[str, Path(min_length=1, max_length=32)]


class UnreadablePhoto(Unprocessable):
    code = "unreadable_photo"


def counts_of(data: ReceivingIn) -> list[receiving.LineCount]:
    counts = []
    for index, line in enumerate(data.lines):
        photo = None
        if line.photo is not None:
            try:
                content = base64.b64decode(line.photo.data, validate=True)
            except (binascii.Error, ValueError):
                raise UnreadablePhoto(f"lines.{index}.photo.data is not base64") from None
            photo = receiving.Photo(content, line.photo.content_type)
        counts.append(
            receiving.LineCount(
                good=line.good,
                damaged=line.damaged,
                line_id=line.line_id,
                sku=line.sku,
                note=line.note,
                photo=photo,
                count_id=line.count_id,
            )
        )
    return counts


def result_view(uow: UnitOfWork, result: receiving.ReceivingResult) -> ReceivingOut:
    po, asn = result.purchase_order, result.inbound_shipment
    return ReceivingOut(
        purchase_order=DocumentRef(id=po.id, number=po.number, status=po.status),
        inbound_shipment=DocumentRef(id=asn.id, number=asn.number, status=asn.status) if asn else None,
        warehouse=inventory_repository.warehouse_code(uow, po.warehouse_id),
        lines=[
            CountedLineOut(
                receipt_id=line.receipt.id,
                duplicate=line.duplicate,
                line_id=line.line_id,
                line_no=line.line_no,
                sku=line.sku,
                good=line.receipt.good_quantity,
                damaged=line.receipt.damaged_quantity,
                expected=line.tally.expected,
                received_total=line.tally.good,
                damaged_total=line.tally.damaged,
                missing=line.tally.missing,
                over=line.tally.over,
                outcome=line.tally.outcome,
            )
            for line in result.lines
        ],
        stock=[
            StockAfterOut(sku=sku, on_hand=on_hand, reserved=reserved, available=on_hand - reserved)
            for sku, (on_hand, reserved) in sorted(result.stock_after.items())
        ],
        backorders_filled=[
            BackorderFilledOut(order_id=e.order_id, sku=e.sku, quantity=e.quantity, remaining=e.remaining)
            for e in result.backorders_filled
        ],
    )


def _receive(
    request: Request,
    db: Database,
    merchant_id: str,
    actor: str,
    data: ReceivingIn,
    *,
    po_ref: str | None = None,
    asn_ref: str | None = None,
) -> JSONResponse:
    counts = counts_of(data)
    key = request.headers.get("idempotency-key")

    def produce(uow: UnitOfWork) -> tuple[int, ReceivingOut]:
        result = dock.receive(
            uow,
            merchant_id,
            purchase_order_ref=po_ref,
            inbound_shipment_ref=asn_ref,
            counts=counts,
            actor=actor,
            request_key=key,
            now=utcnow(),
        )
        return (201 if result.counted_anything else 200), result_view(uow, result)

    return idempotent_write(request, db, merchant_id, data, produce)


_RECEIVE_DOC = (
    " Each line is counted as good units (into stock, as a ledger receipt) and damaged units "
    "(recorded, not stocked); the line's outcome (received, short, over, damaged) is derived. "
    "Over-receipts are kept as counted and flagged. 201 when anything was counted; 200 when every "
    "line was a repeat of an earlier count (a double scan or a retried request), which changes "
    "nothing. Refused: 404 unknown, 409 cancelled or draft, 422 unknown line or SKU, a count of "
    "nothing, a negative count, a photo too large or not a JPEG/PNG/WebP."
)


@router.post(
    "/api/v1/inbound-shipments/{ref}/receipts",
    status_code=201,
    response_model=ReceivingOut,
    responses=error_responses(404, 409, 422),
)
def receive_inbound_shipment(
    ref: Ref,
    data: ReceivingIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    return _receive(request, db, merchant_id, actor, data, asn_ref=ref)


receive_inbound_shipment.__doc__ = "Count an inbound shipment's lines in at the dock." + _RECEIVE_DOC


@router.post(
    "/api/v1/purchase-orders/{ref}/receipts",
    status_code=201,
    response_model=ReceivingOut,
    responses=error_responses(404, 409, 422),
)
def receive_purchase_order(
    ref: Ref,
    data: ReceivingIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    return _receive(request, db, merchant_id, actor, data, po_ref=ref)


receive_purchase_order.__doc__ = (
    "Count a purchase order's lines in, for goods that came without an advance shipping notice."
    + _RECEIVE_DOC
)


def receipt_view(receipt: Receipt) -> ReceiptOut:
    return ReceiptOut(
        id=receipt.id,
        purchase_order_id=receipt.purchase_order_id,
        inbound_shipment_id=receipt.inbound_shipment_id,
        sku=receipt.sku,
        good=receipt.good_quantity,
        damaged=receipt.damaged_quantity,
        note=receipt.note,
        photo_url=f"/api/v1/receipts/{receipt.id}/photo" if receipt.photo_type else None,
        stock_movement_id=receipt.stock_movement_id,
        actor=receipt.actor,
        created_at=receipt.created_at,
    )


@router.get(
    "/api/v1/inbound-shipments/{ref}/receipts", response_model=ReceiptList, responses=error_responses(404)
)
def inbound_shipment_receipts(
    ref: Ref, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """The counts of an inbound shipment, oldest first."""
    with db.uow(write=False) as uow:
        asn = receiving.find_inbound_shipment(uow, merchant_id, ref)
        rows = receipts.receipts_of(uow, merchant_id, inbound_shipment_id=asn.id)
        return json_response(ReceiptList(items=[receipt_view(r) for r in rows], next_cursor=None))


@router.get(
    "/api/v1/purchase-orders/{ref}/receipts", response_model=ReceiptList, responses=error_responses(404)
)
def purchase_order_receipts(
    ref: Ref, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """The counts of a purchase order (with or without an inbound shipment), oldest first."""
    with db.uow(write=False) as uow:
        po = purchase_orders.find_purchase_order(uow, merchant_id, ref)
        rows = receipts.receipts_of(uow, merchant_id, purchase_order_id=po.id)
        return json_response(ReceiptList(items=[receipt_view(r) for r in rows], next_cursor=None))


def discrepancy_views(uow: UnitOfWork, merchant_id: str, po: PurchaseOrder) -> list[DiscrepancyOut]:
    return [
        DiscrepancyOut(
            line_no=d.line_no,
            sku=d.sku,
            expected=d.expected,
            received=d.received,
            damaged=d.damaged,
            missing=d.missing,
            over=d.over,
            outcome=d.outcome,
            inbound_shipments=[
                InboundDiscrepancyOut(
                    inbound_shipment_id=i.inbound_shipment_id,
                    number=i.inbound_shipment_number,
                    declared=i.tally.expected,
                    received=i.tally.good,
                    damaged=i.tally.damaged,
                    missing=i.tally.missing,
                    over=i.tally.over,
                    outcome=i.tally.outcome,
                )
                for i in d.inbound
            ],
            notes=d.notes,
            photo_urls=[f"/api/v1/receipts/{rid}/photo" for rid in d.photo_receipt_ids],
        )
        for d in receipts.discrepancies(uow, merchant_id, po)
    ]


@router.get(
    "/api/v1/purchase-orders/{ref}/discrepancies",
    response_model=DiscrepancyList,
    responses=error_responses(404),
)
def purchase_order_discrepancies(
    ref: Ref, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """The lines where what was counted differs from what was declared or ordered: units
    missing from a counted shipment, units beyond the order or the shipment, damaged units."""
    with db.uow(write=False) as uow:
        po = purchase_orders.find_purchase_order(uow, merchant_id, ref)
        return json_response(
            DiscrepancyList(
                purchase_order=DocumentRef(id=po.id, number=po.number, status=po.status),
                items=discrepancy_views(uow, merchant_id, po),
                next_cursor=None,
            )
        )


@router.get(
    "/api/v1/receipts/{receipt_id}/photo",
    responses={
        200: {
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in receiving.PHOTO_TYPES},
            "description": "the photo taken with the count",
        },
        **error_responses(404),
    },
)
def receipt_photo(
    receipt_id: ReceiptId, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """The photo taken with a count at the dock."""
    with db.uow(write=False) as uow:
        content, content_type = receipts.receipt_photo(uow, merchant_id, receipt_id)
    return Response(
        content,
        media_type=content_type,
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


def sheet_pdf(
    db: Database, merchant_id: str, *, asn_ref: str | None, po_ref: str | None, size: PageSize
) -> bytes:
    with db.uow(write=False) as uow:
        data = receiving_sheet.sheet_data(
            uow, merchant_id, inbound_shipment_ref=asn_ref, purchase_order_ref=po_ref, page_size=size
        )
    return receiving_sheet.render_receiving_sheet_pdf(data)


_PDF = {
    200: {
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        "description": "PDF",
    },
    **error_responses(404),
}


@router.get("/api/v1/inbound-shipments/{ref}/receiving-sheet.pdf", response_class=Response, responses=_PDF)
async def inbound_receiving_sheet(
    ref: Ref,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    page_size: PageSize = Query("A4"),
) -> Response:
    """The receiving sheet to count on paper: the shipment's number and each SKU as Code128,
    the expected quantities, and boxes to write what was counted and what was damaged."""
    pdf = await run_in_threadpool(sheet_pdf, db, merchant_id, asn_ref=ref, po_ref=None, size=page_size)
    return _pdf_response(pdf, f"receiving-{ref}.pdf")


@router.get("/api/v1/purchase-orders/{ref}/receiving-sheet.pdf", response_class=Response, responses=_PDF)
async def purchase_order_receiving_sheet(
    ref: Ref,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    page_size: PageSize = Query("A4"),
) -> Response:
    """The receiving sheet of a purchase order's open lines, for goods without a shipping notice."""
    pdf = await run_in_threadpool(sheet_pdf, db, merchant_id, asn_ref=None, po_ref=ref, size=page_size)
    return _pdf_response(pdf, f"receiving-{ref}.pdf")


def _pdf_response(pdf: bytes, name: str) -> Response:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{safe}"'}
    )
