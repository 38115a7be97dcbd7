"""``OPTIONS`` and ``405`` answers that name every method a path serves.

FastAPI registers one route per method, and when a request's method finds no route, the
``405`` names only the methods of the first route that matched the path (``PUT`` for a path
that also serves ``GET``). RFC 9110 asks for the full list: in the ``Allow`` header of every
``405`` (section 15.5.6), and as the answer to ``OPTIONS`` (section 9.3.7), which no route
here serves. This middleware looks the path up in the router once and fills both in.
"""

from __future__ import annotations

from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Methods every path answers without a route of its own.
_IMPLICIT = ("OPTIONS",)
_ASKED = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
_ORDER = (*_ASKED, "OPTIONS")


def allowed_methods(scope: Scope) -> list[str]:
    """Every method some route serves at the request's path, or [] when no route has the path."""
    router = getattr(scope.get("app"), "router", None)
    routes = [r for r in getattr(router, "routes", ()) if not isinstance(r, Mount)]
    # Each method is asked of the router's own matching (included routers nest routes, and a
    # route matches fully only for its methods); mounts (static files) take every method.
    found = {
        method
        for method in _ASKED
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    }
    if not found:
        return []
    found.update(_IMPLICIT)
    return [method for method in _ORDER if method in found]


class AllowedMethods:
    """Answer ``OPTIONS`` with ``204`` and ``Allow``; give every ``405`` the full ``Allow``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            methods = allowed_methods(scope)
            if methods:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 204,
                        "headers": [(b"allow", ", ".join(methods).encode())],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(scope)
                if methods:
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                    message = {**message, "headers": [*headers, (b"allow", ", ".join(methods).encode())]}
            await send(message)

        await self.app(scope, receive, send_with_allow)
