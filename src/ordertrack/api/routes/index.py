"""``/api/v1/``: an index of the API, read from its own OpenAPI document, so it never lists a
path that does not exist nor misses one that does."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ordertrack import __version__

router = APIRouter(include_in_schema=False)

API_ROOT = "/api/v1"
_METHODS = ("get", "post", "put", "patch", "delete")


def api_index(openapi: dict[str, Any]) -> dict[str, Any]:
    """The resources of the API (one per OpenAPI tag), each with its paths, methods and summaries."""
    resources: dict[str, list[dict[str, Any]]] = {}
    for path, operations in openapi.get("paths", {}).items():
        if not path.startswith(API_ROOT + "/"):
            continue
        for method in _METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["other"])[0]
            links = resources.setdefault(tag, [])
            link = next((entry for entry in links if entry["href"] == path), None)
            if link is None:
                link = {"href": path, "templated": "{" in path, "methods": [], "summaries": {}}
                links.append(link)
            link["methods"].append(method.upper())
            link["summaries"][method.upper()] = operation.get("summary", "")
    return {
        "name": "ordertrack",
        "version": __version__,
        "documentation": {"reference": "/docs", "openapi": "/openapi.json"},
        "authentication": "Send an API key as 'Authorization: Bearer <key>'; the dashboard's "
        "settings page issues keys.",
        "resources": [
            {"name": name, "links": sorted(links, key=lambda link: link["href"])}
            for name, links in sorted(resources.items())
        ],
    }


@router.get(API_ROOT)
@router.get(API_ROOT + "/")
def index(request: Request) -> Response:
    """What the API offers, with links; no key needed (it says nothing about any merchant)."""
    return JSONResponse(api_index(request.app.openapi()))


@router.get("/api")
@router.get("/api/")
def api_root() -> Response:
    """``/api`` leads to the current version's index."""
    return RedirectResponse(API_ROOT + "/", status_code=307)
