"""Opaque cursors for keyset pagination over time-ordered ids."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ordertrack.kit.errors import Unprocessable

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class InvalidCursor(Unprocessable):
    code = "invalid_cursor"


def encode_cursor(last_id: str | int) -> str:
    raw = json.dumps({"after": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | int | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = data["after"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InvalidCursor("cursor is not one this API issued") from None
    if isinstance(after, bool) or not isinstance(after, (str, int)) or after == "":
        raise InvalidCursor("cursor is not one this API issued")
    return after


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def keyset_page(session: Any, query: Any, id_column: Any, cursor: str | None, limit: int) -> Page[Any]:
    """Newest first by time-ordered id; the cursor is the last id of the previous page."""
    after = decode_cursor(cursor)
    if after is not None:
        expected = id_column.type.python_type
        if not isinstance(after, expected) or (isinstance(after, int) and abs(after) >= 2**63):
            raise InvalidCursor("cursor is not one this API issued for this list")
        query = query.where(id_column < after)
    rows = list(session.scalars(query.order_by(id_column.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(rows[-1].id) if more and rows else None)
