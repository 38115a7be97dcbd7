"""Reorder suggestions in the dashboard: the SKUs that run out before their next inbound, with a
suggested quantity and supplier; tick them, adjust quantities, and one button drafts the
purchase orders (one per supplier, warehouse and currency), as the API's
``POST /api/v1/reorder-suggestions/draft-purchase-orders`` does."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordertrack.api.transactions import in_transaction
from ordertrack.catalog import service as catalog_service
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.errors import OrdertrackError
from ordertrack.suppliers import history, reorder, service
from ordertrack.suppliers.replenishment import REVIEW_DAYS, SAFETY_DAYS, SALES_WINDOW_DAYS
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, page, staff_form
from ordertrack.web.dashboard.supplier_pages import BadSupplierQuery, query_param
from ordertrack.web.forms import Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

# Rows on one page: each row posts five fields, well inside the form's field limit.
PAGE_SIZE = 50


def _filters(request: Request) -> dict[str, str]:
    return {
        "warehouse": query_param(request, "warehouse", 32),
        "supplier": query_param(request, "supplier"),
        "all": "1" if query_param(request, "all", 5) in ("1", "on", "true") else "",
    }


def _page(
    request: Request, staff: Staff, filters: dict[str, str], *, error: str = "", status_code: int = 200
) -> Response:
    start = query_param(request, "start", 9)
    if start and not start.isdigit():
        raise BadSupplierQuery("start is a row number")
    offset = int(start or 0)
    with database(request).uow(write=False) as uow:
        found = reorder.suggestions(
            uow,
            staff.merchant_id,
            warehouse=filters["warehouse"] or None,
            supplier_id=filters["supplier"] or None,
            everything=bool(filters["all"]),
        )
        shown = found[offset : offset + PAGE_SIZE]
        names = catalog_service.product_names(uow, staff.merchant_id, {s.sku for s in shown})
        warehouses = inventory_service.list_warehouses(uow, staff.merchant_id)
        suppliers = sorted(
            service.supplier_page(uow, staff.merchant_id, None, 200).items, key=lambda s: s.name.lower()
        )
    kept = {k: v for k, v in filters.items() if v}
    more = offset + PAGE_SIZE < len(found)
    return page(
        request,
        staff,
        "dashboard/reorder.html",
        {
            "rows": shown,
            "names": names,
            "warehouses": warehouses,
            "suppliers": suppliers,
            "filters": filters,
            "total": len(found),
            "offset": offset,
            "next_query": kept | {"start": str(offset + PAGE_SIZE)} if more else None,
            "first_query": kept if offset else None,
            "error": error,
            "window_days": SALES_WINDOW_DAYS,
            "review_days": REVIEW_DAYS,
            "safety_days": SAFETY_DAYS,
        },
        status_code=status_code,
        section="reorder",
    )


@router.get("/reorder")
def reorder_page(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    return _page(request, staff, _filters(request))


def _selections(form: Form) -> list[reorder.Selection]:
    picked = form.fields.get("pick", [])
    selections = []
    for index in picked[:PAGE_SIZE]:
        if not index.isdigit():
            raise BadSupplierQuery("the selection could not be read")
        quantity_text = form.text(f"quantity_{index}", 12)
        if quantity_text and not quantity_text.isdigit():
            raise BadSupplierQuery(f"the quantity for {form.text(f'sku_{index}', 64)} must be a whole number")
        quantity = int(quantity_text) if quantity_text else None
        if quantity is not None and quantity < 1:
            raise BadSupplierQuery(f"the quantity for {form.text(f'sku_{index}', 64)} must be at least 1")
        selections.append(
            reorder.Selection(
                sku=form.text(f"sku_{index}", 64),
                warehouse=form.text(f"warehouse_{index}", 32),
                quantity=quantity,
                supplier_id=form.text(f"supplier_{index}", 64) or None,
            )
        )
    return selections


@router.post("/reorder/draft")
def draft_purchase_orders(request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, form = posted
    filters = {"warehouse": form.text("warehouse", 32), "supplier": form.text("supplier", 64), "all": ""}
    try:
        selections = _selections(form)
        if not selections:
            raise BadSupplierQuery("tick the suggestions to order first")
        actor = history.staff_actor(staff.email)
        drafts: list[tuple[str, str]] = in_transaction(
            database(request),
            lambda uow: [
                (po.id, po.number)
                for po in reorder.draft_purchase_orders(uow, staff.merchant_id, selections, actor=actor)
            ],
        )
    except OrdertrackError as refused:
        if refused.status_code >= 500:
            raise
        return _page(request, staff, filters, error=refused.message, status_code=refused.status_code)
    if len(drafts) == 1:
        return RedirectResponse(f"/dashboard/purchase-orders/{drafts[0][0]}?done=created", status_code=303)
    return RedirectResponse("/dashboard/purchase-orders?status=draft", status_code=303)
