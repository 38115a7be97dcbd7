"""Dashboard settings: the tracking page's branding, the store's contact, and API keys
(create, shown once; revoke)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordertrack.api.transactions import in_transaction
from ordertrack.kit.errors import OrdertrackError
from ordertrack.merchants import contact as merchants_contact
from ordertrack.merchants import map_tiles as merchants_map_tiles
from ordertrack.merchants import service as merchants_service
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_owner, database, owner_form, page
from ordertrack.web.forms import BadForm, Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)


class RevokeNotConfirmed(OrdertrackError):
    status_code = 400
    code = "not_confirmed"


def _settings_page(
    request: Request,
    staff: Staff,
    *,
    new_key: str = "",
    message: str = "",
    error: str = "",
    status_code: int = 200,
    contact_form: dict[str, str] | None = None,
    map_form: dict[str, str] | None = None,
) -> Response:
    with database(request).uow(write=False) as uow:
        branding = merchants_service.branding(uow, staff.merchant_id)
        contact = merchants_contact.store_contact(uow, staff.merchant_id)
        tiles = merchants_map_tiles.map_tiles(uow, staff.merchant_id)
        keys = merchants_service.list_api_keys(uow, staff.merchant_id)
    return page(
        request,
        staff,
        "dashboard/settings.html",
        {
            "branding": branding,
            "contact": contact_form
            or {
                "email": contact.email or "",
                "phone": contact.phone_display or "",
                "help_url": contact.help_url or "",
            },
            "contact_error": error if contact_form is not None else "",
            "map_tiles": map_form
            or {"url_template": tiles.url_template or "", "attribution": tiles.attribution or ""},
            "keys": keys,
            "new_key": new_key,
            "message": message
            or {
                "branding": "Branding saved.",
                "contact": "Store contact saved.",
                "map": "Map settings saved.",
                "revoked": "The key was revoked.",
            }.get(request.query_params.get("saved", ""), ""),
            "error": "" if contact_form is not None else error,
            "logo_types": ", ".join(merchants_service.LOGO_TYPES),
            "max_logo_kb": merchants_service.MAX_LOGO_BYTES // 1000,
        },
        status_code=status_code,
        section="settings",
    )


@router.get("/settings")
def settings(request: Request, staff: Staff = Depends(current_owner)) -> Response:
    return _settings_page(request, staff)


@router.post("/settings/branding")
def save_branding(request: Request, posted: tuple[Staff, Form] = Depends(owner_form)) -> Response:
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
                email_logo_url=form.text("email_logo_url", 600),
            ),
        )
    except (OrdertrackError, BadForm) as refused:
        return _settings_page(request, staff, error=refused.message, status_code=refused.status_code)
    return RedirectResponse("/dashboard/settings?saved=branding", status_code=303)


@router.post("/settings/contact")
def save_contact(request: Request, posted: tuple[Staff, Form] = Depends(owner_form)) -> Response:
    """The support email, phone and help page the shopper's tracking page shows."""
    staff, form = posted
    limits = {
        "email": merchants_contact.MAX_EMAIL,
        "phone": merchants_contact.MAX_PHONE,
        "help_url": merchants_contact.MAX_URL,
    }
    typed = {name: form.get(name)[:limit] for name, limit in limits.items()}  # shown again on an error
    try:
        values = {name: form.text(name, limit) for name, limit in limits.items()}
        in_transaction(
            database(request),
            lambda uow: merchants_contact.set_store_contact(uow, staff.merchant_id, **values),
        )
    except (OrdertrackError, BadForm) as refused:
        return _settings_page(
            request, staff, error=refused.message, status_code=refused.status_code, contact_form=typed
        )
    return RedirectResponse("/dashboard/settings?saved=contact#contact-title", status_code=303)


@router.post("/settings/api-keys")
def create_api_key(request: Request, posted: tuple[Staff, Form] = Depends(owner_form)) -> Response:
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
    key_id: str, request: Request, posted: tuple[Staff, Form] = Depends(owner_form)
) -> Response:
    staff, form = posted
    if len(key_id) > 32:
        raise merchants_service.ApiKeyNotFound(f"no API key {key_id!r}")
    if form.get("confirm") != "yes":
        # Not from the confirmation (which says what revoking does): nothing is revoked.
        raise RevokeNotConfirmed(
            'The key was not revoked: confirm with the "Yes, revoke" button under Revoke… in Settings.'
        )
    in_transaction(
        database(request), lambda uow: merchants_service.revoke_api_key(uow, staff.merchant_id, key_id)
    )
    # This process stops accepting the key now; other processes within the cache's TTL.
    request.app.state.api_key_cache.forget_merchant(staff.merchant_id)
    return RedirectResponse("/dashboard/settings?saved=revoked", status_code=303)
