"""Order endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.transactions import idempotent_write, json_response
from ordertrack.db.uow import Database
from ordertrack.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Cursor
from ordertrack.kit.schema import OrderRef as OrderReference
from ordertrack.kit.schema import error_responses
from ordertrack.orders import notes, service
from ordertrack.orders.model import OrderNote
from ordertrack.orders.schemas import (
    NoteOut,
    NotePage,
    OrderIn,
    OrderNoteIn,
    OrderOut,
    OrderPage,
    OrderSummary,
)
from ordertrack.orders.status import OrderStatus

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])

OrderRef = Annotated[str, Path(min_length=1, max_length=64, description="order id or order number")]


@router.post("", status_code=201, response_model=OrderOut, responses=error_responses(409))
def place_order(
    data: OrderIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    def produce(uow):  # type: ignore[no-untyped-def]
        order = service.place_order(uow, merchant_id, data)
        return 201, service.order_view(uow, merchant_id, order)

    return idempotent_write(request, db, merchant_id, data, produce)


@router.get("", response_model=OrderPage, responses=error_responses(422))
def list_orders(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    status: OrderStatus | None = None,
    attention: bool | None = None,
    q: Annotated[
        str,
        Query(
            max_length=200,
            pattern=r"^[^\x00-\x1f\x7f]*$",
            description="support's search: part of the order number (case, '#', spaces and dashes "
            "ignored), the customer's name, email or phone (its digits), or part of a tracking number",
        ),
    ] = "",
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    """The merchant's orders, newest placed first (ties: newest id first)."""
    with db.uow(write=False) as uow:
        page = service.list_orders(
            uow, merchant_id, status=status, attention=attention, cursor=cursor, limit=limit, text=q or None
        )
        return json_response(
            OrderPage(
                items=[OrderSummary.model_validate(o) for o in page.items],
                next_cursor=page.next_cursor,
            )
        )


@router.get("/{order_ref}", response_model=OrderOut, responses=error_responses(404))
def get_order(
    order_ref: OrderRef,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    with db.uow(write=False) as uow:
        order = service.find_order(uow, merchant_id, order_ref)
        return json_response(service.order_view(uow, merchant_id, order))


def _lifecycle(request: Request, db: Database, merchant_id: str, action) -> JSONResponse:  # type: ignore[no-untyped-def]
    def produce(uow):  # type: ignore[no-untyped-def]
        return 200, service.order_view(uow, merchant_id, action(uow))

    return idempotent_write(request, db, merchant_id, None, produce)


@router.post("/{order_ref}/confirm", response_model=OrderOut, responses=error_responses(404, 409))
def confirm_order(
    order_ref: OrderRef,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    return _lifecycle(
        request, db, merchant_id, lambda uow: service.confirm_order(uow, merchant_id, order_ref)
    )


@router.post("/{order_ref}/cancel", response_model=OrderOut, responses=error_responses(404, 409))
def cancel_order(
    order_ref: OrderRef,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    return _lifecycle(request, db, merchant_id, lambda uow: service.cancel_order(uow, merchant_id, order_ref))


def note_out(note: OrderNote, number: str) -> NoteOut:
    return NoteOut(
        id=note.id,
        order=OrderReference(id=note.order_id, number=number),
        body=note.body,
        author=note.author_name,
        source="dashboard" if note.author_id else "api",
        created_at=note.created_at,
    )


@router.post(
    "/{order_ref}/notes", status_code=201, response_model=NoteOut, responses=error_responses(404, 422)
)
def add_note(
    order_ref: OrderRef,
    data: OrderNoteIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """Keep a note on the order, in its timeline; notes are never edited (write another)."""

    def produce(uow):  # type: ignore[no-untyped-def]
        order = service.find_order(uow, merchant_id, order_ref)
        note = notes.add_note(
            uow, merchant_id, order.id, data.body, author_name=data.author or notes.API_AUTHOR
        )
        return 201, note_out(note, order.number)

    return idempotent_write(request, db, merchant_id, data, produce)


@router.get("/{order_ref}/notes", response_model=NotePage, responses=error_responses(404, 422))
def list_notes(
    order_ref: OrderRef,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    """The order's notes, oldest first."""
    with db.uow(write=False) as uow:
        order = service.find_order(uow, merchant_id, order_ref)
        page = notes.note_page(uow, merchant_id, order.id, cursor, limit)
        return json_response(
            NotePage(items=[note_out(n, order.number) for n in page.items], next_cursor=page.next_cursor)
        )
