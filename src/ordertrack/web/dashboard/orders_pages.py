"""Dashboard pages for orders: the searchable list, one order's page, attention, inventory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from babel import Locale
from babel.dates import format_date, format_interval
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from ordertrack.api.transactions import in_transaction
from ordertrack.carriers.registry import carrier_names, connectors
from ordertrack.customers import service as customers_service
from ordertrack.inventory import holdings as holdings_service
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.errors import OrdertrackError
from ordertrack.links import tracking_url
from ordertrack.notifications import service as notifications_service
from ordertrack.orders import notes as order_notes
from ordertrack.orders import service as orders_service
from ordertrack.orders.status import ALLOWED_ACTIONS, OrderStatus, check_action
from ordertrack.shipments import service as shipments_service
from ordertrack.tracking import timeline as tracking_timeline
from ordertrack.web.dashboard import orders_export
from ordertrack.web.dashboard.access import (
    DashboardRoute,
    Staff,
    cookie_is_secure,
    current_staff,
    database,
    page,
    staff_form,
)
from ordertrack.web.dashboard.timeline import NoteFact, order_timeline, timeline_zone, warehouse_of
from ordertrack.web.forms import Form
from ordertrack.web.pages import locale_for

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


def _window(earliest: date | None, latest: date | None, locale: str) -> str:
    """An estimate as a list reads it: "Dec 11 – 17", "Dec 30, 2026 – Jan 4, 2027", "Dec 9"."""
    if earliest is None or latest is None:
        return ""
    skeleton = "MMMd" if earliest.year == latest.year else "yMMMd"
    if earliest == latest:
        return format_date(latest, "MMM d", locale=locale)
    return format_interval(earliest, latest, skeleton, locale=locale)


def _estimate_shown(window: Any) -> str:
    """ "Dec 9 – 15, most likely Thu, Dec 11": the window as support reads it to a customer."""
    if window is None:
        return ""
    shown = _window(window.earliest, window.latest, "en")
    if window.earliest == window.latest:
        return shown
    return f"{shown}, most likely {format_date(window.most_likely, 'EEE, MMM d', locale='en')}"


def _phone_shown(phone: str | None) -> str | None:
    """ "+33 6 12 34 56 78": the number grouped as its country writes it, for support to read out."""
    if not phone:
        return phone
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


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
    locale = locale_for(request)
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
            "windows": {o.id: _window(o.edd_earliest, o.edd_latest, locale) for o in result.items},
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


# The reader's choice of zone for timelines, kept for their next order.
ZONE_COOKIE = "ordertrack_timeline_zone"


def masked_recipient(channel: str, recipient: str) -> str:
    """Whom a message went to, as the order page shows it: an email in full (staff already see
    the customer's address), a phone with its middle digits hidden (read back its last four),
    a webhook by its host only (paths and queries may carry secrets)."""
    if channel == "sms":
        digits = recipient.strip()
        return (
            digits[:3] + "•" * max(len(digits) - 7, 0) + digits[-4:] if len(digits) > 7 else "•" * len(digits)
        )
    if channel == "webhook":
        parts = urlsplit(recipient)
        return f"{parts.scheme}://{parts.hostname}/…" if parts.hostname else "webhook"
    return recipient


MESSAGE_RESULTS = {
    "pending": "Queued",
    "sent": "Sent",
    "suppressed": "Not sent: no longer true when its turn came",
    "dead": "Failed",
}


def _country_name(code: str | None) -> str:
    """The country's name people read, with the code carriers print: "France (FR)"."""
    if not code:
        return ""
    name = Locale("en").territories.get(code.upper())
    return f"{name} ({code.upper()})" if name else code


def _zone_request(request: Request) -> str | None:
    asked = request.query_params.get("tz")
    if asked is not None:
        return _param(request, "tz", 64)
    return request.cookies.get(ZONE_COOKIE)


def order_page_context(request: Request, staff: Staff, order_ref: str) -> dict[str, Any]:
    names = carrier_names()
    with database(request).uow(write=False) as uow:
        order = orders_service.find_order(uow, staff.merchant_id, order_ref)
        view = orders_service.order_view(uow, staff.merchant_id, order)
        parcel_numbers = {p.id: p.tracking_number for s in view.shipments for p in s.parcels}
        scans = tracking_timeline.events_for_parcels(uow, staff.merchant_id, list(parcel_numbers))
        zones = {w.code: w.timezone for w in inventory_service.list_warehouses(uow, staff.merchant_id)}
        notifications = notifications_service.log_for_order(uow, staff.merchant_id, order.id)
        notes = order_notes.notes_of_order(uow, staff.merchant_id, order.id)
        holdings = holdings_service.held_for_order(uow, staff.merchant_id, order.id)
        customer = (
            customers_service.get_customers(uow, staff.merchant_id, {order.customer_id}).get(
                order.customer_id
            )
            if order.customer_id
            else None
        )
    timeline = order_timeline(
        view,
        [(parcel_numbers[pid], event) for pid, event in scans],
        zones,
        names,
        [NoteFact(n.created_at, n.author_name, n.body) for n in notes],
    )
    warehouse = warehouse_of(view, holdings.main_warehouse())
    shopper_zone = customer.timezone if customer is not None else None
    requested = _zone_request(request)
    try:
        zone = timeline_zone(requested, warehouse=warehouse, warehouse_zones=zones, shopper_zone=shopper_zone)
    except ValueError:
        if request.query_params.get("tz") is not None:
            raise BadQuery(f"there is no time zone {requested!r}; choose one from the list") from None
        zone = timeline_zone(None, warehouse=warehouse, warehouse_zones=zones, shopper_zone=shopper_zone)
    settings = request.app.state.settings
    pending_messages = [n for n in notifications if n.state == "pending"]
    return {
        "order": view,
        "timeline": timeline,
        "zone": zone,
        "zone_options": [
            (
                "warehouse",
                f"Warehouse time ({warehouse}: {zones[warehouse]})"
                if warehouse in zones
                else "Warehouse time",
            ),
            ("shopper", f"Shopper's time ({shopper_zone})" if shopper_zone else "Shopper's time (not known)"),
            ("utc", "UTC"),
        ],
        "notifications": notifications,
        "recipients": {n.id: masked_recipient(n.channel, n.recipient) for n in notifications},
        "message_results": MESSAGE_RESULTS,
        "pending_messages": pending_messages,
        "carrier_names": names,
        "tracking_pages": {
            p.tracking_number: connectors()[s.carrier].page_for(p.tracking_number)
            for s in view.shipments
            for p in s.parcels
            if s.carrier in connectors()
        },
        "can_ship": any(line.quantity_shipped < line.quantity for line in view.lines)
        and view.status not in (OrderStatus.cancelled,),
        "can_cancel": view.status in ALLOWED_ACTIONS["cancel"],
        "can_hand_over": {
            s.id: shipments_service.can_hand_over(s.status, s.handed_over_at) for s in view.shipments
        },
        "holdings": holdings,
        "shopper_link": tracking_url(settings.public_url, settings.resolved_secret_key(), view.id),
        "phone": customer.phone if customer is not None else None,
        "phone_shown": _phone_shown(customer.phone if customer is not None else None),
        "estimate_shown": _estimate_shown(view.estimated_delivery),
        "ship_country": _country_name(view.shipping_address.country),
        "note_max": order_notes.MAX_NOTE_LENGTH,
        "note_text": "",
        "note_error": "",
        "created": request.query_params.get("created", ""),
    }


def _remember_zone(request: Request, response: Response) -> Response:
    asked = request.query_params.get("tz")
    if asked is not None:
        response.set_cookie(
            ZONE_COOKIE,
            asked,
            max_age=365 * 24 * 3600,
            path="/dashboard",
            httponly=True,
            samesite="lax",
            secure=cookie_is_secure(request),
        )
    return response


@router.get("/orders/{order_ref}")
def order_detail(order_ref: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    if len(order_ref) > 64:
        raise BadQuery("that is not an order number")
    context = order_page_context(request, staff, order_ref)
    return _remember_zone(request, page(request, staff, "dashboard/order.html", context, section="orders"))


@router.post("/orders/{order_ref}/notes")
def add_note(order_ref: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, form = posted
    body = form.get("body")
    try:
        order_id = in_transaction(
            database(request),
            lambda uow: (
                order_notes.add_note(
                    uow,
                    staff.merchant_id,
                    orders_service.find_order(uow, staff.merchant_id, order_ref).id,
                    body,
                    author_name=staff.name or staff.email,
                    author_id=staff.id,
                ).order_id
            ),
        )
    except order_notes.InvalidNote as refused:
        context = order_page_context(request, staff, order_ref)
        context.update(note_text=body[: order_notes.MAX_NOTE_LENGTH * 2], note_error=refused.message)
        return page(request, staff, "dashboard/order.html", context, status_code=422, section="orders")
    return RedirectResponse(f"/dashboard/orders/{order_id}?noted=1#timeline", status_code=303)


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
    staff, form = posted
    if form.get("confirm") != "yes":
        # A cancel that did not come from the confirmation: ask, saying what will happen.
        context = order_page_context(request, staff, order_ref)
        status = context["order"].status
        if status == OrderStatus.cancelled:
            return RedirectResponse(f"/dashboard/orders/{context['order'].id}", status_code=303)
        check_action("cancel", status)  # a shipped order: 409 with the reason, nothing asked
        return page(request, staff, "dashboard/cancel_confirm.html", context, section="orders")
    order_id = in_transaction(
        database(request),
        lambda uow: orders_service.cancel_order(uow, staff.merchant_id, order_ref, actor=staff.email).id,
    )
    return RedirectResponse(f"/dashboard/orders/{order_id}?cancelled=1", status_code=303)


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
