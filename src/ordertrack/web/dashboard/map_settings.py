"""Dashboard settings: the tracking page's route map, drawn over the merchant's own tiles or
over the country outlines ordertrack ships (merchants/map_tiles.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordertrack.api.transactions import in_transaction
from ordertrack.kit.errors import OrdertrackError
from ordertrack.merchants import map_tiles
from ordertrack.web.dashboard.access import DashboardRoute, Staff, database, staff_form
from ordertrack.web.dashboard.settings_pages import _settings_page
from ordertrack.web.forms import BadForm, Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)


@router.post("/settings/map-tiles")
def save_map_tiles(request: Request, posted: tuple[Staff, Form] = Depends(staff_form)) -> Response:
    staff, form = posted
    typed = {
        "url_template": (form.get("url_template") or "")[: map_tiles.MAX_TEMPLATE * 2],
        "attribution": (form.get("attribution") or "")[: map_tiles.MAX_ATTRIBUTION * 2],
    }
    clear = form.get("use_outlines") == "1"
    try:
        in_transaction(
            database(request),
            lambda uow: map_tiles.set_map_tiles(
                uow,
                staff.merchant_id,
                url_template=None if clear else typed["url_template"],
                attribution=None if clear else typed["attribution"],
            ),
        )
    except (OrdertrackError, BadForm) as refused:
        with database(request).uow(write=False) as uow:
            saved = map_tiles.map_tiles(uow, staff.merchant_id).url_template
        typed["saved"] = "1" if saved else ""
        return _settings_page(
            request, staff, error=refused.message, status_code=refused.status_code, map_form=typed
        )
    return RedirectResponse("/dashboard/settings?saved=map", status_code=303)
