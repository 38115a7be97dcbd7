"""Contacts: a help desk records that a shopper asked about an order, by API, by CSV file or by
its own signed webhook (:mod:`ordertrack.analytics.helpdesk`).

The order is named by its id, its number or a tracking number of one of its parcels. A contact
carrying the help desk's own id (``external_id``) is recorded once per source: the same ticket
reported again answers the contact already kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, Field, StringConstraints, ValidationError
from sqlalchemy import select

from ordertrack.analytics.wismo_model import SupportContact
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import NotFound, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page, keyset_page
from ordertrack.kit.schema import ApiModel, OrderRef, OutModel
from ordertrack.orders import service as orders_service
from ordertrack.orders.service import OrderNotFound
from ordertrack.shipments import service as shipments_service
from ordertrack.suppliers.csv_import import FileRefused, RowProblem, problems_of, read_rows


class ContactChannel(StrEnum):
    email = "email"
    chat = "chat"
    phone = "phone"
    social = "social"
    other = "other"


class ContactReason(StrEnum):
    where_is_my_order = "where_is_my_order"
    delay = "delay"
    damaged = "damaged"
    return_ = "return"
    address = "address"
    other = "other"


class ContactSource(StrEnum):
    api = "api"
    csv = "csv"
    zendesk = "zendesk"


OrderReference = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# A clock a few minutes fast at the help desk is not a contact from the future.
CLOCK_SLACK = timedelta(minutes=5)


class ContactIn(ApiModel):
    """A shopper asked about an order."""

    order: OrderReference = Field(description="the order's id or number, or a tracking number of its parcels")
    channel: ContactChannel
    reason: ContactReason
    occurred_at: AwareDatetime = Field(description="when the shopper asked (with its UTC offset)")
    external_id: ExternalId | None = Field(
        default=None, description="the help desk's id of the ticket or call: the same id is recorded once"
    )


class ContactOut(OutModel):
    id: str
    order: OrderRef | None
    channel: str
    reason: str
    occurred_at: datetime
    source: str
    external_id: str | None
    reference: str | None
    created_at: datetime


class ContactPage(OutModel):
    items: list[ContactOut]
    next_cursor: str | None


class ContactsFileIn(ApiModel):
    """A help desk's export of contacts, as text (columns in docs/analytics.md)."""

    # A few thousand rows; a larger export goes in several files (the request body has its limit).
    csv: Annotated[str, StringConstraints(min_length=1, max_length=200_000)] = Field(
        description="the file's text, header line first"
    )


class UnknownOrder(Unprocessable):
    code = "unknown_order"


class OccurredInFuture(Unprocessable):
    code = "occurred_in_future"


class ContactNotFound(NotFound):
    code = "contact_not_found"


def resolve_order(uow: UnitOfWork, merchant_id: str, reference: str) -> str | None:
    """The id of the merchant's order a reference names (id, number, or tracking number)."""
    try:
        return orders_service.find_order(uow, merchant_id, reference).id
    except OrderNotFound:
        pass
    found = shipments_service.order_ids_with_tracking_number(uow, merchant_id, reference)
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class Recorded:
    contact: SupportContact
    new: bool


def find_external(uow: UnitOfWork, merchant_id: str, source: str, external_id: str) -> SupportContact | None:
    return uow.session.scalars(
        select(SupportContact).where(
            SupportContact.merchant_id == merchant_id,
            SupportContact.source == source,
            SupportContact.external_id == external_id,
        )
    ).one_or_none()


def record_contact(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    order_id: str | None,
    channel: str,
    reason: str,
    occurred_at: datetime,
    source: str,
    external_id: str | None,
    reference: str | None,
    now: datetime,
) -> Recorded:
    """Keep one contact; a second one with the same source and external id is the first."""
    if occurred_at > now + CLOCK_SLACK:
        raise OccurredInFuture("occurred_at is in the future")
    if external_id is not None:
        kept = find_external(uow, merchant_id, source, external_id)
        if kept is not None:
            return Recorded(kept, new=False)
    contact = SupportContact(
        id=new_id("con"),
        merchant_id=merchant_id,
        order_id=order_id,
        channel=channel,
        reason=reason,
        occurred_at=occurred_at,
        source=source,
        external_id=external_id,
        reference=reference,
        created_at=now,
    )
    uow.session.add(contact)
    uow.session.flush()
    return Recorded(contact, new=True)


def record_from_api(uow: UnitOfWork, merchant_id: str, data: ContactIn, *, now: datetime) -> Recorded:
    order_id = resolve_order(uow, merchant_id, data.order)
    if order_id is None:
        raise UnknownOrder(f"no order has the id, number or tracking number {data.order!r}")
    return record_contact(
        uow,
        merchant_id,
        order_id=order_id,
        channel=data.channel.value,
        reason=data.reason.value,
        occurred_at=data.occurred_at,
        source=ContactSource.api,
        external_id=data.external_id,
        reference=data.order,
        now=now,
    )


def contacts_page(
    uow: UnitOfWork, merchant_id: str, *, order_id: str | None, cursor: str | None, limit: int
) -> Page[SupportContact]:
    """The merchant's contacts, newest recorded first."""
    query = select(SupportContact).where(SupportContact.merchant_id == merchant_id)
    if order_id is not None:
        query = query.where(SupportContact.order_id == order_id)
    return keyset_page(uow.session, query, SupportContact.id, cursor, limit)


def contact_views(uow: UnitOfWork, merchant_id: str, contacts: Sequence[SupportContact]) -> list[ContactOut]:
    orders = orders_service.orders_by_id(uow, merchant_id, {c.order_id for c in contacts if c.order_id})
    return [
        ContactOut(
            id=c.id,
            order=OrderRef(id=c.order_id, number=orders[c.order_id].number) if c.order_id in orders else None,
            channel=c.channel,
            reason=c.reason,
            occurred_at=c.occurred_at,
            source=c.source,
            external_id=c.external_id,
            reference=c.reference,
            created_at=c.created_at,
        )
        for c in contacts
    ]


# --- CSV ------------------------------------------------------------------------------------------

CSV_REQUIRED = ("order", "channel", "reason", "occurred_at")
CSV_OPTIONAL = ("external_id",)
MAX_CSV_BYTES = 1_000_000
MAX_CSV_ROWS = 10_000


class ContactsFileRefused(FileRefused):
    """Nothing was imported; ``details`` names every bad row (line, column, code, message)."""

    code = "contacts_file_refused"


@dataclass(frozen=True)
class Imported:
    new: int
    already_known: int


def import_csv(uow: UnitOfWork, merchant_id: str, data: bytes, *, now: datetime) -> Imported:
    """Every row checked first; one bad row and nothing is recorded (ContactsFileRefused)."""
    if len(data) > MAX_CSV_BYTES:
        raise ContactsFileRefused(
            [RowProblem(1, None, "file_too_large", f"the file is larger than {MAX_CSV_BYTES // 1000} kB")]
        )
    rows, problems = read_rows(data, CSV_REQUIRED, CSV_OPTIONAL)
    if len(rows) > MAX_CSV_ROWS:
        raise ContactsFileRefused([RowProblem(1, None, "file_too_large", f"more than {MAX_CSV_ROWS} rows")])
    if not rows and not problems:
        problems.append(RowProblem(1, None, "empty_file", "the file has no rows under its header"))
    ready: list[tuple[ContactIn, str]] = []
    seen: dict[str, int] = {}
    for row in rows:
        fields: dict[str, Any] = {
            name: row.get(name) for name in (*CSV_REQUIRED, *CSV_OPTIONAL) if row.get(name)
        }
        try:
            contact = ContactIn.model_validate(fields)
        except ValidationError as error:
            problems.extend(problems_of(error, row.line, {}))
            continue
        order_id = resolve_order(uow, merchant_id, contact.order)
        if order_id is None:
            problems.append(RowProblem(row.line, "order", UnknownOrder.code, f"no order {contact.order!r}"))
            continue
        if contact.occurred_at > now + CLOCK_SLACK:
            problems.append(RowProblem(row.line, "occurred_at", OccurredInFuture.code, "is in the future"))
            continue
        if contact.external_id is not None:
            if contact.external_id in seen:
                problems.append(
                    RowProblem(
                        row.line,
                        "external_id",
                        "duplicate_external_id",
                        f"the same as line {seen[contact.external_id]}",
                    )
                )
                continue
            seen[contact.external_id] = row.line
        ready.append((contact, order_id))
    if problems:
        raise ContactsFileRefused(sorted(problems, key=lambda p: p.line))
    new = 0
    for contact, order_id in ready:
        recorded = record_contact(
            uow,
            merchant_id,
            order_id=order_id,
            channel=contact.channel.value,
            reason=contact.reason.value,
            occurred_at=contact.occurred_at,
            source=ContactSource.csv,
            external_id=contact.external_id,
            reference=contact.order,
            now=now,
        )
        new += recorded.new
    return Imported(new=new, already_known=len(ready) - new)
