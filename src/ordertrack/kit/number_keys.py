"""The lookup key of a number people type: an order number or a tracking number as it is
matched, whatever the keyboard did to it.

Shoppers and support staff type ``Nw-10442``, ``#NW 10442``, ``nw10442`` or, on a Japanese
keyboard, ``ＮＷ－１０４４２`` for the merchant's ``NW-10442``. The key keeps only what tells
numbers apart: letters and digits (and any other punctuation such as ``.`` or ``_``, which a
merchant may use to mean something), case-folded; it drops white space, ``#`` and every dash.
"""

from __future__ import annotations

import unicodedata

# Full-width forms (U+FF01..U+FF5E) are the ASCII characters U+0021..U+007E; typed by East Asian
# input methods. Mapped one to one, so a key is never longer than the case-folded number.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_IGNORED = frozenset("#")

# A 64-character number folds to at most 3 characters each (U+0390 folds to three).
MAX_KEY_LENGTH = 192


def _ignored(char: str) -> bool:
    return char in _IGNORED or char.isspace() or unicodedata.category(char) == "Pd"  # Pd: dashes


def number_key(value: str) -> str:
    """``value`` without white space, ``#`` and dashes, case-folded: ``Nw-10442`` -> ``nw10442``."""
    kept = "".join(char for char in value.translate(_FULL_WIDTH) if not _ignored(char))
    return kept.casefold()


def digits_of(value: str) -> str:
    """The digits of ``value``, as phone numbers are compared: ``+1 (555) 010-2030`` -> ``15550102030``."""
    return "".join(char for char in value.translate(_FULL_WIDTH) if "0" <= char <= "9")
