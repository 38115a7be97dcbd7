"""Purchase order endpoints: drafts, sending, the supplier's confirmation, cancelling, short-closing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ordertrack.api.auth import api_actor, current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit
from ordertrack.api.transactions import idempotent_write, json_response
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.pagination import Cursor
from ordertrack.kit.schema import WarehouseRef, error_responses
from ordertrack.suppliers import history, purchase_orders, service
from ordertrack.suppliers.inbound_schemas import PurchaseOrderChangeOut, PurchaseOrderHistory
from ordertrack.suppliers.model import PurchaseOrder
from ordertrack.suppliers.rules import PurchaseOrderStatus
from ordertrack.suppliers.schemas import (
    PurchaseOrderConfirmationIn,
    PurchaseOrderIn,
    PurchaseOrderLineOut,
    PurchaseOrderOut,
    PurchaseOrderPage,
    ShortCloseIn,
    SupplierRef,
)

router = APIRouter(prefix="/api/v1/purchase-orders", tags=["purchase orders"])

PoRef = Annotated[str, Path(min_length=1, max_length=64, description="purchase order id or number")]
LineNo = Annotated[int, Path(ge=1, le=1000, description="the line's number, from 1")]


def views(uow: UnitOfWork, merchant_id: str, orders: list[PurchaseOrder]) -> list[PurchaseOrderOut]:
    """Each order as the API shows it, with its supplier and warehouse named (two queries in all)."""
    suppliers = service.suppliers_by_id(uow, merchant_id, {po.supplier_id for po in orders})
    codes = {w.id: w.code for w in inventory_service.list_warehouses(uow, merchant_id)}
    answers = []
    for po in orders:
        supplier = suppliers[po.supplier_id]
        lines = [
            PurchaseOrderLineOut(
                line_no=line.line_no,
                sku=line.sku,
                quantity=line.quantity,
                confirmed_quantity=line.confirmed_quantity,
                unit_cost=line.unit_cost,
                currency=po.currency,
                shipped_quantity=line.shipped_quantity,
                received_quantity=line.received_quantity,
                short_closed_at=line.short_closed_at,
                short_close_reason=line.short_close_reason,
            )
            for line in po.lines
        ]
        total = sum(
            (
                (line.quantity if line.confirmed_quantity is None else line.confirmed_quantity)
                * line.unit_cost
                for line in po.lines
            ),
            start=Decimal(0),
        )
        answers.append(
            PurchaseOrderOut(
                id=po.id,
                number=po.number,
                status=PurchaseOrderStatus(po.status),
                supplier=SupplierRef(id=supplier.id, name=supplier.name),
                warehouse=WarehouseRef(code=codes[po.warehouse_id]),
                currency=po.currency,
                total=total,
                lines=lines,
                promised_ship_date=po.promised_ship_date,
                promised_arrival_date=po.promised_arrival_date,
                notes=po.notes,
                sent_at=po.sent_at,
                confirmed_at=po.confirmed_at,
                cancelled_at=po.cancelled_at,
                created_at=po.created_at,
                updated_at=po.updated_at,
            )
        )
    return answers


def _write(
    request: Request,
    db: Database,
    merchant_id: str,
    payload: ShortCloseIn | PurchaseOrderConfirmationIn | PurchaseOrderIn | None,
    change: Callable[[UnitOfWork], PurchaseOrder],
    status: int = 200,
) -> JSONResponse:
    def produce(uow: UnitOfWork) -> tuple[int, PurchaseOrderOut]:
        return status, views(uow, merchant_id, [change(uow)])[0]

    return idempotent_write(request, db, merchant_id, payload, produce)


@router.post("", status_code=201, response_model=PurchaseOrderOut, responses=error_responses(409))
def create_purchase_order(
    data: PurchaseOrderIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """A draft purchase order. Refused (422) when the supplier, the warehouse or a SKU is unknown,
    a promised date is before the supplier's today, or a line has no cost and the supplier none
    for its SKU in the order's currency."""
    return _write(
        request,
        db,
        merchant_id,
        data,
        lambda uow: purchase_orders.create_purchase_order(uow, merchant_id, data, actor=actor),
        201,
    )


@router.get("", response_model=PurchaseOrderPage, responses=error_responses(422))
def list_purchase_orders(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    status: PurchaseOrderStatus | None = None,
    supplier_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT,
) -> Response:
    """Purchase orders, newest first."""
    with db.uow(write=False) as uow:
        page = purchase_orders.purchase_order_page(
            uow, merchant_id, status=status, supplier_id=supplier_id, cursor=cursor, limit=limit
        )
        return json_response(
            PurchaseOrderPage(items=views(uow, merchant_id, page.items), next_cursor=page.next_cursor)
        )


@router.get("/{po_ref}", response_model=PurchaseOrderOut, responses=error_responses(404))
def get_purchase_order(
    po_ref: PoRef, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    with db.uow(write=False) as uow:
        po = purchase_orders.find_purchase_order(uow, merchant_id, po_ref)
        return json_response(views(uow, merchant_id, [po])[0])


@router.post("/{po_ref}/send", response_model=PurchaseOrderOut, responses=error_responses(404, 409))
def send_purchase_order(
    po_ref: PoRef,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """The order went to the supplier: a draft becomes sent (409 otherwise)."""
    return _write(
        request,
        db,
        merchant_id,
        None,
        lambda uow: purchase_orders.send_purchase_order(uow, merchant_id, po_ref, actor=actor),
    )


@router.post("/{po_ref}/confirm", response_model=PurchaseOrderOut, responses=error_responses(404, 409))
def confirm_purchase_order(
    po_ref: PoRef,
    data: PurchaseOrderConfirmationIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """The supplier's confirmation: its quantities per line and its promised dates (a sent or
    confirmed order; confirming again replaces what it said before)."""
    return _write(
        request,
        db,
        merchant_id,
        data,
        lambda uow: purchase_orders.confirm_purchase_order(uow, merchant_id, po_ref, data, actor=actor),
    )


@router.post("/{po_ref}/cancel", response_model=PurchaseOrderOut, responses=error_responses(404, 409))
def cancel_purchase_order(
    po_ref: PoRef,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """Cancel an order nothing has been shipped on yet (409 otherwise: short-close its lines)."""
    return _write(
        request,
        db,
        merchant_id,
        None,
        lambda uow: purchase_orders.cancel_purchase_order(uow, merchant_id, po_ref, actor=actor),
    )


@router.post(
    "/{po_ref}/lines/{line_no}/short-close",
    response_model=PurchaseOrderOut,
    responses=error_responses(404, 409),
)
def short_close_line(
    po_ref: PoRef,
    line_no: LineNo,
    request: Request,
    data: ShortCloseIn | None = None,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """Nothing more is expected on the line: what came is all that will come."""
    reason = data.reason if data is not None else None
    return _write(
        request,
        db,
        merchant_id,
        data,
        lambda uow: purchase_orders.short_close_line(uow, merchant_id, po_ref, line_no, reason, actor=actor),
    )


@router.get("/{po_ref}/history", response_model=PurchaseOrderHistory, responses=error_responses(404))
def purchase_order_history(
    po_ref: PoRef, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """Every change to the order, oldest first, with who made it (an API key by its prefix, a
    staff member, the supplier's link, a CSV file, or the system)."""
    with db.uow(write=False) as uow:
        po = purchase_orders.find_purchase_order(uow, merchant_id, po_ref)
        rows = history.changes(uow, merchant_id, po.id)
        return json_response(
            PurchaseOrderHistory(
                items=[PurchaseOrderChangeOut.model_validate(row) for row in rows], next_cursor=None
            )
        )
