"""Shipment endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit, OrderQuery, order_id_of, order_refs
from ordertrack.api.transactions import idempotent_write, json_response
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.eta import promises
from ordertrack.eta.model import EddRevision
from ordertrack.fulfilment import shipping
from ordertrack.kit.pagination import Cursor
from ordertrack.kit.schema import error_responses
from ordertrack.shipments import service
from ordertrack.shipments.model import Shipment
from ordertrack.shipments.schemas import ShipmentIn, ShipmentOut, ShipmentPage
from ordertrack.statuses import ShipmentStatus

router = APIRouter(tags=["shipments"])


def _view(
    uow: UnitOfWork, merchant_id: str, shipment: Shipment, revisions: Sequence[EddRevision] = ()
) -> ShipmentOut:
    number = order_refs(uow, merchant_id, [shipment.order_id])[shipment.order_id].number
    return service.shipment_view(shipment, revisions, order_number=number)


@router.post(
    "/api/v1/orders/{order_ref}/shipments",
    status_code=201,
    response_model=ShipmentOut,
    responses=error_responses(404, 409),
)
def create_shipment(
    order_ref: Annotated[str, Path(min_length=1, max_length=64, description="order id or number")],
    data: ShipmentIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    window = timedelta(days=request.app.state.settings.recycle_window_days)

    def produce(uow):  # type: ignore[no-untyped-def]
        created = shipping.create_shipment(uow, merchant_id, order_ref, data, recycle_window=window)
        return 201, _view(uow, merchant_id, service.get_shipment(uow, merchant_id, created.id))

    return idempotent_write(request, db, merchant_id, data, produce)


@router.get("/api/v1/shipments", response_model=ShipmentPage, responses=error_responses(404, 422))
def list_shipments(
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    status: ShipmentStatus | None = None,
    carrier: Annotated[str | None, Query(max_length=40)] = None,
    order: OrderQuery = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT,
) -> Response:
    """Shipments, newest first."""
    with db.uow(write=False) as uow:
        order_id = order_id_of(uow, merchant_id, order)
        page = service.list_shipments(
            uow, merchant_id, status=status, carrier=carrier, order_id=order_id, cursor=cursor, limit=limit
        )
        orders = order_refs(uow, merchant_id, (s.order_id for s in page.items))
        return json_response(
            ShipmentPage(
                items=[service.shipment_view(s, order_number=orders[s.order_id].number) for s in page.items],
                next_cursor=page.next_cursor,
            )
        )


@router.get("/api/v1/shipments/{shipment_id}", response_model=ShipmentOut, responses=error_responses(404))
def get_shipment(
    shipment_id: Annotated[str, Path(min_length=1, max_length=32)],
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    with db.uow(write=False) as uow:
        shipment = service.get_shipment(uow, merchant_id, shipment_id)
        _, revisions = promises.revisions_for(uow, merchant_id, shipment.order_id)
        return json_response(_view(uow, merchant_id, shipment, revisions.get(shipment.id, [])))


@router.post(
    "/api/v1/shipments/{shipment_id}/hand-over",
    response_model=ShipmentOut,
    responses=error_responses(404, 409),
)
def hand_over(
    shipment_id: Annotated[str, Path(min_length=1, max_length=32)],
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """The carrier took the parcels. Handing over twice keeps the first time; a shipment the
    carrier has already scanned moving (or delivered, returned) is `409 invalid_transition`."""
    return idempotent_write(
        request,
        db,
        merchant_id,
        None,
        lambda uow: (200, _view(uow, merchant_id, service.hand_over(uow, merchant_id, shipment_id))),
    )
