"""The front door: a landing page at ``/``, the favicon, and the API reference at ``/docs``.

The reference is Swagger UI from the ``fastapi-offline`` wheel, served from this process
like every other file: nothing is fetched from a CDN, and the page keeps the strict
Content-Security-Policy (the start-up script is a file, not an inline script).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

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
