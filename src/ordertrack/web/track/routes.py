"""The shopper's tracking pages: the order's page, the part of it that changes, its text-message
updates and the store's colours (the lookup forms are in :mod:`lookup`, live updates in :mod:`live`).

Thin edges: parse and check the input, call :mod:`reading` (which goes through the features'
services), render. Every bad input answers a page with a 4xx status, never a 500.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from ordertrack.analytics.wismo import Demand
from ordertrack.api.transactions import in_transaction
from ordertrack.customers import service as customers_service
from ordertrack.db.uow import Database
from ordertrack.kit.errors import NotFound
from ordertrack.kit.signing import SigningKeys
from ordertrack.links import read_tracking_token
from ordertrack.merchants import service as merchants_service
from ordertrack.notifications import rules as notification_rules
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.channels.sms import normalise_phone
from ordertrack.orders import service as orders_service
from ordertrack.web.forms import BadForm, UnsupportedForm, read_form
from ordertrack.web.pages import SECURITY_HEADERS, locale_for, render
from ordertrack.web.track import proof, rating_form, readable, reading, sms_signup, theme
from ordertrack.web.track.demand import count_parcel_visit, count_visit
from ordertrack.web.track.lookup import MERCHANT_ID, client_key, lookup_limiter
from ordertrack.web.track.maplayers import policy_with_tiles
from ordertrack.web.track.words import N_

router = APIRouter(include_in_schema=False)

_MAX_TOKEN = 200


def _db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _keys(request: Request) -> SigningKeys:
    return request.app.state.settings.signing_keys()  # type: ignore[no-any-return]


# --- the merchant's colours -------------------------------------------------------------------


@router.get("/track/theme/{name}")
def theme_css(request: Request, name: str) -> Response:
    merchant_id = name.removesuffix(".css")
    store = None
    if name.endswith(".css") and MERCHANT_ID.match(merchant_id):
        with _db(request).uow(write=False) as uow:
            try:
                store = merchants_service.branding(uow, merchant_id)
            except NotFound:
                store = None
    if store is None:
        return Response(
            "/* no such store */\n", status_code=404, media_type="text/css", headers=SECURITY_HEADERS
        )
    return Response(
        theme.stylesheet(store.primary_colour, store.accent_colour),
        media_type="text/css",
        headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=300"},
    )


# --- one order's page -------------------------------------------------------------------------


def _subject(request: Request, token: str) -> reading.Subject | None:
    if len(token) > _MAX_TOKEN:
        return None
    opened = read_tracking_token(_keys(request), token)
    if opened is None:
        return None
    with _db(request).uow(write=False) as uow:
        return reading.subject_of(uow, opened)


def _link_not_found(request: Request) -> HTMLResponse:
    return render(
        request,
        "track/not_found.html",
        {
            "store": None,
            "message": N_(
                "This tracking link doesn't work. It may have expired or been copied incompletely."
            ),
        },
        status_code=404,
    )


def _page_context(request: Request, token: str, subject: reading.Subject) -> dict[str, Any] | None:
    proven = subject.order_id is not None and proof.proves_email(
        _keys(request), request.cookies.get(proof.COOKIE), subject.order_id, now=time.time()
    )
    with _db(request).uow(write=False) as uow:
        marker = reading.change_marker(uow, subject)
        page = reading.load_page(uow, subject, email_proven=proven)
    if page is None:
        return None
    locale = locale_for(request)
    rating = (
        rating_form.context(request, subject.merchant_id, subject.order_id)
        if page.show_rating and subject.order_id is not None
        else {}
    )
    return {
        "page": page,
        "store": page.store,
        "token": token,
        "marker": marker,
        **rating,
        **readable.page_helpers(locale, page.home_country),
    }


@router.get("/track/{token}")
def order_page(request: Request, token: str) -> HTMLResponse:
    subject = _subject(request, token)
    context = _page_context(request, token, subject) if subject else None
    if context is None:
        return _link_not_found(request)
    response = _order_response(request, subject, context, request.query_params.get("sms"))
    if subject.order_id is not None:
        rating_form.remember_link(request, response, subject.order_id)
        # Counted once the page is sent (web/track/demand.py): the shopper never waits for it.
        response.background = BackgroundTask(
            count_visit, _db(request), subject.order_id, Demand.page_view, merchant_id=subject.merchant_id
        )
    elif subject.parcel_id is not None:
        parcel_id = subject.parcel_id
        response.background = BackgroundTask(count_parcel_visit, _db(request), parcel_id, Demand.page_view)
    return response


def _order_response(
    request: Request,
    subject: reading.Subject,
    context: dict[str, Any],
    sms_state: str | None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The order's page, with its text-updates section as this visitor may see it."""
    if subject.order_id is not None:
        context.update(_sms_context(request, subject.merchant_id, subject.order_id))
    context["sms_state"] = sms_state if sms_state in SMS_STATES else None
    response = render(request, "track/order.html", context, status_code=status_code)
    if (tiles := context["page"].store.map_tiles) is not None:  # the merchant's map tiles, this page only
        policy = policy_with_tiles(SECURITY_HEADERS["Content-Security-Policy"], tiles)
        response.headers["Content-Security-Policy"] = policy
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers.update(headers or {})
    return response


# --- text message updates -----------------------------------------------------------------------
#
# The link is printed on the label, so holding it proves nothing: signing a number up, seeing the
# numbers and stopping them all need the email proof (proof.py) and a form token bound to it, and
# every post must come from this site. Sign-ups are bounded per order and per number
# (sms_signup.py), an order texts at most three numbers, and a finished order offers none.

# What the page may say after a post (?sms=...), each a sentence in order.html.
SMS_STATES = frozenset(
    {"subscribed", "invalid", "stopped", "full", "closed", "limited", "proven", "wrong_email", "expired"}
)


def _sms_limits(request: Request) -> sms_signup.SignupLimits:
    limits = getattr(request.app.state, "track_sms_limits", None)
    if limits is None:
        limits = request.app.state.track_sms_limits = sms_signup.SignupLimits()
    return limits  # type: ignore[no-any-return]


def _proof_cookie(request: Request, order_id: str) -> str | None:
    """This browser's email proof for the order, when it holds a valid one."""
    cookie = request.cookies.get(proof.COOKIE)
    if proof.proves_email(_keys(request), cookie, order_id, now=time.time()):
        return cookie
    return None


def _sms_context(request: Request, merchant_id: str, order_id: str) -> dict[str, Any]:
    cookie = _proof_cookie(request, order_id)
    with _db(request).uow(write=False) as uow:
        order = orders_service.order_for_tracking_link(uow, order_id)
        numbers = notifications_service.sms_numbers(uow, merchant_id, order_id) if cookie else []
    return {
        "sms_open": order is not None and notification_rules.sms_signup_open(order.status),
        "sms_proven": cookie is not None,
        "sms_numbers": [(number, sms_signup.masked(number)) for number in numbers],
        "sms_full": len(numbers) >= notification_rules.SMS_NUMBERS_PER_ORDER,
        "sms_limit": notification_rules.SMS_NUMBERS_PER_ORDER,
        "sms_form_token": proof.form_token(_keys(request), cookie) if cookie else "",
    }


def _from_this_site(request: Request) -> bool:
    here = f"{request.url.scheme}://{request.url.netloc}"
    return sms_signup.same_origin(request.headers.get("origin"), here, request.app.state.settings.public_url)


async def _sms_form(request: Request) -> dict[str, str]:
    try:
        form = await read_form(request, max_files=0, max_fields=10, max_field_bytes=2000)
    except (BadForm, UnsupportedForm):
        return {}  # nothing readable, so no form token: the post is refused as unproven
    return {name: values[0] for name, values in form.fields.items()}


def _proven_form(request: Request, order_id: str, form: dict[str, str]) -> bool:
    """The post comes from this site, from a browser holding the order's email proof, with the
    form token bound to that proof."""
    cookie = _proof_cookie(request, order_id)
    return (
        _from_this_site(request)
        and cookie is not None
        and proof.form_token_matches(_keys(request), cookie, form.get("form_token"))
    )


def _refused(
    request: Request, token: str, subject: reading.Subject, state: str, status: int, wait: int = 0
) -> Response:
    """The page again with a 4xx status: a forged or stale form (403), too many tries (429)."""
    context = _page_context(request, token, subject)
    if context is None:
        return _link_not_found(request)
    headers = {"Retry-After": str(max(wait, 1))} if status == 429 else None
    return _order_response(request, subject, context, state, status_code=status, headers=headers)


def _back(token: str, state: str) -> RedirectResponse:
    return RedirectResponse(f"/track/{token}?sms={state}#sms-heading", status_code=303)


@router.post("/track/{token}/proof")
async def prove_email(request: Request, token: str) -> Response:
    """The visitor types the order's email to manage text updates (the link alone is not enough)."""
    subject = await run_in_threadpool(_subject, request, token)
    if subject is None or subject.order_id is None:
        return _link_not_found(request)
    if not _from_this_site(request):
        return await run_in_threadpool(_refused, request, token, subject, "expired", 403)
    order_id = subject.order_id
    if not lookup_limiter(request).take(client_key(request)):
        wait = lookup_limiter(request).retry_after(client_key(request))
        return await run_in_threadpool(_refused, request, token, subject, "limited", 429, wait)
    wait = _sms_limits(request).take_proof(order_id)
    if wait:
        return await run_in_threadpool(_refused, request, token, subject, "limited", 429, wait)
    form = await _sms_form(request)
    email = " ".join(form.get("email", "").split())[:254]
    for_rating = form.get("next") == "rating"  # the rating section's copy of this form
    if not await run_in_threadpool(_order_email_is, _db(request), order_id, email):
        return rating_form.back(token, "wrong_email") if for_rating else _back(token, "wrong_email")
    keys = _keys(request)
    response = rating_form.back(token, "proven") if for_rating else _back(token, "proven")
    proof.give_proof(response, keys, order_id, secure=request.url.scheme == "https", now=time.time())
    return response


def _order_email_is(db: Database, order_id: str, email: str) -> bool:
    with db.uow(write=False) as uow:
        order = orders_service.order_for_tracking_link(uow, order_id)
        if order is None or not order.customer_id or "@" not in email:
            return False
        customer = customers_service.get_customers(uow, order.merchant_id, {order.customer_id}).get(
            order.customer_id
        )
        known = (customer.email if customer else "").lower()
    return bool(known) and hmac.compare_digest(known.encode(), email.lower().encode())


async def _proven_post(request: Request, token: str) -> tuple[reading.Subject, str, str] | Response:
    """The order, its id and the posted phone of a proven SMS form; else the page that refuses it."""
    subject = await run_in_threadpool(_subject, request, token)
    if subject is None or subject.order_id is None:
        return _link_not_found(request)
    form = await _sms_form(request)
    if not _proven_form(request, subject.order_id, form):
        return await run_in_threadpool(_refused, request, token, subject, "expired", 403)
    return subject, subject.order_id, form.get("phone", "")[:64]


@router.post("/track/{token}/sms")
async def subscribe_sms(request: Request, token: str) -> Response:
    """The email-proven shopper asks for text updates about this order; the number is checked (E.164)."""
    opened = await _proven_post(request, token)
    if isinstance(opened, Response):
        return opened
    subject, order_id, phone = opened

    def work() -> str:
        with _db(request).uow(write=False) as uow:
            order = orders_service.order_for_tracking_link(uow, order_id)
            if order is None or not notification_rules.sms_signup_open(order.status):
                return "closed"
            region = order.ship_country
        try:
            number = normalise_phone(phone, region)
        except ValueError:
            return "invalid"
        if wait := _sms_limits(request).take_signup(order_id, number):
            return f"limited:{wait}"
        try:
            in_transaction(
                _db(request),
                lambda uow: notifications_service.subscribe_sms(uow, subject.merchant_id, order_id, number),
            )
        except notifications_service.SmsSignupClosed:
            return "closed"
        except notifications_service.TooManySmsNumbers:
            return "full"
        return "subscribed"

    state = await run_in_threadpool(work)
    if state.startswith("limited:"):
        wait = int(state.partition(":")[2])
        return await run_in_threadpool(_refused, request, token, subject, "limited", 429, wait)
    return _back(token, state)


@router.post("/track/{token}/sms/stop")
async def stop_sms(request: Request, token: str) -> Response:
    """The email-proven shopper stops texts to one of the order's numbers."""
    opened = await _proven_post(request, token)
    if isinstance(opened, Response):
        return opened
    subject, order_id, phone = opened
    await run_in_threadpool(
        in_transaction,
        _db(request),
        lambda uow: notifications_service.stop_sms(uow, subject.merchant_id, order_id, phone),
    )
    return _back(token, "stopped")


@router.get("/track/{token}/timeline")
def order_fragment(request: Request, token: str) -> HTMLResponse:
    """The part of the page that changes (status, estimate, shipments and scans), for live updates."""
    subject = _subject(request, token)
    context = _page_context(request, token, subject) if subject else None
    if context is None:
        return _link_not_found(request)
    response = render(request, "track/fragment.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


router.include_router(rating_form.router)  # rating the delivery (posts to /track/{token}/rating)
