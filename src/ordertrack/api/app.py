"""Assemble the FastAPI application."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ordertrack import __version__
from ordertrack.api.auth import ApiKeyCache
from ordertrack.api.document import declare_url_rules
from ordertrack.api.errors import error_response, install_error_handlers
from ordertrack.api.options import AllowedMethods
from ordertrack.api.routes.analytics import router as analytics_router
from ordertrack.api.routes.attention import router as attention_router
from ordertrack.api.routes.availability import router as availability_router
from ordertrack.api.routes.carriers import router as carriers_router
from ordertrack.api.routes.catalog import router as catalog_router
from ordertrack.api.routes.contacts import router as contacts_router
from ordertrack.api.routes.documents import batch_router as documents_batch_router
from ordertrack.api.routes.documents import router as documents_router
from ordertrack.api.routes.inbound_shipments import router as inbound_shipments_router
from ordertrack.api.routes.index import router as api_index_router
from ordertrack.api.routes.inventory import router as inventory_router
from ordertrack.api.routes.map_tiles import router as map_tiles_router
from ordertrack.api.routes.notifications import pages as notification_pages
from ordertrack.api.routes.notifications import router as notifications_router
from ordertrack.api.routes.orders import router as orders_router
from ordertrack.api.routes.planning import performance_router, reorder_router
from ordertrack.api.routes.purchase_orders import router as purchase_orders_router
from ordertrack.api.routes.ratings import router as ratings_router
from ordertrack.api.routes.receiving import router as receiving_router
from ordertrack.api.routes.shipments import router as shipments_router
from ordertrack.api.routes.store import router as store_router
from ordertrack.api.routes.suppliers import router as suppliers_router
from ordertrack.api.routes.tracking import router as tracking_router
from ordertrack.bootstrap import open_database
from ordertrack.config import Settings, get_settings
from ordertrack.db.uow import Database
from ordertrack.kit import collector
from ordertrack.kit.schema import error_responses
from ordertrack.live.listener import PostgresListener
from ordertrack.tracking.schemas import UnifiedEventIn
from ordertrack.web.dashboard.routes import router as dashboard_pages
from ordertrack.web.home import SWAGGER_ASSETS, SWAGGER_ASSETS_URL
from ordertrack.web.home import router as home_pages
from ordertrack.web.pages import STATIC
from ordertrack.web.supplier.routes import router as supplier_pages
from ordertrack.web.track.clicks import router as track_clicks
from ordertrack.web.track.live import router as track_live
from ordertrack.web.track.lookup import router as track_lookup
from ordertrack.web.track.routes import router as track_pages


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await self._too_large(scope, receive, send)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, "payload_too_large", f"request bodies are limited to {self.limit} bytes"
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


class RejectNulInUrl:
    """A NUL character can reach no table and no log line intact: refuse it at the door."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
            query = scope.get("query_string", b"")
            if b"\x00" in raw or b"%00" in raw.lower() or b"%00" in query.lower() or b"\x00" in query:
                response = error_response(400, "bad_request", "NUL characters are not allowed in URLs")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    settings: Settings | None = None, db: Database | None = None, *, server: bool = False
) -> FastAPI:
    """The application. ``server``: this process serves it until it stops (``ordertrack serve``,
    ``create_served_app``), so once started it sets the cycle collector for a server
    (``kit.collector``); tests leave the collector as it is."""
    settings = settings or get_settings()
    db = db or open_database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Live pages: this process's hub serves its open pages; on PostgreSQL one listener
        # per process hears every process's committed changes and feeds the hub.
        db.hub.attach(asyncio.get_running_loop())
        listener = None if db.is_sqlite else PostgresListener(db.url, db.hub)
        if listener is not None:
            listener.start()
        _app.state.live_listener = listener
        if server:
            collector.settle()
        yield
        db.hub.close()
        if listener is not None:
            await listener.stop()
        await db.reader.close()

    app = FastAPI(
        lifespan=lifespan,
        # FastAPI's own /docs and /redoc pages load their scripts from a CDN; ordertrack's
        # /docs (web/home.py) serves Swagger UI's files from this process instead.
        docs_url=None,
        redoc_url=None,
        title="ordertrack",
        version=__version__,
        description="Orders, shipments and every carrier scan, in one honest timeline.",
        responses=error_responses(400, 401, 413, 415, 422),
    )
    app.state.settings = settings
    app.state.db = db
    app.state.api_key_cache = ApiKeyCache(settings.api_key_cache_seconds)
    install_error_handlers(app, postgres=not db.is_sqlite)
    for router in (
        analytics_router,
        attention_router,
        availability_router,
        carriers_router,
        notifications_router,
        catalog_router,
        contacts_router,
        documents_router,
        documents_batch_router,
        inbound_shipments_router,
        inventory_router,
        map_tiles_router,
        orders_router,
        performance_router,
        purchase_orders_router,
        ratings_router,
        receiving_router,
        reorder_router,
        shipments_router,
        store_router,
        suppliers_router,
        tracking_router,
    ):
        app.include_router(router)

    app.include_router(api_index_router)
    app.include_router(home_pages)
    app.include_router(notification_pages)
    app.include_router(track_lookup)
    app.include_router(track_pages)
    app.include_router(track_live)
    app.include_router(track_clicks)
    app.include_router(supplier_pages)
    app.include_router(dashboard_pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount(SWAGGER_ASSETS_URL, StaticFiles(directory=SWAGGER_ASSETS), name="api-docs-assets")

    @app.get("/healthz", tags=["ops"], include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            event_schema = UnifiedEventIn.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in event_schema.pop("$defs", {}).items():
                components.setdefault(name, definition)
            components["UnifiedEventIn"] = event_schema
            app.openapi_schema = declare_url_rules(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(AllowedMethods)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(RejectNulInUrl)
    return app


def create_served_app() -> FastAPI:
    """The application as a server process runs it, for ``uvicorn --factory`` (the benchmarks
    serve it this way, so they measure what ``ordertrack serve`` runs)."""
    return create_app(server=True)
