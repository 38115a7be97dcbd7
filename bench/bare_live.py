"""Baseline for the live-streams benchmark: a bare Starlette WebSocket endpoint under the
same uvicorn that accepts, parks on an event, and sends one message when told. What an open
socket costs with nothing of ordertrack's behind it."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket


def create_app() -> Starlette:
    waiting: set[asyncio.Event] = set()

    async def live(websocket: WebSocket) -> None:
        await websocket.accept()
        wake = asyncio.Event()
        waiting.add(wake)
        try:
            while True:
                await wake.wait()
                wake.clear()
                await websocket.send_text('{"type":"update"}')
        finally:
            waiting.discard(wake)

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def streams(_: Request) -> JSONResponse:
        return JSONResponse({"statements": 0, "streams": len(waiting)})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/bench/statements", streams),
            WebSocketRoute("/track/{token}/live", live),
        ]
    )
