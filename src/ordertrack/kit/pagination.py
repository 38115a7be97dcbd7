"""Cursors for keyset pagination over time-ordered ids.

A cursor is the id of the last item of the previous page, as Stripe's ``starting_after`` is:
every value of the declared form is a place in the list, so the OpenAPI document can say
exactly what the server takes, and a cursor that does not have the form is ``invalid_cursor``.
Ids are a three-letter type, ``_`` and 26 base32 characters (kit.ids); stored tracking
events are numbered instead. An empty cursor is the first page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from sqlalchemy import literal, tuple_

from ordertrack.kit.errors import Unprocessable

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

ID_CURSOR_PATTERN = r"^([a-z]{3}_[0-9a-z]{26})?$"
NUMBER_CURSOR_PATTERN = r"^([1-9][0-9]{0,17})?$"  # 18 digits stay below 2**63

# A SKU as a part of a cursor: its first character neither NUL nor white space as JavaScript
# reads ``\s`` (the document's patterns are ECMA). Python's ``\s`` also takes the separators
# U+001C..U+001F, so a cursor the document allows was refused; the class is spelled out for
# both to read alike.
SKU_KEY_PATTERN = (
    "[^\\x00\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
    "[^\\x00\\n\\r]{0,63}"
)

_DESCRIPTION = "the previous page's next_cursor (the id of its last item); empty or absent: the first page"
# str, not str | None: a query parameter is text or absent, never null.
Cursor = Annotated[
    str,
    Query(description=_DESCRIPTION, json_schema_extra={"pattern": ID_CURSOR_PATTERN}),
]
NumberCursor = Annotated[
    str,
    Query(description=_DESCRIPTION, json_schema_extra={"pattern": NUMBER_CURSOR_PATTERN}),
]


class InvalidCursor(Unprocessable):
    code = "invalid_cursor"


def encode_cursor(last_id: str | int) -> str:
    return str(last_id)


def decode_cursor(cursor: str | None, *, numbered: bool = False) -> str | int | None:
    """The id a cursor points after, or None for the first page; InvalidCursor for anything else."""
    if cursor is None:
        return None
    # fullmatch: in Python "$" also matches before a final newline, in the document it does not.
    if not re.fullmatch(NUMBER_CURSOR_PATTERN if numbered else ID_CURSOR_PATTERN, cursor):
        kind = "a number" if numbered else "an id such as ord_01kbx5c2r9m4n6p8q0s2t4v6w8"
        raise InvalidCursor(f"cursor is not one this API issued: it is {kind}, the last of the previous page")
    if not cursor:
        return None
    return int(cursor) if numbered else cursor


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def keyset_page(
    session: Any, query: Any, id_column: Any, cursor: str | None, limit: int, *, oldest_first: bool = False
) -> Page[Any]:
    """Newest first by time-ordered id (or oldest first); the cursor is the last id of the previous page."""
    after = decode_cursor(cursor, numbered=id_column.type.python_type is int)
    if after is not None:
        query = query.where(id_column > after if oldest_first else id_column < after)
    order = id_column.asc() if oldest_first else id_column.desc()
    rows = list(session.scalars(query.order_by(order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1].id) if more and rows else None)


# --- lists kept in the order of a natural key (priority, then code; SKU, then id) ----------


@dataclass(frozen=True)
class KeyCursor:
    """A list in the order of a natural key, and how a cursor names a place in it.

    The cursor is the last row's key as text, its parts joined by ``separator`` (e.g.
    ``10:AUS1``); ``pattern`` is exactly what the server takes, so every value of the declared
    form is a place in the list (no opaque token the server could refuse).
    """

    parts: tuple[str, ...]  # one pattern per key part, each one group
    separator: str  # ":" or "~"; a part may hold it only when the part beside it cannot
    kinds: tuple[type, ...]
    example: str

    @property
    def pattern(self) -> str:
        # The separator is a character with no meaning in a pattern (":" or "~"), written as it is:
        # an escape such as "\\~" is an error in the ECMA patterns of JSON Schema.
        return "^(?:" + self.separator.join(f"({part})" for part in self.parts) + ")?$"

    def query(self) -> Any:
        """The ``cursor`` query parameter, declaring the pattern."""
        description = (
            f"the previous page's next_cursor (the last item's key, e.g. {self.example});"
            " empty or absent: the first page"
        )
        return Query(description=description, json_schema_extra={"pattern": self.pattern})

    def read(self, cursor: str | None) -> tuple[Any, ...] | None:
        if not cursor:
            return None
        found = re.fullmatch(self.pattern, cursor)
        if found is None:
            raise InvalidCursor(
                f"cursor is not one this API issued: it is the last item's key, such as {self.example}"
            )
        return tuple(kind(part) for kind, part in zip(self.kinds, found.groups(), strict=True))

    def write(self, values: Sequence[Any]) -> str:
        return self.separator.join(str(value) for value in values)


def key_page(
    session: Any, query: Any, columns: Sequence[Any], form: KeyCursor, cursor: str | None, limit: int
) -> Page[Any]:
    """In ascending order of ``columns`` (a unique key); the cursor is the last row's key."""
    after = form.read(cursor)
    if after is not None:
        bounds = [literal(value, column.type) for value, column in zip(after, columns, strict=True)]
        query = query.where(tuple_(*columns) > tuple_(*bounds))
    rows = list(session.scalars(query.order_by(*columns).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    last = [getattr(rows[-1], column.key) for column in columns] if more and rows else None
    return Page(rows, form.write(last) if last is not None else None)
