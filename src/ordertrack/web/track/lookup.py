"""The shopper's lookup forms (``/track``, ``/track/store/{merchant_id}``): find an order by its
number and email or postal code, or a parcel by its tracking number, then redirect to its page.

Every bad input answers the form again with a 4xx status, never a 500; lookups are limited per
client address (:mod:`ratelimit`).
"""

from __future__ import annotations

import hmac
import re
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from ordertrack.analytics.wismo import Demand
from ordertrack.customers import service as customers_service
from ordertrack.db.uow import Database
from ordertrack.kit.errors import NotFound
from ordertrack.kit.signing import SigningKeys
from ordertrack.links import tracking_token
from ordertrack.orders import service as orders_service
from ordertrack.tracking import parcels as tracking_parcels
from ordertrack.web.forms import BadForm, UnsupportedForm, read_form
from ordertrack.web.pages import render
from ordertrack.web.track import proof, reading
from ordertrack.web.track.demand import count_parcel_visit, count_visit
from ordertrack.web.track.ratelimit import LookupLimiter
from ordertrack.web.track.view import StoreFacts
from ordertrack.web.track.words import N_

router = APIRouter(include_in_schema=False)

MERCHANT_ID = re.compile(r"^mer_[0-9a-z]{26}$")
_TRACKING_NUMBER = re.compile(r"^[A-Z0-9-]{3,64}$")

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


def _keys(request: Request) -> SigningKeys:
    return request.app.state.settings.signing_keys()  # type: ignore[no-any-return]


def lookup_limiter(request: Request) -> LookupLimiter:
    """The process's lookup allowance per client (the tracking page's forms share it)."""
    limiter = getattr(request.app.state, "track_lookup_limiter", None)
    if limiter is None:
        settings = request.app.state.settings
        limiter = request.app.state.track_lookup_limiter = LookupLimiter.from_settings(settings)
    return limiter  # type: ignore[no-any-return]


def client_key(request: Request) -> str:
    # The peer address as uvicorn reports it (it applies X-Forwarded-For only from proxies
    # it was told to trust, so a client cannot pick its own key).
    return request.client.host if request.client else "unknown"


# --- the lookup form ------------------------------------------------------------------------


def _store(request: Request, merchant_id: str | None) -> StoreFacts | None:
    if merchant_id is None:
        return None
    if not MERCHANT_ID.match(merchant_id):
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
    """Upper case, without white space or a leading '#': ``#1z 999 aa1`` -> ``1Z999AA1``."""
    return re.sub(r"\s+", "", value).lstrip("#").upper()


def dashless(number: str) -> str | None:
    """The number without its dashes, when it has any: carriers' numbers have none, so a dash
    typed from a printout (``1Z-999-AA1``) must not hide the parcel."""
    return number.replace("-", "") if "-" in number else None


async def _lookup(request: Request, store: StoreFacts | None) -> Response:
    try:
        form = await read_form(request, max_files=0, max_fields=10, max_field_bytes=4096)
    except (BadForm, UnsupportedForm):  # a malformed body is the client's mistake, never a 500
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
    if not lookup_limiter(request).take(client_key(request)):
        return _too_many(request, store)
    by_email = "@" in contact
    order_id = await run_in_threadpool(_find_order, _db(request), number, contact, by_email, store)
    if order_id is None:
        return _lookup_page(request, store, status_code=404, notice=NOT_FOUND, form={"order_number": number})
    keys = _keys(request)
    response = RedirectResponse(f"/track/{tracking_token(keys.current, order_id)}", status_code=303)
    response.background = BackgroundTask(count_visit, _db(request), order_id, Demand.lookup)
    if by_email:
        proof.give_proof(response, keys, order_id, secure=request.url.scheme == "https", now=time.time())
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
    if not lookup_limiter(request).take(client_key(request)):
        return _too_many(request, store)

    def find() -> str | None:
        with _db(request).uow(write=False) as uow:
            for candidate in (number, dashless(number)):
                if not candidate:
                    continue
                try:
                    parcel = tracking_parcels.newest_parcel_with_number(
                        uow, candidate, store.merchant_id if store else None
                    )
                except tracking_parcels.TrackingNumberShared:
                    return SHARED
                if parcel is not None:
                    return parcel.id
            return None

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
    token = tracking_token(_keys(request).current, parcel_id)
    response = RedirectResponse(f"/track/{token}", status_code=303)
    response.background = BackgroundTask(count_parcel_visit, _db(request), parcel_id, Demand.lookup)
    return response


def _too_many(request: Request, store: StoreFacts | None) -> HTMLResponse:
    wait = lookup_limiter(request).retry_after(client_key(request))
    return _lookup_page(
        request,
        store,
        status_code=429,
        notice=N_("Too many lookups from your connection. Please wait a minute, then try again."),
        headers={"Retry-After": str(max(wait, 1))},
    )
