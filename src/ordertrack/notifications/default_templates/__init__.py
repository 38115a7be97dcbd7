"""Our default messages: one copy module per language, framed by one text layout and one HTML layout.

The HTML is table-free with inline styles (mail clients drop ``<style>`` blocks unpredictably), one
column no wider than 600px, real headings and link text, and the merchant's brand colour as an accent.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import import_module

from ordertrack.notifications.default_templates.wording import Copy, Paragraph, Words
from ordertrack.notifications.message import (
    STAFF_TRIGGERS,
    SUPPLIER_TRIGGERS,
    Channel,
    TemplateSource,
    Trigger,
)

# Short names for the event facts, so the copy reads as sentences rather than attribute paths.
# A template starts with the ones it uses, one per line for whoever edits it ("-%}" eats each
# line's end, so nothing is rendered).
SHORT_NAMES = {
    "reason": "{% set reason = event.reason if event else none -%}\n",
    "place": "{% set place = event.place if event else none -%}\n",
    "when": "{% set when = event.local_time if event else none -%}\n",
    "description": "{% set description = event.description if event else none -%}\n",
    "carrier": "{% set carrier = shipment.carrier_name if shipment else none -%}\n",
}
PRELUDE = "".join(SHORT_NAMES.values())


def with_short_names(body: str) -> str:
    """``body`` after the short names it uses (a name it does not use is left out)."""
    return "".join(line for name, line in SHORT_NAMES.items() if re.search(rf"\b{name}\b", body)) + body


_P = "margin:0 0 16px;"
_HTML = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{subject}</title>
{json_ld}</head>
<body style="margin:0;padding:0;background-color:#f4f5f7;">
<div role="article" aria-label="{subject}" lang="{lang}" style="max-width:600px;margin:0 auto;\
padding:24px 16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;">
<div style="background-color:#ffffff;border-top:6px solid {{{{ brand_colour }}}};padding:24px;">
{{% if logo_url %}}<p style="margin:0 0 16px;"><img src="{{{{ logo_url }}}}" alt="{{{{ store_name }}}}" \
height="48" style="display:block;height:48px;width:auto;max-width:240px;border:0;"></p>
{{% else %}}<p style="margin:0 0 8px;font-size:14px;font-weight:bold;color:#4a4a4a;">{{{{ store_name }}}}</p>
{{% endif %}}
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:#1a1a1a;">{headline}</h1>
{greeting}{paragraphs}
<p style="margin:24px 0;"><a href="{{{{ tracking_url }}}}" style="display:inline-block;\
background-color:{{{{ button_colour }}}};color:{{{{ button_text_colour }}}};text-decoration:none;\
font-weight:bold;padding:12px 20px;border-radius:4px;">{action}</a></p>
{parcels}<p style="{p}">{sign_off}</p>
</div>
<p style="margin:16px 0 0;font-size:13px;color:#4a4a4a;">{footer} \
<a href="{{{{ unsubscribe_url }}}}" style="color:#4a4a4a;">{unsubscribe}</a></p>
</div>
</body>
</html>
"""

_HTML_PARCELS = """{{% for s in shipments %}}
<div style="border:1px solid #d9dce1;border-radius:4px;padding:12px 16px;margin:0 0 16px;">
<p style="margin:0 0 4px;"><strong>{{{{ s.carrier_name }}}}</strong></p>
<p style="margin:0 0 8px;font-size:14px;">{tracking_number}: {{% if s.carrier_url %}}\
<a href="{{{{ s.carrier_url }}}}" style="color:#1a1a1a;">{{{{ s.tracking_number }}}}</a>\
{{% else %}}{{{{ s.tracking_number }}}}{{% endif %}}</p>
{{% if s.items %}}
<p style="margin:0;font-size:14px;">{items}:</p>
<ul style="margin:4px 0 0;padding-left:20px;font-size:14px;">
{{% for item in s.items %}}
<li>{{{{ item.quantity }}}} × {{{{ item.name }}}}</li>
{{% endfor %}}
</ul>
{{% endif %}}
</div>
{{% endfor %}}
"""

_TEXT_PARCELS = (
    "{{% for s in shipments %}}{{{{ s.carrier_name }}}} · {tracking_number}: {{{{ s.tracking_number }}}}\n"
    "{{% for item in s.items %}}  {{{{ item.quantity }}}} × {{{{ item.name }}}}\n{{% endfor %}}\n"
    "{{% endfor %}}"
)

_SHOWS_ESTIMATE = frozenset({Trigger.order_confirmed, Trigger.shipped})


def _language(locale: str) -> tuple[Words, dict[Trigger, Copy]]:
    module = import_module(f"{__name__}.{locale}")
    return module.WORDS, module.COPY


def _exception_body(words: Words) -> str:
    branches = [
        f"{{% {'if' if i == 0 else 'elif'} reason == '{reason}' %}}{advice}"
        for i, (reason, advice) in enumerate(words.exception_advice.items())
    ]
    return "".join(branches) + f"{{% else %}}{words.exception_other}{{% endif %}}"


def _cause_body(words: Words) -> str:
    """Why the date changed, in one sentence of the shopper's language (nothing when not known)."""
    return "".join(
        f"{{% {'if' if i == 0 else 'elif'} revision_cause == '{cause}' %}}{sentence}"
        for i, (cause, sentence) in enumerate(words.revision_causes.items())
    ) + ("{% endif %}" if words.revision_causes else "")


def _paragraphs(trigger: Trigger, words: Words, copy: Copy) -> list[Paragraph]:
    body = list(copy.body)
    if trigger is Trigger.exception:
        body.insert(0, _exception_body(words))
    if trigger is Trigger.delivery_revised and words.revision_causes:
        body.insert(1, ("revision_cause", _cause_body(words)))
    if trigger in _SHOWS_ESTIMATE:
        body.append(("estimated_delivery", words.estimate))
    return body


def _text(trigger: Trigger, words: Words, copy: Copy) -> str:
    staff = trigger in STAFF_TRIGGERS
    lines = (
        []
        if staff
        else [f"{{% if shopper_name %}}{words.greeting_named}{{% else %}}{words.greeting}{{% endif %}}\n\n"]
    )
    for paragraph in _paragraphs(trigger, words, copy):
        if isinstance(paragraph, tuple):
            lines.append(f"{{% if {paragraph[0]} %}}{paragraph[1]}\n\n{{% endif %}}")
        else:
            lines.append(f"{paragraph}\n\n")
    lines.append(f"{copy.action}: {{{{ tracking_url }}}}\n\n")
    if not staff:
        lines.append(_TEXT_PARCELS.format(tracking_number=words.tracking_number))
    footer = words.staff_footer if staff else f"{words.sign_off}\n\n-- \n{words.footer}"
    unsubscribe = words.manage if staff else words.unsubscribe
    if trigger in SUPPLIER_TRIGGERS:
        footer, unsubscribe = words.supplier_footer, words.supplier_unsubscribe
    lines.append(f"{footer}\n{unsubscribe}: {{{{ unsubscribe_url }}}}\n")
    return with_short_names("".join(lines))


def _html(trigger: Trigger, words: Words, copy: Copy, locale: str) -> str:
    staff = trigger in STAFF_TRIGGERS
    paragraphs = []
    for paragraph in _paragraphs(trigger, words, copy):
        condition, text = paragraph if isinstance(paragraph, tuple) else (None, paragraph)
        block = f'<p style="{_P}">{text}</p>\n'
        paragraphs.append(f"{{% if {condition} %}}\n{block}{{% endif %}}\n" if condition else block)
    greeting = (
        ""
        if staff
        else f'<p style="{_P}">{{% if shopper_name %}}{words.greeting_named}{{% else %}}{words.greeting}'
        "{% endif %}</p>\n"
    )
    return with_short_names(
        _HTML.format(
            lang=locale.replace("_", "-"),
            subject=copy.subject,
            json_ld="" if staff else "{{ json_ld }}\n",
            headline=copy.headline,
            greeting=greeting,
            paragraphs="".join(paragraphs),
            action=copy.action,
            parcels=""
            if staff
            else _HTML_PARCELS.format(tracking_number=words.tracking_number, items=words.items),
            p=_P,
            sign_off="" if staff else words.sign_off,
            footer=words.supplier_footer
            if trigger in SUPPLIER_TRIGGERS
            else words.staff_footer
            if staff
            else words.footer,
            unsubscribe=words.supplier_unsubscribe
            if trigger in SUPPLIER_TRIGGERS
            else words.manage
            if staff
            else words.unsubscribe,
        ).replace(f'<p style="{_P}"></p>\n', "")
    )


@lru_cache(maxsize=128)
def compose(trigger: Trigger, channel: Channel, locale: str) -> TemplateSource:
    """The default template for one trigger, channel and supported locale."""
    words, copies = _language(locale)
    copy = copies[trigger]
    if channel is Channel.sms:
        if copy.sms is None:
            raise LookupError(f"no SMS copy for {trigger}")
        return TemplateSource(subject=None, text=with_short_names(copy.sms), html=None)
    return TemplateSource(
        subject=with_short_names(copy.subject),
        text=_text(trigger, words, copy),
        html=_html(trigger, words, copy, locale),
    )


def sms_opt_out(locale: str) -> str:
    """The opt-out line every text ends with, in a supported locale ("Reply STOP to opt out")."""
    words, _copies = _language(locale)
    return words.sms_opt_out
