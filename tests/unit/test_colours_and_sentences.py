"""Readable colours (WCAG contrast) for buttons in emails and on pages, and sentences that end
on a name with a full stop of its own."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.kit.colours import WHITE, button_colours, contrast, readable_on_white, text_on
from ordertrack.kit.sentences import close_sentences
from ordertrack.notifications.message import Channel, Trigger, sample_context
from ordertrack.notifications.templates import render, template_variables
from ordertrack.web.pages import environment

hex_colours = st.integers(min_value=0, max_value=0xFFFFFF).map(lambda n: f"#{n:06x}")


def test_contrast_matches_wcag_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#777777", WHITE) == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffd700", WHITE) == pytest.approx(1.40, abs=0.01)  # white on yellow: unreadable


def test_yellow_brand_button_keeps_its_yellow_with_dark_text_above_4_5() -> None:
    background, text = button_colours("#ffd700")
    assert background == "#ffd700" and text != WHITE
    assert contrast(background, text) >= 4.5


def test_dark_brand_button_keeps_white_text() -> None:
    assert button_colours("#1f4e79") == ("#1f4e79", WHITE)


@given(hex_colours)
def test_every_brand_colour_gives_a_button_readable_at_4_5(colour: str) -> None:
    background, text = button_colours(colour)
    assert contrast(background, text) >= 4.5
    assert text == text_on(background) or text == WHITE


@given(hex_colours)
def test_links_on_white_are_darkened_until_readable(colour: str) -> None:
    assert contrast(readable_on_white(colour), WHITE) >= 4.5


def test_email_template_variables_carry_the_readable_button_and_the_logo() -> None:
    context = dataclasses.replace(
        sample_context(Trigger.shipped, "en"), brand_colour="#FD0", logo_url="https://cdn.example/l.png"
    )
    variables = template_variables(context, html=True)
    assert variables["brand_colour"] == "#fd0"
    assert contrast(variables["button_colour"], variables["button_text_colour"]) >= 4.5
    assert variables["logo_url"] == "https://cdn.example/l.png"


def test_name_ending_with_a_full_stop_takes_no_second_one() -> None:
    assert close_sentences("Thanks from Name Co.. See you.", ["Name Co."]) == "Thanks from Name Co. See you."
    assert close_sentences("Name Co...", ["Name Co."]) == "Name Co..."  # an ellipsis stays
    assert close_sentences("Acme. Fine.", ["Acme"]) == "Acme. Fine."
    assert close_sentences("A &amp; B Co.. x", ["A & B Co."], html=True) == "A &amp; B Co. x"


@pytest.mark.parametrize("locale", ["en", "es", "pt_BR"])
@pytest.mark.parametrize("channel", [Channel.email, Channel.sms])
@pytest.mark.parametrize("trigger", [Trigger.shipped, Trigger.delivered, Trigger.exception])
def test_default_messages_never_write_a_double_full_stop_after_the_store(
    locale: str, channel: Channel, trigger: Trigger
) -> None:
    context = dataclasses.replace(
        sample_context(trigger, locale), store_name="Name Co.", shopper_name="Sam Smith Jr."
    )
    rendered = render(context, channel)
    for part in (rendered.subject, rendered.text, rendered.html):
        assert "Co.." not in (part or "") and "Jr.." not in (part or "")


@pytest.mark.parametrize(
    ("locale", "greeting"), [("en", "Hello, Sam Smith Jr."), ("es", "Hola, Sam Smith Jr.")]
)
def test_tracking_page_greeting_closes_on_the_name(locale: str, greeting: str) -> None:
    template = environment(locale).from_string('{{ _("Hello, %(name)s.", name=name) }}')
    assert template.render(name="Sam Smith Jr.") == greeting
    assert template.render(name="Ana") == greeting.replace("Sam Smith Jr.", "Ana.")
