"""Suppliers in the dashboard: the list with each one's lead time, on-time and fill rates, one
supplier's page (contacts, calendar, SKU terms, performance, its purchase orders), and the form
to add or change one. The same services and checks as ``/api/v1/suppliers``."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ordertrack.api.transactions import in_transaction
from ordertrack.catalog import service as catalog_service
from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.schema import ZONE_NAMES
from ordertrack.suppliers import performance, purchase_orders, service
from ordertrack.suppliers.model import Supplier
from ordertrack.suppliers.schemas import HOLIDAY_COUNTRIES, SupplierIn, SupplierSkuIn
from ordertrack.suppliers.scoring import WINDOW_DAYS, Rate
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, page, staff_form
from ordertrack.web.forms import Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

PAGE_SIZE = 25
# The supplier's page shows this many SKU terms and purchase orders; the API pages through all.
SHOWN = 50


class BadSupplierQuery(OrdertrackError):
    status_code = 400
    code = "bad_query"


def query_param(request: Request, name: str, max_length: int = 64) -> str:
    value = request.query_params.get(name, "").strip()
    if len(value) > max_length or any(ord(ch) < 32 for ch in value):
        raise BadSupplierQuery(f"the {name} filter is not valid")
    return value


def percent(rate: Rate) -> str:
    """ "92%" with what it is of, or a dash when nothing was measured."""
    value = rate.value
    return "—" if value is None else f"{value:.0%}"


def field_errors(error: ValidationError) -> dict[str, str]:
    """Each refused field (dotted, as the API names it) with its message in plain words."""
    found: dict[str, str] = {}
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        # The API's models are strict about JSON types; a form only ever sends text.
        message = message.replace("a JSON integer", "a whole number")
        found.setdefault(where or "form", message)
    return found


def whole_number(text: str) -> int | str:
    """A typed whole number as a number (the API's models are strict); anything else as typed,
    for the model to refuse with the field's name."""
    return int(text) if re.fullmatch(r"-?[0-9]{1,12}", text) else text


def _optional(form: Form, name: str, max_length: int = 300) -> str | None:
    return form.text(name, max_length) or None


def supplier_input(form: Form) -> dict[str, Any]:
    """The posted supplier form as the API's request body."""
    return {
        "name": form.text("name", 200),
        "email": _optional(form, "email", 320),
        "phone": _optional(form, "phone", 32),
        "address": {
            "line1": form.text("line1", 300),
            "line2": _optional(form, "line2"),
            "city": form.text("city", 120),
            "region": _optional(form, "region", 120),
            "postal_code": _optional(form, "postal_code", 20),
            "country": form.text("country", 2).upper(),
        },
        "timezone": form.text("timezone", 64),
        "lead_time_days": whole_number(form.text("lead_time_days", 5) or "10"),
        "holiday_country": (_optional(form, "holiday_country", 2) or "").upper() or None,
        "holiday_subdivision": _optional(form, "holiday_subdivision", 10),
    }


def _form_values(supplier: Supplier | None) -> dict[str, Any]:
    if supplier is None:
        return {"lead_time_days": 10, "timezone": "UTC"}
    values = {
        column: getattr(supplier, column)
        for column in (
            "name", "email", "phone", "line1", "line2", "city", "region", "postal_code", "country",
            "timezone", "lead_time_days", "holiday_country", "holiday_subdivision",
        )
    }  # fmt: skip
    return {k: ("" if v is None else v) for k, v in values.items()}


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """The request body back as the form's fields, to show what was typed."""
    flat = {k: v for k, v in data.items() if k != "address"}
    flat.update(data["address"])
    return {k: ("" if v is None else v) for k, v in flat.items()}


def _form_page(
    request: Request,
    staff: Staff,
    supplier: Supplier | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return page(
        request,
        staff,
        "dashboard/supplier_form.html",
        {
            "supplier": supplier,
            "values": values,
            "errors": errors,
            "zones": sorted(ZONE_NAMES),
            "holiday_countries": HOLIDAY_COUNTRIES,
        },
        status_code=status_code,
        section="suppliers",
    )


@router.get("/suppliers")
def suppliers_list(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    after = query_param(request, "after", 40) or None
    with database(request).uow(write=False) as uow:
        found = service.supplier_page(uow, staff.merchant_id, after, PAGE_SIZE)
        cards = performance.scorecards(uow, staff.merchant_id, found.items)
    return page(
        request,
        staff,
        "dashboard/suppliers.html",
        {
            "suppliers": found.items,
            "cards": cards,
            "percent": percent,
            "next_after": found.next_cursor,
            "paged": after is not None,
            "window_days": WINDOW_DAYS,
        },
        section="suppliers",
    )


@router.get("/suppliers/new")
def new_supplier(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    return _form_page(request, staff, None, _form_values(None), {})


@router.post("/suppliers")
def create_supplier(request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, form = posted
    data = supplier_input(form)
    try:
        checked = SupplierIn.model_validate(data)
        created = in_transaction(
            database(request), lambda uow: service.create_supplier(uow, staff.merchant_id, checked).id
        )
    except ValidationError as refused:
        return _form_page(request, staff, None, _flat(data), field_errors(refused), 422)
    except service.DuplicateSupplier as refused:
        return _form_page(request, staff, None, _flat(data), {"name": refused.message}, 409)
    return RedirectResponse(f"/dashboard/suppliers/{created}?saved=1", status_code=303)


@router.get("/suppliers/{supplier_id}/edit")
def edit_supplier(supplier_id: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    with database(request).uow(write=False) as uow:
        supplier = service.find_supplier(uow, staff.merchant_id, supplier_id)
    return _form_page(request, staff, supplier, _form_values(supplier), {})


@router.post("/suppliers/{supplier_id}")
def update_supplier(
    supplier_id: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)
) -> Response:
    staff, form = posted
    with database(request).uow(write=False) as uow:
        supplier = service.find_supplier(uow, staff.merchant_id, supplier_id)
    data = supplier_input(form)
    try:
        checked = SupplierIn.model_validate(data)
        in_transaction(
            database(request),
            lambda uow: service.update_supplier(uow, staff.merchant_id, supplier.id, checked),
        )
    except ValidationError as refused:
        return _form_page(request, staff, supplier, _flat(data), field_errors(refused), 422)
    except service.DuplicateSupplier as refused:
        return _form_page(request, staff, supplier, _flat(data), {"name": refused.message}, 409)
    return RedirectResponse(f"/dashboard/suppliers/{supplier.id}?saved=1", status_code=303)


def supplier_context(request: Request, staff: Staff, supplier_id: str) -> dict[str, Any]:
    with database(request).uow(write=False) as uow:
        supplier, card = performance.supplier_scorecard(uow, staff.merchant_id, supplier_id)
        terms = service.supplier_sku_page(uow, staff.merchant_id, supplier.id, None, SHOWN)
        orders = purchase_orders.purchase_order_page(
            uow, staff.merchant_id, supplier_id=supplier.id, limit=SHOWN
        )
        names = catalog_service.product_names(uow, staff.merchant_id, {t.sku for t in terms.items})
    return {
        "supplier": supplier,
        "card": card,
        "percent": percent,
        "window_days": WINDOW_DAYS,
        "terms": terms.items,
        "more_terms": terms.next_cursor is not None,
        "names": names,
        "orders": orders.items,
        "more_orders": orders.next_cursor is not None,
        "term_values": {},
        "term_errors": {},
    }


@router.get("/suppliers/{supplier_id}")
def supplier_detail(supplier_id: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    context = supplier_context(request, staff, supplier_id)
    return page(request, staff, "dashboard/supplier.html", context, section="suppliers")


@router.post("/suppliers/{supplier_id}/skus")
def set_supplier_sku(
    supplier_id: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)
) -> Response:
    """Add or replace the supplier's terms for one SKU (its name for it and its cost)."""
    staff, form = posted
    sku = form.text("sku", 64)
    data = {
        "supplier_sku": _optional(form, "supplier_sku", 64),
        "unit_cost": form.text("unit_cost", 40),
        "currency": form.text("currency", 3),
    }
    try:
        if not sku:
            raise BadSupplierQuery("say which SKU")
        checked = SupplierSkuIn.model_validate(data)
        in_transaction(
            database(request),
            lambda uow: service.set_supplier_sku(uow, staff.merchant_id, supplier_id, sku, checked),
        )
    except (ValidationError, service.UnknownSku, BadSupplierQuery) as refused:
        context = supplier_context(request, staff, supplier_id)
        errors = field_errors(refused) if isinstance(refused, ValidationError) else {"sku": refused.message}
        context.update(term_values={"sku": sku, **data}, term_errors=errors)
        return page(request, staff, "dashboard/supplier.html", context, status_code=422, section="suppliers")
    return RedirectResponse(f"/dashboard/suppliers/{supplier_id}?term=1#terms", status_code=303)
