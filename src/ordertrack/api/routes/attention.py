"""Attention items over HTTP: what needs a human, with filters, and the workflow on each item
(assign, acknowledge, note, message the shopper, open a carrier claim, resolve)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit, OrderQuery, order_id_of, order_refs
from ordertrack.api.transactions import idempotent_write, json_response
from ordertrack.attention import claims as claims_service
from ordertrack.attention import repository as attention_repository
from ordertrack.attention import workflow
from ordertrack.attention.prepared import prepared_message
from ordertrack.attention.schemas import (
    AssignIn,
    AttentionItemDetail,
    AttentionNoteIn,
    AttentionPage,
    ClaimIn,
    ClaimOut,
    ClaimPage,
    ClaimStatusName,
    ClaimUpdateIn,
    KindName,
    MessageIn,
    ResolveIn,
    activity_out,
    claim_out,
    item_out,
)
from ordertrack.customers import service as customers_service
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import NotFound
from ordertrack.kit.pagination import Cursor
from ordertrack.kit.schema import error_responses
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service

router = APIRouter(prefix="/api/v1", tags=["attention"])

# What the API key's actions are signed with in an item's history.
API_ACTOR = workflow.Actor(None, "API")
ItemId = Annotated[str, Path(min_length=1, max_length=32)]


class UnknownParcel(NotFound):
    code = "parcel_not_found"


@router.get("/attention", response_model=AttentionPage, responses=error_responses(404, 422))
def list_attention(
    state: Annotated[
        Literal["open", "acknowledged", "active", "resolved", "closed", "all"],
        Query(description="active (default): open or acknowledged; closed is resolved"),
    ] = "active",
    kind: Annotated[KindName | None, Query()] = None,
    assignee: Annotated[
        str | None, Query(min_length=1, max_length=32, description="a staff id, or 'unassigned'")
    ] = None,
    older_than: Annotated[
        Literal["1d", "3d", "7d"] | None, Query(description="opened at least this long ago")
    ] = None,
    order: OrderQuery = None,
    shipment_id: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Shipments in trouble, newest first: open and acknowledged ones by default. An item closes
    by itself when the shipment moves on (see docs/delivery-dates.md), or staff resolve it."""
    filters = workflow.Filters(
        state="resolved" if state == "closed" else state,
        kind=kind,
        assignee=assignee,
        older_than=workflow.AGES[older_than] if older_than else None,
    )
    with db.uow(write=False) as uow:
        order_id = order_id_of(uow, merchant_id, order)
        page = attention_repository.filtered_page(
            uow,
            merchant_id,
            filters,
            order_id=order_id,
            shipment_id=shipment_id,
            now=utcnow(),
            cursor=cursor,
            limit=limit,
        )
        orders = order_refs(uow, merchant_id, (i.order_id for i in page.items))
        items = [item_out(i, orders[i.order_id].number) for i in page.items]
        return json_response(AttentionPage(items=items, next_cursor=page.next_cursor))


def item_detail(uow: UnitOfWork, merchant_id: str, item_id: str) -> AttentionItemDetail:
    """One item with its history, its claims and the text to write to the shopper from."""
    item = workflow.get_item(uow, merchant_id, item_id)
    order = orders_service.find_order(uow, merchant_id, item.order_id)
    customer = (
        customers_service.get_customers(uow, merchant_id, {order.customer_id}).get(order.customer_id)
        if order.customer_id
        else None
    )
    base = item_out(item, order.number)
    return AttentionItemDetail(
        **base.model_dump(),
        history=[activity_out(a) for a in workflow.history(uow, merchant_id, item.id)],
        claims=[
            claim_out(c, order.number)
            for c in claims_service.claims_of_items(uow, merchant_id, [item.id])[item.id]
        ],
        prepared_message=prepared_message(
            item.kind, customer.locale if customer else None, order.number, detail=item.detail
        ),
    )


@router.get("/attention/{item_id}", response_model=AttentionItemDetail, responses=error_responses(404))
def get_attention_item(
    item_id: ItemId, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """One item: its state, assignee, history (notes, messages, claims, closing) and claims."""
    with db.uow(write=False) as uow:
        return json_response(item_detail(uow, merchant_id, item_id))


def _act(
    request: Request,
    db: Database,
    merchant_id: str,
    data: BaseModel | None,
    act: Callable[[UnitOfWork], object],
) -> JSONResponse:
    def produce(uow: UnitOfWork) -> tuple[int, BaseModel]:
        act(uow)
        uow.settle()
        item_id = request.path_params["item_id"]
        return 200, item_detail(uow, merchant_id, item_id)

    return idempotent_write(request, db, merchant_id, data, produce)


@router.post(
    "/attention/{item_id}/assign",
    response_model=AttentionItemDetail,
    responses=error_responses(404, 409, 422),
)
def assign(
    item_id: ItemId,
    data: AssignIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """Give the item to a staff member of this merchant (`404 staff_not_found` for anyone
    else), or to nobody (`null`)."""
    return _act(
        request,
        db,
        merchant_id,
        data,
        lambda uow: workflow.assign(uow, merchant_id, item_id, data.assignee_id, API_ACTOR, now=utcnow()),
    )


@router.post(
    "/attention/{item_id}/acknowledge",
    response_model=AttentionItemDetail,
    responses=error_responses(404, 409),
)
def acknowledge(
    item_id: ItemId,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """open -> acknowledged; `409 invalid_attention_transition` when it is acknowledged already,
    `409 attention_item_closed` when it is resolved."""
    return _act(
        request,
        db,
        merchant_id,
        None,
        lambda uow: workflow.acknowledge(uow, merchant_id, item_id, API_ACTOR, now=utcnow()),
    )


@router.post(
    "/attention/{item_id}/notes", response_model=AttentionItemDetail, responses=error_responses(404, 422)
)
def add_note(
    item_id: ItemId,
    data: AttentionNoteIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """A note on the item's history (a resolved item takes notes too)."""
    return _act(
        request,
        db,
        merchant_id,
        data,
        lambda uow: workflow.add_note(uow, merchant_id, item_id, data.text, API_ACTOR, now=utcnow()),
    )


@router.post(
    "/attention/{item_id}/messages", response_model=AttentionItemDetail, responses=error_responses(404, 422)
)
def message_shopper(
    item_id: ItemId,
    data: MessageIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """Send the shopper this text (start from the item's `prepared_message`) through the
    notification outbox: their email unless they opted out, their SMS numbers, and the
    `shipment.shopper_messaged` webhook. Kept on the item's history."""
    return _act(
        request,
        db,
        merchant_id,
        data,
        lambda uow: workflow.message_shopper(uow, merchant_id, item_id, data.text, API_ACTOR, now=utcnow()),
    )


@router.post(
    "/attention/{item_id}/resolve",
    response_model=AttentionItemDetail,
    responses=error_responses(404, 409, 422),
)
def resolve(
    item_id: ItemId,
    data: ResolveIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """open or acknowledged -> resolved, with a reason (and a note; required for `other`). The
    same problem does not open again while it lasts; if it ends and comes back, that is a new item."""
    return _act(
        request,
        db,
        merchant_id,
        data,
        lambda uow: workflow.resolve(
            uow, merchant_id, item_id, data.reason, data.note, API_ACTOR, now=utcnow()
        ),
    )


def open_claim_for(
    uow: UnitOfWork,
    merchant_id: str,
    item_id: str,
    actor: workflow.Actor,
    *,
    reason: str,
    tracking_number: str | None,
    amount: object,
    currency: str | None,
    reference: str | None,
) -> str:
    """Open a claim for the item's parcel (the one named, else the shipment's first); its id."""
    item = workflow.get_item(uow, merchant_id, item_id)
    shipment = shipments_service.get_shipment(uow, merchant_id, item.shipment_id)
    numbers = [p.tracking_number for p in shipment.parcels]
    number = tracking_number or (numbers[0] if numbers else "")
    if not number or number not in numbers:
        raise UnknownParcel(f"{tracking_number!r} is not a parcel of this shipment")
    claim = claims_service.open_claim(
        uow,
        merchant_id,
        item_id,
        carrier=shipment.carrier,
        tracking_number=number,
        reason=reason,
        amount=amount,  # type: ignore[arg-type]
        currency=currency,
        reference=reference,
        actor=actor,
        now=utcnow(),
    )
    return claim.id


@router.post(
    "/attention/{item_id}/claims",
    status_code=201,
    response_model=AttentionItemDetail,
    responses=error_responses(404, 422),
)
def open_claim(
    item_id: ItemId,
    data: ClaimIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """Record a claim with the carrier for the item's parcel (status `open`); the item's `claims`
    list it, and `GET /api/v1/claims` lists them all."""

    def produce(uow: UnitOfWork) -> tuple[int, BaseModel]:
        open_claim_for(
            uow,
            merchant_id,
            item_id,
            API_ACTOR,
            reason=data.reason,
            tracking_number=data.tracking_number,
            amount=data.amount,
            currency=data.currency,
            reference=data.reference,
        )
        return 201, item_detail(uow, merchant_id, item_id)

    return idempotent_write(request, db, merchant_id, data, produce)


@router.get("/claims", response_model=ClaimPage, responses=error_responses(422))
def list_claims(
    status: Annotated[ClaimStatusName | None, Query()] = None,
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Carrier claims, newest first."""
    with db.uow(write=False) as uow:
        page = attention_repository.claims_page(uow, merchant_id, status=status, cursor=cursor, limit=limit)
        orders = order_refs(uow, merchant_id, (c.order_id for c in page.items))
        return json_response(
            ClaimPage(
                items=[claim_out(c, orders[c.order_id].number) for c in page.items],
                next_cursor=page.next_cursor,
            )
        )


@router.patch("/claims/{claim_id}", response_model=ClaimOut, responses=error_responses(404, 409, 422))
def update_claim(
    claim_id: Annotated[str, Path(min_length=1, max_length=32)],
    data: ClaimUpdateIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """Move a claim on (open -> submitted -> settled; `409` backwards) and note the carrier's reference."""

    def produce(uow: UnitOfWork) -> tuple[int, BaseModel]:
        claim = claims_service.update_claim(
            uow,
            merchant_id,
            claim_id,
            status=data.status,
            reference=data.reference,
            actor=API_ACTOR,
            now=utcnow(),
        )
        order = orders_service.find_order(uow, merchant_id, claim.order_id)
        return 200, claim_out(claim, order.number)

    return idempotent_write(request, db, merchant_id, data, produce)
