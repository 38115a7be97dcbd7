"""Delivery ratings in the dashboard: the period's average stars and share of 1-2 stars, overall
and by carrier, lane, warehouse, lateness and exception; the ratings themselves, newest first,
each with a reply to the shopper (sent through the outbox); when the request goes out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordertrack.analytics import rating_export, rating_rules, ratings
from ordertrack.api.routes.ratings import period
from ordertrack.api.transactions import in_transaction
from ordertrack.attention.workflow import Actor
from ordertrack.carriers.registry import carrier_names
from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory import service as inventory_service
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.orders import service as orders_service
from ordertrack.orders.model import Order
from ordertrack.tracking import timeline as tracking_timeline
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, page, staff_form
from ordertrack.web.dashboard.timeline import order_timeline

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

PAGE_SIZE = 50
GROUPING_WORDS = {
    "carrier": "By carrier",
    "lane": "By lane (carrier, origin, destination)",
    "warehouse": "By warehouse",
    "lateness": "By lateness against the promise at hand-off",
    "exception": "Exception on the way, or not",
}
KEY_WORDS = {
    rating_rules.ON_TIME: "On time",
    rating_rules.LATE_1_2: "1–2 days late",
    rating_rules.LATE_MORE: "3 days late or more",
    rating_rules.NO_PROMISE: "No promise",
    "exception": "Had an exception",
    "no_exception": "No exception",
    "none": "No warehouse",
}
DONE = {"reply": "Reply queued for the shopper.", "settings": "Saved."}


def _query(request: Request, name: str, limit: int = 32) -> str:
    return (request.query_params.get(name) or "").strip()[:limit]


def _page(request: Request, staff: Staff, *, error: str = "", status_code: int = 200) -> Response:
    first_day, last_day = period(
        _query(request, "from", 10) or None, _query(request, "to", 10) or None, utcnow().date()
    )
    stars_text = _query(request, "stars", 1)
    stars = int(stars_text) if stars_text in {"1", "2", "3", "4", "5"} else None
    cursor = _query(request, "cursor", 64) or None
    with database(request).uow(write=False) as uow:
        found = ratings.summary(uow, staff.merchant_id, first_day, last_day)
        listed = ratings.list_ratings(uow, staff.merchant_id, cursor=cursor, limit=PAGE_SIZE, stars=stars)
        numbers = ratings.order_numbers(uow, staff.merchant_id, listed.items)
        hours = ratings.request_after_hours(uow, staff.merchant_id)
    kept = {"from": str(first_day), "to": str(last_day), **({"stars": str(stars)} if stars else {})}
    return page(
        request,
        staff,
        "dashboard/ratings.html",
        {
            "summary": found,
            "groupings": GROUPING_WORDS,
            "key_words": KEY_WORDS,
            "rows": [ratings.rating_payload(r, numbers.get(r.order_id, "")) for r in listed.items],
            "next_link": f"/dashboard/ratings?{urlencode(kept | {'cursor': listed.next_cursor})}"
            if listed.next_cursor
            else None,
            "csv_link": f"/dashboard/ratings.csv?{urlencode({'from': first_day, 'to': last_day})}",
            "first_day": first_day,
            "last_day": last_day,
            "stars": stars,
            "hours": hours,
            "error": error,
            "done": DONE.get(_query(request, "done", 16), ""),
        },
        status_code=status_code,
        section="ratings",
    )


@router.get("/ratings")
def ratings_page(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    try:
        return _page(request, staff)
    except OrdertrackError as refused:
        request.scope["query_string"] = b""
        return _page(request, staff, error=refused.message, status_code=refused.status_code)


@router.get("/ratings.csv")
def ratings_csv(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    """The period's summary as CSV (the API's ``/api/v1/ratings/summary?format=csv``)."""
    first_day, last_day = period(
        _query(request, "from", 10) or None, _query(request, "to", 10) or None, utcnow().date()
    )
    with database(request).uow(write=False) as uow:
        found = ratings.summary(uow, staff.merchant_id, first_day, last_day)
    return Response(
        rating_export.summary_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="ratings-{first_day}-{last_day}.csv"'},
    )


@router.post("/ratings/{rating_id}/reply")
async def reply(request: Request, rating_id: str) -> Response:
    staff, form = await staff_form(request)
    text = form.get("text")[: ratings.REPLY_LENGTH + 1]
    actor = Actor(staff.id, staff.name)
    try:
        in_transaction(
            database(request),
            lambda uow: ratings.reply(uow, staff.merchant_id, rating_id[:32], text, actor, now=utcnow()),
        )
    except OrdertrackError as refused:
        return _page(request, staff, error=refused.message, status_code=refused.status_code)
    return RedirectResponse("/dashboard/ratings?done=reply#outcome", status_code=303)


@router.post("/ratings/settings")
async def settings(request: Request) -> Response:
    staff, form = await staff_form(request)
    try:
        in_transaction(
            database(request),
            lambda uow: ratings.set_request_after_hours(uow, staff.merchant_id, form.text("hours", 6)),
        )
    except OrdertrackError as refused:
        return _page(request, staff, error=refused.message, status_code=refused.status_code)
    return RedirectResponse("/dashboard/ratings?done=settings#outcome", status_code=303)


def low_rating_context(uow: UnitOfWork, merchant_id: str, order: Order) -> dict[str, Any]:
    """For a low rating's attention item: the rating, and the order's timeline to read beside it."""
    rating = ratings.rating_of_order(uow, merchant_id, order.id)
    if rating is None:
        return {}
    view = orders_service.order_view(uow, merchant_id, order)
    parcel_numbers = {p.id: p.tracking_number for s in view.shipments for p in s.parcels}
    scans = tracking_timeline.events_for_parcels(uow, merchant_id, list(parcel_numbers))
    zones = {w.code: w.timezone for w in inventory_service.list_warehouses(uow, merchant_id)}
    timeline = order_timeline(
        view, [(parcel_numbers[pid], event) for pid, event in scans], zones, carrier_names()
    )
    return {
        "rating": ratings.rating_payload(rating, order.number),
        "rating_timeline": timeline,
        "lateness_words": KEY_WORDS,
    }
