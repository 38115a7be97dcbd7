"""Languages of the pages: gettext catalogs (Babel) and the shopper's choice of locale.

Catalogs live in ``web/locale/<locale>/LC_MESSAGES/<domain>.po``, one domain per part of the
site (``messages`` for the shared layout, ``track`` for the shopper's page, ``dashboard``
for the merchant's). They are compiled in memory on first use, so a checkout needs no build
step. English is the source language; a string without a translation shows in English.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"
# The locales a shopper can pick, in the order the language switch lists them.
LOCALES = ("en", "pt_BR", "es")
COOKIE = "ot_lang"


@functools.cache
def translations(locale: str) -> NullTranslations:
    """Every domain's catalog for ``locale``, merged; English needs none."""
    merged: NullTranslations = NullTranslations()
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    if locale == DEFAULT_LOCALE or not folder.is_dir():
        return merged
    combined: Translations | None = None
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=locale, domain=po.stem)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        loaded = Translations(fp=buffer, domain=po.stem)
        combined = loaded if combined is None else combined.merge(loaded)
    return combined or merged


def negotiate(accept_language: str | None, chosen: str | None = None) -> str:
    """The locale to answer in: an explicit choice (switch or cookie), else the browser's
    Accept-Language, else English. ``pt`` alone means Brazilian Portuguese here."""
    if chosen:
        picked = _supported(chosen)
        if picked:
            return picked
    for tag, _quality in _parse_accept(accept_language or ""):
        picked = _supported(tag)
        if picked:
            return picked
    return DEFAULT_LOCALE


def _supported(tag: str) -> str | None:
    try:
        wanted = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    exact = f"{wanted.language}_{wanted.territory}" if wanted.territory else wanted.language
    if exact in LOCALES:
        return exact
    for locale in LOCALES:
        if locale.split("_")[0] == wanted.language:
            return locale
    return None


def _parse_accept(header: str) -> list[tuple[str, float]]:
    found = []
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*":
            found.append((tag, quality))
    return sorted(found, key=lambda item: -item[1])


def language_name(locale: str) -> str:
    """The language's own name, for the switch ("Português (Brasil)")."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]
