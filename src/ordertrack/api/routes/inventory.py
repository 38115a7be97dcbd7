"""Warehouse and stock endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit, order_refs
from ordertrack.api.transactions import idempotent_write, in_transaction, json_response
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.inventory import reservations, service
from ordertrack.inventory.model import StockLevel, Warehouse
from ordertrack.inventory.rules import pick_list as walk_pick_list
from ordertrack.inventory.schemas import (
    STOCK_CURSOR,
    WAREHOUSE_CURSOR,
    PickLineOut,
    PickListOut,
    PickOrderOut,
    StockAdjustmentIn,
    StockLevelOut,
    StockMovementOut,
    StockMovementPage,
    StockPage,
    StockReceiptIn,
    StockSetIn,
    WarehouseIn,
    WarehouseOut,
    WarehousePage,
)
from ordertrack.kit.clock import utcnow
from ordertrack.kit.pagination import NumberCursor
from ordertrack.kit.schema import AddressOut, OrderRef, WarehouseRef, error_responses
from ordertrack.orders import service as orders_service

router = APIRouter(prefix="/api/v1", tags=["inventory"])

Code = Annotated[str, Path(min_length=1, max_length=32, description="warehouse code")]
WarehouseCodePath = Annotated[str, Path(min_length=1, max_length=32, description="the warehouse's code")]
SkuPath = Annotated[str, Path(min_length=1, max_length=64)]
ACTOR = "api"


def warehouse_out(warehouse: Warehouse) -> WarehouseOut:
    return WarehouseOut(
        id=warehouse.id,
        code=warehouse.code,
        name=warehouse.name,
        address=AddressOut(
            name=warehouse.name,
            line1=warehouse.line1,
            line2=warehouse.line2,
            city=warehouse.city,
            region=warehouse.region,
            postal_code=warehouse.postal_code,
            country=warehouse.country,
        ),
        timezone=warehouse.timezone,
        cutoff_time=warehouse.cutoff_time,
        processing_days=[int(d) for d in warehouse.processing_days.split(",")],
        priority=warehouse.priority,
        latitude=warehouse.latitude,
        longitude=warehouse.longitude,
        created_at=warehouse.created_at,
    )


def level_out(level: StockLevel, code: str) -> StockLevelOut:
    return StockLevelOut(
        warehouse=WarehouseRef(code=code),
        sku=level.sku,
        location=level.location,
        on_hand=level.on_hand,
        reserved=level.reserved,
        available=level.on_hand - level.reserved,
        low_stock_threshold=level.low_stock_threshold,
        below_threshold=level.below_threshold,
        updated_at=level.updated_at,
    )


@router.post("/warehouses", status_code=201, response_model=WarehouseOut, responses=error_responses(409))
def create_warehouse(
    data: WarehouseIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    return idempotent_write(
        request,
        db,
        merchant_id,
        data,
        lambda uow: (201, warehouse_out(service.create_warehouse(uow, merchant_id, data))),
    )


@router.get("/warehouses", response_model=WarehousePage, responses=error_responses(422))
def list_warehouses(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    cursor: Annotated[str, WAREHOUSE_CURSOR.query()] = None,
    limit: Limit = DEFAULT,
) -> Response:
    """The warehouses in the order stock is taken from them: priority, then code."""
    with db.uow(write=False) as uow:
        page = service.warehouse_page(uow, merchant_id, cursor, limit)
        return json_response(
            WarehousePage(items=[warehouse_out(w) for w in page.items], next_cursor=page.next_cursor)
        )


def _stock_write(db: Database, merchant_id: str, warehouse: str, change) -> Response:  # type: ignore[no-untyped-def]
    def work(uow: UnitOfWork) -> StockLevelOut:
        return level_out(change(uow), warehouse)

    return json_response(in_transaction(db, work))


@router.put("/stock/{warehouse}/{sku}", response_model=StockLevelOut, responses=error_responses(404, 409))
def set_stock(
    warehouse: WarehouseCodePath,
    sku: SkuPath,
    data: StockSetIn,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Set the counted on-hand quantity (an adjustment in the ledger), the low-stock threshold
    and the bin location. Never below what is reserved (409 insufficient_stock)."""
    return _stock_write(
        db,
        merchant_id,
        warehouse,
        lambda uow: service.set_stock(
            uow,
            merchant_id,
            warehouse,
            sku,
            data.on_hand,
            threshold=data.low_stock_threshold,
            location=data.location,
            actor=ACTOR,
            reason=data.reason,
        ),
    )


@router.post(
    "/stock/{warehouse}/{sku}/receipts", response_model=StockLevelOut, responses=error_responses(404, 409)
)
def receive_stock(
    warehouse: WarehouseCodePath,
    sku: SkuPath,
    data: StockReceiptIn,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Goods arrived: on_hand grows and waiting backorders are filled, oldest order first. A
    level holds at most 2,147,483,647 units (422 stock_out_of_range beyond)."""
    return _stock_write(
        db,
        merchant_id,
        warehouse,
        lambda uow: service.receive_stock(
            uow, merchant_id, warehouse, sku, data.quantity, actor=ACTOR, reason=data.reason
        ),
    )


@router.post(
    "/stock/{warehouse}/{sku}/adjustments", response_model=StockLevelOut, responses=error_responses(404, 409)
)
def adjust_stock(
    warehouse: WarehouseCodePath,
    sku: SkuPath,
    data: StockAdjustmentIn,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Correct on_hand by a signed delta (damage, loss, found stock), with the reason. A level
    holds at most 2,147,483,647 units (422 stock_out_of_range beyond)."""
    return _stock_write(
        db,
        merchant_id,
        warehouse,
        lambda uow: service.adjust_stock(
            uow, merchant_id, warehouse, sku, data.delta, actor=ACTOR, reason=data.reason
        ),
    )


@router.get("/stock", response_model=StockPage, responses=error_responses(422))
def list_stock(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    sku: Annotated[str | None, Query(max_length=64)] = None,
    warehouse: Annotated[str | None, Query(max_length=32, description="a warehouse code")] = None,
    low: Annotated[bool | None, Query(description="only levels below their low-stock threshold")] = None,
    cursor: Annotated[str, STOCK_CURSOR.query()] = None,
    limit: Limit = DEFAULT,
) -> Response:
    """Stock levels by SKU."""
    with db.uow(write=False) as uow:
        page = service.stock_page(
            uow, merchant_id, sku=sku, warehouse=warehouse, low=low, cursor=cursor, limit=limit
        )
        return json_response(
            StockPage(
                items=[level_out(level, code) for level, code in page.items], next_cursor=page.next_cursor
            )
        )


@router.get("/stock/movements", response_model=StockMovementPage, responses=error_responses(422))
def list_movements(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    sku: Annotated[str | None, Query(max_length=64)] = None,
    warehouse: Annotated[str | None, Query(max_length=32, description="a warehouse code")] = None,
    cursor: NumberCursor = None,
    limit: Limit = DEFAULT,
) -> Response:
    """The ledger, newest first."""
    with db.uow(write=False) as uow:
        page = service.movement_page(
            uow, merchant_id, sku=sku, warehouse=warehouse, cursor=cursor, limit=limit
        )
        orders = order_refs(uow, merchant_id, (m.order_id for m, _code in page.items))
        items = [
            StockMovementOut(
                id=m.id,
                warehouse=WarehouseRef(code=code),
                sku=m.sku,
                kind=m.kind,
                on_hand_delta=m.on_hand_delta,
                reserved_delta=m.reserved_delta,
                order=orders.get(m.order_id or ""),
                actor=m.actor,
                reason=m.reason,
                created_at=m.created_at,
            )
            for m, code in page.items
        ]
        return json_response(StockMovementPage(items=items, next_cursor=page.next_cursor))


@router.get("/warehouses/{code}/pick-list", response_model=PickListOut, responses=error_responses(404))
def pick_list(
    code: Code, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """Everything reserved at the warehouse and not yet shipped, in walking order, with its orders."""
    with db.uow(write=False) as uow:
        warehouse, held = reservations.held_at_warehouse(uow, merchant_id, code)
        orders = orders_service.orders_by_id(uow, merchant_id, {units.order_id for units in held})
        lines = walk_pick_list(held, {order_id: order.number for order_id, order in orders.items()})
    return json_response(
        PickListOut(
            warehouse=WarehouseRef(code=warehouse.code),
            generated_at=utcnow(),
            lines=[
                PickLineOut(
                    sku=line.sku,
                    location=line.location,
                    quantity=line.quantity,
                    orders=[
                        PickOrderOut(order=OrderRef(id=o, number=n), quantity=q) for o, n, q in line.orders
                    ],
                )
                for line in lines
            ],
        )
    )
