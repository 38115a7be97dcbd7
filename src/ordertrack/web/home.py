"""The front door: a landing page at ``/``, the favicon, and the API reference at ``/docs``.

The reference is Swagger UI from the ``fastapi-offline`` wheel, served from this process
like every other file: nothing is fetched from a CDN, and the page keeps the strict
Content-Security-Policy (the start-up script is a file, not an inline script).
"""

from __future__ import annotations

import re
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from ordertrack.db.uow import Database
from ordertrack.kit.errors import NotFound
from ordertrack.merchants import service as merchants_service
from ordertrack.web.pages import STATIC, render

# Swagger UI's script and stylesheet, as the fastapi-offline wheel ships them.
SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"
SWAGGER_ASSETS_URL = "/docs/assets"

router = APIRouter(include_in_schema=False)


@router.get("/")
def landing(request: Request) -> Response:
    """Where a first visitor starts: the shopper's lookup, the dashboard, the API."""
    return render(request, "home/landing.html", {})


@router.get("/docs")
def api_reference(request: Request) -> Response:
    return render(
        request,
        "home/api_docs.html",
        {"assets": SWAGGER_ASSETS_URL, "openapi_url": request.app.openapi_url or "/openapi.json"},
    )


@router.get("/favicon.ico")
def favicon() -> Response:
    return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon", headers=_CACHE_A_DAY)


_CACHE_A_DAY = {"Cache-Control": "public, max-age=86400"}
_MERCHANT_ID = re.compile(r"^mer_[0-9a-z]{26}$")


@router.get(merchants_service.LOGO_PATH.format(merchant_id="{merchant_id}"))
def store_logo(request: Request, merchant_id: str) -> Response:
    """The store's uploaded logo, for emails (mail clients do not show images inside a message).
    The address carries a version, so a new logo is a new address and this one may be cached."""
    found = None
    if _MERCHANT_ID.match(merchant_id):
        db: Database = request.app.state.db
        with db.uow(write=False) as uow:
            try:
                found = merchants_service.branding(uow, merchant_id).uploaded_logo()
            except NotFound:
                found = None
    if found is None or found[0] not in merchants_service.EMAIL_LOGO_TYPES:
        return Response("no such logo\n", status_code=404, media_type="text/plain")
    content_type, data = found
    return Response(
        data,
        media_type=content_type,
        headers={"Cache-Control": "public, max-age=604800", "X-Content-Type-Options": "nosniff"},
    )
