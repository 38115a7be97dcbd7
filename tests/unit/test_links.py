"""Tracking-page links: they open their order until they expire, and cannot be forged."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ordertrack.web.tokens import read_tracking_token, tracking_token

SECRET = "s" * 32


def test_a_link_opens_its_order_until_the_end_of_its_last_day() -> None:
    token = tracking_token(SECRET, "ord_1", expires_on=date(2026, 12, 31))
    assert read_tracking_token(SECRET, token, today=date(2026, 12, 31)) == "ord_1"
    assert read_tracking_token(SECRET, token, today=date(2027, 1, 1)) is None


def test_a_link_cannot_be_stretched_moved_to_another_order_or_signed_elsewhere() -> None:
    token = tracking_token(SECRET, "ord_1", expires_on=date(2026, 12, 31))
    order_id, expires, signature = token.split(".")
    later = format(int(expires, 16) + 365, "x")
    assert read_tracking_token(SECRET, f"{order_id}.{later}.{signature}", today=date(2026, 1, 1)) is None
    assert read_tracking_token(SECRET, f"ord_2.{expires}.{signature}", today=date(2026, 1, 1)) is None
    assert read_tracking_token("other" * 8, token, today=date(2026, 1, 1)) is None


@given(st.text(max_size=80))
def test_any_text_is_refused_without_an_error(text: str) -> None:
    assert read_tracking_token(SECRET, text, today=date(2026, 1, 1)) is None
