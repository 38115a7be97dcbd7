"""Fulfilment from the dashboard: ship (part of) an order, print its documents, hand it over."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ordertrack.api.transactions import in_transaction
from ordertrack.carriers.registry import carrier_names
from ordertrack.carriers.tracking_numbers import OWN_CARRIER
from ordertrack.documents import service as documents_service
from ordertrack.documents.batch import render_batch_pdf
from ordertrack.documents.zpl import render_label_zpl
from ordertrack.fulfilment import shipping
from ordertrack.fulfilment.ship_defaults import ShipDefaults, ship_defaults
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.errors import OrdertrackError
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service
from ordertrack.shipments.schemas import ShipmentIn
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, page, staff_form
from ordertrack.web.dashboard.orders_pages import BadQuery
from ordertrack.web.forms import BadForm, Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

MAX_PARCELS = 20
PARCEL_FIELDS = ("tracking_number", "weight_grams", "length_mm", "width_mm", "height_mm")


def _parcel_count(request: Request) -> int:
    value = request.query_params.get("parcels", "1")
    if not value.isdigit() or not 1 <= int(value) <= MAX_PARCELS:
        raise BadQuery(f"a shipment can have 1 to {MAX_PARCELS} parcels")
    return int(value)


def _form_context(request: Request, staff: Staff, order_ref: str) -> dict[str, Any]:
    with database(request).uow(write=False) as uow:
        order = orders_service.find_order(uow, staff.merchant_id, order_ref)
        view = orders_service.order_view(uow, staff.merchant_id, order)
        warehouses = inventory_service.list_warehouses(uow, staff.merchant_id)
        defaults = ship_defaults(uow, staff.merchant_id, order.id, order.ship_country)
    return {
        "order": view,
        "warehouses": warehouses,
        "carriers": carrier_names(),
        "own_carrier": OWN_CARRIER,
        "remaining": {line.id: line.quantity - line.quantity_shipped for line in view.lines},
        "defaults": defaults,
    }


def _render_form(
    request: Request,
    staff: Staff,
    order_ref: str,
    *,
    parcels: int,
    values: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    context = _form_context(request, staff, order_ref)
    proposed: ShipDefaults = context["defaults"]
    defaults = {f"qty_{line_id}": str(qty) for line_id, qty in context["remaining"].items()}
    defaults["carrier"] = proposed.carrier
    if proposed.warehouse:
        defaults["warehouse"] = proposed.warehouse
    return page(
        request,
        staff,
        "dashboard/ship.html",
        {
            **context,
            "parcels": parcels,
            "max_parcels": MAX_PARCELS,
            "values": {**defaults, **(values or {})},
            "errors": errors or [],
        },
        status_code=status_code,
        section="orders",
    )


@router.get("/orders/{order_ref}/ship")
def ship_form(order_ref: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    return _render_form(request, staff, order_ref, parcels=_parcel_count(request))


def _beyond(field: str, parcels: int) -> bool:
    """Whether ``field`` belongs to a parcel past the ``parcels``-th (``parcel3_weight_grams``)."""
    if not field.startswith("parcel") or field == "parcel_count":
        return False
    number = field.removeprefix("parcel").split("_", 1)[0]
    return number.isdigit() and int(number) > parcels


def _int(form: Form, name: str, label: str) -> int | None:
    value = form.text(name, 12)
    if not value:
        return None
    if not value.isdigit():
        raise BadForm(f"{label} must be a whole number")
    return int(value)


def shipment_from_form(form: Form, line_skus: dict[str, str], parcels: int) -> dict[str, Any]:
    """The API's shipment body from the posted fields (types checked here, rules by ShipmentIn)."""
    quantities: dict[str, int] = {}
    for line_id, sku in line_skus.items():
        qty = _int(form, f"qty_{line_id}", f"the quantity of {sku}") or 0
        if qty:
            quantities[sku] = quantities.get(sku, 0) + qty
    if not quantities:
        raise BadForm("choose at least one unit to ship")
    boxes = []
    for n in range(1, parcels + 1):
        box: dict[str, Any] = {"tracking_number": form.text(f"parcel{n}_tracking_number", 80) or None}
        for name, label in (
            ("weight_grams", "weight"),
            ("length_mm", "length"),
            ("width_mm", "width"),
            ("height_mm", "height"),
        ):
            box[name] = _int(form, f"parcel{n}_{name}", f"parcel {n}'s {label}")
        boxes.append(box)
    return {
        "warehouse": form.text("warehouse", 32) or None,
        "carrier": form.text("carrier", 40).lower(),
        "service": form.text("service", 80) or None,
        "lines": [{"sku": sku, "quantity": qty} for sku, qty in quantities.items()],
        "parcels": boxes,
    }


def _field_errors(error: ValidationError) -> list[str]:
    messages = []
    for item in error.errors()[:6]:
        where = ".".join(str(p) for p in item["loc"]).replace("parcels.", "parcel ").replace("_", " ")
        message = str(item["msg"]).removeprefix("Value error, ")
        messages.append(f"{where}: {message}" if where else message)
    return messages


@router.post("/orders/{order_ref}/ship")
def ship(order_ref: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, form = posted
    count = form.text("parcel_count", 3)
    if not count.isdigit() or not 1 <= int(count) <= MAX_PARCELS:
        raise BadForm(f"a shipment can have 1 to {MAX_PARCELS} parcels")
    parcels = int(count)
    values = {
        name: values[0]
        for name, values in form.fields.items()
        if name not in ("csrf_token", "action") and values
    }
    action = form.text("action", 20)
    if action in ("add_parcel", "remove_parcel"):
        # Adding or removing a parcel is a button of the same form: everything typed comes back.
        parcels = min(parcels + 1, MAX_PARCELS) if action == "add_parcel" else max(parcels - 1, 1)
        values = {k: v for k, v in values.items() if not _beyond(k, parcels)}
        return _render_form(request, staff, order_ref, parcels=parcels, values=values)
    if action not in ("", "create"):
        raise BadForm("that is not something this form does")
    context = _form_context(request, staff, order_ref)
    line_skus = {line.id: line.sku for line in context["order"].lines}
    try:
        data = ShipmentIn.model_validate(shipment_from_form(form, line_skus, parcels))
    except BadForm as bad:
        return _render_form(
            request, staff, order_ref, parcels=parcels, values=values, errors=[bad.message], status_code=422
        )
    except ValidationError as invalid:
        return _render_form(
            request,
            staff,
            order_ref,
            parcels=parcels,
            values=values,
            errors=_field_errors(invalid),
            status_code=422,
        )
    window = timedelta(days=request.app.state.settings.recycle_window_days)
    try:
        shipment_id = in_transaction(
            database(request),
            lambda uow: (
                shipping.create_shipment(
                    uow, staff.merchant_id, context["order"].id, data, recycle_window=window
                ).id
            ),
        )
    except OrdertrackError as refused:
        return _render_form(
            request,
            staff,
            order_ref,
            parcels=parcels,
            values=values,
            errors=[refused.message],
            status_code=refused.status_code,
        )
    return RedirectResponse(
        f"/dashboard/orders/{context['order'].id}?created={shipment_id}#shipment-{shipment_id}",
        status_code=303,
    )


def _shipment_id(shipment_id: str) -> str:
    if not shipment_id.startswith("shp_") or len(shipment_id) > 32:
        raise shipments_service.ShipmentNotFound(f"no shipment {shipment_id!r}")
    return shipment_id


def _labels(request: Request, staff: Staff, shipment_id: str) -> list[documents_service.LabelData]:
    settings = request.app.state.settings
    with database(request).uow(write=False) as uow:
        return documents_service.label_data(
            uow,
            staff.merchant_id,
            _shipment_id(shipment_id),
            public_url=settings.public_url,
            secret=settings.resolved_secret_key(),
        )


def _download(content: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/shipments/{shipment_id}/label.pdf")
def label_pdf(shipment_id: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    return _download(
        render_batch_pdf(_labels(request, staff, shipment_id)), "application/pdf", f"{shipment_id}-label.pdf"
    )


@router.get("/shipments/{shipment_id}/label.zpl")
def label_zpl(shipment_id: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    zpl = "".join(render_label_zpl(label) for label in _labels(request, staff, shipment_id))
    return _download(zpl, "application/zpl", f"{shipment_id}-label.zpl")


@router.get("/shipments/{shipment_id}/packing-slip.pdf")
def packing_slip_pdf(shipment_id: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    page_size = request.query_params.get("page_size", "A4")
    if page_size not in ("A4", "Letter"):
        raise BadQuery("the page size must be A4 or Letter")
    with database(request).uow(write=False) as uow:
        slips = documents_service.packing_slip_data(
            uow,
            staff.merchant_id,
            _shipment_id(shipment_id),
            page_size,  # type: ignore[arg-type]
        )
    return _download(render_batch_pdf(slips), "application/pdf", f"{shipment_id}-packing-slip.pdf")


@router.post("/shipments/{shipment_id}/hand-over")
def hand_over(
    shipment_id: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)
) -> Response:
    staff, _form = posted
    order_id = in_transaction(
        database(request),
        lambda uow: shipments_service.hand_over(uow, staff.merchant_id, _shipment_id(shipment_id)).order_id,
    )
    return RedirectResponse(f"/dashboard/orders/{order_id}#shipment-{shipment_id}", status_code=303)
