"""Rating the delivery on the order's page: who may, the form's context, and its post.

The tracking link is printed on the label and a postal-code lookup leads to the same page, so
the link alone does not let anyone rate. A visitor may rate when they hold either

- the rating request's link (``?rate=`` a token signed for rating this order, sent only to the
  shopper's email or phone; :func:`ordertrack.links.rating_url`), kept in a cookie for this
  page so live updates keep the form; or
- the email proof (``proof.py``), from a lookup by order number and email.

Posts must come from this site and carry the rate token or the form token bound to the proof
(a forged form has neither). They are bounded per order and per client (``RATINGS_PER_ORDER_PER_HOUR``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrack.analytics import rating_rules, ratings
from ordertrack.api.transactions import in_transaction
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Conflict, NotFound
from ordertrack.kit.signing import SigningKeys
from ordertrack.links import RATING_LINK_LIFETIME, read_rating_token
from ordertrack.web.forms import BadForm, UnsupportedForm, read_form
from ordertrack.web.track import proof
from ordertrack.web.track.ratelimit import LookupLimiter

router = APIRouter(include_in_schema=False)

COOKIE = "ot_rate"
RATINGS_PER_ORDER_PER_HOUR = 10
# What the page may say after a post (?rating=...), each a sentence in _rate_delivery.html.
STATES = frozenset(
    {"thanks", "changed", "invalid", "closed", "not_delivered", "expired", "limited", "proven", "wrong_email"}
)


def _keys(request: Request) -> SigningKeys:
    return request.app.state.settings.signing_keys()  # type: ignore[no-any-return]


def _db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _limits(request: Request) -> LookupLimiter:
    limiter = getattr(request.app.state, "track_rating_limits", None)
    if limiter is None:
        limiter = request.app.state.track_rating_limits = LookupLimiter(
            per_minute=RATINGS_PER_ORDER_PER_HOUR / 60, capacity=RATINGS_PER_ORDER_PER_HOUR
        )
    return limiter  # type: ignore[no-any-return]


def rate_token_of(request: Request, order_id: str) -> str | None:
    """The visitor's rating link for this order (in the address, else its cookie), when valid."""
    for token in (request.query_params.get("rate"), request.cookies.get(COOKIE)):
        if token and read_rating_token(_keys(request), token) == order_id:
            return token
    return None


def remember_link(request: Request, response: Response, order_id: str) -> None:
    """A page opened through the rating link keeps it (this page's paths only) for live updates."""
    token = request.query_params.get("rate")
    if token and read_rating_token(_keys(request), token) == order_id:
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(RATING_LINK_LIFETIME.total_seconds()),
            path="/track",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


@dataclass(frozen=True)
class Shown:
    """The rating as the page shows it to a visitor allowed to see it."""

    stars: int
    reasons: tuple[str, ...]
    comment: str
    items: dict[str, int]
    changeable: bool


def context(request: Request, merchant_id: str, order_id: str) -> dict[str, Any]:
    """What ``track/_rate_delivery.html`` needs: may this visitor rate, their rating, the tokens."""
    cookie = request.cookies.get(proof.COOKIE)
    proven = proof.proves_email(_keys(request), cookie, order_id, now=time.time())
    rate_token = rate_token_of(request, order_id)
    allowed = proven or rate_token is not None
    shown = None
    if allowed:
        with _db(request).uow(write=False) as uow:
            rating = ratings.rating_of_order(uow, merchant_id, order_id)
        if rating is not None:
            shown = Shown(
                rating.stars,
                tuple(r for r in rating.reasons.split(",") if r),
                rating.comment,
                {str(k): int(v) for k, v in (rating.items or {}).items()},
                rating_rules.still_changeable(rating.created_at, utcnow()),
            )
    state = request.query_params.get("rating")
    return {
        "rating_allowed": allowed,
        "rating_shown": shown,
        "rating_rate_token": rate_token or "",
        "rating_form_token": proof.form_token(_keys(request), cookie) if proven and cookie else "",
        "rating_state": state if state in STATES else None,
        "rating_reasons": rating_rules.REASONS,
    }


def _may_post(request: Request, order_id: str, form: dict[str, list[str]]) -> bool:
    from ordertrack.web.track.routes import _from_this_site  # noqa: PLC0415 (routes imports this module)

    if not _from_this_site(request):
        return False
    given = (form.get("rate") or [""])[0]
    if given and read_rating_token(_keys(request), given) == order_id:
        return True
    cookie = request.cookies.get(proof.COOKIE)
    return (
        cookie is not None
        and proof.proves_email(_keys(request), cookie, order_id, now=time.time())
        and proof.form_token_matches(_keys(request), cookie, (form.get("form_token") or [""])[0])
    )


def back(token: str, state: str) -> RedirectResponse:
    return RedirectResponse(f"/track/{token}?rating={state}#rate-heading", status_code=303)


@router.post("/track/{token}/rating")
async def rate_delivery(request: Request, token: str) -> Response:
    """The shopper rates the delivered order (or changes the rating): stars, reasons, a comment,
    optionally each item. Refusals answer the page again with a 4xx status."""
    from ordertrack.web.track import routes  # noqa: PLC0415 (routes imports this module)

    subject = await run_in_threadpool(routes._subject, request, token)
    if subject is None or subject.order_id is None:
        return routes._link_not_found(request)
    order_id = subject.order_id
    try:
        raw = await read_form(request, max_files=0, max_fields=40, max_field_bytes=4000)
        form = raw.fields
    except (BadForm, UnsupportedForm):
        form = {}
    if not _may_post(request, order_id, form):
        return await run_in_threadpool(_refused, request, token, subject, "expired", 403)
    limiter = _limits(request)
    if not limiter.take(order_id):
        wait = limiter.retry_after(order_id)
        return await run_in_threadpool(_refused, request, token, subject, "limited", 429, wait)
    items = [
        (name.removeprefix("item:"), values[0])
        for name, values in form.items()
        if name.startswith("item:") and values and values[0]
    ]
    try:
        given = rating_rules.checked_rating(
            (form.get("stars") or [""])[0],
            form.get("reason", []),
            (form.get("comment") or [""])[0],
            items,
        )
    except rating_rules.RatingRuleBroken:
        return await run_in_threadpool(_refused, request, token, subject, "invalid", 422)

    def work() -> str:
        try:
            _rating, created = in_transaction(
                _db(request),
                lambda uow: ratings.give_rating(uow, subject.merchant_id, order_id, given, now=utcnow()),
            )
        except ratings.RatingClosed:
            return "closed"
        except (ratings.OrderNotDelivered, NotFound):
            return "not_delivered"
        except Conflict:
            return "closed"
        return "thanks" if created else "changed"

    state = await run_in_threadpool(work)
    if state in ("closed", "not_delivered"):
        return await run_in_threadpool(_refused, request, token, subject, state, 409)
    return back(token, state)


def _refused(request: Request, token: str, subject: Any, state: str, status: int, wait: int = 0) -> Response:
    """The page again, saying why, with a 4xx status: a forged or stale form (403), a bad rating
    (422), too late or not delivered (409), too many tries (429)."""
    from ordertrack.web.track import routes  # noqa: PLC0415 (routes imports this module)

    page_context = routes._page_context(request, token, subject)
    if page_context is None:
        return routes._link_not_found(request)
    page_context["rating_state"] = state
    headers = {"Retry-After": str(max(wait, 1))} if status == 429 else None
    return routes._order_response(request, subject, page_context, None, status_code=status, headers=headers)
