"""Notification endpoints: the log, switches, webhook endpoints, templates and previews; and
the shopper's unsubscribe page, which works without a login."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrack.analytics.digest_sending import CHANNEL as DIGEST_CHANNEL
from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit, order_refs
from ordertrack.api.transactions import in_transaction, json_response
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.pagination import Cursor
from ordertrack.kit.schema import error_responses
from ordertrack.links import read_unsubscribe_token
from ordertrack.notifications import delivery, listing, rules, service, settings
from ordertrack.notifications.channels import sms as sms_channel
from ordertrack.notifications.channels.webhook import endpoint_policy, new_webhook_secret
from ordertrack.notifications.model import Notification, WebhookEndpoint
from ordertrack.notifications.schemas import (
    ChannelName,
    LocaleName,
    NewWebhookEndpointOut,
    NotificationOut,
    NotificationPage,
    PreviewIn,
    PreviewOut,
    SettingIn,
    SettingList,
    SettingOut,
    TemplateChannel,
    TemplateIn,
    TemplateOut,
    TriggerName,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPage,
)
from ordertrack.notifications.templates import TemplateSource
from ordertrack.orders import service as orders_service
from ordertrack.web.pages import render

router = APIRouter(prefix="/api/v1", tags=["notifications"])
pages = APIRouter(include_in_schema=False)

IdPath = Annotated[str, Path(min_length=1, max_length=64)]


def _outs(uow: UnitOfWork, merchant_id: str, rows: list[Notification]) -> list[NotificationOut]:
    orders = order_refs(uow, merchant_id, (row.order_id for row in rows))
    return [
        NotificationOut.model_validate(
            {
                **{key: getattr(row, key) for key in NotificationOut.model_fields if key != "order"},
                "order": orders.get(row.order_id or ""),
            }
        )
        for row in rows
    ]


def _endpoint_out(row: WebhookEndpoint) -> WebhookEndpointOut:
    return WebhookEndpointOut(
        id=row.id,
        url=row.url,
        event_types=list(row.event_types or []),
        enabled=row.enabled,
        created_at=row.created_at,
    )


@router.get(
    "/orders/{order_ref}/notifications", response_model=NotificationPage, responses=error_responses(404, 422)
)
def order_log(
    order_ref: IdPath,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    cursor: Cursor = None,
    limit: Limit = DEFAULT,
) -> Response:
    """Every message about the order, oldest first: when, to whom, through which channel, and its result."""
    with db.uow(write=False) as uow:
        order = orders_service.find_order(uow, merchant_id, order_ref)
        page = listing.order_log_page(uow, merchant_id, order.id, cursor, limit)
        return json_response(
            NotificationPage(items=_outs(uow, merchant_id, page.items), next_cursor=page.next_cursor)
        )


@router.get("/notifications/dead", response_model=NotificationPage, responses=error_responses(422))
def dead(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    cursor: Cursor = None,
    limit: Limit = DEFAULT,
) -> Response:
    """Messages given up on after their retries (or refused for good), newest first."""
    with db.uow(write=False) as uow:
        page = listing.dead_letter_page(uow, merchant_id, cursor, limit)
        return json_response(
            NotificationPage(items=_outs(uow, merchant_id, page.items), next_cursor=page.next_cursor)
        )


@router.post(
    "/notifications/{notification_id}/replay", response_model=NotificationOut, responses=error_responses(404)
)
def replay(
    notification_id: IdPath, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """Queue a dead message again, after the cause was fixed."""

    def work(uow: UnitOfWork) -> NotificationOut:
        return _outs(uow, merchant_id, [delivery.replay_dead(uow, merchant_id, notification_id)])[0]

    return json_response(in_transaction(db, work))


@router.get("/notifications/settings", response_model=SettingList)
def list_settings(merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)) -> Response:
    with db.uow(write=False) as uow:
        rows = service.settings(uow, merchant_id)
    items = [SettingOut(trigger=t, channel=c, enabled=e) for t, c, e in rows]
    return json_response(SettingList(items=items, next_cursor=None))


@router.put("/notifications/settings", response_model=SettingOut)
def put_setting(
    data: SettingIn, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """Switch one trigger on or off for one channel."""
    in_transaction(
        db, lambda uow: service.set_setting(uow, merchant_id, data.trigger, data.channel, data.enabled)
    )
    return json_response(SettingOut(trigger=data.trigger, channel=data.channel, enabled=data.enabled))


@router.post("/notifications/webhook-endpoints", response_model=NewWebhookEndpointOut, status_code=201)
def add_endpoint(
    data: WebhookEndpointIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Register a URL for signed events (Standard Webhooks); its secret is shown once.

    The URL must be https on a host whose every address is public (422
    ``webhook_url_not_allowed`` otherwise)."""
    secret = new_webhook_secret()
    outgoing = endpoint_policy(request.app.state.settings)

    def work(uow: UnitOfWork) -> NewWebhookEndpointOut:
        row = service.add_endpoint(
            uow, merchant_id, data.url, list(data.event_types), secret, outgoing=outgoing
        )
        return NewWebhookEndpointOut(**_endpoint_out(row).model_dump(), secret=secret)

    return json_response(in_transaction(db, work), 201)


@router.get(
    "/notifications/webhook-endpoints", response_model=WebhookEndpointPage, responses=error_responses(422)
)
def list_endpoints(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    cursor: Cursor = None,
    limit: Limit = DEFAULT,
) -> Response:
    """The endpoints in the order they were added; a removed one stays, disabled."""
    with db.uow(write=False) as uow:
        page = listing.endpoint_page(uow, merchant_id, cursor, limit)
        return json_response(
            WebhookEndpointPage(items=[_endpoint_out(e) for e in page.items], next_cursor=page.next_cursor)
        )


@router.delete(
    "/notifications/webhook-endpoints/{endpoint_id}", status_code=204, responses=error_responses(404)
)
def remove_endpoint(
    endpoint_id: IdPath, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    in_transaction(db, lambda uow: service.remove_endpoint(uow, merchant_id, endpoint_id))
    return Response(status_code=204)


@router.put(
    "/notifications/templates/{trigger}/{channel}/{locale}",
    response_model=PreviewOut,
    responses=error_responses(422),
)
def save_template(
    trigger: TriggerName,
    channel: TemplateChannel,
    locale: LocaleName,
    data: TemplateIn,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Save the merchant's own template; it is checked in the sandbox first (422 ``invalid_template``)."""
    source = TemplateSource(data.subject, data.text, data.html)
    sample = in_transaction(
        db, lambda uow: settings.save_template(uow, merchant_id, (trigger, channel, locale), source)
    )
    return json_response(PreviewOut(subject=sample.subject, text=sample.text, html=sample.html))


@router.get(
    "/notifications/templates/{trigger}/{channel}/{locale}",
    response_model=TemplateOut,
    responses=error_responses(422),
)
def get_template(
    trigger: TriggerName,
    channel: TemplateChannel,
    locale: LocaleName,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """The template in use: the merchant's own (``custom``), else ours to start from."""
    with db.uow(write=False) as uow:
        source, custom = settings.template_in_use(uow, merchant_id, (trigger, channel, locale))
    return json_response(
        TemplateOut(subject=source.subject, text=source.text, html=source.html, custom=custom)
    )


@router.delete(
    "/notifications/templates/{trigger}/{channel}/{locale}", status_code=204, responses=error_responses(422)
)
def reset_template(
    trigger: TriggerName,
    channel: ChannelName,
    locale: LocaleName,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Go back to our default for this trigger, channel and language."""
    in_transaction(db, lambda uow: settings.reset_template(uow, merchant_id, (trigger, channel, locale)))
    return Response(status_code=204)


@router.post("/notifications/preview", response_model=PreviewOut, responses=error_responses(404, 422))
def preview(
    data: PreviewIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Render a template (given, saved, or the default) against a real order, sending nothing."""
    app_settings = request.app.state.settings
    channels = delivery.Channels(
        smtp=None, sms=None, public_url=app_settings.public_url, secret=app_settings.resolved_secret_key()
    )
    given = None
    if data.template is not None:
        given = TemplateSource(data.template.subject, data.template.text, data.template.html)
    with db.uow(write=False) as uow:
        rendered = settings.preview(
            uow, merchant_id, data.order, (data.trigger, data.channel, data.locale), given, channels
        )
    return json_response(PreviewOut(subject=rendered.subject, text=rendered.text, html=rendered.html))


# --- the shopper's unsubscribe page (no login) ------------------------------------------------


@pages.get("/notifications/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: Annotated[str, Path(max_length=600)], request: Request) -> Response:
    found = read_unsubscribe_token(request.app.state.settings.signing_keys(), token)
    staff = found is not None and found[1] == service.STAFF_CHANNEL
    digest = found is not None and found[1] == DIGEST_CHANNEL
    return render(
        request,
        "notifications/unsubscribe.html",
        {"valid": found is not None, "done": False, "token": token, "staff": staff, "digest": digest},
        status_code=200 if found else 404,
    )


@pages.post("/notifications/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe(token: Annotated[str, Path(max_length=600)], request: Request) -> Response:
    """The confirm button, and RFC 8058 one-click (``List-Unsubscribe=One-Click``) from mail clients."""
    found = read_unsubscribe_token(request.app.state.settings.signing_keys(), token)
    if found is None:
        return render(
            request,
            "notifications/unsubscribe.html",
            {"valid": False, "done": False, "token": token},
            status_code=404,
        )
    merchant_id, channel, address = found
    in_transaction(request.app.state.db, lambda uow: service.opt_out(uow, merchant_id, channel, address))
    return render(request, "notifications/unsubscribe.html", {"valid": True, "done": True, "token": token})


# --- replies to our texts (the provider's inbound webhook, no login) ----------------------------

_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@pages.post("/notifications/sms/inbound")
async def sms_inbound(request: Request) -> Response:
    """A text sent to our number, pushed by the provider (Twilio's "A message comes in").

    STOP (or END, CANCEL, UNSUBSCRIBE, QUIT, PARAR, SAIR, BAJA...) stops every store's texts to
    the sender: they all send from this one number. The request must carry the provider's
    signature over our public URL (403 otherwise); with SMS off there is nothing here (404).
    Twilio answers its standard keywords itself, so the reply is empty TwiML.
    """
    settings = request.app.state.settings
    if settings.sms_token is None:
        return Response("SMS is not configured\n", status_code=404, media_type="text/plain")
    body = (await request.body())[:20_000]
    params = {name: values[0] for name, values in parse_qs(body.decode("utf-8", errors="replace")).items()}
    url = (
        settings.public_url.rstrip("/")
        + request.url.path
        + (f"?{request.url.query}" if request.url.query else "")
    )
    token = settings.sms_token.get_secret_value()
    if not sms_channel.signed_by_twilio(token, url, params, request.headers.get("x-twilio-signature")):
        return Response("bad signature\n", status_code=403, media_type="text/plain")
    sender = params.get("From", "")
    if sender and rules.is_stop_request(params.get("Body", "")):
        await run_in_threadpool(
            in_transaction, request.app.state.db, lambda uow: service.stop_sms_everywhere(uow, sender)
        )
    return Response(_EMPTY_TWIML, media_type="text/xml")
