"""Sentences that end on a name: "Thank you for shopping with Name Co." takes no second full stop.

Templates write ``{{ store_name }}.``; when the name itself ends with a full stop ("Name Co.",
"Acme Inc.", "Sam Smith Jr.") the sentence would read "Name Co..". The fix is applied to the
finished text, for the names the text was made from, so it holds for every template, ours or a
merchant's, and for every language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import escape


def close_sentences(text: str, names: Iterable[object], *, html: bool = False) -> str:
    """``text`` with the full stop dropped after each of ``names`` that already ends with one.

    An ellipsis after a name ("Name Co...") is left alone; so are names that do not end with
    a full stop. In HTML the name is matched as it was escaped into the text."""
    for name in {n for n in names if isinstance(n, str) and n.endswith(".")}:
        forms = {name, str(escape(name))} if html else {name}
        for form in forms:
            text = re.sub(re.escape(form) + r"\.(?!\.)", lambda _m, f=form: f, text)
    return text
