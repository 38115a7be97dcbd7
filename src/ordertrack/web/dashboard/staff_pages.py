"""The owner's staff page (invite, change role, disable, enable, send a password-reset link) and
the pages an invite or reset link opens, where the person sets their password.

Links are signed, expire (an invite after 7 days, a reset after 24 hours) and work once: each
carries the login's current link nonce, which using the link (or sending a newer one, or
disabling the login) clears. The owner sees the link once, to pass on.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordertrack.api.transactions import in_transaction
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.links import Purpose, read_staff_link_token, staff_link_url
from ordertrack.staff import service as staff_service
from ordertrack.staff.model import StaffUser
from ordertrack.web.dashboard import sessions
from ordertrack.web.dashboard.access import (
    CsrfRejected,
    DashboardRoute,
    Staff,
    cookie_is_secure,
    current_owner,
    database,
    keys_of,
    owner_form,
    page,
    read_form,
    with_login_nonce,
)
from ordertrack.web.forms import Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

ROLE_WORDS = {"owner": "Owner", "staff": "Staff"}
STATUS_WORDS = {"active": "Active", "invited": "Invited", "disabled": "Disabled"}
LINK_PURPOSE = {"invite": Purpose.STAFF_INVITE, "reset": Purpose.STAFF_RESET}


def _staff_page(
    request: Request,
    staff: Staff,
    *,
    message: str = "",
    error: str = "",
    link: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with database(request).uow(write=False) as uow:
        people = staff_service.list_staff(uow, staff.merchant_id)
        rows = [
            {
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "status": staff_service.status_of(u),
                "last_login_at": u.last_login_at,
                "invited_at": u.invited_at,
                "me": u.id == staff.id,
            }
            for u in people
        ]
    return page(
        request,
        staff,
        "dashboard/staff.html",
        {
            "people": rows,
            "roles": ROLE_WORDS,
            "statuses": STATUS_WORDS,
            "message": message,
            "error": error,
            "link": link,
            "form": form or {},
        },
        status_code=status_code,
        section="staff",
    )


@router.get("/staff")
def staff_list(request: Request, staff: Staff = Depends(current_owner)) -> Response:
    return _staff_page(request, staff)


def _link_for(request: Request, user: StaffUser, purpose: Purpose, nonce: str) -> dict[str, str]:
    settings = request.app.state.settings
    url = staff_link_url(str(settings.public_url), keys_of(request), purpose, user.id, nonce, now=utcnow())
    kind = "invite" if purpose is Purpose.STAFF_INVITE else "password-reset"
    life = "7 days" if purpose is Purpose.STAFF_INVITE else "24 hours"
    return {"url": url, "kind": kind, "name": user.name, "email": user.email, "life": life}


@router.post("/staff/invite")
def invite(request: Request, posted: tuple[Staff, Form] = Depends(owner_form)) -> Response:
    staff, form = posted
    values = {"name": form.text("name", 200), "email": form.text("email", 320), "role": form.text("role", 16)}
    try:
        user, nonce = in_transaction(
            database(request),
            lambda uow: staff_service.invite_staff(
                uow,
                staff.merchant_id,
                email=values["email"],
                name=values["name"],
                role=values["role"] or "staff",
                now=utcnow(),
            ),
        )
    except OrdertrackError as refused:
        return _staff_page(
            request, staff, error=refused.message, form=values, status_code=refused.status_code
        )
    return _staff_page(
        request,
        staff,
        message=f"{user.name} is invited.",
        link=_link_for(request, user, Purpose.STAFF_INVITE, nonce),
    )


def _change(request: Request, staff: Staff, work: Any, done: str) -> Response:
    try:
        in_transaction(database(request), work)
    except OrdertrackError as refused:
        return _staff_page(request, staff, error=refused.message, status_code=refused.status_code)
    return RedirectResponse(f"/dashboard/staff?done={done}", status_code=303)


@router.post("/staff/{staff_id}/{action}")
def change(
    staff_id: str, action: str, request: Request, posted: tuple[Staff, Form] = Depends(owner_form)
) -> Response:
    staff, form = posted
    merchant = staff.merchant_id
    if len(staff_id) > 32:
        return _staff_page(request, staff, error="There is no such staff member.", status_code=404)
    if action == "disable":
        return _change(
            request,
            staff,
            lambda uow: staff_service.set_disabled(uow, merchant, staff_id, True, by=staff.id),
            "disabled",
        )
    if action == "enable":
        return _change(
            request, staff, lambda uow: staff_service.set_disabled(uow, merchant, staff_id, False), "enabled"
        )
    if action == "role":
        role = form.text("role", 16)
        return _change(
            request,
            staff,
            lambda uow: staff_service.set_role(uow, merchant, staff_id, role, by=staff.id),
            "role",
        )
    if action == "link":
        try:
            user, nonce = in_transaction(
                database(request), lambda uow: staff_service.new_link(uow, merchant, staff_id)
            )
        except OrdertrackError as refused:
            return _staff_page(request, staff, error=refused.message, status_code=refused.status_code)
        purpose = Purpose.STAFF_INVITE if staff_service.status_of(user) == "invited" else Purpose.STAFF_RESET
        words = "A new invite link" if purpose is Purpose.STAFF_INVITE else "A password-reset link"
        return _staff_page(
            request,
            staff,
            message=f"{words} for {user.name} is ready; any older link stopped working.",
            link=_link_for(request, user, purpose, nonce),
        )
    return _staff_page(request, staff, error="There is no such action on a staff member.", status_code=404)


# --- the pages an invite or reset link opens (no session yet) ----------------------------------


def _holder(request: Request, kind: str, token: str) -> tuple[StaffUser | None, tuple[str, str] | None]:
    found = read_staff_link_token(keys_of(request), LINK_PURPOSE[kind], token, now=utcnow())
    if found is None:
        return None, None
    staff_id, nonce = found

    def read(uow: UnitOfWork) -> StaffUser | None:
        try:
            return staff_service.link_holder(uow, staff_id, nonce)
        except staff_service.StaffLinkInvalid:
            return None

    with database(request).uow(write=False) as uow:
        user = read(uow)
        if user is not None:
            uow.session.expunge(user)
    return user, found


def _password_page(
    request: Request,
    kind: str,
    token: str,
    user: StaffUser | None,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    nonce = request.cookies.get(sessions.LOGIN_COOKIE) or sessions.new_login_nonce()
    if user is None:
        status_code = 410
    response = page(
        request,
        None,
        "dashboard/set_password.html",
        {
            "kind": kind,
            "token": token,
            "person": user,
            "error": error,
            "min_length": staff_service.MIN_PASSWORD_LENGTH,
            "csrf_token": sessions.login_csrf_token(keys_of(request), nonce),
        },
        status_code=status_code,
    )
    return with_login_nonce(response, request, nonce)


@router.get("/invite/{token}")
def open_invite(token: str, request: Request) -> Response:
    return _password_page(request, "invite", token, _holder(request, "invite", token)[0])


@router.get("/reset/{token}")
def open_reset(token: str, request: Request) -> Response:
    return _password_page(request, "reset", token, _holder(request, "reset", token)[0])


@router.post("/invite/{token}")
def accept_invite(token: str, request: Request, form: Form = Depends(read_form)) -> Response:
    return _use_link(request, "invite", token, form)


@router.post("/reset/{token}")
def accept_reset(token: str, request: Request, form: Form = Depends(read_form)) -> Response:
    return _use_link(request, "reset", token, form)


def _use_link(request: Request, kind: str, token: str, form: Form) -> Response:
    keys = keys_of(request)
    nonce_cookie = request.cookies.get(sessions.LOGIN_COOKIE)
    if not nonce_cookie or not sessions.login_csrf_matches(keys, nonce_cookie, form.get("csrf_token")):
        raise CsrfRejected()
    user, found = _holder(request, kind, token)
    if user is None or found is None:
        return _password_page(request, kind, token, None)
    password, again = form.get("password"), form.get("password_again")
    if password != again:
        return _password_page(request, kind, token, user, error="The two passwords differ.", status_code=422)
    staff_id, nonce = found
    try:
        signed_in = in_transaction(
            database(request),
            lambda uow: _session_of(staff_service.accept_link(uow, staff_id, nonce, password)),
        )
    except staff_service.StaffLinkInvalid:
        return _password_page(request, kind, token, None)
    except OrdertrackError as refused:
        return _password_page(request, kind, token, user, error=refused.message, status_code=422)
    now = utcnow()
    response = RedirectResponse("/dashboard/orders", status_code=303)
    response.set_cookie(
        sessions.SESSION_COOKIE,
        sessions.issue_session(keys, signed_in[0], signed_in[1], now=now),
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        path="/dashboard",
        httponly=True,
        samesite="lax",
        secure=cookie_is_secure(request),
    )
    response.delete_cookie(sessions.LOGIN_COOKIE, path="/dashboard")
    return response


def _session_of(user: StaffUser) -> tuple[str, int]:
    return user.id, user.session_version
