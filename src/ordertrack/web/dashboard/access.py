"""What every dashboard page shares: who is signed in, the CSRF check, and HTML errors.

Dashboard routes use :class:`DashboardRoute`, which turns the failures a page can meet into
pages (never the API's JSON and never a 500): no session -> redirect to the login page,
a POST without the right CSRF token -> 403, an ordertrack error -> its 4xx status with its
message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.kit.signing import SigningKeys
from ordertrack.staff import service as staff_service
from ordertrack.web.dashboard import sessions
from ordertrack.web.forms import Form
from ordertrack.web.forms import read_form as read_posted_form
from ordertrack.web.pages import locale_for, render

log = logging.getLogger("ordertrack.dashboard")


class LoginRequired(Exception):
    """No valid session: the answer is the login page."""


class CsrfRejected(OrdertrackError):
    status_code = 403
    code = "csrf_rejected"

    def __init__(self) -> None:
        super().__init__(
            "This form has expired or did not come from this dashboard. Go back, reload the page "
            "and try again."
        )


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member, as pages need them."""

    id: str
    merchant_id: str
    email: str
    name: str
    csrf: str
    role: str = "staff"

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


class DashboardRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/dashboard/login?next={quote(target, safe='')}", status_code=303)
            except OrdertrackError as error:
                return error_page(request, error.status_code, error.message)
            except RequestValidationError:
                return error_page(request, 400, "The request could not be read.")

        return handler


def error_page(request: Request, status: int, message: str) -> Response:
    staff = request.scope.get("ordertrack.staff")
    return render(
        request,
        "dashboard/error.html",
        {"status": status, "message": message, "staff": staff, "csrf_token": getattr(staff, "csrf", "")},
        status_code=status,
    )


def keys_of(request: Request) -> SigningKeys:
    keys: SigningKeys = request.app.state.settings.signing_keys()
    return keys


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def cookie_is_secure(request: Request) -> bool:
    return str(request.app.state.settings.public_url).lower().startswith("https://")


def with_login_nonce(response: Response, request: Request, nonce: str) -> Response:
    """``response`` with the cookie that ties a sign-in or password form to its CSRF token."""
    response.set_cookie(
        sessions.LOGIN_COOKIE,
        nonce,
        max_age=int(sessions.LOGIN_FORM_LIFETIME.total_seconds()),
        path="/dashboard",
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(request),
    )
    return response


def _load_staff(db: Database, claims: sessions.SessionClaims) -> tuple[str, str, str, str] | None:
    with db.uow(write=False) as uow:
        user = staff_service.active_user(uow, claims.staff_id, claims.version)
        return (user.merchant_id, user.email, user.name, user.role) if user is not None else None


async def current_staff(request: Request) -> Staff:
    """The signed-in staff member (a dependency of every page but the login page)."""
    cached = request.scope.get("ordertrack.staff")
    if isinstance(cached, Staff):
        return cached
    keys = keys_of(request)
    claims = sessions.read_session(keys, request.cookies.get(sessions.SESSION_COOKIE), now=utcnow())
    if claims is None:
        raise LoginRequired()
    found = await run_in_threadpool(_load_staff, database(request), claims)
    if found is None:
        raise LoginRequired()
    merchant_id, email, name, role = found
    staff = Staff(claims.staff_id, merchant_id, email, name, sessions.csrf_token(keys, claims), role)
    request.scope["ordertrack.staff"] = staff
    request.scope["ordertrack.session"] = claims
    return staff


async def current_owner(request: Request) -> Staff:
    """The signed-in staff member, who must be an owner (staff get a 403 page that says why)."""
    staff = await current_staff(request)
    if not staff.is_owner:
        raise staff_service.OwnersOnly(
            "Only an owner of this shop can open this page (staff, settings and API keys). "
            "Ask an owner if you need something changed here."
        )
    return staff


async def owner_form(request: Request) -> tuple[Staff, Form]:
    """A POST from an owner, with its CSRF token checked."""
    staff, form = await staff_form(request)
    if not staff.is_owner:
        raise staff_service.OwnersOnly("Only an owner of this shop can do that.")
    return staff, form


async def read_form(request: Request) -> Form:
    """A dashboard form, within the dashboard's limits (:mod:`ordertrack.web.forms`)."""
    return await read_posted_form(request)


async def staff_form(request: Request) -> tuple[Staff, Form]:
    """A POST from a signed-in staff member, with its CSRF token checked."""
    staff = await current_staff(request)
    form = await read_form(request)
    # Checked under every key, not compared with staff.csrf: a form loaded before a key rotation still posts.
    claims: sessions.SessionClaims = request.scope["ordertrack.session"]
    if not sessions.csrf_matches(keys_of(request), claims, form.get("csrf_token")):
        raise CsrfRejected()
    return staff, form


def page(
    request: Request,
    staff: Staff | None,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    section: str = "",
) -> Response:
    """Render a dashboard page with the signed-in user, their CSRF token and the nav state."""
    from ordertrack.web.dashboard.display import helpers

    locale = locale_for(request)
    return render(
        request,
        template,
        {
            **helpers(locale),
            **context,
            "staff": staff,
            "csrf_token": staff.csrf if staff else context.get("csrf_token", ""),
            "section": section,
        },
        status_code=status_code,
        locale=locale,
    )
