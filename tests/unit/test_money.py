"""Amounts are written in their currency's own decimals, for the reader's locale (babel/CLDR)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ordertrack.kit.money import format_money


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "written"),
    [
        # Yen have no minor unit: never ".00".
        (Decimal("1234.00"), "JPY", "en", "¥1,234"),
        (Decimal("1234"), "JPY", "ja", "￥1,234"),
        (Decimal("61100"), "JPY", "pt_BR", "JP¥\xa061.100"),
        # Euros in Germany, Spain, Brazil and Portugal: separators and symbol placement differ.
        (Decimal("1234.5"), "EUR", "de", "1.234,50\xa0€"),
        (Decimal("1234.5"), "EUR", "es", "1.234,50\xa0€"),
        (Decimal("1234.5"), "EUR", "pt_BR", "€\xa01.234,50"),
        (Decimal("1234.5"), "EUR", "pt-PT", "1\xa0234,50\xa0€"),
        (Decimal("1234.5"), "USD", "en", "$1,234.50"),
        (Decimal("1234.5"), "USD", "en_US", "$1,234.50"),
        (Decimal("1234.5"), "USD", "de", "1.234,50\xa0$"),
        # Three decimals for the Bahraini dinar; a lower-case code is still the currency.
        (Decimal("1234.5"), "bhd", "en", "BHD1,234.500"),
    ],
)
def test_an_amount_is_written_in_its_currency_for_the_locale(
    amount: Decimal, currency: str, locale: str, written: str
) -> None:
    assert format_money(amount, currency, locale) == written


def test_an_amount_finer_than_the_currency_is_rounded_half_to_even() -> None:
    assert [format_money(Decimal(a), "JPY", "en") for a in ("0.5", "1.5", "2.5")] == ["¥0", "¥2", "¥2"]
    assert format_money(Decimal("12.345"), "USD", "en") == "$12.34"
