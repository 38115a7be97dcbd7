"""The pure parts of the attention workflow: prepared texts in the shopper's language, the
states an item is in, claim amounts as typed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ordertrack.attention import claims
from ordertrack.attention.model import AttentionItem
from ordertrack.attention.prepared import prepared_message, text_locale
from ordertrack.attention.rules import Kind
from ordertrack.attention.workflow import InvalidAttentionAction, State, state_of

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "expected"), [("pt-BR", "pt_BR"), ("pt", "pt_BR"), ("es-MX", "es"), ("de", "en"), (None, "en")]
)
def test_the_prepared_text_is_in_the_closest_language_we_write(given: str | None, expected: str) -> None:
    assert text_locale(given) == expected


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("locale", ["en", "es", "pt_BR"])
def test_every_problem_has_a_prepared_text_in_every_language_naming_the_order(
    kind: Kind, locale: str
) -> None:
    text = prepared_message(kind, locale, "NW-1042")
    assert "NW-1042" in text and len(text) > 60
    if locale != "en":
        assert text != prepared_message(kind, "en", "NW-1042")


def test_an_exception_about_the_address_asks_for_the_address() -> None:
    assert "address" in prepared_message("exception", "en", "A-1", detail="exception (address issue)")
    assert "dirección" in prepared_message("exception", "es", "A-1", detail="exception (address issue)")
    assert "full address" not in prepared_message("exception", "en", "A-1", detail="exception (weather)")


def _item(**values: object) -> AttentionItem:
    return AttentionItem(opened_at=NOW, **values)


def test_an_item_is_open_then_acknowledged_then_resolved() -> None:
    assert state_of(_item()) is State.open
    assert state_of(_item(acknowledged_at=NOW)) is State.acknowledged
    assert state_of(_item(acknowledged_at=NOW, closed_at=NOW)) is State.resolved
    assert state_of(_item(closed_at=NOW)) is State.resolved  # closed by itself


@pytest.mark.parametrize(
    ("typed", "amount"), [("49.90", Decimal("49.90")), (" 12 ", Decimal("12")), ("", None)]
)
def test_a_claim_amount_is_read_as_typed(typed: str, amount: Decimal | None) -> None:
    assert claims.read_amount(typed) == amount


@pytest.mark.parametrize("typed", ["12,5", "abc", "-3", "0", "1.234", "NaN", "Infinity", "1e9"])
def test_a_claim_amount_that_is_not_one_is_refused(typed: str) -> None:
    with pytest.raises(InvalidAttentionAction):
        claims.read_amount(typed)


def test_claims_only_move_forward() -> None:
    assert claims.MOVES["open"] == {"submitted", "settled"}
    assert claims.MOVES["submitted"] == {"settled"} and claims.MOVES["settled"] == set()
