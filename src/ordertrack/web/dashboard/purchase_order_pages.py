"""Purchase orders in the dashboard: the list (by status and supplier, search by number), one
order's page (lines with what was ordered, confirmed, shipped, received and damaged and each
line's discrepancy; its inbound shipments with their parcels' tracking; counts; history) with
the actions its status allows, and the form for a new draft. The same services as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ordertrack.api.transactions import in_transaction
from ordertrack.catalog import service as catalog_service
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.links import SUPPLIER_LINK_LIFETIME, supplier_link_url
from ordertrack.purchasing import declaring, waiting
from ordertrack.suppliers import history, inbound_shipments, purchase_orders, rules, service
from ordertrack.suppliers import receipts as received
from ordertrack.suppliers.model import PurchaseOrder
from ordertrack.suppliers.rules import PurchaseOrderStatus
from ordertrack.suppliers.schemas import PurchaseOrderIn
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, page, staff_form
from ordertrack.web.dashboard.supplier_pages import BadSupplierQuery, field_errors, query_param, whole_number
from ordertrack.web.forms import Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

PAGE_SIZE = 25
BLANK_LINES = 5
MAX_FORM_LINES = 50


def _status_filter(request: Request) -> str | None:
    value = query_param(request, "status", 40)
    if value and value not in PurchaseOrderStatus.__members__:
        raise BadSupplierQuery(f"there is no purchase order status {value!r}")
    return value or None


@router.get("/purchase-orders")
def purchase_orders_list(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    status = _status_filter(request)
    supplier_id = query_param(request, "supplier") or None
    text = query_param(request, "q", 64)
    after = query_param(request, "after", 40) or None
    with database(request).uow(write=False) as uow:
        found = purchase_orders.purchase_order_page(
            uow,
            staff.merchant_id,
            status=status,
            supplier_id=supplier_id,
            cursor=after,
            limit=PAGE_SIZE,
            number_part=text or None,
        )
        suppliers = service.supplier_page(uow, staff.merchant_id, None, 200).items
        named = service.suppliers_by_id(uow, staff.merchant_id, {po.supplier_id for po in found.items})
        codes = {w.id: w.code for w in inventory_service.list_warehouses(uow, staff.merchant_id)}
    kept = {k: v for k, v in {"status": status, "supplier": supplier_id, "q": text}.items() if v}
    return page(
        request,
        staff,
        "dashboard/purchase_orders.html",
        {
            "orders": found.items,
            "named": named,
            "codes": codes,
            "suppliers": sorted(suppliers, key=lambda s: s.name.lower()),
            "statuses": list(PurchaseOrderStatus),
            "filters": {"status": status or "", "supplier": supplier_id or "", "q": text},
            "filtered": bool(kept),
            "older_query": kept | {"after": found.next_cursor} if found.next_cursor else None,
            "first_query": kept if after else None,
        },
        section="purchase_orders",
    )


def _line_rows(po: PurchaseOrder, discrepancies: list[received.LineDiscrepancy]) -> list[dict[str, Any]]:
    """Each line with its quantities and, in words, how what came differs from what was due."""
    by_no = {d.line_no: d for d in discrepancies}
    closed = po.status in (PurchaseOrderStatus.received, PurchaseOrderStatus.cancelled)
    rows = []
    for line in po.lines:
        facts = purchase_orders.line_facts(line)
        expected = facts.expected
        found = by_no.get(line.line_no)
        words = []
        if found is not None and found.over:
            words.append(f"{found.over} over")
        if line.damaged_quantity:
            words.append(f"{line.damaged_quantity} damaged")
        if found is not None and found.missing:
            words.append(f"{found.missing} missing from a shipment")
        short = expected - line.received_quantity - line.damaged_quantity
        if short > 0 and (line.short_closed_at is not None or closed) and po.status != "cancelled":
            words.append(f"{short} short")
        rows.append(
            {
                "line": line,
                "expected": expected,
                "discrepancy": ", ".join(words),
                "notes": found.notes if found is not None else [],
                "photos": found.photo_receipt_ids if found is not None else [],
                "open": not facts.received_in_full,
            }
        )
    return rows


def _said(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return ", ".join(
            f"{str(k).replace('_', ' ')} {_said(v)}" for k, v in value.items() if v not in (None, "")
        )
    if isinstance(value, list):
        return "; ".join(_said(v) for v in value)
    return str(value)


def details_text(details: dict[str, Any] | None) -> list[str]:
    """A history entry's details in words: "promised arrival date: — → 2026-12-16",
    "lines: sku NW-1, quantity 60; sku NW-2, quantity 48"; empty values left out."""
    said = []
    for key, value in (details or {}).items():
        if value in (None, "", [], {}):
            continue
        name = key.replace("_", " ")
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            said.append(f"{name}: {_said(value['from'])} → {_said(value['to'])}")
        else:
            said.append(f"{name}: {_said(value)}")
    return said


def order_context(request: Request, staff: Staff, ref: str) -> dict[str, Any]:
    with database(request).uow(write=False) as uow:
        po = purchase_orders.find_purchase_order(uow, staff.merchant_id, ref)
        supplier = service.find_supplier(uow, staff.merchant_id, po.supplier_id)
        codes = {w.id: w.code for w in inventory_service.list_warehouses(uow, staff.merchant_id)}
        asns = inbound_shipments.of_purchase_order(uow, staff.merchant_id, po.id)
        shipments = declaring.views(uow, staff.merchant_id, asns)
        receipts = received.receipts_of(uow, staff.merchant_id, purchase_order_id=po.id)
        changes = list(reversed(history.changes(uow, staff.merchant_id, po.id)))
        names = catalog_service.product_names(uow, staff.merchant_id, {line.sku for line in po.lines})
        lines = _line_rows(po, received.discrepancies(uow, staff.merchant_id, po))
        now = utcnow()
        # Customer orders whose backordered units this order's inbound will fill, oldest first.
        open_now = po.status not in (PurchaseOrderStatus.received, PurchaseOrderStatus.cancelled)
        waiting_lines = (
            waiting.waiting_orders(uow, staff.merchant_id, po.id, today=now.date()) if open_now else []
        )
    settings = request.app.state.settings
    # The supplier's own page for this order, for staff to send by other means than its email.
    link = None
    if po.sent_at is not None and po.cancelled_at is None:
        link = supplier_link_url(
            settings.public_url, settings.resolved_secret_key(), staff.merchant_id, po.id, now=now
        )
    status = PurchaseOrderStatus(po.status)
    line_nos = {line.id: line.line_no for line in po.lines}
    return {
        "po": po,
        "supplier": supplier,
        "warehouse_code": codes.get(po.warehouse_id, ""),
        "lines": lines,
        "names": names,
        "shipments": shipments,
        "receipts": receipts,
        "line_nos": line_nos,
        "changes": changes,
        "can": {action: status in allowed for action, allowed in rules.ALLOWED_ACTIONS.items()},
        "total_units": sum(row["expected"] for row in lines),
        "details_text": details_text,
        "action_words": history.action_words,
        "actor_words": history.actor_words,
        "supplier_link": link,
        "supplier_link_days": SUPPLIER_LINK_LIFETIME.days,
        "waiting": [
            {
                "line": line,
                "from_here": sum(i.quantity for i in line.incoming if i.purchase_order_id == po.id),
            }
            for line in waiting_lines
        ],
    }


@router.get("/purchase-orders/new")
def new_purchase_order(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    supplier_id = query_param(request, "supplier")
    wanted = query_param(request, "rows", 3)
    if wanted and not wanted.isdigit():
        raise BadSupplierQuery("rows is a number of lines")
    blank = [{} for _ in range(min(int(wanted or BLANK_LINES), MAX_FORM_LINES))]
    values: dict[str, Any] = {"supplier_id": supplier_id}
    if supplier_id:
        # The currency the supplier's costs are in, so lines without a cost can take them.
        with database(request).uow(write=False) as uow:
            try:
                terms = service.supplier_sku_page(uow, staff.merchant_id, supplier_id, None, 1).items
            except service.SupplierNotFound:
                terms = []
        if terms:
            values["currency"] = terms[0].currency
    return _new_form(request, staff, values, blank, {})


def _new_form(
    request: Request,
    staff: Staff,
    values: dict[str, Any],
    lines: list[dict[str, str]],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    with database(request).uow(write=False) as uow:
        suppliers = sorted(
            service.supplier_page(uow, staff.merchant_id, None, 200).items, key=lambda s: s.name.lower()
        )
        warehouses = inventory_service.list_warehouses(uow, staff.merchant_id)
    values.setdefault("number", f"PO-{utcnow():%Y%m%d-%H%M}")
    rows = lines + [{} for _ in range(max(0, BLANK_LINES - len(lines)))]
    return page(
        request,
        staff,
        "dashboard/purchase_order_new.html",
        {
            "suppliers": suppliers,
            "warehouses": warehouses,
            "values": values,
            "rows": rows[:MAX_FORM_LINES],
            "errors": errors,
        },
        status_code=status_code,
        section="purchase_orders",
    )


def _posted_lines(form: Form) -> list[dict[str, str]]:
    skus = form.fields.get("sku", [])
    quantities = form.fields.get("quantity", [])
    costs = form.fields.get("unit_cost", [])
    rows = []
    for index, sku in enumerate(skus[:MAX_FORM_LINES]):
        row = {
            "sku": sku.strip(),
            "quantity": quantities[index].strip() if index < len(quantities) else "",
            "unit_cost": costs[index].strip() if index < len(costs) else "",
        }
        if any(row.values()):
            rows.append(row)
    return rows


@router.post("/purchase-orders")
def create_purchase_order(request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, form = posted
    values = {
        "number": form.text("number", 64),
        "supplier_id": form.text("supplier_id", 64),
        "warehouse": form.text("warehouse", 32),
        "currency": form.text("currency", 3),
        "promised_ship_date": form.text("promised_ship_date", 10) or None,
        "promised_arrival_date": form.text("promised_arrival_date", 10) or None,
        "notes": form.get("notes").strip()[:4000] or None,
    }
    lines = _posted_lines(form)
    body = {
        **values,
        "lines": [
            {
                k: v
                for k, v in {
                    "sku": r["sku"],
                    "quantity": whole_number(r["quantity"]) if r["quantity"] else None,
                    "unit_cost": r["unit_cost"],
                }.items()
                if v
            }
            for r in lines
        ],
    }
    try:
        checked = PurchaseOrderIn.model_validate(body)
        po_id = in_transaction(
            database(request),
            lambda uow: (
                purchase_orders.create_purchase_order(
                    uow, staff.merchant_id, checked, actor=history.staff_actor(staff.email)
                ).id
            ),
        )
    except ValidationError as refused:
        return _new_form(request, staff, values, lines, field_errors(refused), 422)
    except OrdertrackError as refused:
        if refused.status_code >= 500:
            raise
        return _new_form(
            request,
            staff,
            values,
            lines,
            {refused.code.replace("_", " "): refused.message},
            refused.status_code,
        )
    return RedirectResponse(f"/dashboard/purchase-orders/{po_id}?done=created", status_code=303)


@router.get("/purchase-orders/{ref}")
def purchase_order_detail(ref: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    context = order_context(request, staff, ref)
    return page(request, staff, "dashboard/purchase_order.html", context, section="purchase_orders")


def _act(request: Request, staff: Staff, ref: str, done: str, action: Any) -> Response:
    po_id = in_transaction(database(request), lambda uow: action(uow).id)
    return RedirectResponse(f"/dashboard/purchase-orders/{po_id}?done={done}", status_code=303)


@router.post("/purchase-orders/{ref}/send")
def send(ref: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, _form = posted
    actor = history.staff_actor(staff.email)
    return _act(
        request,
        staff,
        ref,
        "sent",
        lambda uow: purchase_orders.send_purchase_order(uow, staff.merchant_id, ref, actor=actor),
    )


@router.post("/purchase-orders/{ref}/cancel")
def cancel(ref: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, form = posted
    if form.get("confirm") != "yes":
        raise BadSupplierQuery("confirm the cancellation with its button")
    actor = history.staff_actor(staff.email)
    return _act(
        request,
        staff,
        ref,
        "cancelled",
        lambda uow: purchase_orders.cancel_purchase_order(uow, staff.merchant_id, ref, actor=actor),
    )


@router.post("/purchase-orders/{ref}/lines/{line_no}/short-close")
def short_close(
    ref: str, line_no: int, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)
) -> Response:
    staff, form = posted
    reason = form.text("reason", 300) or None
    actor = history.staff_actor(staff.email)
    return _act(
        request,
        staff,
        ref,
        "short_closed",
        lambda uow: purchase_orders.short_close_line(
            uow, staff.merchant_id, ref, line_no, reason, actor=actor
        ),
    )
