"""Dashboard pages for orders: the searchable list, one order's page, attention, inventory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from ordertrack.api.transactions import in_transaction
from ordertrack.attention import service as attention_service
from ordertrack.attention.model import AttentionItem
from ordertrack.carriers.registry import carrier_names, connectors
from ordertrack.customers import service as customers_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.errors import OrdertrackError
from ordertrack.notifications import service as notifications_service
from ordertrack.orders import service as orders_service
from ordertrack.orders.status import OrderStatus
from ordertrack.shipments import service as shipments_service
from ordertrack.tracking import timeline as tracking_timeline
from ordertrack.web.dashboard import orders_export
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, page, staff_form
from ordertrack.web.dashboard.timeline import order_timeline
from ordertrack.web.forms import Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

PAGE_SIZE = 25


class BadQuery(OrdertrackError):
    status_code = 400
    code = "bad_query"


def _param(request: Request, name: str, max_length: int = 200) -> str:
    value = request.query_params.get(name, "").strip()
    if len(value) > max_length or any(ord(ch) < 32 for ch in value):
        raise BadQuery(f"the {name} filter is not valid")
    return value


def _day(request: Request, name: str, label: str) -> date | None:
    value = _param(request, name, 10)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadQuery(f"{label} must be a date like 2026-11-30") from None


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True)
class ListQuery:
    """The orders list's filters as the URL carries them (text as typed) and as the service
    takes them."""

    shown: dict[str, str]
    filters: orders_service.OrderFilters


def _list_query(request: Request) -> ListQuery:
    text = " ".join(_param(request, "q").split())
    status_text = _param(request, "status", 40)
    if status_text and status_text not in OrderStatus.__members__:
        raise BadQuery(f"there is no order status {status_text!r}")
    attention = _param(request, "attention", 5) in ("1", "on", "true")
    placed_from = _day(request, "from", "'Placed from'")
    placed_to = _day(request, "to", "'Placed to'")
    if placed_from and placed_to and placed_from > placed_to:
        raise BadQuery("'Placed from' must not be after 'Placed to'")
    shown = {
        "q": text,
        "status": status_text,
        "attention": "1" if attention else "",
        "from": placed_from.isoformat() if placed_from else "",
        "to": placed_to.isoformat() if placed_to else "",
    }
    filters = orders_service.OrderFilters(
        text=text or None,
        status=OrderStatus(status_text) if status_text else None,
        attention=True if attention else None,
        placed_from=_start_of(placed_from) if placed_from else None,
        placed_to=_start_of(placed_to) + timedelta(days=1) if placed_to else None,
    )
    return ListQuery(shown, filters)


@router.get("/orders")
def orders_list(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    query = _list_query(request)
    after = _param(request, "after", 40) or None
    before = None if after else _param(request, "before", 40) or None
    with database(request).uow(write=False) as uow:
        result = orders_service.search_orders(
            uow, staff.merchant_id, query.filters, after=after, before=before, limit=PAGE_SIZE, count=True
        )
        customers = customers_service.get_customers(
            uow, staff.merchant_id, {o.customer_id for o in result.items if o.customer_id}
        )
    kept = {k: v for k, v in query.shown.items() if v}
    return page(
        request,
        staff,
        "dashboard/orders.html",
        {
            "orders": result.items,
            "customers": customers,
            "totals": {
                o.id: sum((line.unit_price * line.quantity for line in o.lines), Decimal(0))
                for o in result.items
            },
            "filters": query.shown,
            "filtered": bool(kept),
            "statuses": list(OrderStatus),
            "total": result.total or 0,
            "older_query": kept | {"after": result.older} if result.older else None,
            "newer_query": kept | {"before": result.newer} if result.newer else None,
            "newest_query": kept if (after or before) else None,
            "export_query": kept,
        },
        section="orders",
    )


@router.get("/orders.csv")
def orders_csv(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    """Every order the list's filters let through (all pages), as a CSV file."""
    query = _list_query(request)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        orders_export.csv_chunks(database(request), staff.merchant_id, query.filters),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="orders-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )


def order_page_context(request: Request, staff: Staff, order_ref: str) -> dict[str, Any]:
    names = carrier_names()
    with database(request).uow(write=False) as uow:
        order = orders_service.find_order(uow, staff.merchant_id, order_ref)
        view = orders_service.order_view(uow, staff.merchant_id, order)
        parcel_numbers = {p.id: p.tracking_number for s in view.shipments for p in s.parcels}
        scans = tracking_timeline.events_for_parcels(uow, staff.merchant_id, list(parcel_numbers))
        zones = {w.code: w.timezone for w in inventory_service.list_warehouses(uow, staff.merchant_id)}
        notifications = notifications_service.log_for_order(uow, staff.merchant_id, order.id)
    timeline = order_timeline(view, [(parcel_numbers[pid], event) for pid, event in scans], zones, names)
    return {
        "order": view,
        "timeline": timeline,
        "notifications": notifications,
        "carrier_names": names,
        "tracking_pages": {
            p.tracking_number: connectors()[s.carrier].page_for(p.tracking_number)
            for s in view.shipments
            for p in s.parcels
            if s.carrier in connectors()
        },
        "can_ship": any(line.quantity_shipped < line.quantity for line in view.lines)
        and view.status not in (OrderStatus.cancelled,),
        "created": request.query_params.get("created", ""),
    }


@router.get("/orders/{order_ref}")
def order_detail(order_ref: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    if len(order_ref) > 64:
        raise BadQuery("that is not an order number")
    context = order_page_context(request, staff, order_ref)
    return page(request, staff, "dashboard/order.html", context, section="orders")


@router.post("/orders/{order_ref}/confirm")
def confirm(order_ref: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, _form = posted
    order_id = in_transaction(
        database(request),
        lambda uow: orders_service.confirm_order(uow, staff.merchant_id, order_ref, actor=staff.email).id,
    )
    return RedirectResponse(f"/dashboard/orders/{order_id}", status_code=303)


@router.post("/orders/{order_ref}/cancel")
def cancel(order_ref: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, _form = posted
    order_id = in_transaction(
        database(request),
        lambda uow: orders_service.cancel_order(uow, staff.merchant_id, order_ref, actor=staff.email).id,
    )
    return RedirectResponse(f"/dashboard/orders/{order_id}", status_code=303)


@dataclass(frozen=True)
class AttentionRow:
    """One open attention item as the page lists it."""

    item: AttentionItem
    order_number: str
    carrier: str | None


def read_attention(uow: UnitOfWork, merchant_id: str) -> list[AttentionRow]:
    """What the attention page shows: the open attention items (the one rule,
    ``attention.rules``, applied by the shipment checks), newest first."""
    items = attention_service.open_items(uow, merchant_id)
    orders = orders_service.orders_by_id(uow, merchant_id, {i.order_id for i in items})
    shipments = {
        s.id: s for s in shipments_service.shipments_by_id(uow, merchant_id, {i.shipment_id for i in items})
    }
    return [
        AttentionRow(
            item,
            orders[item.order_id].number if item.order_id in orders else item.order_id,
            shipments[item.shipment_id].carrier if item.shipment_id in shipments else None,
        )
        for item in items
    ]


@router.get("/attention")
def attention(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    with database(request).uow(write=False) as uow:
        rows = read_attention(uow, staff.merchant_id)
    return page(
        request,
        staff,
        "dashboard/attention.html",
        {"rows": rows, "carrier_names": carrier_names()},
        section="attention",
    )


@router.get("/inventory")
def inventory(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    warehouse = _param(request, "warehouse", 32)
    low_only = _param(request, "low", 5) in ("1", "on", "true")
    sku = _param(request, "sku", 64)
    with database(request).uow(write=False) as uow:
        warehouses = inventory_service.list_warehouses(uow, staff.merchant_id)
        levels = inventory_service.list_stock(
            uow,
            staff.merchant_id,
            sku=sku or None,
            warehouse=warehouse or None,
            low=True if low_only else None,
        )
    rows = [
        {
            "sku": level.sku,
            "warehouse": code,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "available": level.on_hand - level.reserved,
            "threshold": level.low_stock_threshold,
            "location": level.location,
            "low": level.below_threshold
            or (
                level.low_stock_threshold is not None
                and level.on_hand - level.reserved < level.low_stock_threshold
            ),
        }
        for level, code in levels
    ]
    return page(
        request,
        staff,
        "dashboard/inventory.html",
        {
            "rows": rows,
            "warehouses": warehouses,
            "filters": {"warehouse": warehouse, "low": "1" if low_only else "", "sku": sku},
            "low_count": sum(1 for r in rows if r["low"]),
        },
        section="inventory",
    )
