"""The dashboard's "Contacts" page: how often shoppers ask where their order is, per 100 orders
and week, split by whether the merchant told them first; what shows demand for tracking (page
views, lookups, message clicks); the latest contacts; a CSV import; the Zendesk receiver."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordertrack.analytics import contacts, deflection, helpdesk, wismo
from ordertrack.analytics.wismo_charts import contacts_by_week
from ordertrack.api.transactions import in_transaction
from ordertrack.kit.clock import utcnow
from ordertrack.suppliers.csv_import import RowProblem
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, owner_form, page
from ordertrack.web.dashboard.access import staff_form as posted_form
from ordertrack.web.forms import Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

WEEK_CHOICES = (4, 8, 13, 26)
DEFAULT_WEEKS = 8
LATEST = 20


def _weeks(request: Request) -> int:
    asked = request.query_params.get("weeks", "")
    return int(asked) if asked.isdigit() and int(asked) in WEEK_CHOICES else DEFAULT_WEEKS


def _period(weeks: int, today: date) -> wismo.Period:
    """The last ``weeks`` whole-or-current weeks, Monday to today (UTC)."""
    monday = today - timedelta(days=today.weekday())
    return wismo.Period(monday - timedelta(weeks=weeks - 1), today)


def _page(
    request: Request,
    staff: Staff,
    *,
    problems: list[RowProblem] | None = None,
    new_secret_saved: bool = False,
    status_code: int = 200,
) -> Response:
    weeks = _weeks(request)
    today = utcnow().date()
    period = _period(weeks, today)
    with database(request).uow(write=False) as uow:
        by_week = wismo.weekly_deflection(uow, staff.merchant_id, period)
        totals = wismo.demand_totals(uow, staff.merchant_id, period)
        messages = wismo.message_figures(uow, staff.merchant_id, period)
        busiest = wismo.busiest_orders(uow, staff.merchant_id, period, limit=10)
        latest = contacts.contacts_page(uow, staff.merchant_id, order_id=None, cursor=None, limit=LATEST)
        latest_views = contacts.contact_views(uow, staff.merchant_id, latest.items)
        receiver = helpdesk.receiver_of(uow, staff.merchant_id)
    public = request.app.state.settings.public_url
    return page(
        request,
        staff,
        "dashboard/contacts.html",
        {
            "weeks": weeks,
            "week_choices": WEEK_CHOICES,
            "period": period,
            "by_week": list(reversed(by_week)),
            "chart": contacts_by_week(by_week),
            "overall": deflection.total(by_week),
            "totals": totals,
            "messages": messages,
            "busiest": busiest,
            "latest": latest_views,
            "receiver": receiver,
            "receiver_url": helpdesk.receiver_url(public, receiver) if receiver else None,
            "secret_hint": receiver.secret[-4:] if receiver and len(receiver.secret) >= 12 else None,
            "problems": problems or [],
            "imported": request.query_params.get("imported", ""),
            "saved": new_secret_saved or request.query_params.get("zendesk") == "saved",
            "removed": request.query_params.get("zendesk") == "removed",
            "proactive": sorted(deflection.PROACTIVE_TRIGGERS),
            "problem_kinds": sorted(deflection.PROBLEM_KINDS),
        },
        status_code=status_code,
        section="contacts",
    )


@router.get("/contacts")
def contacts_page(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    return _page(request, staff)


@router.post("/contacts/import")
def import_contacts(request: Request, posted: tuple[Staff, Form] = Depends(posted_form)) -> Response:
    staff, form = posted
    upload = form.files.get("file")
    if upload is None:
        problem = RowProblem(1, None, "empty_file", "choose a CSV file to import")
        return _page(request, staff, problems=[problem], status_code=422)
    try:
        done = in_transaction(
            database(request),
            lambda uow: contacts.import_csv(uow, staff.merchant_id, upload.data, now=utcnow()),
        )
    except contacts.ContactsFileRefused as refused:
        return _page(request, staff, problems=refused.problems, status_code=422)
    return RedirectResponse(f"/dashboard/contacts?imported={done.new}", status_code=303)


@router.post("/contacts/zendesk")
def save_zendesk_secret(request: Request, posted: tuple[Staff, Form] = Depends(owner_form)) -> Response:
    staff, form = posted
    secret = form.text("secret", 200)
    if len(secret) < 12:
        problem = RowProblem(
            1,
            "secret",
            "secret_too_short",
            "paste the webhook's signing secret from Zendesk (12 characters or more)",
        )
        return _page(request, staff, problems=[problem], status_code=422)
    in_transaction(
        database(request),
        lambda uow: helpdesk.save_zendesk_secret(uow, staff.merchant_id, secret, now=utcnow()),
    )
    return RedirectResponse("/dashboard/contacts?zendesk=saved#helpdesk", status_code=303)


@router.post("/contacts/zendesk/remove")
def remove_zendesk(request: Request, posted: tuple[Staff, Form] = Depends(owner_form)) -> Response:
    staff, _form = posted
    in_transaction(database(request), lambda uow: helpdesk.remove_receiver(uow, staff.merchant_id))
    return RedirectResponse("/dashboard/contacts?zendesk=removed#helpdesk", status_code=303)
