"""Live updates of the shopper's tracking page: a WebSocket per open page (and a server-sent
events stream for clients without WebSocket), both woken by the process's hub.

Neither asks the database anything while idle: a stream subscribes to the ids its page
shows (the order and its parcels, or the one parcel) and sleeps until a committed change
names one of them. Then it tells the page ``update`` and the page fetches
``/track/{token}/timeline``. Only "something changed" travels on the socket, never page
content, so the signed token stays the only authority, as for the page itself.

Why WebSocket: Chromium (and Firefox) hold at most 6 HTTP/1.1 connections per host for a
whole browser profile, and an EventSource keeps one for as long as the page is open; with
6 pages of one shop open, no page can fetch anything any more (the ``/timeline`` fetch
waits forever). WebSockets are not counted in that pool. See docs/tracking-page.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request, WebSocket
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from ordertrack.db.uow import Database
from ordertrack.kit.signing import SigningKeys
from ordertrack.links import read_tracking_token
from ordertrack.live.hub import Subscription, Wake
from ordertrack.live.listener import PostgresListener
from ordertrack.shipments import service as shipments_service
from ordertrack.web.pages import SECURITY_HEADERS
from ordertrack.web.track import reading

router = APIRouter(include_in_schema=False)

# A server-sent-events stream ends after this long (EventSource reconnects by itself) and
# sends a comment this often so proxies keep it open. A WebSocket lives as long as its page;
# uvicorn pings it every 20 s.
STREAM_SECONDS = 600
HEARTBEAT_SECONDS = 15
_MAX_TOKEN = 200
UPDATE = '{"type":"update"}'


def _live_database(app: Any) -> Database:
    """The app's database, its hub serving this event loop. ``serve`` starts the hub and the
    PostgreSQL listener in its lifespan; an app run without one (in-thread test servers)
    starts them with its first open page."""
    db: Database = app.state.db
    if not db.hub.attached:
        db.hub.attach(asyncio.get_running_loop())
        if not db.is_sqlite and getattr(app.state, "live_listener", None) is None:
            app.state.live_listener = PostgresListener(db.url, db.hub)
            app.state.live_listener.start()
    return db


def _subject(db: Database, keys: SigningKeys, token: str) -> reading.Subject | None:
    if len(token) > _MAX_TOKEN:
        return None
    opened = read_tracking_token(keys, token)
    if opened is None:
        return None
    with db.uow(write=False) as uow:
        return reading.subject_of(uow, opened)


def _topics(db: Database, subject: reading.Subject) -> set[str]:
    """The ids whose changes this page shows: the parcel, or the order and its parcels."""
    if subject.parcel_id is not None:
        return {subject.parcel_id}
    assert subject.order_id is not None
    with db.uow(write=False) as uow:
        parcels = shipments_service.parcel_ids_of_order(uow, subject.merchant_id, subject.order_id)
    return {subject.order_id, *parcels}


def _marker(db: Database, subject: reading.Subject) -> str:
    with db.uow(write=False) as uow:
        return reading.change_marker(uow, subject)


class _Follower:
    """One open page's subscription: caught up once when it opens, then woken by the hub."""

    def __init__(self, db: Database, subject: reading.Subject, since: str) -> None:
        self.db = db
        self.subject = subject
        self.since = since[:100]
        self.subscription: Subscription | None = None

    async def open(self) -> bool:
        """Subscribe; True when the page already missed a change (rendered before it)."""
        topics = await run_in_threadpool(_topics, self.db, self.subject)
        self.subscription = self.db.hub.subscribe(topics)
        # Subscribed first, compared second: a change in between is then seen twice, never lost.
        if not self.since:
            return False
        return await run_in_threadpool(_marker, self.db, self.subject) != self.since

    async def next(self, timeout: float) -> Wake:
        assert self.subscription is not None
        wake = await self.subscription.wait(timeout)
        if wake is Wake.CHANGED and self.subject.order_id is not None:
            fired = self.subscription.take_fired()
            if not fired or self.subject.order_id in fired:
                # The order changed (a new shipment, perhaps): follow its parcels as they are now.
                self.subscription.follow(await run_in_threadpool(_topics, self.db, self.subject))
        return wake

    def close(self) -> None:
        if self.subscription is not None:
            self.subscription.cancel()


@router.websocket("/track/{token}/live")
async def order_live(websocket: WebSocket, token: str) -> None:
    """Sends ``{"type":"update"}`` whenever the page's order or parcel changed."""
    db = _live_database(websocket.app)
    keys = websocket.app.state.settings.signing_keys()
    subject = await run_in_threadpool(_subject, db, keys, token)
    if subject is None:
        await websocket.close(code=1008)  # before accept: the handshake is refused
        return
    await websocket.accept()
    follower = _Follower(db, subject, websocket.query_params.get("since") or "")
    gone = asyncio.Event()

    async def watch_client() -> None:
        # The page sends nothing; this only notices it leave (or the server close it).
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while (await websocket.receive())["type"] != "websocket.disconnect":
                pass
        gone.set()
        if follower.subscription is not None:
            follower.subscription.end()

    watcher = asyncio.create_task(watch_client())
    try:
        if await follower.open():
            await websocket.send_text(UPDATE)
        while not gone.is_set():
            wake = await follower.next(HEARTBEAT_SECONDS)
            if wake is Wake.CLOSED:
                break
            if wake is Wake.CHANGED and not gone.is_set():
                await websocket.send_text(UPDATE)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the page went away mid-send
    finally:
        follower.close()
        watcher.cancel()
        if not gone.is_set():
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await websocket.close(code=1012)  # the server is restarting: come back soon


@router.get("/track/{token}/events")
async def order_events(request: Request, token: str) -> Response:
    """Server-sent events, for clients without WebSocket: ``update`` when the page changed."""
    db = _live_database(request.app)
    keys = request.app.state.settings.signing_keys()
    subject = await run_in_threadpool(_subject, db, keys, token)
    if subject is None:
        return Response(
            "no such tracking link\n", status_code=404, media_type="text/plain", headers=SECURITY_HEADERS
        )
    since = request.headers.get("last-event-id") or request.query_params.get("since") or ""
    follower = _Follower(db, subject, since)

    async def stream() -> AsyncIterator[str]:
        try:
            yield f"retry: 2000\n: tracking {subject.order_id or subject.parcel_id}\n\n"
            if await follower.open():
                yield "event: update\ndata: update\n\n"
            started = time.monotonic()
            while time.monotonic() - started < STREAM_SECONDS:
                wake = await follower.next(HEARTBEAT_SECONDS)
                if wake is Wake.CLOSED:
                    return
                yield "event: update\ndata: update\n\n" if wake is Wake.CHANGED else ": still here\n\n"
        finally:
            follower.close()

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={**SECURITY_HEADERS, "Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
