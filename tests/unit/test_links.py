"""Signed links: a tracking link opens its order until it expires, an unsubscribe link names
one address, neither can be forged or used as the other, and both survive a key rotation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from hypothesis import given
from hypothesis import strategies as st

from ordertrack.kit.signing import Signer, SigningKeys
from ordertrack.links import (
    LINK_LIFETIME,
    Purpose,
    read_tracking_token,
    read_unsubscribe_token,
    tracking_token,
    tracking_url,
    unsubscribe_token,
    unsubscribe_url,
)

SECRET = "s" * 32
KEYS = SigningKeys(SECRET)
JAN_1 = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_link_opens_its_order_until_the_end_of_its_last_day() -> None:
    token = tracking_token(SECRET, "ord_1", expires_on=date(2026, 12, 31))
    assert read_tracking_token(KEYS, token, now=datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)) == "ord_1"
    assert read_tracking_token(KEYS, token, now=datetime(2027, 1, 1, tzinfo=UTC)) is None


def test_a_link_lives_half_a_year_by_default() -> None:
    token = tracking_token(SECRET, "ord_1")
    made = datetime.now(UTC)
    assert read_tracking_token(KEYS, token, now=made + LINK_LIFETIME - timedelta(days=1)) == "ord_1"
    assert read_tracking_token(KEYS, token, now=made + LINK_LIFETIME + timedelta(days=1)) is None


def test_a_link_signed_elsewhere_or_altered_is_refused() -> None:
    token = tracking_token(SECRET, "ord_1", expires_on=date(2026, 12, 31))
    assert read_tracking_token(SigningKeys("other" * 8), token, now=JAN_1) is None
    middle = len(token) - 10
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    assert read_tracking_token(KEYS, altered, now=JAN_1) is None


def test_a_link_sent_before_a_key_rotation_still_opens_its_order() -> None:
    sent = tracking_url("https://track.example.com/", SECRET, "ord_1")
    rotated = SigningKeys("n" * 32, previous=(SECRET,))
    assert read_tracking_token(rotated, urlsplit(sent).path.removeprefix("/track/")) == "ord_1"


def test_an_unsubscribe_link_names_its_merchant_channel_and_lower_cased_address() -> None:
    link = unsubscribe_url("https://track.example.com", SECRET, "mer_1", "email", "Ann@Example.com")
    token = urlsplit(link).path.removeprefix("/notifications/unsubscribe/")
    assert read_unsubscribe_token(KEYS, token) == ("mer_1", "email", "ann@example.com")
    assert read_unsubscribe_token(SigningKeys("other" * 8), token) is None


def test_one_kind_of_link_never_opens_another() -> None:
    tracking = tracking_token(SECRET, "ord_1")
    unsubscribe = unsubscribe_token(SECRET, "mer_1", "email", "a@b.c")
    assert read_unsubscribe_token(KEYS, tracking) is None
    assert read_tracking_token(KEYS, unsubscribe) is None
    for purpose in Purpose:
        if purpose is not Purpose.TRACKING_PAGE:
            assert Signer(KEYS, purpose).unsign(tracking, now=JAN_1) is None


def test_every_purpose_has_its_own_salt() -> None:
    assert len({purpose.value for purpose in Purpose}) == len(Purpose)


@given(st.text(max_size=120))
def test_any_text_is_refused_without_an_error(text: str) -> None:
    assert read_tracking_token(KEYS, text, now=JAN_1) is None
    assert read_unsubscribe_token(KEYS, text) is None
