"""The supplier's page speaks the supplier's language, and its link opens one order of one
merchant until it expires: pure checks of the catalogs and the signed token."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from ordertrack.kit.signing import SigningKeys
from ordertrack.links import (
    SUPPLIER_LINK_LIFETIME,
    read_supplier_link_token,
    read_tracking_token,
    supplier_form_token,
    supplier_form_token_matches,
    supplier_link_token,
    tracking_token,
)

WEB = Path(__file__).resolve().parents[2] / "src" / "ordertrack" / "web"
PLACEHOLDER = re.compile(r"%\(\w+\)s")
SECRET = "a-secret-for-supplier-links"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _page_strings() -> set[str]:
    found: set[str] = set()
    for path in sorted((WEB / "templates" / "supplier").glob("*.html")):
        with path.open("rb") as source:
            for _line, message, _c, _ctx in extract(
                babel_extract,
                source,
                keywords={"_": None, "gettext": None},
                options={"extensions": "jinja2.ext.i18n"},
            ):
                found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("locale", ["pt_BR", "es"])
def test_every_string_of_the_supplier_page_is_translated_with_its_placeholders(locale: str) -> None:
    wanted = _page_strings()
    assert len(wanted) > 60
    messages = []
    for path in sorted((WEB / "locale" / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as source:
            messages.extend(m for m in read_po(source, locale=locale) if m.id)
    translated = {m.id: m.string for m in messages if m.string}
    assert wanted - set(translated) == set()
    for message in wanted:
        assert sorted(PLACEHOLDER.findall(message)) == sorted(PLACEHOLDER.findall(translated[message])), (
            message
        )


def test_a_supplier_link_opens_its_merchant_and_order_until_it_expires() -> None:
    keys = SigningKeys(SECRET)
    token = supplier_link_token(SECRET, "mer_1", "pur_1", now=NOW)
    assert read_supplier_link_token(keys, token, now=NOW + SUPPLIER_LINK_LIFETIME - timedelta(seconds=1)) == (
        "mer_1",
        "pur_1",
    )
    assert read_supplier_link_token(keys, token, now=NOW + SUPPLIER_LINK_LIFETIME) is None


def test_an_altered_or_foreign_token_opens_nothing() -> None:
    keys = SigningKeys(SECRET)
    token = supplier_link_token(SECRET, "mer_1", "pur_1", now=NOW)
    payload, _, signature = token.rpartition(".")
    swapped = supplier_link_token(SECRET, "mer_1", "pur_2", now=NOW).rpartition(".")[0] + "." + signature
    assert read_supplier_link_token(keys, swapped, now=NOW) is None
    assert read_supplier_link_token(SigningKeys("another-secret-entirely"), token, now=NOW) is None
    # A tracking link is signed for another purpose, and the other way round.
    assert read_supplier_link_token(keys, tracking_token(SECRET, "ord_1"), now=NOW) is None
    assert read_tracking_token(keys, token, now=NOW) is None


def test_a_form_token_belongs_to_its_link_and_survives_a_key_rotation() -> None:
    old = SigningKeys(SECRET)
    link = supplier_link_token(SECRET, "mer_1", "pur_1", now=NOW)
    other = supplier_link_token(SECRET, "mer_1", "pur_2", now=NOW)
    form = supplier_form_token(old, link)
    assert supplier_form_token_matches(old, link, form)
    assert not supplier_form_token_matches(old, other, form)
    assert not supplier_form_token_matches(old, link, None)
    rotated = SigningKeys("the-new-secret-key-here", (SECRET,))
    assert supplier_form_token_matches(rotated, link, form)


def test_the_ship_to_town_line_follows_the_warehouses_country() -> None:
    from types import SimpleNamespace

    from ordertrack.web.supplier.reading import _town

    def town(country: str, city: str, region: str | None, postal: str | None) -> str:
        return _town(SimpleNamespace(country=country, city=city, region=region, postal_code=postal))  # type: ignore[arg-type]

    assert town("US", "Sparks", "NV", "89431") == "Sparks, NV 89431"
    assert town("GB", "London", None, "SW1A 1AA") == "London SW1A 1AA"
    assert town("DE", "Berlin", "BE", "10115") == "10115 Berlin, BE"
    assert town("VN", "Ho Chi Minh City", None, "700000") == "700000 Ho Chi Minh City"
    assert town("US", "Sparks", None, None) == "Sparks"
