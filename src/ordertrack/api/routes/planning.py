"""Supplier performance and reorder suggestions (with their one action: draft purchase orders)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ordertrack.api.auth import api_actor, current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit
from ordertrack.api.routes.purchase_orders import views
from ordertrack.api.transactions import idempotent_write, json_response
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.pagination import NumberCursor, decode_cursor
from ordertrack.kit.schema import WarehouseRef, error_responses
from ordertrack.suppliers import performance, reorder
from ordertrack.suppliers.planning_schemas import (
    LeadTimeOut,
    RateOut,
    ReorderDraftIn,
    ReorderSuggestionOut,
    ReorderSuggestionPage,
    ReorderSupplierOut,
    SupplierPerformanceOut,
)
from ordertrack.suppliers.schemas import PurchaseOrderPage, SupplierRef
from ordertrack.suppliers.scoring import WINDOW_DAYS, LeadTime, Rate, Scorecard

performance_router = APIRouter(prefix="/api/v1/suppliers", tags=["suppliers"])
reorder_router = APIRouter(prefix="/api/v1/reorder-suggestions", tags=["reorder suggestions"])


def rate_out(rate: Rate) -> RateOut:
    return RateOut(rate=rate.value, numerator=rate.numerator, denominator=rate.denominator)


def lead_time_out(lead: LeadTime) -> LeadTimeOut:
    return LeadTimeOut(p50_days=lead.p50_days, p90_days=lead.p90_days, basis=lead.basis, samples=lead.samples)


def performance_out(supplier_id: str, name: str, card: Scorecard) -> SupplierPerformanceOut:
    return SupplierPerformanceOut(
        supplier=SupplierRef(id=supplier_id, name=name),
        window_days=WINDOW_DAYS,
        orders=card.orders,
        on_time=rate_out(card.on_time),
        fill=rate_out(card.fill),
        discrepancy=rate_out(card.discrepancy),
        lead_time=lead_time_out(card.lead_time),
    )


@performance_router.get(
    "/{supplier_id}/performance", response_model=SupplierPerformanceOut, responses=error_responses(404)
)
def supplier_performance(
    supplier_id: Annotated[str, Path(min_length=1, max_length=64, description="the supplier's id")],
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """On-time rate, lead time p50/p90, fill rate and discrepancy rate over the last 180 days."""
    with db.uow(write=False) as uow:
        supplier, card = performance.supplier_scorecard(uow, merchant_id, supplier_id)
        return json_response(performance_out(supplier.id, supplier.name, card))


def suggestion_out(s: reorder.Suggestion) -> ReorderSuggestionOut:
    supplier = None
    if s.supplier is not None and s.term is not None and s.lead_time is not None:
        supplier = ReorderSupplierOut(
            id=s.supplier.id,
            name=s.supplier.name,
            supplier_sku=s.term.supplier_sku,
            unit_cost=s.term.unit_cost,
            currency=s.term.currency,
            lead_time=lead_time_out(s.lead_time),
        )
    return ReorderSuggestionOut(
        sku=s.sku,
        warehouse=WarehouseRef(code=s.warehouse.code),
        on_hand=s.position.on_hand,
        reserved=s.position.reserved,
        backordered=s.position.backordered,
        available=s.advice.available,
        daily_sales=round(s.advice.daily_rate, 3),
        days_of_cover=None if s.advice.days_of_cover is None else round(s.advice.days_of_cover, 1),
        runs_out_on=s.advice.runs_out_on,
        inbound=s.position.inbound,
        next_inbound_on=s.position.next_inbound_on,
        runs_out_before_inbound=s.advice.runs_out_before_inbound,
        lead_days=s.lead_days,
        order_up_to=s.advice.order_up_to,
        suggested_quantity=s.advice.suggested_quantity,
        supplier=supplier,
    )


@reorder_router.get("", response_model=ReorderSuggestionPage, responses=error_responses(422))
def list_reorder_suggestions(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    warehouse: Annotated[
        str | None, Query(min_length=1, max_length=32, description="a warehouse code")
    ] = None,
    supplier_id: Annotated[
        str | None, Query(min_length=1, max_length=64, description="suggest this supplier where it can")
    ] = None,
    all: Annotated[
        bool, Query(description="every SKU with stock, sales or inbound, not only those to order")
    ] = False,
    cursor: NumberCursor = None,
    limit: Limit = DEFAULT,
) -> Response:
    """SKUs to reorder per warehouse, soonest to run out first: the recent rate of sales, days of
    cover, the next inbound, and a suggested quantity from the suggested supplier."""
    offset = int(decode_cursor(cursor, numbered=True) or 0)
    with db.uow(write=False) as uow:
        found = reorder.suggestions(
            uow, merchant_id, warehouse=warehouse, supplier_id=supplier_id, everything=all
        )
        items = found[offset : offset + limit]
        more = offset + limit < len(found)
        return json_response(
            ReorderSuggestionPage(
                items=[suggestion_out(s) for s in items], next_cursor=str(offset + limit) if more else None
            )
        )


@reorder_router.post(
    "/draft-purchase-orders",
    status_code=201,
    response_model=PurchaseOrderPage,
    responses=error_responses(409),
)
def draft_purchase_orders(
    data: ReorderDraftIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """The selected suggestions as draft purchase orders, one per supplier, warehouse and
    currency, at the supplier's costs; all or nothing (422 no_supplier_for_sku,
    nothing_to_order, unknown_warehouse)."""
    selections = [reorder.Selection(i.sku, i.warehouse, i.quantity, i.supplier_id) for i in data.items]

    def produce(uow: UnitOfWork) -> tuple[int, PurchaseOrderPage]:
        drafts = reorder.draft_purchase_orders(uow, merchant_id, selections, actor=actor)
        return 201, PurchaseOrderPage(items=views(uow, merchant_id, drafts), next_cursor=None)

    return idempotent_write(request, db, merchant_id, data, produce)
