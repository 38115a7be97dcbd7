"""Carrier endpoints: connectors, number detection, webhooks, the quarantine, unknown codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from ordertrack.api.auth import bearer, current_merchant, get_db
from ordertrack.api.transactions import in_transaction, json_response
from ordertrack.carriers import accounts, intake
from ordertrack.carriers.environments import connector_base_url
from ordertrack.carriers.model import CarrierAccount, CarrierPayload
from ordertrack.carriers.registry import carrier_name, connector, connectors
from ordertrack.carriers.schemas import (
    UNKNOWN_CODE_CURSOR,
    CandidateOut,
    CarrierAccountIn,
    CarrierAccountOut,
    ConnectorList,
    ConnectorOut,
    DetectionOut,
    IntakeOut,
    MessageOut,
    PayloadDetailOut,
    PayloadOut,
    PayloadPage,
    UnknownCodeOut,
    UnknownCodePage,
    WebhookSettingsIn,
    WebhookSettingsOut,
)
from ordertrack.carriers.tracking_numbers import detect_carriers
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.errors import NotFound, Unauthorized, Unprocessable
from ordertrack.kit.pagination import DEFAULT_LIMIT, MAX_LIMIT, Cursor
from ordertrack.kit.schema import TRACKING_NUMBER_PATTERN, error_responses, normalise_tracking_number

router = APIRouter(prefix="/api/v1/carriers", tags=["carriers"])

CarrierPath = Annotated[str, Path(min_length=1, max_length=40, description="connector slug, e.g. ups")]


class InvalidTrackingNumberText(Unprocessable):
    code = "invalid_tracking_number"


@router.get("", response_model=ConnectorList)
def list_connectors(merchant_id: str = Depends(current_merchant)) -> Response:
    """Every carrier and aggregator ordertrack reads."""
    return json_response(
        ConnectorList(
            items=[
                ConnectorOut(
                    slug=c.slug,
                    name=c.name,
                    kind=c.kind,
                    media_type=c.media_type,
                    signs_webhooks=c.verify_webhook is not None,
                    tracking_url=c.tracking_url,
                )
                for c in connectors().values()
            ],
            next_cursor=None,
        )
    )


@router.get("/detect", response_model=DetectionOut, responses=error_responses(422))
def detect(
    tracking_number: Annotated[
        str, Query(min_length=1, max_length=80, json_schema_extra={"pattern": TRACKING_NUMBER_PATTERN})
    ],
    merchant_id: str = Depends(current_merchant),
) -> Response:
    """The carriers a tracking number can belong to, most likely first.

    Several candidates come back when formats overlap (a 12-digit number can be FedEx
    Express or another carrier's); ``valid`` says whether the format's check digit agrees.
    """
    try:
        canonical = normalise_tracking_number(tracking_number)
    except ValueError as error:
        raise InvalidTrackingNumberText(str(error)) from None
    known = connectors()
    return json_response(
        DetectionOut(
            tracking_number=canonical,
            candidates=[
                CandidateOut(
                    carrier=match.carrier,
                    name=carrier_name(match.carrier),
                    format=match.format_name,
                    valid=match.valid,
                    tracking_url=known[match.carrier].page_for(canonical) if match.carrier in known else None,
                )
                for match in detect_carriers(canonical)
            ],
        )
    )


@router.put("/{carrier}/webhook-settings", response_model=WebhookSettingsOut, responses=error_responses(404))
def configure_webhook(
    carrier: CarrierPath,
    data: WebhookSettingsIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Set up (or rotate) the URL and signing secret for one carrier's pushes."""
    found = connector(carrier)
    token = in_transaction(
        db, lambda uow: intake.configure_webhook(uow, merchant_id, found.slug, data.signing_secret)
    )
    public = request.app.state.settings.public_url.rstrip("/")
    return json_response(
        WebhookSettingsOut(
            carrier=found.slug,
            webhook_url=f"{public}/api/v1/carriers/{found.slug}/webhook?token={token}",
            signs=found.verify_webhook is not None and bool(data.signing_secret),
        )
    )


@router.post(
    "/{carrier}/webhook",
    response_model=IntakeOut,
    status_code=200,
    responses={
        202: {"model": IntakeOut, "description": "nothing could be read: quarantined"},
        **error_responses(401, 404),
    },
    openapi_extra={
        "requestBody": {
            # An empty push is kept in the quarantine like any unreadable one (202), not refused.
            "required": False,
            "content": {
                "application/json": {"schema": {}},
                "application/xml": {"schema": {"type": "string"}},
            },
        }
    },
)
async def receive_webhook(
    carrier: CarrierPath,
    request: Request,
    token: Annotated[str | None, Query(max_length=100, description="the token from the webhook URL")] = None,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    db: Database = Depends(get_db),
) -> Response:
    """A carrier's or aggregator's push: signature checked (401 on a bad one), events ingested.

    The sender is identified by the ``token`` of the webhook URL (see webhook-settings), or
    by a merchant API key. A payload that cannot be read is kept in the quarantine and
    answered ``202`` with its id, so the sender does not retry it forever.
    """
    found = connector(carrier)
    body = await request.body()
    merchant_id = await _pusher(request, found.slug, token, credentials, db)
    settings = request.app.state.settings
    window = timedelta(days=settings.recycle_window_days)

    def work(uow: UnitOfWork) -> intake.IntakeResult:
        webhook = intake.webhook_settings(uow, merchant_id, found.slug)
        intake.verify_push(found, webhook, body, dict(request.headers))
        return intake.receive_payload(
            uow,
            merchant_id,
            found,
            body,
            channel="webhook",
            content_type=request.headers.get("content-type"),
            recycle_window=window,
        )

    result = await run_in_threadpool(in_transaction, db, work)
    return json_response(_intake_out(result), 202 if result.state == "quarantined" else 200)


async def _pusher(
    request: Request,
    carrier: str,
    token: str | None,
    credentials: HTTPAuthorizationCredentials | None,
    db: Database,
) -> str:
    if token:
        with db.uow(write=False) as uow:
            return intake.webhook_for_token(uow, carrier, token).merchant_id
    if credentials is not None and credentials.credentials:
        return await current_merchant(request, credentials)
    raise Unauthorized("add the token of your webhook URL (?token=...) or an API key")


def _intake_out(result: intake.IntakeResult) -> IntakeOut:
    return IntakeOut(
        payload_id=result.payload_id,
        state=result.state,
        trackings=result.trackings,
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=result.rejected,
        messages=[MessageOut(code=m.code, text=m.text, where=m.where) for m in result.messages],
    )


def _payload_out(row: CarrierPayload) -> PayloadOut:
    return PayloadOut(
        id=row.id,
        carrier=row.carrier,
        channel=row.channel,
        state=row.state,
        reason=row.reason,
        messages=row.messages,
        events_accepted=row.events_accepted,
        content_type=row.content_type,
        size=len(row.body),
        received_at=row.received_at,
        replayed_at=row.replayed_at,
    )


PayloadState = Literal["quarantined", "partial", "ingested", "replayed"]


@router.get("/quarantine", response_model=PayloadPage)
def list_quarantine(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    state: Annotated[
        list[PayloadState] | None,
        Query(description="default: quarantined and partial (what still needs a look)"),
    ] = None,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    """Carrier payloads that could not be read (or not wholly), newest first."""
    states = state or ["quarantined", "partial"]
    with db.uow(write=False) as uow:
        page = intake.list_payloads(uow, merchant_id, states=states, cursor=cursor, limit=limit)
        return json_response(
            PayloadPage(items=[_payload_out(row) for row in page.items], next_cursor=page.next_cursor)
        )


@router.get("/quarantine/{payload_id}", response_model=PayloadDetailOut, responses=error_responses(404))
def get_quarantined(
    payload_id: Annotated[str, Path(min_length=1, max_length=32)],
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    with db.uow(write=False) as uow:
        row = intake.get_payload(uow, merchant_id, payload_id)
        detail = PayloadDetailOut(
            **_payload_out(row).model_dump(), body=row.body.decode("utf-8", errors="replace")
        )
    return json_response(detail)


@router.post("/quarantine/{payload_id}/replay", response_model=IntakeOut, responses=error_responses(404, 409))
def replay(
    payload_id: Annotated[str, Path(min_length=1, max_length=32)],
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Read a stored payload again with today's mapping (after a fix) and ingest it.

    Events already stored are not stored twice. ``409 still_unreadable`` when it still
    yields nothing.
    """
    window = timedelta(days=request.app.state.settings.recycle_window_days)

    def work(uow: UnitOfWork) -> intake.IntakeResult:
        row = intake.get_payload(uow, merchant_id, payload_id)
        return intake.replay_payload(
            uow, merchant_id, payload_id, connector(row.carrier), recycle_window=window
        )

    return json_response(_intake_out(in_transaction(db, work)))


@router.get("/unknown-codes", response_model=UnknownCodePage, responses=error_responses(422))
def list_unknown_codes(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    cursor: Annotated[str, UNKNOWN_CODE_CURSOR.query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> Response:
    """Carrier codes no code table knows yet, by carrier then code, with how often each was seen.
    Their events were stored with a safe status (in transit) and the raw code kept."""
    with db.uow(write=False) as uow:
        page = intake.unknown_code_page(uow, merchant_id, cursor, limit)
        items = [
            UnknownCodeOut(
                carrier=r.carrier,
                code=r.code,
                example=r.example,
                seen=r.seen,
                first_seen_at=r.first_seen_at,
                last_seen_at=r.last_seen_at,
            )
            for r in page.items
        ]
        return json_response(UnknownCodePage(items=items, next_cursor=page.next_cursor))


def _account_out(row: CarrierAccount) -> CarrierAccountOut:
    return CarrierAccountOut(
        carrier=row.carrier,
        environment=row.environment,
        base_url=connector_base_url(row.carrier, row.environment),
        client_id=row.client_id,
        has_client_secret=bool(row.client_secret),
        has_api_key=bool(row.api_key),
        account_number=row.account_number,
        requests_per_second=row.requests_per_second,
        enabled=row.enabled,
        updated_at=row.updated_at,
    )


# Accounts are for the carriers that can be polled (those with a client.py); the document lists them.
PollableCarrierPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=40,
        description="a carrier whose tracking API can be polled",
        json_schema_extra={"enum": sorted(s for s in connectors() if accounts.client_module(s) is not None)},
    ),
]


@router.put("/{carrier}/account", response_model=CarrierAccountOut, responses=error_responses(404, 422))
def save_account(
    carrier: PollableCarrierPath,
    data: CarrierAccountIn,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """Credentials for polling a carrier's tracking API; the merchant's open parcels of that
    carrier are polled from now on. Secrets are never shown again.

    ``environment`` chooses the carrier's production API or its sandbox; the addresses are the
    connector's own. A ``base_url`` is refused (422 ``carrier_base_url_not_accepted``).
    """
    slug = connector(carrier).slug  # 404 unknown_carrier first
    if data.base_url is not None:
        raise BaseUrlNotAccepted(
            "base_url is no longer accepted: ordertrack calls the carrier's own API; "
            'choose "environment": "production" or "sandbox"'
        )
    fields = data.model_dump(exclude={"base_url"})
    if accounts.client_module(slug) is not None:
        connector_base_url(slug, data.environment)  # 422 carrier_has_no_sandbox
    return json_response(
        in_transaction(db, lambda uow: _account_out(accounts.save_account(uow, merchant_id, slug, fields)))
    )


@router.get("/{carrier}/account", response_model=CarrierAccountOut, responses=error_responses(404))
def get_account(
    carrier: PollableCarrierPath, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    with db.uow(write=False) as uow:
        row = accounts.get_account(uow, merchant_id, carrier.lower())
        if row is None:
            raise AccountNotFound(f"no {carrier} account is set up")
        return json_response(_account_out(row))


class AccountNotFound(NotFound):
    code = "carrier_account_not_found"


class BaseUrlNotAccepted(Unprocessable):
    code = "carrier_base_url_not_accepted"
