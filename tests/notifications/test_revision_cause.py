"""The shopper's "new delivery date" message says why the date moved, in their language."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ordertrack.events import PromiseRevised
from ordertrack.notifications import handlers
from ordertrack.notifications.message import Channel, Trigger, sample_context
from ordertrack.notifications.service import Occurrence
from ordertrack.notifications.templates import render
from tests.notifications.test_handlers import AT, CLOCK, react


def test_the_cause_of_a_delay_travels_with_the_message() -> None:
    delayed = PromiseRevised(
        "mer_1", "shp_1", "ord_1", "check", date(2026, 3, 9), date(2026, 3, 11), at=AT, cause="customs_delay"
    )
    outbox, _ = react(handlers.notify_revised_promises, [delayed], clock=lambda: CLOCK)
    ((_, occurrences, _),) = outbox.calls
    assert occurrences == [
        Occurrence(
            "delivery_revised",
            "ord_1",
            "cus_1",
            "shp_1",
            subject="shp_1:eta:2026-03-09/2026-03-11",
            facts={"cause": "customs_delay"},
        )
    ]


def test_the_email_says_why_in_the_shoppers_language_and_nothing_when_not_known() -> None:
    said = {
        "en": "Why: it is being held at customs.",
        "es": "Motivo: está retenido en la aduana.",
        "pt_BR": "Motivo: a encomenda está retida na alfândega.",
    }
    for locale, sentence in said.items():
        context = sample_context(Trigger.delivery_revised, locale)
        assert context.revision_cause == "customs_delay"
        email = render(context, Channel.email)
        assert sentence in email.text and email.html is not None and sentence in email.html
    picked_up = replace(sample_context(Trigger.delivery_revised, "en"), revision_cause="picked_up")
    assert "Why: the carrier picked it up" in render(picked_up, Channel.email).text
    unknown = replace(sample_context(Trigger.delivery_revised, "en"), revision_cause=None)
    assert "Why:" not in render(unknown, Channel.email).text
