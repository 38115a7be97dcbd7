"""Supplier endpoints: suppliers, and their terms for the merchant's SKUs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit
from ordertrack.api.transactions import idempotent_write, in_transaction, json_response
from ordertrack.db.uow import Database
from ordertrack.kit.pagination import Cursor
from ordertrack.kit.schema import AddressOut, Sku, error_responses
from ordertrack.suppliers import service
from ordertrack.suppliers.model import Supplier, SupplierSku
from ordertrack.suppliers.schemas import (
    SUPPLIER_SKU_CURSOR,
    SupplierIn,
    SupplierOut,
    SupplierPage,
    SupplierSkuIn,
    SupplierSkuOut,
    SupplierSkuPage,
)

router = APIRouter(prefix="/api/v1/suppliers", tags=["suppliers"])

SupplierId = Annotated[str, Path(min_length=1, max_length=64, description="the supplier's id")]
SkuPath = Annotated[Sku, Path(description="the merchant's SKU")]


def supplier_out(supplier: Supplier) -> SupplierOut:
    return SupplierOut(
        id=supplier.id,
        name=supplier.name,
        email=supplier.email,
        phone=supplier.phone,
        address=AddressOut(
            name=supplier.name,
            line1=supplier.line1,
            line2=supplier.line2,
            city=supplier.city,
            region=supplier.region,
            postal_code=supplier.postal_code,
            country=supplier.country,
        ),
        timezone=supplier.timezone,
        lead_time_days=supplier.lead_time_days,
        holiday_country=supplier.holiday_country,
        holiday_subdivision=supplier.holiday_subdivision,
        created_at=supplier.created_at,
        updated_at=supplier.updated_at,
    )


def term_out(term: SupplierSku) -> SupplierSkuOut:
    return SupplierSkuOut.model_validate(term)


@router.post("", status_code=201, response_model=SupplierOut, responses=error_responses(409))
def create_supplier(
    data: SupplierIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    return idempotent_write(
        request,
        db,
        merchant_id,
        data,
        lambda uow: (201, supplier_out(service.create_supplier(uow, merchant_id, data))),
    )


@router.get("", response_model=SupplierPage, responses=error_responses(422))
def list_suppliers(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    cursor: Cursor = None,
    limit: Limit = DEFAULT,
) -> Response:
    """The merchant's suppliers, newest first."""
    with db.uow(write=False) as uow:
        page = service.supplier_page(uow, merchant_id, cursor, limit)
        return json_response(
            SupplierPage(items=[supplier_out(s) for s in page.items], next_cursor=page.next_cursor)
        )


@router.get("/{supplier_id}", response_model=SupplierOut, responses=error_responses(404))
def get_supplier(
    supplier_id: SupplierId, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    with db.uow(write=False) as uow:
        return json_response(supplier_out(service.find_supplier(uow, merchant_id, supplier_id)))


@router.put("/{supplier_id}", response_model=SupplierOut, responses=error_responses(404, 409))
def update_supplier(
    supplier_id: SupplierId,
    data: SupplierIn,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Replace the supplier's details: a field left out takes its default."""
    return json_response(
        in_transaction(
            db, lambda uow: supplier_out(service.update_supplier(uow, merchant_id, supplier_id, data))
        )
    )


@router.get("/{supplier_id}/skus", response_model=SupplierSkuPage, responses=error_responses(404, 422))
def list_supplier_skus(
    supplier_id: SupplierId,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    cursor: Annotated[str, SUPPLIER_SKU_CURSOR.query()] = None,
    limit: Limit = DEFAULT,
) -> Response:
    """What the supplier calls each of the merchant's SKUs and what it costs, by SKU."""
    with db.uow(write=False) as uow:
        page = service.supplier_sku_page(uow, merchant_id, supplier_id, cursor, limit)
        return json_response(
            SupplierSkuPage(items=[term_out(t) for t in page.items], next_cursor=page.next_cursor)
        )


@router.put("/{supplier_id}/skus/{sku}", response_model=SupplierSkuOut, responses=error_responses(404))
def set_supplier_sku(
    supplier_id: SupplierId,
    sku: SkuPath,
    data: SupplierSkuIn,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """The supplier's name and unit cost for one of the merchant's SKUs (422 unknown_sku when the
    catalog has no such product)."""
    return json_response(
        in_transaction(
            db, lambda uow: term_out(service.set_supplier_sku(uow, merchant_id, supplier_id, sku, data))
        )
    )
