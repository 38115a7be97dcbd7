"""Dashboard settings: the tracking page's branding, and API keys (create, shown once; revoke)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordertrack.api.transactions import in_transaction
from ordertrack.kit.errors import OrdertrackError
from ordertrack.merchants import service as merchants_service
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, page, staff_form
from ordertrack.web.forms import BadForm, Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)


def _settings_page(
    request: Request,
    staff: Staff,
    *,
    new_key: str = "",
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    with database(request).uow(write=False) as uow:
        branding = merchants_service.branding(uow, staff.merchant_id)
        keys = merchants_service.list_api_keys(uow, staff.merchant_id)
    return page(
        request,
        staff,
        "dashboard/settings.html",
        {
            "branding": branding,
            "keys": keys,
            "new_key": new_key,
            "message": message
            or {"branding": "Branding saved.", "revoked": "The key was revoked."}.get(
                request.query_params.get("saved", ""), ""
            ),
            "error": error,
            "logo_types": ", ".join(merchants_service.LOGO_TYPES),
            "max_logo_kb": merchants_service.MAX_LOGO_BYTES // 1000,
        },
        status_code=status_code,
        section="settings",
    )


@router.get("/settings")
def settings(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    return _settings_page(request, staff)


@router.post("/settings/branding")
def save_branding(request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, form = posted
    upload = form.files.get("logo")
    try:
        in_transaction(
            database(request),
            lambda uow: merchants_service.set_branding(
                uow,
                staff.merchant_id,
                display_name=form.text("display_name", 200) or None,
                primary_colour=form.text("primary_colour", 20) or None,
                accent_colour=form.text("accent_colour", 20) or None,
                logo=(upload.content_type, upload.data) if upload else None,
                remove_logo=form.get("remove_logo") == "1",
            ),
        )
    except (OrdertrackError, BadForm) as refused:
        return _settings_page(request, staff, error=refused.message, status_code=refused.status_code)
    return RedirectResponse("/dashboard/settings?saved=branding", status_code=303)


@router.post("/settings/api-keys")
def create_api_key(request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, form = posted
    label = form.text("label", 100) or "dashboard"
    key = in_transaction(
        database(request), lambda uow: merchants_service.issue_api_key(uow, staff.merchant_id, label)
    )
    # Shown in this answer only: it is stored hashed, and a reload does not show it again.
    response = _settings_page(request, staff, new_key=key, message="API key created.")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/settings/api-keys/{key_id}/revoke")
def revoke_api_key(
    key_id: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)
) -> Response:
    staff, _form = posted
    if len(key_id) > 32:
        raise merchants_service.ApiKeyNotFound(f"no API key {key_id!r}")
    in_transaction(
        database(request), lambda uow: merchants_service.revoke_api_key(uow, staff.merchant_id, key_id)
    )
    # This process stops accepting the key now; other processes within the cache's TTL.
    request.app.state.api_key_cache.forget_merchant(staff.merchant_id)
    return RedirectResponse("/dashboard/settings?saved=revoked", status_code=303)
