"""Receiving at the dock, in the dashboard, on a phone: scan or type the inbound shipment's
number or a tracking number, count each line, see the discrepancies before saving, then what
the counts did to stock and which waiting customer orders they filled.

Every signed-in staff member may receive (the dashboard's roles are owner and staff; both work
the dock). Each line's count is keyed by the form it came from (a token made when the form was
drawn), so a double tap, a resent form or a reload after saving counts once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrack.api.transactions import in_transaction
from ordertrack.catalog import service as catalog_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.documents import receiving_sheet
from ordertrack.inventory import repository as inventory_repository
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.orders import service as orders_service
from ordertrack.purchasing import receiving as dock
from ordertrack.suppliers import history, purchase_orders, receipts, receiving
from ordertrack.suppliers.counting import MAX_COUNT, Tally
from ordertrack.suppliers.model import PurchaseOrder
from ordertrack.web.dashboard import sessions
from ordertrack.web.dashboard.access import (
    CsrfRejected,
    DashboardRoute,
    Staff,
    current_staff,
    database,
    keys_of,
    page,
)
from ordertrack.web.forms import BadForm, Form
from ordertrack.web.forms import read_form as read_posted_form

router = APIRouter(prefix="/dashboard/receiving", route_class=DashboardRoute)

# Photos per submitted count: one per line at most, and no more than the body limit carries.
MAX_PHOTOS = 20


def _line_rows(uow: UnitOfWork, merchant_id: str, asn_id: str) -> dict[str, Any]:
    asn = receiving.find_inbound_shipment(uow, merchant_id, asn_id)
    po = purchase_orders.find_purchase_order(uow, merchant_id, asn.purchase_order_id)
    names = catalog_service.product_names(uow, merchant_id, {line.sku for line in asn.lines})
    line_no = {line.id: line.line_no for line in po.lines}
    rows = []
    # In the order's line order, as the supplier's papers list them (ids are not in order).
    for line in sorted(
        asn.lines, key=lambda line: (line_no[line.purchase_order_line_id], line.parcel_seq or 0)
    ):
        tally = receipts.asn_tally(line)
        rows.append(
            {
                "id": line.id,
                "sku": line.sku,
                "name": names.get(line.sku, ""),
                "declared": line.quantity,
                "counted": tally.counted,
                # What is still to come on the line: the count starts there, so a shipment that
                # came as declared is saved as it is, and only the lines that differ are touched.
                "remaining": max(0, line.quantity - tally.counted),
            }
        )
    return {
        "asn": asn,
        "po": po,
        "rows": rows,
        "number": asn.number,
        "status": asn.status,
        "expected": asn.expected_arrival_date,
        "action": f"/dashboard/receiving/{asn.id}",
        "warehouse": inventory_repository.warehouse_code(uow, po.warehouse_id),
        "closed": asn.cancelled_at is not None or po.cancelled_at is not None,
    }


def _order_rows(uow: UnitOfWork, merchant_id: str, po_id: str) -> dict[str, Any]:
    """The lines of a purchase order whose goods came without a notice: what each still
    expects (short-closed lines expect nothing more)."""
    po = purchase_orders.find_purchase_order(uow, merchant_id, po_id)
    names = catalog_service.product_names(uow, merchant_id, {line.sku for line in po.lines})
    rows = []
    for line in po.lines:
        if line.short_closed_at is not None:
            continue
        tally = receipts.po_tally(line)
        rows.append(
            {
                "id": line.id,
                "sku": line.sku,
                "name": names.get(line.sku, ""),
                "declared": tally.expected,
                "counted": tally.counted,
                "remaining": max(0, tally.expected - tally.counted),
            }
        )
    return {
        "asn": None,
        "po": po,
        "rows": rows,
        "number": po.number,
        "status": po.status,
        "expected": po.promised_arrival_date,
        "action": f"/dashboard/receiving/order/{po.id}",
        "warehouse": inventory_repository.warehouse_code(uow, po.warehouse_id),
        "closed": po.cancelled_at is not None or po.sent_at is None,
    }


@router.get("")
def scan_page(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    with database(request).uow(write=False) as uow:
        awaited = receipts.awaited_shipments(uow, staff.merchant_id)
    return page(
        request,
        staff,
        "dashboard/receiving.html",
        {"awaited": awaited, "scanned": "", "error": ""},
        section="receiving",
    )


@router.get("/find")
def find(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    """What the scanner typed (and its Enter): straight to the shipment, or say what was wrong."""
    scanned = request.query_params.get("q", "")[:100]
    with database(request).uow(write=False) as uow:
        try:
            found = dock.find_scanned(uow, staff.merchant_id, scanned)
        except OrdertrackError as error:
            awaited = receipts.awaited_shipments(uow, staff.merchant_id)
            return page(
                request,
                staff,
                "dashboard/receiving.html",
                {"awaited": awaited, "scanned": scanned.strip(), "error": error.message},
                status_code=404,
                section="receiving",
            )
    if isinstance(found, PurchaseOrder):
        return RedirectResponse(f"/dashboard/receiving/order/{found.id}", status_code=303)
    return RedirectResponse(f"/dashboard/receiving/{found.id}", status_code=303)


@router.get("/order/{po_id}")
def order_count_page(po_id: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    """Goods that came without a notice, counted against the order's lines."""
    with database(request).uow(write=False) as uow:
        context = _order_rows(uow, staff.merchant_id, po_id[:64])
    return _count_form(request, staff, context)


@router.post("/order/{po_id}")
async def save_order_counts(po_id: str, request: Request) -> Response:
    return await _save(request, lambda uow, merchant_id: _order_rows(uow, merchant_id, po_id[:64]))


@router.get("/{asn_id}")
def count_page(asn_id: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    with database(request).uow(write=False) as uow:
        context = _line_rows(uow, staff.merchant_id, asn_id[:64])
    return _count_form(request, staff, context)


def _count_form(request: Request, staff: Staff, context: dict[str, Any]) -> Response:
    return page(
        request,
        staff,
        "dashboard/receiving_count.html",
        {**context, "form_id": secrets.token_urlsafe(12), "values": {}, "error": "", "max_count": MAX_COUNT},
        section="receiving",
    )


def _number(form: Form, name: str) -> int:
    raw = form.get(name, "0").strip() or "0"
    try:
        value = int(raw)
    except ValueError:
        raise BadForm(f"{raw!r} is not a whole number of units") from None
    if value < 0:
        raise BadForm("a count is never negative")
    if value > MAX_COUNT:
        raise BadForm(f"at most {MAX_COUNT:,} units on a line")
    return value


def _note(form: Form, name: str) -> str | None:
    """A note as typed in its box: several lines allowed (Form.text takes one), other control
    characters not."""
    value = form.get(name).replace("\r\n", "\n").strip()
    if len(value) > receiving.MAX_NOTE_LENGTH:
        raise BadForm(f"a note is at most {receiving.MAX_NOTE_LENGTH} characters")
    if any((ord(ch) < 32 and ch not in "\n\t") or 0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise BadForm("a note contains characters that are not allowed")
    return value or None


def _counts(form: Form, rows: list[dict[str, Any]], form_id: str) -> list[receiving.LineCount]:
    """The lines the form counted (a line left at 0 good and 0 damaged was not there)."""
    counts = []
    for row in rows:
        line_id = row["id"]
        good, damaged = _number(form, f"good_{line_id}"), _number(form, f"damaged_{line_id}")
        note = _note(form, f"note_{line_id}")
        upload = form.files.get(f"photo_{line_id}")
        photo = receiving.Photo(upload.data, upload.content_type) if upload else None
        if good == 0 and damaged == 0:
            continue
        counts.append(
            receiving.LineCount(
                good=good,
                damaged=damaged,
                line_id=line_id,
                note=note,
                photo=photo,
                count_id=f"form {form_id}",
            )
        )
    return counts


@router.post("/{asn_id}")
async def save_counts(asn_id: str, request: Request) -> Response:
    return await _save(request, lambda uow, merchant_id: _line_rows(uow, merchant_id, asn_id[:64]))


async def _save(request: Request, load: Callable[[UnitOfWork, str], dict[str, Any]]) -> Response:
    """Save a count form (a notice's, or an order's without one) and show what it did."""
    staff = await current_staff(request)
    db = database(request)
    with db.uow(write=False) as uow:
        context = load(uow, staff.merchant_id)
    rows = context["rows"]
    form = await read_posted_form(
        request,
        max_fields=6 * len(rows) + 20,
        max_files=min(MAX_PHOTOS, len(rows)),
        max_field_bytes=receiving.MAX_PHOTO_BYTES,
    )
    _check_csrf(request, form)
    form_id = form.text("form_id", 40)
    if not form_id:
        raise BadForm("this form has no id: reload the page and count again")

    def work(uow: UnitOfWork) -> dict[str, Any]:
        asn = context["asn"]
        result = dock.receive(
            uow,
            staff.merchant_id,
            inbound_shipment_ref=asn.id if asn is not None else None,
            purchase_order_ref=context["po"].id if asn is None else None,
            counts=_counts(form, rows, form_id),
            actor=history.staff_actor(staff.email),
            now=utcnow(),
        )
        return _result_context(uow, staff.merchant_id, result)

    try:
        done = await run_in_threadpool(in_transaction, db, work)
    except OrdertrackError as error:
        if error.status_code >= 500:
            raise
        return page(
            request,
            staff,
            "dashboard/receiving_count.html",
            {
                **context,
                "form_id": form_id,
                "values": {name: values[0] for name, values in form.fields.items()},
                "error": error.message,
                "max_count": MAX_COUNT,
            },
            status_code=error.status_code,
            section="receiving",
        )
    return page(request, staff, "dashboard/receiving_done.html", done, section="receiving")


def _check_csrf(request: Request, form: Form) -> None:
    """The CSRF check every dashboard POST gets (:func:`staff_form`), on a form this page
    reads itself: a count posts more fields and photos than the dashboard's default limits."""
    claims: sessions.SessionClaims = request.scope["ordertrack.session"]
    if not sessions.csrf_matches(keys_of(request), claims, form.get("csrf_token")):
        raise CsrfRejected()


def _result_context(uow: UnitOfWork, merchant_id: str, result: receiving.ReceivingResult) -> dict[str, Any]:
    names = catalog_service.product_names(uow, merchant_id, {line.sku for line in result.lines})
    orders = orders_service.orders_by_id(uow, merchant_id, {e.order_id for e in result.backorders_filled})
    lines = []
    for line in result.lines:
        tally: Tally = line.tally
        on_hand, reserved = result.stock_after.get(line.sku, (0, 0))
        lines.append(
            {
                "sku": line.sku,
                "name": names.get(line.sku, ""),
                "good": line.receipt.good_quantity,
                "damaged": line.receipt.damaged_quantity,
                "tally": tally,
                "duplicate": line.duplicate,
                "on_hand": on_hand,
                "available": on_hand - reserved,
            }
        )
    return {
        "asn": result.inbound_shipment,
        "po": result.purchase_order,
        "lines": lines,
        "filled": [
            {
                "order_id": e.order_id,
                "number": orders[e.order_id].number if e.order_id in orders else e.order_id,
                "sku": e.sku,
                "quantity": e.quantity,
                "remaining": e.remaining,
            }
            for e in result.backorders_filled
        ],
        "repeat": not result.counted_anything,
        "good": sum(line["good"] for line in lines if not line["duplicate"]),
        "damaged": sum(line["damaged"] for line in lines if not line["duplicate"]),
    }


@router.get("/order/{po_id}/sheet.pdf")
def order_sheet(po_id: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    with database(request).uow(write=False) as uow:
        data = receiving_sheet.sheet_data(uow, staff.merchant_id, purchase_order_ref=po_id[:64])
    return _sheet_response(data)


@router.get("/{asn_id}/sheet.pdf")
def sheet(asn_id: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    with database(request).uow(write=False) as uow:
        data = receiving_sheet.sheet_data(uow, staff.merchant_id, inbound_shipment_ref=asn_id[:64])
    return _sheet_response(data)


def _sheet_response(data: receiving_sheet.ReceivingSheetData) -> Response:
    pdf = receiving_sheet.render_receiving_sheet_pdf(data)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in data.barcode)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="receiving-{safe}.pdf"'},
    )
