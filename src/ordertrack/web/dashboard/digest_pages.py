"""The weekly digest in the dashboard: a preview of any week's digest for the shop, and each staff
member's own choice to get it by email every Monday (analytics.digest_sending)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ordertrack.analytics import digest, digest_mail, digest_sending
from ordertrack.api.transactions import in_transaction
from ordertrack.kit.clock import utcnow
from ordertrack.merchants import service as merchants_service
from ordertrack.web.dashboard.access import (
    DashboardRoute,
    Staff,
    current_staff,
    database,
    error_page,
    page,
    staff_form,
)
from ordertrack.web.forms import Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

# The email preview carries its own inline styles, as mail clients need; nothing else may load.
EMAIL_PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def _week(request: Request, zone: str) -> tuple[date, date] | str:
    """The week asked for (``?week=YYYY-MM-DD``, any day of it), else the last whole week in the
    merchant's zone; a message when the date is not one."""
    given = request.query_params.get("week", "").strip()
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    if not given:
        return digest.week_before(today)
    try:
        day = date.fromisoformat(given)
    except ValueError:
        return f"“{given[:40]}” is not a date: give the week as YYYY-MM-DD (any day of it)."
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _digest(request: Request, staff: Staff) -> tuple[digest.Digest, str, bool] | Response:
    with database(request).uow(write=False) as uow:
        zone = digest_sending.merchant_zone(uow, staff.merchant_id)
        week = _week(request, zone)
        if isinstance(week, str):
            return error_page(request, 400, week)
        found = digest_sending.digest_of(uow, staff.merchant_id, week[0])
        store_name = merchants_service.branding(uow, staff.merchant_id).display_name
        asked = digest_sending.asked(uow, staff.merchant_id, staff.email)
    return found, store_name, asked


@router.get("/digest")
def digest_page(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    made = _digest(request, staff)
    if isinstance(made, Response):
        return made
    found, store_name, asked = made
    previous = found.first - timedelta(days=7)
    following = found.first + timedelta(days=7)
    return page(
        request,
        staff,
        "dashboard/digest.html",
        {
            "digest": found,
            "week": digest.week_words(found.first, found.last),
            "weeks_before": [f"Week of {first.day} {first:%b}" for first, _ in found.weeks[1:]],
            "lines": digest_mail.lines(found),
            "worst": digest_mail.variables(found, store_name, "", "")["worst"],
            "least": digest.LEAST_LANE_DELIVERIES,
            "verdicts": digest_mail.VERDICT_WORDS,
            "analytics_url": digest_mail.analytics_url("", found.first, found.last),
            "previous": previous.isoformat(),
            "following": following.isoformat() if following + timedelta(days=6) < utcnow().date() else "",
            "asked": asked,
            "message": {
                "on": "You will get the digest every Monday morning.",
                "off": "You will not get the digest.",
            }.get(request.query_params.get("saved", ""), ""),
        },
        section="analytics",
    )


@router.get("/digest/email")
def digest_email(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    """The week's digest exactly as the email's HTML part (the unsubscribe link is a sample)."""
    made = _digest(request, staff)
    if isinstance(made, Response):
        return made
    found, store_name, _ = made
    public = str(request.base_url).rstrip("/")
    _, _, html = digest_mail.compose(found, store_name, public, f"{public}/dashboard/digest")
    return HTMLResponse(html, headers={"Content-Security-Policy": EMAIL_PREVIEW_POLICY})


@router.post("/digest/subscription")
def set_subscription(request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, form = posted
    wanted = form.get("digest")
    if wanted not in ("on", "off"):
        return error_page(request, 400, "Choose whether to get the weekly digest: on or off.")
    in_transaction(
        database(request),
        lambda uow: digest_sending.set_asked(uow, staff.merchant_id, staff.email, wanted == "on", utcnow()),
    )
    return RedirectResponse(f"/dashboard/digest?saved={wanted}", status_code=303)
