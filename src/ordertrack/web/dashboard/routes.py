"""The merchant dashboard (``/dashboard``): sign in and out; the pages live beside this file."""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordertrack.api.transactions import in_transaction
from ordertrack.kit.clock import utcnow
from ordertrack.staff import service as staff_service
from ordertrack.staff.model import StaffUser
from ordertrack.web.dashboard import (
    analytics_pages,
    attention_pages,
    digest_pages,
    fulfilment,
    inventory_pages,
    map_settings,
    orders_pages,
    purchase_order_pages,
    ratings_pages,
    receiving_pages,
    reorder_pages,
    sessions,
    settings_pages,
    staff_pages,
    supplier_pages,
    template_preview,
    templates_pages,
    wismo_pages,
)
from ordertrack.web.dashboard.access import (
    CsrfRejected,
    DashboardRoute,
    Staff,
    cookie_is_secure,
    current_staff,
    database,
    error_page,
    keys_of,
    page,
    read_form,
    staff_form,
    with_login_nonce,
)
from ordertrack.web.dashboard.throttle import LoginThrottle
from ordertrack.web.forms import Form

router = APIRouter(include_in_schema=False)
auth = APIRouter(prefix="/dashboard", route_class=DashboardRoute)


def _throttle(request: Request) -> LoginThrottle:
    throttle = getattr(request.app.state, "dashboard_login_throttle", None)
    if throttle is None:
        throttle = request.app.state.dashboard_login_throttle = LoginThrottle()
    return throttle


def _safe_next(target: str) -> str:
    """Only a dashboard path: never another site (``//evil``) after signing in."""
    if target.startswith("/dashboard") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dashboard/orders"


def _login_page(request: Request, *, error: str = "", email: str = "", status_code: int = 200) -> Response:
    nonce = request.cookies.get(sessions.LOGIN_COOKIE) or sessions.new_login_nonce()
    response = page(
        request,
        None,
        "dashboard/login.html",
        {
            "error": error,
            "email": email,
            "next": _safe_next(request.query_params.get("next", "")),
            "csrf_token": sessions.login_csrf_token(keys_of(request), nonce),
        },
        status_code=status_code,
    )
    return with_login_nonce(response, request, nonce)


@auth.get("")
@auth.get("/")
async def home(staff: Staff = Depends(current_staff)) -> Response:
    return RedirectResponse("/dashboard/orders", status_code=303)


@auth.get("/login")
def login_form(request: Request) -> Response:
    claims = sessions.read_session(
        keys_of(request), request.cookies.get(sessions.SESSION_COOKIE), now=utcnow()
    )
    if claims is not None and _session_stands(request, claims):
        return RedirectResponse("/dashboard/orders", status_code=303)
    response = _login_page(request)
    if claims is not None:  # signed by us, but ended (signed out elsewhere, disabled): forget it
        response.delete_cookie(sessions.SESSION_COOKIE, path="/dashboard")
    return response


def _session_stands(request: Request, claims: sessions.SessionClaims) -> bool:
    """The cookie's session is still on (not ended by a sign-out elsewhere or by disabling)."""
    with database(request).uow(write=False) as uow:
        return staff_service.active_user(uow, claims.staff_id, claims.version) is not None


@auth.post("/login")
def login(request: Request, form: Form = Depends(read_form)) -> Response:
    keys = keys_of(request)
    nonce = request.cookies.get(sessions.LOGIN_COOKIE)
    if not nonce or not sessions.login_csrf_matches(keys, nonce, form.get("csrf_token")):
        raise CsrfRejected()
    email = staff_service.normalise_email(form.get("email"))[:320]
    password = form.get("password")
    address = request.client.host if request.client else "unknown"
    throttle = _throttle(request)
    wait = math.ceil(throttle.wait_seconds(address, email))
    if wait > 0:
        # The password is not even checked while the wait lasts: guessing gains nothing.
        response = _login_page(
            request,
            error=f"Too many failed sign-in attempts. Wait {_duration(wait)} and try again.",
            email=email,
            status_code=429,
        )
        response.headers["Retry-After"] = str(wait)
        return response
    now = utcnow()
    try:
        user_id, version = in_transaction(
            database(request),
            lambda uow: _signed_in(staff_service.authenticate(uow, email, password, now=now)),
        )
    except staff_service.LoginFailed as failed:
        throttle.failed(address, email)
        return _login_page(request, error=failed.message, email=email, status_code=401)
    throttle.succeeded(address, email)
    response = RedirectResponse(_safe_next(form.get("next")), status_code=303)
    response.set_cookie(
        sessions.SESSION_COOKIE,
        sessions.issue_session(keys, user_id, version, now=now),
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        path="/dashboard",
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(request),
    )
    response.delete_cookie(sessions.LOGIN_COOKIE, path="/dashboard")
    return response


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _signed_in(user: StaffUser) -> tuple[str, int]:
    return user.id, user.session_version


@auth.post("/logout")
def logout(request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, _form = posted
    in_transaction(database(request), lambda uow: staff_service.end_sessions(uow, staff.id))
    response = RedirectResponse("/dashboard/login", status_code=303)
    response.delete_cookie(sessions.SESSION_COOKIE, path="/dashboard")
    return response


catch_all = APIRouter(prefix="/dashboard", route_class=DashboardRoute)


@catch_all.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def not_found(request: Request, rest: str) -> Response:
    return error_page(request, 404, "There is no such page in the dashboard.")


router.include_router(auth)
router.include_router(orders_pages.router)
router.include_router(attention_pages.router)
router.include_router(digest_pages.router)
router.include_router(analytics_pages.router)
router.include_router(ratings_pages.router)
router.include_router(wismo_pages.router)
router.include_router(staff_pages.router)
router.include_router(inventory_pages.router)
router.include_router(supplier_pages.router)
router.include_router(purchase_order_pages.router)
router.include_router(reorder_pages.router)
router.include_router(fulfilment.router)
router.include_router(settings_pages.router)
router.include_router(templates_pages.router)
router.include_router(template_preview.router)
router.include_router(map_settings.router)
router.include_router(receiving_pages.router)
router.include_router(catch_all)
