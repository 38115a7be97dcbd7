"""Pick lists and the low-stock list in the dashboard: the same lists the API gives
(``GET /api/v1/warehouses/{code}/pick-list``, ``GET /api/v1/stock?low=true``), as pages to
read or print, and as CSV to open in a spreadsheet or hand to a scanner app."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ordertrack.catalog import service as catalog_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory import reservations
from ordertrack.inventory import service as inventory_service
from ordertrack.inventory.rules import PickLine
from ordertrack.inventory.rules import pick_list as walk_pick_list
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.orders import service as orders_service
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, page

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)


class BadWarehouse(OrdertrackError):
    status_code = 400
    code = "bad_warehouse"


def _warehouse_param(request: Request) -> str:
    value = request.query_params.get("warehouse", "").strip()
    if len(value) > 32 or any(ord(ch) < 32 for ch in value):
        raise BadWarehouse("that is not a warehouse code")
    return value


def _pick_lines(uow: UnitOfWork, merchant_id: str, code: str) -> list[PickLine]:
    _warehouse, held = reservations.held_at_warehouse(uow, merchant_id, code)
    orders = orders_service.orders_by_id(uow, merchant_id, {units.order_id for units in held})
    return walk_pick_list(held, {order_id: order.number for order_id, order in orders.items()})


def _csv(name: str, header: list[str], rows: list[list[Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        # A cell a spreadsheet would read as a formula is written as text (CSV injection).
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/inventory/pick-list")
def pick_list(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    code = _warehouse_param(request)
    with database(request).uow(write=False) as uow:
        warehouses = inventory_service.list_warehouses(uow, staff.merchant_id)
        if not code and warehouses:
            code = warehouses[0].code
        lines = _pick_lines(uow, staff.merchant_id, code) if code else []
        names = catalog_service.product_names(uow, staff.merchant_id, {line.sku for line in lines})
    return page(
        request,
        staff,
        "dashboard/pick_list.html",
        {
            "warehouses": warehouses,
            "code": code,
            "lines": lines,
            "names": names,
            "units": sum(line.quantity for line in lines),
            "order_count": len({o[0] for line in lines for o in line.orders}),
            "generated_at": utcnow(),
        },
        section="pick_lists",
    )


@router.get("/inventory/pick-list.csv")
def pick_list_csv(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    code = _warehouse_param(request)
    if not code:
        raise BadWarehouse("say which warehouse: ?warehouse=CODE")
    with database(request).uow(write=False) as uow:
        lines = _pick_lines(uow, staff.merchant_id, code)
        names = catalog_service.product_names(uow, staff.merchant_id, {line.sku for line in lines})
    rows = [
        [line.location or "", line.sku, names.get(line.sku, ""), line.quantity, number, quantity]
        for line in lines
        for _order_id, number, quantity in line.orders
    ]
    header = ["location", "sku", "name", "sku_total", "order", "quantity_for_order"]
    return _csv(f"pick-list-{code}.csv", header, rows)


def _low_rows(uow: UnitOfWork, merchant_id: str, warehouse: str) -> list[dict[str, Any]]:
    levels = inventory_service.list_stock(uow, merchant_id, sku=None, warehouse=warehouse or None, low=True)
    names = catalog_service.product_names(uow, merchant_id, {level.sku for level, _code in levels})
    return [
        {
            "sku": level.sku,
            "name": names.get(level.sku, ""),
            "warehouse": code,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "available": level.on_hand - level.reserved,
            "threshold": level.low_stock_threshold,
            "short": (level.low_stock_threshold or 0) - (level.on_hand - level.reserved),
            "location": level.location or "",
        }
        for level, code in levels
    ]


@router.get("/inventory/low-stock")
def low_stock(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    code = _warehouse_param(request)
    with database(request).uow(write=False) as uow:
        warehouses = inventory_service.list_warehouses(uow, staff.merchant_id)
        rows = _low_rows(uow, staff.merchant_id, code)
    return page(
        request,
        staff,
        "dashboard/low_stock.html",
        {"rows": rows, "warehouses": warehouses, "code": code},
        section="inventory",
    )


@router.get("/inventory/low-stock.csv")
def low_stock_csv(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    code = _warehouse_param(request)
    with database(request).uow(write=False) as uow:
        rows = _low_rows(uow, staff.merchant_id, code)
    header = [
        "sku",
        "name",
        "warehouse",
        "on_hand",
        "reserved",
        "available",
        "low_below",
        "short_by",
        "location",
    ]
    keys = ["sku", "name", "warehouse", "on_hand", "reserved", "available", "threshold", "short", "location"]
    return _csv("low-stock.csv", header, [[r[k] for k in keys] for r in rows])
