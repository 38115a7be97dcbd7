"""Choosing the shopper's language."""

from __future__ import annotations

from ordertrack.web.i18n import negotiate


def test_the_browser_preference_picks_a_supported_language() -> None:
    assert negotiate("pt-BR,pt;q=0.9,en;q=0.8") == "pt_BR"
    assert negotiate("pt-PT;q=1") == "pt_BR"  # Portuguese is offered in its Brazilian form
    assert negotiate("es-MX,es;q=0.9") == "es"
    assert negotiate("de-DE,fr;q=0.5,es;q=0.3") == "es"
    assert negotiate("de-DE") == "en"
    assert negotiate(None) == "en"


def test_an_explicit_choice_wins_and_nonsense_is_ignored() -> None:
    assert negotiate("es", chosen="pt_BR") == "pt_BR"
    assert negotiate("es", chosen="klingon") == "es"
    assert negotiate("garbage;;q=x,,") == "en"
