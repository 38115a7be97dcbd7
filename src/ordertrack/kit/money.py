"""Money as people read it: one function for every page, email and document that shows an amount.

An amount is written with its currency's own number of decimals (yen have none, euros and
dollars two; ISO 4217 via CLDR), its symbol, and the reader's locale's separators and symbol
placement (``1.234,50 €`` in German, ``$1,234.50`` in US English, ``¥1,234``), by babel.
Amounts are stored and sent in the API as exact decimals; only their display goes through here.
"""

from __future__ import annotations

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency


def format_money(amount: Decimal | int | str, currency: str, locale: str) -> str:
    """``amount`` of ``currency`` (an ISO 4217 code) as written in ``locale`` (``de``, ``pt_BR``, ``en-US``).

    An amount finer than the currency's decimals is rounded half to even (babel's rule).
    """
    return format_currency(Decimal(amount), currency.upper(), locale=Locale.parse(locale.replace("-", "_")))
