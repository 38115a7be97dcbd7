"""The one signer: the current key signs, previous keys verify, a purpose binds each value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ordertrack.config import Settings
from ordertrack.kit.signing import Signer, SigningKeys

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
OLD, NEW = "old-key-" + "o" * 32, "new-key-" + "n" * 32


def test_after_a_rotation_the_new_key_signs_and_the_old_key_still_verifies() -> None:
    signed_before = Signer(SigningKeys(OLD), "link").sign("ord_1")
    rotated = Signer(SigningKeys(NEW, previous=(OLD,)), "link")
    signed_after = rotated.sign("ord_1")
    assert rotated.unsign(signed_before, now=NOW) == "ord_1"
    assert Signer(SigningKeys(NEW), "link").unsign(signed_after, now=NOW) == "ord_1"
    assert Signer(SigningKeys(OLD), "link").unsign(signed_after, now=NOW) is None


def test_a_retired_key_dropped_from_the_list_verifies_nothing() -> None:
    signed_before = Signer(SigningKeys(OLD), "link").sign("ord_1")
    assert Signer(SigningKeys(NEW), "link").unsign(signed_before, now=NOW) is None


def test_a_value_signed_for_one_purpose_is_refused_for_another() -> None:
    keys = SigningKeys(NEW)
    token = Signer(keys, "tracking page").sign("ord_1")
    assert Signer(keys, "email proof").unsign(token, now=NOW) is None
    signature = Signer(keys, "csrf").signature("nonce")
    assert not Signer(keys, "login csrf").verifies("nonce", signature)


def test_a_value_works_until_the_moment_it_expires() -> None:
    signer = Signer(SigningKeys(NEW), "link")
    token = signer.sign({"u": "stf_1"}, expires_at=NOW + timedelta(hours=2))
    assert signer.unsign(token, now=NOW + timedelta(hours=2, seconds=-1)) == {"u": "stf_1"}
    assert signer.unsign(token, now=NOW + timedelta(hours=2)) is None


def test_a_value_without_expiry_never_expires() -> None:
    signer = Signer(SigningKeys(NEW), "link")
    assert signer.unsign(signer.sign(["a", "b"]), now=NOW + timedelta(days=3650)) == ["a", "b"]


@given(position=st.integers(min_value=0), replacement=st.sampled_from("AQgw-_.x0Z9"))
def test_any_one_character_changed_in_a_token_is_refused(position: int, replacement: str) -> None:
    signer = Signer(SigningKeys(NEW), "link")
    token = signer.sign("ord_1", expires_at=NOW + timedelta(days=1))
    position %= len(token)
    assume(token[position] != replacement)
    tampered = token[:position] + replacement + token[position + 1 :]
    assert signer.unsign(tampered, now=NOW) is None


def test_a_detached_signature_verifies_only_its_message_under_any_of_the_keys() -> None:
    before = Signer(SigningKeys(OLD), "form").signature("cookie value")
    rotated = Signer(SigningKeys(NEW, previous=(OLD,)), "form")
    assert rotated.verifies("cookie value", before)
    assert rotated.verifies("cookie value", rotated.signature("cookie value"))
    assert not rotated.verifies("another cookie", before)
    assert not rotated.verifies("cookie value", before[:-3] + "AAA")
    assert not rotated.verifies("cookie value", None)
    assert not rotated.verifies("cookie value", "")


@given(st.text(max_size=200))
def test_any_text_is_refused_without_an_error(text: str) -> None:
    signer = Signer(SigningKeys(NEW), "link")
    assert signer.unsign(text, now=NOW) is None
    assert not signer.verifies("message", text)


def test_a_token_longer_than_any_we_make_is_refused_unread() -> None:
    assert Signer(SigningKeys(NEW), "link").unsign("A" * 5000 + ".sig", now=NOW) is None


def test_empty_keys_and_purposes_are_refused() -> None:
    with pytest.raises(ValueError):
        SigningKeys("")
    with pytest.raises(ValueError):
        SigningKeys(NEW, previous=("",))
    with pytest.raises(ValueError):
        Signer(SigningKeys(NEW), "")


def test_keys_are_not_shown_when_printed() -> None:
    assert NEW not in repr(SigningKeys(NEW, previous=(OLD,)))
    assert OLD not in repr(SigningKeys(NEW, previous=(OLD,)))


def test_settings_give_the_current_key_first_and_the_previous_keys_newest_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORDERTRACK_SECRET_KEY", NEW)
    monkeypatch.setenv("ORDERTRACK_PREVIOUS_SECRET_KEYS", f'["{OLD}", "older"]')
    keys = Settings().signing_keys()
    assert (keys.current, keys.previous) == (NEW, (OLD, "older"))
    assert OLD not in repr(Settings())


def test_an_empty_previous_key_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERTRACK_PREVIOUS_SECRET_KEYS", '[""]')
    with pytest.raises(ValueError, match="must not be empty"):
        Settings()
