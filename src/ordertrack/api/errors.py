"""One place that turns failures into ``{"error": {"code", "message"}}`` answers."""

from __future__ import annotations

import logging
import sqlite3
import sys
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolExhausted
from starlette.exceptions import HTTPException as StarletteHTTPException

from ordertrack.kit.errors import OrdertrackError

log = logging.getLogger("ordertrack.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = detail_items(code, message, details)
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def detail_items(code: str, message: str, details: Any) -> list[dict[str, Any]]:
    """``details`` is always a list of items that each have a ``code`` and a ``message``.

    A feature may give the facts of one failure as a mapping (``{"sku", "requested",
    "available"}``): that is one item with the error's own code and message. An item without a
    code or message of its own takes the error's; a batch item's ``error`` text is its message.
    """
    items = details if isinstance(details, list | tuple) else [details]
    out = []
    for item in items:
        facts = dict(item) if isinstance(item, dict) else {"value": item}
        if "error" in facts and "message" not in facts:
            facts["message"] = facts.pop("error")
        out.append({"code": code, "message": message} | facts)
    return out


# Seconds a client should wait before retrying while the database is away; a restart of
# PostgreSQL usually takes a second or two, and the pool reconnects on the next request.
DATABASE_RETRY_AFTER = 1


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` means the database cannot be reached right now (worth a retry)."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig if exc.orig is not None else exc
    # psycopg is loaded only where PostgreSQL is used; without it, no psycopg error exists.
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(exc, psycopg.OperationalError):
        # Connection refused or lost, server shutting down or starting (57P0x), too many
        # connections, a pool timeout (psycopg_pool.PoolTimeout is one of these).
        return True
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def _database_unavailable_response() -> JSONResponse:
    return error_response(
        503,
        "database_unavailable",
        "the database is unreachable right now; retry shortly",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
    )


def _location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def _describe(errors: list[dict[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    # The code of an item is pydantic's error type (missing, string_too_long, greater_than_equal...).
    details = [{"field": _location(tuple(e["loc"])), "code": e["type"], "message": e["msg"]} for e in errors]
    message = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
    if len(details) > 5:
        message += f"; and {len(details) - 5} more"
    return message, details


def install_error_handlers(app: FastAPI, *, postgres: bool = False) -> None:
    """The JSON error answers; ``postgres`` adds the one for the async reader's psycopg errors."""

    @app.exception_handler(OrdertrackError)
    async def _ordertrack(_request: Request, exc: OrdertrackError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return error_response(exc.status_code, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "malformed_json", "the request body is not valid JSON")
        content_type = request.headers.get("content-type", "")
        body_shape_error = any(tuple(e.get("loc", ())) == ("body",) for e in errors)
        if body_shape_error and content_type and "json" not in content_type:
            return error_response(
                415, "unsupported_media_type", "send the body as JSON (Content-Type: application/json)"
            )
        message, details = _describe(errors)
        return error_response(422, "validation_error", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        if database_unavailable(exc):
            log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
            return _database_unavailable_response()
        log.exception("unhandled database error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "something went wrong on our side")

    async def _busy(request: Request, _exc: Exception) -> JSONResponse:
        log.warning("no database connection free on %s %s", request.method, request.url.path)
        return _database_unavailable_response()

    # DBAPIError: the ORM and Core paths; psycopg.Error: the async reader, which talks to
    # psycopg directly; PoolExhausted: every pooled connection busy past the pool timeout.
    app.add_exception_handler(DBAPIError, _database)
    if postgres:
        import psycopg  # noqa: PLC0415 - a SQLite process never loads psycopg

        app.add_exception_handler(psycopg.Error, _database)
    app.add_exception_handler(PoolExhausted, _busy)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "something went wrong on our side")
