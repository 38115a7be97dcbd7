"""Catalog endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.transactions import idempotent_write
from ordertrack.catalog import service
from ordertrack.catalog.schemas import ProductIn, ProductOut, ProductPage
from ordertrack.db.uow import Database
from ordertrack.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Cursor
from ordertrack.kit.schema import error_responses

router = APIRouter(prefix="/api/v1/products", tags=["catalog"])


@router.post("", status_code=201, response_model=ProductOut, responses=error_responses(409))
def create_product(
    data: ProductIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    return idempotent_write(
        request,
        db,
        merchant_id,
        data,
        lambda uow: (201, ProductOut.model_validate(service.create_product(uow, merchant_id, data))),
    )


@router.get("", response_model=ProductPage)
def list_products(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    sku: Annotated[str | None, Query(max_length=64)] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> ProductPage:
    with db.uow(write=False) as uow:
        page = service.list_products(uow, merchant_id, sku=sku, cursor=cursor, limit=limit)
        return ProductPage(
            items=[ProductOut.model_validate(p) for p in page.items], next_cursor=page.next_cursor
        )
