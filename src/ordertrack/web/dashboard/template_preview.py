"""The message template preview: a document of its own, rendered by the server, shown in the
editor's frame (see :mod:`ordertrack.web.dashboard.templates_pages`).

An email's HTML carries inline styles (mail clients need them), which the dashboard's CSP
refuses, so only this document allows inline styles; it runs no script, may be framed by the
dashboard only, and the email inside it is a sandboxed frame. A text message is shown with its
length and segments.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ordertrack.kit.errors import OrdertrackError
from ordertrack.notifications import delivery, settings, templates
from ordertrack.notifications.channels import sms as sms_channel
from ordertrack.notifications.message import Channel, RenderedMessage, TemplateSource, sample_context
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, staff_form
from ordertrack.web.dashboard.templates_pages import Key, posted_source
from ordertrack.web.forms import BadForm, Form
from ordertrack.web.pages import render

router = APIRouter(prefix="/dashboard/templates", route_class=DashboardRoute)

# The preview document alone may use inline styles (an email's), and may be framed by the dashboard.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def _channels(request: Request) -> delivery.Channels:
    app_settings = request.app.state.settings
    return delivery.Channels(
        smtp=None, sms=None, public_url=app_settings.public_url, secret=app_settings.resolved_secret_key()
    )


def _preview_page(
    request: Request, staff: Staff, key: Key, given: TemplateSource | None, order: str
) -> Response:
    rendered: RenderedMessage | None = None
    problem = ""
    status_code = 200
    try:
        with database(request).uow(write=False) as uow:
            if order:
                rendered = settings.preview(
                    uow, staff.merchant_id, order, key.parts, given, _channels(request)
                )
            else:
                saved = given or settings.saved_template(uow, staff.merchant_id, key.parts)
                rendered = templates.render(sample_context(key.trigger, key.locale), key.channel, saved)
    except OrdertrackError as refused:
        problem, status_code = refused.message, refused.status_code
    response = render(
        request,
        "dashboard/template_preview.html",
        {
            "rendered": rendered,
            "problem": problem,
            "order": order,
            "channel": key.channel,
            "sms": _sms_facts(rendered.text) if rendered is not None and key.channel is Channel.sms else None,
        },
        status_code=status_code,
        locale="en",
    )
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


def _sms_facts(text: str) -> dict[str, object]:
    """What a text costs: its length, its segments, and whether one character forces UCS-2."""
    return {
        "characters": len(text),
        "segments": sms_channel.segments(text),
        "gsm7": sms_channel.is_gsm7(text),
    }


@router.get("/{trigger}/{channel}/{locale}/preview")
def preview_saved(
    trigger: str, channel: str, locale: str, request: Request, staff: Staff = Depends(current_staff)
) -> Response:
    """The template in use, rendered with an order (``?order=``) or, with none, sample data."""
    key = Key.parse(trigger, channel, locale)
    order = request.query_params.get("order", "").strip()[:100]
    return _preview_page(request, staff, key, None, order)


@router.post("/{trigger}/{channel}/{locale}/preview")
def preview_draft(
    trigger: str,
    channel: str,
    locale: str,
    request: Request,
    posted: tuple[Staff, Form] = Depends(staff_form),
) -> Response:
    """The template as typed (not saved), rendered with the order named in the form."""
    staff, form = posted
    key = Key.parse(trigger, channel, locale)
    try:
        source = posted_source(form, key)
        order = form.text("order", 100)
    except BadForm as refused:
        response = render(
            request,
            "dashboard/template_preview.html",
            {"rendered": None, "problem": refused.message, "order": "", "channel": key.channel},
            status_code=refused.status_code,
            locale="en",
        )
        response.headers["Content-Security-Policy"] = PREVIEW_POLICY
        return response
    return _preview_page(request, staff, key, source, order)
