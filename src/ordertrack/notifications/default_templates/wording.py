"""The shape of one language's copy; each locale module fills it in, ``compose`` turns it into templates.

Copy lives in Python (one module per locale) rather than gettext catalogues because each message is a
small Jinja template with its own conditions, and translators need to see the whole sentence, grammar
and all, not fragments stitched together at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A paragraph is Jinja text, or (condition, text) for a paragraph shown only when the condition holds.
Paragraph = str | tuple[str, str]


@dataclass(frozen=True)
class Copy:
    """One trigger's message in one language: literal text must stay free of ``<`` and ``&``."""

    subject: str
    headline: str
    body: tuple[Paragraph, ...]
    action: str  # the label of the tracking (or dashboard) link
    sms: str | None = None  # GSM-7 characters only, so two segments hold 306 characters, not 134


@dataclass(frozen=True)
class Words:
    """The frame around every message in one language."""

    greeting_named: str
    greeting: str
    estimate: str
    tracking_number: str
    items: str
    sign_off: str
    footer: str
    unsubscribe: str
    staff_footer: str
    manage: str
    sms_opt_out: str  # ends every text, whoever wrote the template; GSM-7 characters only
    exception_advice: dict[str, str]  # reason -> what the shopper can do
    exception_other: str
    # Why a delivery date changed (eta's cause -> a sentence), told in ``delivery_revised``.
    revision_causes: dict[str, str] = field(default_factory=dict)
    # The footer of a supplier's messages and the words of their opt-out link (reminders only).
    supplier_footer: str = ""
    supplier_unsubscribe: str = ""
