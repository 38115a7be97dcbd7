"""The links in messages: ``/m/{token}`` counts the click and opens the order's tracking page.

The token is signed (:func:`ordertrack.links.message_click_url`) and names the message, the
order and a target from a fixed list; the redirect is built here, to this server's own page,
so no token can send anyone elsewhere. An altered, expired or foreign link answers the same
neutral "link doesn't work" page as a bad tracking link. No pixel, no cookie: a click is a
number on the message and on the order's day.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrack.analytics import wismo
from ordertrack.api.transactions import in_transaction
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.links import tracking_token
from ordertrack.web.track.routes import _link_not_found

router = APIRouter(include_in_schema=False)

_MAX_TOKEN = 300


@router.get("/m/{token}")
async def follow_message_link(request: Request, token: str) -> Response:
    if len(token) > _MAX_TOKEN:
        return _link_not_found(request)
    db: Database = request.app.state.db
    keys = request.app.state.settings.signing_keys()

    def work(uow: UnitOfWork) -> tuple[str, str] | None:
        return wismo.follow_click(uow, keys, token, now=utcnow())

    opened = await run_in_threadpool(in_transaction, db, work)
    if opened is None:
        return _link_not_found(request)
    order_id, _target = opened  # "track" is the only target (links.CLICK_TARGETS)
    response = RedirectResponse(f"/track/{tracking_token(keys.current, order_id)}", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
