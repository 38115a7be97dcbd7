"""Attention items over HTTP: what needs a human, with filters."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit, OrderQuery, order_id_of, order_refs
from ordertrack.api.transactions import json_response
from ordertrack.attention import service
from ordertrack.attention.schemas import AttentionPage, KindName, item_out
from ordertrack.db.uow import Database
from ordertrack.kit.pagination import Cursor
from ordertrack.kit.schema import error_responses

router = APIRouter(prefix="/api/v1", tags=["attention"])


@router.get("/attention", response_model=AttentionPage, responses=error_responses(404, 422))
def list_attention(
    state: Annotated[Literal["open", "closed", "all"], Query()] = "open",
    kind: Annotated[KindName | None, Query()] = None,
    order: OrderQuery = None,
    shipment_id: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Shipments in trouble, newest first: open ones by default; each closes by itself when the
    shipment moves on (see docs/delivery-dates.md)."""
    with db.uow(write=False) as uow:
        order_id = order_id_of(uow, merchant_id, order)
        page = service.list_items(
            uow,
            merchant_id,
            state=None if state == "all" else state,
            kind=kind,
            order_id=order_id,
            shipment_id=shipment_id,
            cursor=cursor,
            limit=limit,
        )
        orders = order_refs(uow, merchant_id, (i.order_id for i in page.items))
        items = [item_out(i, orders[i.order_id].number) for i in page.items]
        return json_response(AttentionPage(items=items, next_cursor=page.next_cursor))
