"""Notification templates: defaults that read well in every language, a sandbox merchants cannot escape."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.notifications.message import (
    STAFF_TRIGGERS,
    Channel,
    MessageContext,
    TemplateSource,
    Trigger,
    sample_context,
)
from ordertrack.notifications.payloads import webhook_payload
from ordertrack.notifications.sandbox import TemplateError
from ordertrack.notifications.templates import check_template, default_template, render

LOCALES = ("en", "pt_BR", "es")
SHOPPER_TRIGGERS = [t for t in Trigger if t not in STAFF_TRIGGERS]
EMAIL_CASES = [(t, loc) for t in Trigger for loc in LOCALES]
SMS_CASES = [(t, loc) for t in SHOPPER_TRIGGERS for loc in LOCALES]

# GSM 03.38 basic set and extension table (extension characters cost two septets).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")


def sms_segments(text: str) -> int:
    """How many SMS parts a text takes: 160/153 septets in GSM-7, 70/67 UTF-16 units in UCS-2."""
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text):
        septets = sum(2 if c in GSM_EXTENSION else 1 for c in text)
        return 1 if septets <= 160 else -(-septets // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


def long_context(trigger: Trigger, locale: str) -> MessageContext:
    """The sample with the SMS-relevant fields at realistic worst-case lengths (60-character URL)."""
    context = sample_context(trigger, locale)
    url = "https://track.example-shop.com/t/" + "A" * 27
    assert len(url) == 60
    return replace(context, tracking_url=url, store_name="Aurora Outdoor Gear Co", order_number="AUR-1004217")


def json_ld_blocks(html: str) -> list[object]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in found]


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


# -- defaults --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("trigger", "locale"), EMAIL_CASES)
def test_every_default_email_renders_with_subject_text_and_html(trigger: Trigger, locale: str) -> None:
    context = sample_context(trigger, locale)
    message = render(context, Channel.email)
    assert message.subject and "\n" not in message.subject and "{" not in message.subject
    assert message.html is not None
    assert context.tracking_url in message.text
    assert context.store_name in message.text
    assert context.unsubscribe_url in message.text
    assert f'href="{context.unsubscribe_url}"' in message.html
    assert f'href="{context.tracking_url}"' in message.html
    assert "{{" not in message.text and "{%" not in message.html
    assert "<table" not in message.html
    assert context.brand_colour in message.html


@pytest.mark.parametrize(("trigger", "locale"), SMS_CASES)
def test_every_default_sms_fits_two_segments_with_a_60_character_link(trigger: Trigger, locale: str) -> None:
    context = long_context(trigger, locale)
    message = render(context, Channel.sms)
    assert message.subject is None and message.html is None
    assert context.tracking_url in message.text
    assert context.store_name in message.text
    assert sms_segments(message.text) <= 2, message.text


@pytest.mark.parametrize(("trigger", "locale"), SMS_CASES)
def test_default_sms_stays_in_gsm7_so_two_segments_hold_306_characters(trigger: Trigger, locale: str) -> None:
    text = render(long_context(trigger, locale), Channel.sms).text
    assert all(c in GSM_BASIC or c in GSM_EXTENSION for c in text), text


OPT_OUT = {
    "en": "Reply STOP to opt out",
    "es": "Para no recibir SMS, responde STOP",
    "pt_BR": "Responda STOP para sair",
}


@pytest.mark.parametrize(("trigger", "locale"), SMS_CASES)
def test_every_default_sms_ends_with_how_to_stop_texts(trigger: Trigger, locale: str) -> None:
    context = long_context(trigger, locale)
    text = render(context, Channel.sms).text
    assert text.endswith("\n" + OPT_OUT[locale]), text
    assert context.tracking_url in text and sms_segments(text) <= 2


def test_a_merchant_sms_without_stop_still_ends_with_the_opt_out_and_fits() -> None:
    context = sample_context(Trigger.shipped, "es")
    own = TemplateSource(None, "{{ store_name }}: " + "enviado, " * 60 + "{{ tracking_url }}", None)
    text = render(context, Channel.sms, own).text
    assert text.endswith(context.tracking_url + "\n" + OPT_OUT["es"]), text
    assert sms_segments(text) <= 2 and "..." in text


def test_a_merchant_sms_that_names_stop_is_not_given_a_second_line() -> None:
    own = TemplateSource(None, "Shipped: {{ tracking_url }} (text STOP to end these)", None)
    text = render(sample_context(Trigger.shipped, "en"), Channel.sms, own).text
    assert text.count("STOP") == 1


def test_sms_segment_counter_counts_ucs2_and_gsm7() -> None:
    assert sms_segments("a" * 160) == 1
    assert sms_segments("a" * 161) == 2
    assert sms_segments("ã" * 70) == 1
    assert sms_segments("ã" * 71) == 2
    assert sms_segments("€" * 80) == 1


@pytest.mark.parametrize("trigger", sorted(STAFF_TRIGGERS))
def test_staff_alerts_have_no_sms_default(trigger: Trigger) -> None:
    with pytest.raises(TemplateError):
        default_template(trigger, Channel.sms, "en")


def test_webhooks_have_no_template() -> None:
    with pytest.raises(TemplateError):
        default_template(Trigger.shipped, Channel.webhook, "en")


@pytest.mark.parametrize("locale", ["pt_BR", "es"])
@pytest.mark.parametrize("trigger", list(Trigger))
def test_translated_defaults_differ_from_english(trigger: Trigger, locale: str) -> None:
    english = render(sample_context(trigger, "en"), Channel.email)
    translated = render(sample_context(trigger, locale), Channel.email)
    assert translated.subject != english.subject
    assert translated.text != english.text
    data = sample_context(trigger, locale)
    facts = " ".join(
        [
            data.store_name,
            data.tracking_url,
            data.unsubscribe_url,
            str(data.event),
            str(data.shipments),
            "stock",
            # A supplier's message names the supplier, its SKUs and the warehouse's address.
            str(data.supplier),
            str(data.lines),
            str(data.ship_to),
        ]
    )
    data_words = set(re.findall(r"[a-z]{4,}", facts.lower()))
    english_words = set(re.findall(r"[a-z]{4,}", english.text.lower())) - data_words
    shared = english_words & set(re.findall(r"[a-z]{4,}", translated.text.lower()))
    assert len(shared) <= 1, shared  # a word like "total" may be shared; a sentence may not


def test_locale_spellings_fall_back_sensibly() -> None:
    assert default_template(Trigger.shipped, Channel.sms, "pt-BR") == default_template(
        Trigger.shipped, Channel.sms, "pt_BR"
    )
    assert default_template(Trigger.shipped, Channel.sms, "de") == default_template(
        Trigger.shipped, Channel.sms, "en"
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("trigger", SHOPPER_TRIGGERS)
def test_email_html_carries_parcel_delivery_json_ld(trigger: Trigger, locale: str) -> None:
    context = sample_context(trigger, locale)
    html = render(context, Channel.email).html or ""
    (block,) = json_ld_blocks(html)
    assert isinstance(block, dict)
    assert block["@type"] == "ParcelDelivery"
    assert block["trackingNumber"] == "1Z999AA10123456784"
    assert block["trackingUrl"] == context.tracking_url
    assert block["carrier"]["name"] == "UPS"
    assert block["partOfOrder"] == {
        "@type": "Order",
        "orderNumber": "AUR-10042",
        "merchant": {"@type": "Organization", "name": "Aurora Outdoor"},
    }
    assert block["expectedArrivalFrom"] == "2025-11-26" and block["expectedArrivalUntil"] == "2025-11-28"
    assert [i["name"] for i in block["itemShipped"]] == ["Trail running shoes", "Merino socks"]
    assert block["deliveryAddress"] == {
        "@type": "PostalAddress",
        "addressLocality": "Springfield",
        "addressCountry": "US",
    }


def test_json_ld_cannot_close_its_script_element() -> None:
    context = replace(
        sample_context(Trigger.shipped, "en"),
        store_name="</script><script>alert(1)</script>",
        order_number="<!--",
    )
    html = render(context, Channel.email).html or ""
    assert "<script>alert" not in html
    (block,) = json_ld_blocks(html)
    assert isinstance(block, dict)
    assert block["partOfOrder"]["merchant"]["name"] == "</script><script>alert(1)</script>"


def test_html_escapes_shopper_name_and_text_keeps_it_verbatim() -> None:
    context = replace(sample_context(Trigger.delivered, "en"), shopper_name="<b>Ann</b>")
    message = render(context, Channel.email)
    assert "<b>Ann</b>" not in (message.html or "")
    assert "&lt;b&gt;Ann&lt;/b&gt;" in (message.html or "")
    assert "Hi <b>Ann</b>," in message.text


def test_exception_tells_the_shopper_to_confirm_the_address() -> None:
    message = render(sample_context(Trigger.exception, "en"), Channel.email)
    assert "contact Aurora Outdoor to confirm your address" in message.text


def test_exception_with_unknown_reason_quotes_the_carrier() -> None:
    context = sample_context(Trigger.exception, "es")
    context = replace(context, event=replace(context.event, reason=None, description="Paquete retenido"))  # type: ignore[arg-type]
    assert "«Paquete retenido»" in render(context, Channel.email).text


def test_pickup_message_says_where() -> None:
    for channel in (Channel.email, Channel.sms):
        assert (
            "UPS Access Point" in render(sample_context(Trigger.available_for_pickup, "pt_BR"), channel).text
        )


def test_failed_attempt_says_what_happens_next_in_local_time_with_zone() -> None:
    text = render(sample_context(Trigger.failed_attempt, "en"), Channel.email).text
    assert "tries again on the next business day" in text
    assert "Nov 24, 2025, 8:05\u202fAM CST" in text


def test_messages_without_shipments_or_event_still_render() -> None:
    for trigger in Trigger:
        context = replace(
            sample_context(trigger, "en"),
            shipments=(),
            event=None,
            estimated_delivery=None,
            previous_estimate=None,
            shopper_name=None,
            delivery_locality=None,
            delivery_country=None,
        )
        assert render(context, Channel.email).text.startswith(
            "Hello," if trigger not in STAFF_TRIGGERS else ""
        )


def test_rendering_is_deterministic() -> None:
    context = sample_context(Trigger.shipped, "es")
    assert render(context, Channel.email) == render(context, Channel.email)


def test_webhook_payload_is_plain_json() -> None:
    payload = webhook_payload(sample_context(Trigger.shipped, "en"), "shipment.shipped")
    assert json.loads(json.dumps(payload)) == payload
    assert payload["type"] == "shipment.shipped"
    assert payload["data"]["order_number"] == "AUR-10042"
    assert payload["data"]["shipments"][0]["tracking_number"] == "1Z999AA10123456784"
    assert payload["data"]["estimated_delivery"] == {"earliest": "2025-11-26", "latest": "2025-11-28"}
    assert payload["data"]["event"]["occurred_at"] == "2025-11-24T08:05:00-06:00"


# -- merchant templates and the sandbox ------------------------------------------------------------------

GOOD_EMAIL = TemplateSource(
    subject="{{ store_name }}: order {{ order_number }}",
    text="Hi {{ shopper_name or 'there' }}! {% for s in shipments %}{{ s.tracking_number }} {% endfor %}"
    "{% if estimated_delivery %}ETA {{ estimated_delivery|estimate }}{% endif %} {{ tracking_url }}",
    html='<html><body><p style="color: {{ brand_colour }}">Hi {{ shopper_name }}</p>'
    "{% if event and event.local_time %}<p>{{ event.local_time|datetime }}</p>{% endif %}"
    '<a href="{{ unsubscribe_url }}">unsubscribe</a></body></html>',
)


def test_a_good_merchant_template_passes_the_check_and_gets_json_ld() -> None:
    check_template(GOOD_EMAIL, Channel.email)
    check_template(TemplateSource(None, "{{ store_name }}: {{ tracking_url }}", None), Channel.sms)
    html = render(sample_context(Trigger.shipped, "en"), Channel.email, GOOD_EMAIL).html or ""
    assert html.index("application/ld+json") < html.index("</body>")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ ''.__class__.__mro__ }}", "not allowed"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed"),
        ("{{ cycler.__init__.__globals__ }}", "not allowed"),
        ("{{ namespace.__init__.__globals__['os'] }}", "not allowed"),
        ("{{ self._TemplateReference__context }}", "not allowed"),
        ("{{ shipment._asdict() }}", "not allowed"),
        ("{{ shipment.items.__class__ }}", "not allowed"),
        ("{{ tracking_url.format.__globals__ }}", "not allowed"),
        ("{{ lipsum.__globals__.os.popen('id').read() }}", "lipsum"),
        ("{{ config }}", "config"),
        ("{{ request.application }}", "request"),
        ("{{ dict.__base__.__subclasses__() }}", "not allowed"),
        ("{% set x = [1].append(2) %}", "not allowed"),
        ("{% set d = dict(a=1) %}{{ d.update(b=2) }}", "not allowed"),
        ("{{ range(10**9)|list }}", "not allowed"),
        ("{{ 'x' * 10**9 }}", "not allowed"),
        ("{{ 9 ** 9 ** 9 }}", "not allowed"),
        ("{{ 'x'.ljust(1000000000) }}", "not allowed"),
        ("{{ '%999999999d' % 1 }}", "not allowed"),
        ("{{ '{:>999999999}'.format(1) }}", "not allowed"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "loops"),
        ("{% for i in range(99999) %}{{ 'x' * 90 }}{% endfor %}", "output is longer"),
        (
            "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "longer than",
        ),
        ("{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('x') }}", "longer than"),
        ("{{ ('x' * 90000)|replace('x', 'yy') }}", "not allowed"),
        ("{{ 'abc'|center(1000000000) }}", "center"),
        ("{{ 'a'|safe }}", "safe"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "RecursionError"),
    ],
)
def test_sandbox_refuses_escapes_and_bombs(source: str, expected: str) -> None:
    with pytest.raises(TemplateError) as error:
        render(sample_context(Trigger.shipped, "en"), Channel.sms, TemplateSource(None, source, None))
    assert error.value.code == "invalid_template"
    assert expected in error.value.message
    assert "sms text" in error.value.message


@pytest.mark.parametrize(
    "source",
    [
        "{% include '/etc/passwd' %}",
        "{% import 'os' as os %}",
        "{% from 'x.html' import y %}",
        "{% extends 'base.html' %}",
    ],
)
def test_merchant_templates_cannot_reach_other_templates_or_files(source: str) -> None:
    with pytest.raises(TemplateError, match="line 1: templates cannot .* other templates"):
        check_template(TemplateSource(None, source, None), Channel.sms)


def test_syntax_errors_name_the_part_and_line() -> None:
    source = TemplateSource("Order {{ order_number }}", "ok\nstill ok\n{% if %}\n", "<p>ok</p>")
    with pytest.raises(TemplateError, match=r"text, line 3: .*"):
        check_template(source, Channel.email)


def test_unknown_variables_are_errors_with_line() -> None:
    source = TemplateSource("Order {{ order_number }}", "Hi\n{{ shoper_name }}", "<p>ok</p>")
    with pytest.raises(TemplateError, match=r"text, line 2: error: 'shoper_name' is undefined"):
        check_template(source, Channel.email)


def test_oversized_template_source_is_refused() -> None:
    with pytest.raises(TemplateError, match="limit"):
        check_template(TemplateSource(None, "x" * 20_001, None), Channel.sms)


def test_email_template_needs_all_three_parts_and_sms_only_text() -> None:
    with pytest.raises(TemplateError):
        check_template(TemplateSource(None, "text", "<p>html</p>"), Channel.email)
    with pytest.raises(TemplateError):
        check_template(TemplateSource("subject", "text", None), Channel.sms)


def test_default_html_is_well_formed_enough_to_parse() -> None:
    parser = _TextOf()
    parser.feed(render(sample_context(Trigger.shipped, "en"), Channel.email).html or "")
    assert parser.tags[:3] == ["html", "head", "meta"] and "h1" in parser.tags and "table" not in parser.tags


# -- properties ------------------------------------------------------------------------------------------

_any_text = st.text(min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(
    name=_any_text,
    description=_any_text,
    trigger=st.sampled_from(list(Trigger)),
    locale=st.sampled_from(LOCALES),
)
def test_any_shopper_name_or_description_renders_and_is_escaped_in_html(
    name: str, description: str, trigger: Trigger, locale: str
) -> None:
    marker_name = f"<i>{name}</i>"
    marker_description = f'"><script>{description}'
    context = sample_context(trigger, locale)
    context = replace(
        context,
        shopper_name=marker_name,
        event=replace(context.event, description=marker_description, reason=None),  # type: ignore[arg-type]
    )
    message = render(context, Channel.email)
    html = message.html or ""
    assert marker_name not in html and marker_description not in html
    assert "<i>" not in html and "<script>" + description not in html
    if trigger not in STAFF_TRIGGERS:
        assert marker_name in message.text
        render(context, Channel.sms)
