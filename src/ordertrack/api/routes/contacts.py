"""Contacts over HTTP: a help desk records that a shopper asked about an order (one at a time,
or a CSV file), lists them, and Zendesk pushes its tickets to a signed receiver."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ordertrack.analytics import contacts, deflection, helpdesk, wismo
from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit, OrderQuery, order_id_of
from ordertrack.api.transactions import idempotent_write, in_transaction, json_response
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.pagination import Cursor
from ordertrack.kit.schema import OrderRef, OutModel, error_responses

router = APIRouter(prefix="/api/v1", tags=["contacts"])


@router.post(
    "/contacts",
    status_code=201,
    response_model=contacts.ContactOut,
    responses={
        200: {"model": contacts.ContactOut, "description": "already recorded"},
        **error_responses(422),
    },
)
def record_contact(
    data: contacts.ContactIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """A shopper asked about an order (``order``: its id, number or a tracking number; `422
    unknown_order` when none matches). A contact with an ``external_id`` already recorded answers
    `200` with the contact kept, unchanged."""

    def produce(uow: UnitOfWork) -> tuple[int, contacts.ContactOut]:
        recorded = contacts.record_from_api(uow, merchant_id, data, now=utcnow())
        view = contacts.contact_views(uow, merchant_id, [recorded.contact])[0]
        return (201 if recorded.new else 200), view

    return idempotent_write(request, db, merchant_id, data, produce)


@router.get("/contacts", response_model=contacts.ContactPage, responses=error_responses(404, 422))
def list_contacts(
    order: OrderQuery = None,
    limit: Limit = DEFAULT,
    cursor: Cursor = None,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """The merchant's contacts, the latest recorded first."""
    with db.uow(write=False) as uow:
        order_id = order_id_of(uow, merchant_id, order)
        page = contacts.contacts_page(uow, merchant_id, order_id=order_id, cursor=cursor, limit=limit)
        items = contacts.contact_views(uow, merchant_id, page.items)
        return json_response(contacts.ContactPage(items=items, next_cursor=page.next_cursor))


class ContactsImported(OutModel):
    new: int
    already_known: int


@router.post(
    "/contacts/csv", status_code=201, response_model=ContactsImported, responses=error_responses(422)
)
def import_contacts(
    data: contacts.ContactsFileIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """A file of contacts (columns ``order``, ``channel``, ``reason``, ``occurred_at``, optional
    ``external_id``), recorded all or none: any bad row is `422 contacts_file_refused` with every
    bad row in ``details`` (``line``, ``column``, ``code``, ``message``)."""

    def produce(uow: UnitOfWork) -> tuple[int, ContactsImported]:
        done = contacts.import_csv(uow, merchant_id, data.csv.encode("utf-8"), now=utcnow())
        return 201, ContactsImported(new=done.new, already_known=done.already_known)

    return idempotent_write(request, db, merchant_id, data, produce)


class TicketReceived(BaseModel):
    recorded: bool = False
    contact_id: str | None = None
    order: OrderRef | None = None


@router.post(
    "/helpdesk/zendesk/{receiver_id}",
    response_model=TicketReceived,
    responses=error_responses(401, 404, 422),
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {}}}}},
)
async def receive_zendesk(receiver_id: str, request: Request, db: Database = Depends(get_db)) -> Response:
    """Zendesk's signed webhook (event ``zen:event-type:ticket.created``): the signature is
    checked with the signing secret kept in the dashboard (`401 bad_signature`, `401
    stale_signature` beyond 5 minutes), the ticket recorded once as a contact."""
    body = await request.body()
    headers = {key.lower(): value for key, value in request.headers.items()}

    def work(uow: UnitOfWork) -> TicketReceived:
        received = helpdesk.receive_zendesk(uow, receiver_id, headers, body, now=utcnow())
        if received.contact is None:
            return TicketReceived()
        view = contacts.contact_views(uow, received.contact.merchant_id, [received.contact])[0]
        return TicketReceived(recorded=received.new, contact_id=view.id, order=view.order)

    return json_response(await run_in_threadpool(in_transaction, db, work))


@router.get(
    "/analytics/contacts",
    responses={
        **error_responses(422),
        200: {
            "description": "Where-is-my-order contacts per 100 orders, week by week (the week the"
            " orders were placed, UTC) and in total, split by told first / not told and by problem;"
            " demand for tracking and shopper messages of the same days. CSV (one row per week and"
            " group) with format=csv",
            "content": {"application/json": {}, "text/csv": {}},
        },
    },
)
def contact_figures(
    weeks: Annotated[
        int, Query(ge=1, le=53, description="whole weeks back from this one (this one included)")
    ] = 8,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Definitions: docs/analytics.md, "Where is my order contacts"."""
    today = utcnow().date()
    period = wismo.Period(today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1), today)
    with db.uow(write=False) as uow:
        by_week = wismo.weekly_deflection(uow, merchant_id, period)
        totals = wismo.demand_totals(uow, merchant_id, period)
        messages = wismo.message_figures(uow, merchant_id, period)
    if format == "csv":
        return Response(
            deflection.weeks_csv(by_week),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="contacts-{period.first}-{period.last}.csv"'
            },
        )
    return JSONResponse(
        {
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "weeks": [{"week": w.week.isoformat(), **deflection.week_json(w)} for w in by_week],
            "total": deflection.week_json(deflection.total(by_week)),
            "demand": asdict(totals),
            "messages": asdict(messages),
        }
    )
