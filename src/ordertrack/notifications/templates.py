"""Message templates: a message context rendered as SMS text or an HTML email, from the merchant's
template or ours.

Templates run in :mod:`ordertrack.notifications.sandbox` and see only plain records
(:func:`template_variables`), never the dataclasses of :mod:`ordertrack.notifications.message`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, NamedTuple

from markupsafe import Markup

from ordertrack.kit.colours import button_colours
from ordertrack.kit.sentences import close_sentences
from ordertrack.notifications.channels.sms import fit_sms
from ordertrack.notifications.default_templates import compose, sms_opt_out
from ordertrack.notifications.message import (
    STAFF_TRIGGERS,
    Channel,
    MessageContext,
    RenderedMessage,
    TemplateSource,
    Trigger,
    sample_context,
    supported_locale,
)
from ordertrack.notifications.payloads import parcel_delivery_json_ld
from ordertrack.notifications.sandbox import MAX_SOURCE_CHARS, TemplateError
from ordertrack.notifications.sandbox import render_part as render_in_sandbox


# Plain read-only records for templates: attribute access without dict methods (``items``) in the way.
class Item(NamedTuple):
    name: str
    quantity: int


class ParcelRecord(NamedTuple):
    """One parcel as a template sees it (``shipments`` in the template variables)."""

    carrier_name: str
    tracking_number: str
    carrier_url: str | None
    items: tuple[Item, ...]


class ScanRecord(NamedTuple):
    """The scan that caused the message, as a template sees it (``event``)."""

    status: str
    reason: str | None
    description: str | None
    place: str | None
    local_time: datetime | None
    timezone: str | None


class DateRange(NamedTuple):
    earliest: date
    latest: date


def _range(value: tuple[date, date] | None) -> DateRange | None:
    return DateRange(*value) if value else None


def template_variables(context: MessageContext, html: bool) -> dict[str, Any]:
    """The plain data a template may read: records and strings, never the dataclasses themselves."""
    shipments = tuple(
        ParcelRecord(s.carrier_name, s.tracking_number, s.carrier_url, tuple(Item(n, q) for n, q in s.items))
        for s in context.shipments
    )
    event = ScanRecord(**context.event.__dict__) if context.event else None
    json_ld = parcel_delivery_json_ld(context)
    brand = context.brand_colour.lower() if _COLOUR.fullmatch(context.brand_colour) else "#1f4e79"
    button = button_colours(_six_digits(brand))
    return {
        "trigger": str(context.trigger),
        "locale": context.locale,
        "store_name": context.store_name,
        "brand_colour": brand,
        # The button in the brand colour, with text that reads on it at 4.5:1 (kit.colours).
        "button_colour": button[0],
        "button_text_colour": button[1],
        "logo_url": context.logo_url,
        "order_number": context.order_number,
        "shopper_name": context.shopper_name,
        "tracking_url": context.tracking_url,
        "unsubscribe_url": context.unsubscribe_url,
        "shipments": shipments,
        "shipment": shipments[0] if shipments else None,
        "event": event,
        "estimated_delivery": _range(context.estimated_delivery),
        "previous_estimate": _range(context.previous_estimate),
        "sku": context.sku,
        "warehouse": context.warehouse,
        "available": context.available,
        "alert": context.alert,
        "message": context.message,
        "revision_cause": context.revision_cause,
        "inbound_shipment": context.inbound_shipment,
        "purchase_order": context.purchase_order,
        "supplier": context.supplier,
        "promised_date": context.promised_date,
        "lines": [
            {"sku": sku, "supplier_sku": supplier_sku, "quantity": quantity}
            for sku, supplier_sku, quantity in context.lines
        ],
        "ship_to": context.ship_to,
        "json_ld": Markup(json_ld) if html else json_ld,
    }


def _six_digits(colour: str) -> str:
    """``#abc`` as ``#aabbcc``."""
    return colour if len(colour) == 7 else "#" + "".join(c * 2 for c in colour[1:])


_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")


_SMS_TYPOGRAPHY = str.maketrans(
    {
        "\u2013": "-", "\u2014": "-", "\u2009": " ", "\u202f": " ", "\u00a0": " ", "\u2018": "'",
        "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...",
    }
)  # fmt: skip


def sms_typography(text: str) -> str:
    """Plain dashes, spaces and quotes: one typographic character would switch a whole SMS to UCS-2."""
    return text.translate(_SMS_TYPOGRAPHY)


_STOP_WORD = re.compile(r"\bSTOP\b")


def with_sms_opt_out(text: str, locale: str) -> str:
    """The text fitted to two segments and ending with how to stop texts ("Reply STOP to opt
    out"), also when a merchant's own template forgot it (CTIA: every recurring text says how
    to stop). A text that already names STOP is only fitted."""
    if _STOP_WORD.search(text):
        return fit_sms(text)
    return fit_sms(text, footer="\n" + sms_opt_out(supported_locale(locale)))


def default_template(trigger: Trigger, channel: Channel, locale: str) -> TemplateSource:
    """Our copy for one trigger, channel and language; merchants start from it."""
    if channel is Channel.webhook:
        raise TemplateError("webhooks carry JSON, not a template")
    if channel is Channel.sms and trigger in STAFF_TRIGGERS:
        raise TemplateError(f"{trigger} is a staff alert and goes by email only")
    return compose(Trigger(trigger), Channel(channel), supported_locale(locale))


def render(
    context: MessageContext, channel: Channel, source: TemplateSource | None = None
) -> RenderedMessage:
    """Render a message for ``channel`` from the merchant's template, or ours when they have none."""
    locale = supported_locale(context.locale)
    source = source or default_template(context.trigger, channel, locale)
    text_vars = template_variables(context, html=False)
    names = _names(context)

    def render_part(part: str, name: str, variables: dict[str, Any], locale: str, html: bool) -> str:
        return close_sentences(render_in_sandbox(part, name, variables, locale, html), names, html=html)

    if channel is Channel.sms:
        text = sms_typography(render_part(source.text, "sms text", text_vars, locale, html=False).strip())
        return RenderedMessage(subject=None, text=with_sms_opt_out(text, locale), html=None)
    if channel is not Channel.email:
        raise TemplateError(f"{channel} messages are not rendered from templates")
    subject = None
    if source.subject is not None:
        subject = " ".join(render_part(source.subject, "subject", text_vars, locale, html=False).split())
    text = _BLANK_LINES.sub("\n\n", render_part(source.text, "text", text_vars, locale, html=False)).strip()
    text += "\n"
    html = None
    if source.html is not None:
        html = render_part(source.html, "html", template_variables(context, html=True), locale, html=True)
        if "application/ld+json" not in html and context.trigger not in STAFF_TRIGGERS:
            markup = str(text_vars["json_ld"])
            html = html.replace("</body>", markup + "</body>", 1) if "</body>" in html else html + markup
    return RenderedMessage(subject=subject, text=text, html=html)


def _names(context: MessageContext) -> tuple[str | None, ...]:
    """The names a message joins with punctuation ("Thank you for shopping with {{ store_name }}.")."""
    place = context.event.place if context.event else None
    carriers = tuple(s.carrier_name for s in context.shipments)
    return (context.store_name, context.shopper_name, place, context.warehouse, *carriers)


def check_template(source: TemplateSource, channel: Channel) -> None:
    """Render a merchant's template against sample data for every trigger before saving it."""
    if channel is Channel.webhook:
        raise TemplateError("webhooks carry JSON, not a template")
    if channel is Channel.email and (not source.subject or source.html is None):
        raise TemplateError("an email template needs a subject, a text part and an HTML part")
    if channel is Channel.sms and (source.subject or source.html):
        raise TemplateError("an SMS template is text only")
    for part, value in (("subject", source.subject), ("text", source.text), ("html", source.html)):
        if value is not None and len(value) > MAX_SOURCE_CHARS:
            raise TemplateError(f"{part} is {len(value)} characters long; the limit is {MAX_SOURCE_CHARS}")
    for trigger in (Trigger.shipped, Trigger.exception):
        render(sample_context(trigger, "en"), channel, source)
