"""The supplier's link: one purchase order's page, for a supplier that has no account.

``/supplier/{token}`` opens the order the signed token names (links.supplier_link_token), of
the merchant that signed it, until it expires; anything else (an altered, expired or unknown
token, an order since removed) is the same neutral 404. From the page the supplier confirms
or changes quantities and dates, declares a shipment (a form, or a CSV file) and withdraws a
notice nothing was counted in from; each change goes through the same services and checks as
the API and is recorded in the order's history as "supplier link" (or "csv <file>").

Forms carry a token bound to the link (links.supplier_form_token) and must come from this
site. A refused form answers the page again with a 4xx status, the reason and its code, and
everything the supplier typed still in the fields.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ordertrack.api.transactions import in_transaction
from ordertrack.carriers.registry import carrier_names
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.signing import SigningKeys
from ordertrack.links import read_supplier_link_token, supplier_form_token, supplier_form_token_matches
from ordertrack.purchasing import asn_csv, declaring
from ordertrack.suppliers import history, inbound_shipments, purchase_orders
from ordertrack.suppliers.inbound_schemas import InboundShipmentIn
from ordertrack.suppliers.schemas import PurchaseOrderConfirmationIn
from ordertrack.web.forms import BadForm, Form, UnsupportedForm, read_form
from ordertrack.web.pages import render
from ordertrack.web.supplier import reading
from ordertrack.web.track.sms_signup import same_origin

router = APIRouter(include_in_schema=False)

_MAX_TOKEN = 300
# What the page may say after a change (?done=...).
DONE = ("confirmed", "declared", "uploaded", "withdrawn")
_NUMBERS = re.compile(r"[\s,;]+")


def _db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _keys(request: Request) -> SigningKeys:
    return request.app.state.settings.signing_keys()  # type: ignore[no-any-return]


def _opened(request: Request, token: str) -> tuple[str, str] | None:
    if len(token) > _MAX_TOKEN:
        return None
    return read_supplier_link_token(_keys(request), token, now=utcnow())


def _not_found(request: Request) -> HTMLResponse:
    return render(
        request,
        "supplier/not_found.html",
        {"store": None},
        status_code=404,
    )


def _page(
    request: Request,
    token: str,
    opened: tuple[str, str],
    *,
    status_code: int = 200,
    error: dict[str, Any] | None = None,
    posted: dict[str, Any] | None = None,
) -> HTMLResponse:
    with _db(request).uow(write=False) as uow:
        page = reading.load_page(uow, *opened)
    if page is None:
        return _not_found(request)
    done = request.query_params.get("done")
    return render(
        request,
        "supplier/order.html",
        {
            "page": page,
            "store": page.store,
            "token": token,
            "form_token": supplier_form_token(_keys(request), token),
            "carriers": carrier_names(),
            "done": done if done in DONE and error is None else None,
            "error": error,
            "posted": posted or {},
        },
        status_code=status_code,
    )


@router.get("/supplier/{token}")
def supplier_page(request: Request, token: str) -> HTMLResponse:
    opened = _opened(request, token)
    if opened is None:
        return _not_found(request)
    response = _page(request, token, opened)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- posting -----------------------------------------------------------------------------------


class _Refused(Exception):
    """A form the page answers again with its reason (status, code, message, rows)."""

    def __init__(
        self, status: int, code: str, message: str, rows: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.rows = status, code, message, rows or []


async def _posted(request: Request, token: str, *, files: int = 0) -> tuple[tuple[str, str], Form] | Response:
    """The link's order and the posted form, or the answer that refuses them."""
    opened = _opened(request, token)
    if opened is None:
        return _not_found(request)
    try:
        form = await read_form(request, max_files=files, max_fields=2_000, max_field_bytes=asn_csv.MAX_BYTES)
    except (BadForm, UnsupportedForm) as bad:
        return await run_in_threadpool(
            _page,
            request,
            token,
            opened,
            status_code=bad.status_code,
            error={"code": bad.code, "message": bad.message},
        )
    here = f"{request.url.scheme}://{request.url.netloc}"
    if not (
        same_origin(request.headers.get("origin"), here, request.app.state.settings.public_url)
        and supplier_form_token_matches(_keys(request), token, form.get("form_token"))
    ):
        return await run_in_threadpool(
            _page,
            request,
            token,
            opened,
            status_code=403,
            error={
                "code": "form_expired",
                "message": "This form has expired. Reload the page and try again.",
            },
        )
    return opened, form


async def _run(
    request: Request,
    token: str,
    opened: tuple[str, str],
    form: Form,
    change: Any,
    done: str,
    section: str,
) -> Response:
    """Make the change in one transaction; back to the page (303) or the page with the reason."""

    def work() -> Response:
        try:
            in_transaction(_db(request), change)
        except _Refused as refused:
            error = {
                "code": refused.code,
                "message": refused.message,
                "rows": refused.rows,
                "section": section,
            }
            return _page(request, token, opened, status_code=refused.status, error=error, posted=form.fields)
        except OrdertrackError as refused:
            if refused.status_code == 404 and refused.code != "inbound_shipment_not_found":
                return _not_found(request)
            rows = (
                refused.details
                if isinstance(refused, asn_csv.AsnFileRefused) and isinstance(refused.details, list)
                else []
            )
            error = {"code": refused.code, "message": refused.message, "rows": rows, "section": section}
            return _page(
                request, token, opened, status_code=refused.status_code, error=error, posted=form.fields
            )
        return RedirectResponse(f"/supplier/{token}?done={done}#{section}", status_code=303)

    return await run_in_threadpool(work)


def _whole(form: Form, name: str, label: str) -> int | None:
    text = form.text(name, 20)
    if not text:
        return None
    if not re.fullmatch(r"-?[0-9]{1,10}", text):
        raise _Refused(422, "validation_error", f"{label}: {text!r} is not a whole number")
    value = int(text)
    if value < 1:
        raise _Refused(422, "validation_error", f"{label}: the quantity must be at least 1")
    return value


def _day(form: Form, name: str, label: str) -> date | None:
    text = form.text(name, 20)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Refused(422, "validation_error", f"{label}: {text!r} is not a date (YYYY-MM-DD)") from None


def _invalid(error: ValidationError) -> _Refused:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return _Refused(422, "validation_error", f"{where}: {first['msg'].removeprefix('Value error, ')}")


@router.post("/supplier/{token}/confirm")
async def confirm(request: Request, token: str) -> Response:
    """The supplier's quantities per line and its promised dates (the API's confirm)."""
    posted = await _posted(request, token)
    if isinstance(posted, Response):
        return posted
    (merchant_id, po_id), form = posted

    def change(uow: Any) -> None:
        po = purchase_orders.find_purchase_order(uow, merchant_id, po_id)
        lines = []
        for line in po.lines:
            quantity = _whole(form, f"quantity-{line.line_no}", f"line {line.line_no} ({line.sku})")
            if quantity is not None:
                lines.append({"line_no": line.line_no, "quantity": quantity})
        try:
            data = PurchaseOrderConfirmationIn(
                lines=lines,
                promised_ship_date=_day(form, "promised_ship_date", "ship date"),
                promised_arrival_date=_day(form, "promised_arrival_date", "arrival date"),
            )
        except ValidationError as error:
            raise _invalid(error) from None
        purchase_orders.confirm_purchase_order(uow, merchant_id, po_id, data, actor=history.SUPPLIER_LINK)

    return await _run(request, token, (merchant_id, po_id), form, change, "confirmed", "confirm")


@router.post("/supplier/{token}/shipments")
async def declare(request: Request, token: str) -> Response:
    """An advance shipping notice from the page's form: quantities per line (blank or 0: not in
    this shipment), tracking numbers one per line, carrier, expected arrival."""
    posted = await _posted(request, token)
    if isinstance(posted, Response):
        return posted
    (merchant_id, po_id), form = posted

    def change(uow: Any) -> None:
        po = purchase_orders.find_purchase_order(uow, merchant_id, po_id)
        lines = []
        for line in po.lines:
            text = form.text(f"ship-{line.line_no}", 20)
            if text in ("", "0"):
                continue
            quantity = _whole(form, f"ship-{line.line_no}", f"line {line.line_no} ({line.sku})")
            lines.append({"line_no": line.line_no, "quantity": quantity})
        if not lines:
            raise _Refused(422, "nothing_declared", "Enter the quantity shipped of at least one line.")
        numbers = [n for n in _NUMBERS.split(form.get("tracking_numbers")[:5000]) if n]
        carrier = form.text("carrier", 40) or None
        try:
            data = InboundShipmentIn(
                number=form.text("number", 64) or None,
                carrier=carrier,
                expected_arrival_date=_day(form, "expected_arrival_date", "expected arrival"),
                parcels=[{"tracking_number": n} for n in numbers],
                lines=lines,
            )
        except ValidationError as error:
            raise _invalid(error) from None
        declaring.declare_inbound_shipment(uow, merchant_id, po_id, data, actor=history.SUPPLIER_LINK)

    return await _run(request, token, (merchant_id, po_id), form, change, "declared", "declare")


@router.post("/supplier/{token}/shipments/csv")
async def upload(request: Request, token: str) -> Response:
    """Notices from a CSV file (columns in purchasing/asn_csv.py and docs/suppliers.md)."""
    posted = await _posted(request, token, files=1)
    if isinstance(posted, Response):
        return posted
    (merchant_id, po_id), form = posted
    file = form.files.get("file")

    def change(uow: Any) -> None:
        if file is None:
            raise _Refused(422, "no_file", "Choose a CSV file to upload.")
        name = file.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:80] or "upload.csv"
        asn_csv.import_notices(uow, merchant_id, po_id, file.data, file_name=name)

    return await _run(request, token, (merchant_id, po_id), form, change, "uploaded", "upload")


@router.post("/supplier/{token}/shipments/{shipment_id}/cancel")
async def withdraw(request: Request, token: str, shipment_id: str) -> Response:
    """Withdraw one of this order's notices (nothing counted in from it yet)."""
    posted = await _posted(request, token)
    if isinstance(posted, Response):
        return posted
    (merchant_id, po_id), form = posted

    def change(uow: Any) -> None:
        shipment = inbound_shipments.find_inbound_shipment(uow, merchant_id, shipment_id[:64])
        if shipment.purchase_order_id != po_id or shipment.id != shipment_id:
            raise inbound_shipments.InboundShipmentNotFound("no such notice on this order")
        declaring.cancel_inbound_shipment(uow, merchant_id, shipment.id, actor=history.SUPPLIER_LINK)

    return await _run(request, token, (merchant_id, po_id), form, change, "withdrawn", "notices")
