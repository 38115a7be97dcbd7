"""Staff notes on an order: written by a signed-in staff member (or through the API), never
edited, read back oldest first in the order's timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.kit.schema import storable_text
from ordertrack.orders.model import OrderNote

# Long enough for a phone call's summary, short enough to read in a timeline.
MAX_NOTE_LENGTH = 2000
# Who wrote a note that came through the API without naming anyone.
API_AUTHOR = "API"


class InvalidNote(Unprocessable):
    code = "invalid_note"


def add_note(
    uow: UnitOfWork,
    merchant_id: str,
    order_id: str,
    body: str,
    *,
    author_name: str,
    author_id: str | None = None,
    now: datetime | None = None,
) -> OrderNote:
    """Keep ``body`` on the order (``order_id`` already found for this merchant)."""
    text = body.strip()
    if not text:
        raise InvalidNote("write something in the note first")
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidNote(f"a note holds at most {MAX_NOTE_LENGTH:,} characters; this one has {len(text):,}")
    try:
        text = storable_text(text)
    except ValueError as error:
        raise InvalidNote(str(error)) from None
    note = OrderNote(
        id=new_id("not"),
        merchant_id=merchant_id,
        order_id=order_id,
        author_id=author_id,
        author_name=(author_name.strip() or API_AUTHOR)[:200],
        body=text,
        created_at=now or utcnow(),
    )
    uow.session.add(note)
    uow.session.flush()
    return note


def notes_of_order(uow: UnitOfWork, merchant_id: str, order_id: str) -> list[OrderNote]:
    """Every note of the order, oldest first."""
    return list(
        uow.session.scalars(
            select(OrderNote)
            .where(OrderNote.merchant_id == merchant_id, OrderNote.order_id == order_id)
            .order_by(OrderNote.created_at, OrderNote.id)
        )
    )


def note_page(
    uow: UnitOfWork, merchant_id: str, order_id: str, cursor: str | None, limit: int
) -> Page[OrderNote]:
    """The order's notes oldest first (a timeline reads forwards), a page at a time."""
    query = select(OrderNote).where(OrderNote.merchant_id == merchant_id, OrderNote.order_id == order_id)
    return keyset_page(uow.session, query, OrderNote.id, cursor, limit, oldest_first=True)
