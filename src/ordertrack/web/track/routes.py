"""The shopper's tracking pages (``/track``): lookup, the order's page and the part of it that
changes (its live updates are in :mod:`live`).

Thin edges: parse and check the input, call :mod:`reading` (which goes through the features'
services), render. Every bad input answers a page with a 4xx status, never a 500.
"""

from __future__ import annotations

import hmac
import re
import time
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrack.api.transactions import in_transaction
from ordertrack.customers import service as customers_service
from ordertrack.db.uow import Database
from ordertrack.kit.errors import NotFound
from ordertrack.merchants import service as merchants_service
from ordertrack.notifications import rules as notification_rules
from ordertrack.notifications import service as notifications_service
from ordertrack.notifications.channels.sms import normalise_phone
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service
from ordertrack.web.pages import SECURITY_HEADERS, locale_for, render
from ordertrack.web.tokens import read_tracking_token, tracking_token
from ordertrack.web.track import proof, reading, sms_signup, theme
from ordertrack.web.track.ratelimit import LookupLimiter
from ordertrack.web.track.times import scan_time, zone_label
from ordertrack.web.track.view import StoreFacts
from ordertrack.web.track.words import N_

router = APIRouter(include_in_schema=False)

_MERCHANT_ID = re.compile(r"^mer_[0-9a-z]{26}$")
_TRACKING_NUMBER = re.compile(r"^[A-Z0-9-]{3,64}$")
_MAX_TOKEN = 200

NOT_FOUND = N_(
    "We couldn't find an order with those details. "
    "Check the order number and the email address or postal code, then try again."
)
PARCEL_NOT_FOUND = N_("We couldn't find a parcel with that tracking number. Check the number and try again.")
PARCEL_SHARED = N_(
    "This tracking number alone isn't enough to find your parcel. "
    "Enter your order number and the email address you ordered with, "
    "or track it from the store's own website."
)
SHARED = "shared"  # the generic lookup found the number at more than one store


def _db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _secret(request: Request) -> str:
    return request.app.state.settings.resolved_secret_key()  # type: ignore[no-any-return]


def _limiter(request: Request) -> LookupLimiter:
    limiter = getattr(request.app.state, "track_lookup_limiter", None)
    if limiter is None:
        settings = request.app.state.settings
        limiter = request.app.state.track_lookup_limiter = LookupLimiter.from_settings(settings)
    return limiter  # type: ignore[no-any-return]


def _client_key(request: Request) -> str:
    # The peer address as uvicorn reports it (it applies X-Forwarded-For only from proxies
    # it was told to trust, so a client cannot pick its own key).
    return request.client.host if request.client else "unknown"


# --- the lookup form ------------------------------------------------------------------------


def _store(request: Request, merchant_id: str | None) -> StoreFacts | None:
    if merchant_id is None:
        return None
    if not _MERCHANT_ID.match(merchant_id):
        return None
    with _db(request).uow(write=False) as uow:
        try:
            return reading.store_facts(uow, merchant_id)
        except NotFound:
            return None


def _lookup_page(
    request: Request,
    store: StoreFacts | None,
    *,
    status_code: int = 200,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    ask_for_order: bool = False,
) -> HTMLResponse:
    action = f"/track/store/{store.merchant_id}" if store else "/track"
    response = render(
        request,
        "track/lookup.html",
        {
            "store": store,
            "action": action,
            "notice": notice,
            "errors": errors or {},
            "form": form or {},
            "ask_for_order": ask_for_order,
        },
        status_code=status_code,
    )
    response.headers.update(headers or {})
    return response


def _missing_store(request: Request) -> HTMLResponse:
    return render(
        request,
        "track/not_found.html",
        {"store": None, "message": N_("There is no store at this address.")},
        status_code=404,
    )


@router.get("/track")
def lookup_form(request: Request) -> HTMLResponse:
    return _lookup_page(request, None)


@router.get("/track/store/{merchant_id}")
def store_lookup_form(request: Request, merchant_id: str) -> HTMLResponse:
    store = _store(request, merchant_id)
    if store is None:
        return _missing_store(request)
    return _lookup_page(request, store)


@router.post("/track")
async def lookup(request: Request) -> Response:
    return await _lookup(request, None)


@router.post("/track/store/{merchant_id}")
async def store_lookup(request: Request, merchant_id: str) -> Response:
    store = await run_in_threadpool(_store, request, merchant_id)
    if store is None:
        return _missing_store(request)
    return await _lookup(request, store)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return " ".join(value.split()) if isinstance(value, str) else ""


def normalise_postal_code(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


def canonical_tracking_number(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


async def _lookup(request: Request, store: StoreFacts | None) -> Response:
    try:
        form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    except Exception:  # a malformed body is the client's mistake, never a 500
        return _lookup_page(
            request, store, status_code=400, notice=N_("The form could not be read. Please try again.")
        )
    if _text(form, "kind") == "parcel":
        return await _lookup_parcel(request, store, canonical_tracking_number(_text(form, "tracking_number")))
    number = _text(form, "order_number").lstrip("#").strip()
    contact = _text(form, "contact")
    errors: dict[str, str] = {}
    if not 1 <= len(number) <= 64:
        errors["order_number"] = N_("Enter your order number.")
    if not 1 <= len(contact) <= 254:
        errors["contact"] = N_("Enter the email address or the postal code of the order.")
    if errors:
        return _lookup_page(request, store, status_code=422, errors=errors, form={"order_number": number})
    if not _limiter(request).take(_client_key(request)):
        return _too_many(request, store)
    by_email = "@" in contact
    order_id = await run_in_threadpool(_find_order, _db(request), number, contact, by_email, store)
    if order_id is None:
        return _lookup_page(request, store, status_code=404, notice=NOT_FOUND, form={"order_number": number})
    secret = _secret(request)
    response = RedirectResponse(f"/track/{tracking_token(secret, order_id)}", status_code=303)
    if by_email:
        response.set_cookie(
            proof.COOKIE,
            proof.email_proof(secret, order_id, now=time.time()),
            max_age=proof.LIFETIME_SECONDS,
            path="/track",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def _find_order(
    db: Database, number: str, contact: str, by_email: bool, store: StoreFacts | None
) -> str | None:
    """The id of the order with this number whose email or postal code matches, else None."""
    with db.uow(write=False) as uow:
        orders = orders_service.orders_for_shopper_lookup(uow, number, store.merchant_id if store else None)
        for order in orders:
            if by_email:
                if not order.customer_id:
                    continue
                customer = customers_service.get_customers(uow, order.merchant_id, {order.customer_id}).get(
                    order.customer_id
                )
                known = (customer.email if customer else "").lower()
                given = contact.lower()
            else:
                known = normalise_postal_code(order.ship_postal_code or "")
                given = normalise_postal_code(contact)
            if known and hmac.compare_digest(known.encode(), given.encode()):
                return order.id
    return None


async def _lookup_parcel(request: Request, store: StoreFacts | None, number: str) -> Response:
    if not _TRACKING_NUMBER.match(number):
        return _lookup_page(
            request,
            store,
            status_code=422,
            errors={"tracking_number": N_("Enter the tracking number: 3 to 64 letters, digits or dashes.")},
        )
    if not _limiter(request).take(_client_key(request)):
        return _too_many(request, store)

    def find() -> str | None:
        with _db(request).uow(write=False) as uow:
            try:
                parcel = shipments_service.newest_parcel_with_number(
                    uow, number, store.merchant_id if store else None
                )
            except shipments_service.TrackingNumberShared:
                return SHARED
            return parcel.id if parcel else None

    parcel_id = await run_in_threadpool(find)
    if parcel_id == SHARED:
        # Only the generic page gets here: say nothing of which stores hold the number.
        return _lookup_page(
            request, None, notice=PARCEL_SHARED, form={"tracking_number": number}, ask_for_order=True
        )
    if parcel_id is None:
        return _lookup_page(
            request, store, status_code=404, notice=PARCEL_NOT_FOUND, form={"tracking_number": number}
        )
    return RedirectResponse(f"/track/{tracking_token(_secret(request), parcel_id)}", status_code=303)


def _too_many(request: Request, store: StoreFacts | None) -> HTMLResponse:
    wait = _limiter(request).retry_after(_client_key(request))
    return _lookup_page(
        request,
        store,
        status_code=429,
        notice=N_("Too many lookups from your connection. Please wait a minute, then try again."),
        headers={"Retry-After": str(max(wait, 1))},
    )


# --- the merchant's colours -------------------------------------------------------------------


@router.get("/track/theme/{name}")
def theme_css(request: Request, name: str) -> Response:
    merchant_id = name.removesuffix(".css")
    store = None
    if name.endswith(".css") and _MERCHANT_ID.match(merchant_id):
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
    opened = read_tracking_token(_secret(request), token)
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
    secret = _secret(request)
    proven = subject.order_id is not None and proof.proves_email(
        secret, request.cookies.get(proof.COOKIE), subject.order_id, now=time.time()
    )
    with _db(request).uow(write=False) as uow:
        marker = reading.change_marker(uow, subject)
        page = reading.load_page(uow, subject, email_proven=proven)
    if page is None:
        return None
    locale = locale_for(request)
    return {
        "page": page,
        "store": page.store,
        "token": token,
        "marker": marker,
        "scan_time": lambda value: scan_time(value, locale),
        "zone_label": zone_label,
    }


@router.get("/track/{token}")
def order_page(request: Request, token: str) -> HTMLResponse:
    subject = _subject(request, token)
    context = _page_context(request, token, subject) if subject else None
    if context is None:
        return _link_not_found(request)
    return _order_response(request, subject, context, request.query_params.get("sms"))


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
    if proof.proves_email(_secret(request), cookie, order_id, now=time.time()):
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
        "sms_form_token": proof.form_token(_secret(request), cookie) if cookie else "",
    }


def _from_this_site(request: Request) -> bool:
    here = f"{request.url.scheme}://{request.url.netloc}"
    return sms_signup.same_origin(request.headers.get("origin"), here, request.app.state.settings.public_url)


async def _sms_form(request: Request) -> dict[str, str]:
    body = (await request.body())[:2000]
    fields = parse_qs(body.decode("utf-8", errors="replace"))
    return {name: (values[0] if values else "") for name, values in fields.items()}


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
    if not _limiter(request).take(_client_key(request)):
        wait = _limiter(request).retry_after(_client_key(request))
        return await run_in_threadpool(_refused, request, token, subject, "limited", 429, wait)
    wait = _sms_limits(request).take_proof(order_id)
    if wait:
        return await run_in_threadpool(_refused, request, token, subject, "limited", 429, wait)
    email = " ".join((await _sms_form(request)).get("email", "").split())[:254]
    if not await run_in_threadpool(_order_email_is, _db(request), order_id, email):
        return _back(token, "wrong_email")
    secret = _secret(request)
    response = _back(token, "proven")
    response.set_cookie(
        proof.COOKIE,
        proof.email_proof(secret, order_id, now=time.time()),
        max_age=proof.LIFETIME_SECONDS,
        path="/track",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
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


@router.post("/track/{token}/sms")
async def subscribe_sms(request: Request, token: str) -> Response:
    """The email-proven shopper asks for text updates about this order; the number is checked (E.164)."""
    subject = await run_in_threadpool(_subject, request, token)
    if subject is None or subject.order_id is None:
        return _link_not_found(request)
    order_id = subject.order_id
    form = await _sms_form(request)
    cookie = _proof_cookie(request, order_id)
    if (
        not _from_this_site(request)
        or cookie is None
        or not proof.form_token_matches(_secret(request), cookie, form.get("form_token"))
    ):
        return await run_in_threadpool(_refused, request, token, subject, "expired", 403)
    phone = form.get("phone", "")[:64]

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
    subject = await run_in_threadpool(_subject, request, token)
    if subject is None or subject.order_id is None:
        return _link_not_found(request)
    order_id = subject.order_id
    form = await _sms_form(request)
    cookie = _proof_cookie(request, order_id)
    if (
        not _from_this_site(request)
        or cookie is None
        or not proof.form_token_matches(_secret(request), cookie, form.get("form_token"))
    ):
        return await run_in_threadpool(_refused, request, token, subject, "expired", 403)
    phone = form.get("phone", "")[:64]
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
