"""Cursors for keyset pagination over time-ordered ids.

A cursor is the id of the last item of the previous page, as Stripe's ``starting_after`` is:
every value of the declared form is a place in the list, so the OpenAPI document can say
exactly what the server takes, and a cursor that does not have the form is ``invalid_cursor``.
Ids are a three-letter type, ``_`` and 26 base32 characters (kit.ids); stored tracking
events are numbered instead. An empty cursor is the first page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query

from ordertrack.kit.errors import Unprocessable

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

ID_CURSOR_PATTERN = r"^([a-z]{3}_[0-9a-z]{26})?$"
NUMBER_CURSOR_PATTERN = r"^([1-9][0-9]{0,17})?$"  # 18 digits stay below 2**63

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


def keyset_page(session: Any, query: Any, id_column: Any, cursor: str | None, limit: int) -> Page[Any]:
    """Newest first by time-ordered id; the cursor is the last id of the previous page."""
    after = decode_cursor(cursor, numbered=id_column.type.python_type is int)
    if after is not None:
        query = query.where(id_column < after)
    rows = list(session.scalars(query.order_by(id_column.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1].id) if more and rows else None)
