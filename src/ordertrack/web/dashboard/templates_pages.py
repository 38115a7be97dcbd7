"""Dashboard message templates: every message per trigger, channel and language; an editor
checked by the same sandbox rules as the API; a preview rendered on the server with a real
recent order; reset to our default. Every staff member may read and preview; owners save and
reset (what shoppers receive is the shop's voice, like its settings).

The preview is a document of its own (:mod:`ordertrack.web.dashboard.template_preview`),
shown in a frame. The editor works without JavaScript: "Preview" posts the form into the
frame; a small script (``template-editor.js``) does the same as one types. The list page also
says which messages are sent, per trigger and channel (the API's notification settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordertrack.api.transactions import in_transaction
from ordertrack.kit.errors import NotFound, OrdertrackError
from ordertrack.notifications import repository, service, settings
from ordertrack.notifications.message import (
    STAFF_TRIGGERS,
    SUPPORTED_LOCALES,
    Channel,
    TemplateSource,
    Trigger,
)
from ordertrack.notifications.sandbox import MAX_SOURCE_CHARS
from ordertrack.orders import service as orders_service
from ordertrack.orders.status import OrderStatus
from ordertrack.web import i18n
from ordertrack.web.dashboard.access import (
    DashboardRoute,
    Staff,
    current_staff,
    database,
    owner_form,
    page,
)
from ordertrack.web.forms import BadForm, Form

router = APIRouter(prefix="/dashboard/templates", route_class=DashboardRoute)

TRIGGER_WORDS: dict[str, tuple[str, str]] = {
    "order_confirmed": ("Order confirmed", "the order was confirmed and is being prepared"),
    "shipped": ("Shipped", "a shipment left the warehouse"),
    "out_for_delivery": ("Out for delivery", "the driver has the parcel today"),
    "available_for_pickup": ("Ready for pickup", "the parcel waits at a pickup point"),
    "failed_attempt": ("Delivery attempt failed", "the carrier could not hand it over"),
    "delivered": ("Delivered", "the parcel was delivered"),
    "exception": ("Delivery problem", "an address issue, damage, customs and the like"),
    "delivery_revised": ("New delivery date", "the promise moved later"),
    "low_stock": ("Low stock (staff)", "a product runs low in a warehouse"),
    "needs_attention": ("Needs attention (staff)", "a shipment needs a person to look at it"),
    "shopper_message": ("Message from your team", "staff write to the shopper about a parcel in trouble"),
    "inbound_late": ("Inbound shipment late (staff)", "a supplier's shipment is late, stalled or in trouble"),
    "purchase_order_sent": ("Purchase order (supplier)", "a PO goes to its supplier with its link"),
    "supplier_reminder": ("Has it shipped? (supplier)", "a promised ship date passed with nothing shipped"),
    "rating_request": ("Rate your delivery", "some hours after delivery, the shopper is asked once"),
    "rating_created": ("Rating given (webhook)", "a shopper rated a delivery"),
    "rating_updated": ("Rating changed (webhook)", "a shopper changed a rating"),
}
CHANNEL_WORDS = {Channel.email: "Email", Channel.sms: "SMS"}
CHANNELS = (Channel.email, Channel.sms)

# The order a preview borrows, by trigger: the newest order in a status where the message fits.
_FITTING_STATUS = {
    Trigger.order_confirmed: OrderStatus.processing,
    Trigger.shipped: OrderStatus.shipped,
    Trigger.out_for_delivery: OrderStatus.shipped,
    Trigger.available_for_pickup: OrderStatus.shipped,
    Trigger.failed_attempt: OrderStatus.shipped,
    Trigger.exception: OrderStatus.shipped,
    Trigger.delivery_revised: OrderStatus.shipped,
    Trigger.delivered: OrderStatus.delivered,
    Trigger.rating_request: OrderStatus.delivered,
}


@dataclass(frozen=True)
class Key:
    """One template's place: trigger, channel and language."""

    trigger: Trigger
    channel: Channel
    locale: str

    @classmethod
    def parse(cls, trigger: str, channel: str, locale: str) -> Key:
        try:
            key = cls(Trigger(trigger), Channel(channel), locale)
        except ValueError:
            raise NotFound("There is no such message template.") from None
        if key.channel not in CHANNELS or locale not in SUPPORTED_LOCALES:
            raise NotFound("There is no such message template.")
        if key.channel is Channel.sms and key.trigger in STAFF_TRIGGERS:
            raise NotFound("Staff alerts go by email only: there is no SMS template for them.")
        return key

    @property
    def parts(self) -> tuple[str, str, str]:
        return str(self.trigger), str(self.channel), self.locale

    @property
    def path(self) -> str:
        return f"/dashboard/templates/{self.trigger}/{self.channel}/{self.locale}"


def triggers() -> list[Trigger]:
    """Every trigger with a template, in the order a parcel lives them; staff alerts last."""
    return [t for t in Trigger if t not in STAFF_TRIGGERS] + [t for t in Trigger if t in STAFF_TRIGGERS]


def trigger_words(trigger: Trigger) -> tuple[str, str]:
    return TRIGGER_WORDS.get(str(trigger), (str(trigger).replace("_", " ").capitalize(), ""))


@router.get("")
def template_list(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    with database(request).uow(write=False) as uow:
        own = repository.templates_of(uow, staff.merchant_id)
        switches = service.settings(uow, staff.merchant_id)
    rows = []
    for trigger in triggers():
        cells = []
        for channel in CHANNELS:
            for locale in SUPPORTED_LOCALES:
                if channel is Channel.sms and trigger in STAFF_TRIGGERS:
                    cells.append(None)
                    continue
                saved = own.get((str(trigger), str(channel), locale))
                cells.append(
                    {
                        "href": Key(trigger, channel, locale).path,
                        "custom": saved is not None,
                        "updated_at": saved.updated_at if saved is not None else None,
                        "label": f"{trigger_words(trigger)[0]}, {CHANNEL_WORDS[channel]}, "
                        f"{i18n.language_name(locale)}",
                    }
                )
        rows.append({"trigger": trigger, "words": trigger_words(trigger), "cells": cells})
    return page(
        request,
        staff,
        "dashboard/templates.html",
        {
            "rows": rows,
            "columns": [
                (CHANNEL_WORDS[channel], i18n.language_name(locale))
                for channel in CHANNELS
                for locale in SUPPORTED_LOCALES
            ],
            "custom_count": len(own),
            "switches": _switch_rows(switches),
            "switch_channels": SWITCH_CHANNELS,
            "message": {
                "reset": "Our default is used again.",
                "switches": "Saved: only the messages ticked are sent.",
            }.get(request.query_params.get("saved", ""), ""),
        },
        section="templates",
    )


SWITCH_CHANNELS = (("email", "Email"), ("sms", "SMS"), ("webhook", "Webhook"))


def _switch_rows(switches: list[tuple[str, str, bool]]) -> list[dict[str, Any]]:
    """One row per trigger: for each channel, whether it is on (None where it cannot be)."""
    on = {(trigger, channel): enabled for trigger, channel, enabled in switches}
    return [
        {
            "trigger": str(trigger),
            "words": trigger_words(trigger),
            "cells": [
                None
                if (str(trigger), channel) not in on
                else {"name": f"{trigger}:{channel}", "on": on[(str(trigger), channel)], "label": label}
                for channel, label in SWITCH_CHANNELS
            ],
        }
        for trigger in triggers()
        if any((str(trigger), channel) in on for channel, _label in SWITCH_CHANNELS)
    ]


@router.post("/switches")
def save_switches(request: Request, posted: tuple[Staff, Form] = Depends(owner_form)) -> Response:
    """Which messages are sent: every trigger and channel, on when ticked (unticked boxes are not posted)."""
    staff, form = posted
    ticked = set(form.fields.get("on", []))

    def work(uow: Any) -> None:
        for trigger, channel, enabled in service.settings(uow, staff.merchant_id):
            wanted = f"{trigger}:{channel}" in ticked
            if wanted != enabled:
                service.set_setting(uow, staff.merchant_id, trigger, channel, wanted)

    in_transaction(database(request), work)
    return RedirectResponse("/dashboard/templates?saved=switches", status_code=303)


def _editor(
    request: Request,
    staff: Staff,
    key: Key,
    *,
    source: TemplateSource | None = None,
    order: str = "",
    error: str = "",
    message: str = "",
    status_code: int = 200,
) -> Response:
    with database(request).uow(write=False) as uow:
        in_use, custom = settings.template_in_use(uow, staff.merchant_id, key.parts)
        order = order or _recent_order(uow, staff.merchant_id, key.trigger)
    shown = source or in_use
    return page(
        request,
        staff,
        "dashboard/template_edit.html",
        {
            "key": key,
            "words": trigger_words(key.trigger),
            "channel_words": CHANNEL_WORDS[key.channel],
            "language": i18n.language_name(key.locale),
            "source": shown,
            "custom": custom,
            "order": order,
            "error": error,
            "message": message
            or {"saved": "Template saved. New messages use it from now on."}.get(
                request.query_params.get("saved", ""), ""
            ),
            "max_chars": MAX_SOURCE_CHARS,
            "preview_src": f"{key.path}/preview" + (f"?order={_quoted(order)}" if order else ""),
        },
        status_code=status_code,
        section="templates",
    )


def _quoted(value: str) -> str:
    return quote(value, safe="")


def _recent_order(uow: Any, merchant_id: str, trigger: Trigger) -> str:
    """The number of the newest order that suits the message, else the newest order, else ""."""
    wanted = _FITTING_STATUS.get(trigger)
    for status in (wanted, None) if wanted else (None,):
        found = orders_service.list_orders(
            uow, merchant_id, status=status, attention=None, cursor=None, limit=1
        ).items
        if found:
            return str(found[0].number)
    return ""


@router.get("/{trigger}/{channel}/{locale}")
def edit_template(
    trigger: str, channel: str, locale: str, request: Request, staff: Staff = Depends(current_staff)
) -> Response:
    return _editor(request, staff, Key.parse(trigger, channel, locale))


def posted_source(form: Form, key: Key) -> TemplateSource:
    def part(name: str) -> str:
        value = form.get(name).replace("\r\n", "\n")
        if len(value) > MAX_SOURCE_CHARS:
            raise BadForm(f"the {name} is {len(value)} characters long; the limit is {MAX_SOURCE_CHARS}")
        return value

    if key.channel is Channel.sms:
        return TemplateSource(subject=None, text=part("text"), html=None)
    # An empty HTML part is no HTML part: the save is refused as the API refuses it.
    return TemplateSource(subject=part("subject"), text=part("text"), html=part("html").strip() or None)


@router.post("/{trigger}/{channel}/{locale}")
def save_template(
    trigger: str,
    channel: str,
    locale: str,
    request: Request,
    posted: tuple[Staff, Form] = Depends(owner_form),
) -> Response:
    staff, form = posted
    key = Key.parse(trigger, channel, locale)
    source = None
    try:
        source = posted_source(form, key)
        given = source
        in_transaction(
            database(request), lambda uow: settings.save_template(uow, staff.merchant_id, key.parts, given)
        )
    except (OrdertrackError, BadForm) as refused:
        return _editor(
            request,
            staff,
            key,
            source=source,
            order=form.text("order", 100),
            error=refused.message,
            status_code=refused.status_code,
        )
    return RedirectResponse(f"{key.path}?saved=saved", status_code=303)


@router.post("/{trigger}/{channel}/{locale}/reset")
def reset_template(
    trigger: str,
    channel: str,
    locale: str,
    request: Request,
    posted: tuple[Staff, Form] = Depends(owner_form),
) -> Response:
    staff, _form = posted
    key = Key.parse(trigger, channel, locale)
    in_transaction(database(request), lambda uow: settings.reset_template(uow, staff.merchant_id, key.parts))
    return RedirectResponse("/dashboard/templates?saved=reset", status_code=303)
