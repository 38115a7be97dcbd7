"""Advance shipping notices (inbound shipments): declared on a purchase order, listed, read by id
or number, cancelled before anything was counted in; and the supplier's link and email."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response

from ordertrack.api.auth import api_actor, current_merchant, get_db
from ordertrack.api.routes.purchase_orders import PoRef
from ordertrack.api.routes.purchase_orders import views as purchase_order_views
from ordertrack.api.transactions import idempotent_write, json_response
from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.schema import error_responses
from ordertrack.links import SUPPLIER_LINK_LIFETIME, supplier_link_url
from ordertrack.purchasing import asn_csv, declaring, supplier_messages
from ordertrack.suppliers import inbound_shipments, purchase_orders
from ordertrack.suppliers.inbound_schemas import (
    InboundShipmentFileIn,
    InboundShipmentIn,
    InboundShipmentList,
    InboundShipmentOut,
    SupplierLinkOut,
)
from ordertrack.suppliers.schemas import PurchaseOrderOut

router = APIRouter(tags=["inbound shipments"])

InboundRef = Annotated[str, Path(min_length=1, max_length=64, description="inbound shipment id or number")]


@router.post(
    "/api/v1/purchase-orders/{po_ref}/inbound-shipments",
    status_code=201,
    response_model=InboundShipmentOut,
    responses=error_responses(404, 409),
)
def declare_inbound_shipment(
    po_ref: PoRef,
    data: InboundShipmentIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """An advance shipping notice: which lines and quantities left, in which parcels (tracking
    numbers, checked as for outbound shipments), expected when. More units than a line still
    expects are accepted and flagged in ``warnings`` (``over_shipment``). Refused whole (422)
    for a line or SKU not on the order, a parcel number the notice does not list, an expected
    arrival before the supplier's today, or a bad tracking number."""

    def produce(uow: UnitOfWork) -> tuple[int, InboundShipmentOut]:
        declared = declaring.declare_inbound_shipment(uow, merchant_id, po_ref, data, actor=actor)
        shipment = inbound_shipments.find_inbound_shipment(uow, merchant_id, declared.shipment.id)
        return 201, declaring.views(uow, merchant_id, [shipment], declared.flagged)[0]

    return idempotent_write(request, db, merchant_id, data, produce)


@router.post(
    "/api/v1/purchase-orders/{po_ref}/inbound-shipments/csv",
    status_code=201,
    response_model=InboundShipmentList,
    responses=error_responses(404, 409),
)
def declare_inbound_shipments_from_csv(
    po_ref: PoRef,
    data: InboundShipmentFileIn,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """A supplier's CSV file of notices (one row per line in a parcel; columns in
    docs/suppliers.md), declared all or none: any bad row is ``422 asn_file_refused`` with every
    bad row in ``details`` (``line``, ``column``, ``code``, ``message``) and nothing declared.
    The history names the file (``csv <file_name>``)."""

    def produce(uow: UnitOfWork) -> tuple[int, InboundShipmentList]:
        declared = asn_csv.import_notices(
            uow, merchant_id, po_ref, data.csv.encode("utf-8"), file_name=data.file_name
        )
        shipments = [
            inbound_shipments.find_inbound_shipment(uow, merchant_id, d.shipment.id) for d in declared
        ]
        return 201, InboundShipmentList(items=declaring.views(uow, merchant_id, shipments), next_cursor=None)

    return idempotent_write(request, db, merchant_id, data, produce)


@router.get(
    "/api/v1/purchase-orders/{po_ref}/inbound-shipments",
    response_model=InboundShipmentList,
    responses=error_responses(404),
)
def list_inbound_shipments(
    po_ref: PoRef, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """The order's notices, first declared first (cancelled ones included, with ``cancelled_at``)."""
    with db.uow(write=False) as uow:
        po = purchase_orders.find_purchase_order(uow, merchant_id, po_ref)
        shipments = inbound_shipments.of_purchase_order(uow, merchant_id, po.id)
        return json_response(
            InboundShipmentList(items=declaring.views(uow, merchant_id, shipments), next_cursor=None)
        )


@router.get(
    "/api/v1/inbound-shipments/{ref}", response_model=InboundShipmentOut, responses=error_responses(404)
)
def get_inbound_shipment(
    ref: InboundRef, merchant_id: str = Depends(current_merchant), db: Database = Depends(get_db)
) -> Response:
    """One notice by id or by its number as typed (as the dock scans it)."""
    with db.uow(write=False) as uow:
        shipment = inbound_shipments.find_inbound_shipment(uow, merchant_id, ref)
        return json_response(declaring.views(uow, merchant_id, [shipment])[0])


@router.post(
    "/api/v1/inbound-shipments/{ref}/cancel",
    response_model=InboundShipmentOut,
    responses=error_responses(404, 409),
)
def cancel_inbound_shipment(
    ref: InboundRef,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """Withdraw a notice nothing was counted in from (409 ``inbound_shipment_received``
    otherwise): its units are no longer on their way and its parcels are no longer followed."""

    def produce(uow: UnitOfWork) -> tuple[int, InboundShipmentOut]:
        shipment = declaring.cancel_inbound_shipment(uow, merchant_id, ref, actor=actor)
        return 200, declaring.views(uow, merchant_id, [shipment])[0]

    return idempotent_write(request, db, merchant_id, None, produce)


# --- the supplier's link and its email ------------------------------------------------------------


@router.get(
    "/api/v1/purchase-orders/{po_ref}/supplier-link",
    response_model=SupplierLinkOut,
    responses=error_responses(404, 409),
)
def supplier_link(
    po_ref: PoRef,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """A fresh link to the order's page for its supplier (no account needed), to send by other
    means than the order's email; it opens this order only, until ``expires_at``."""
    with db.uow(write=False) as uow:
        po = purchase_orders.find_purchase_order(uow, merchant_id, po_ref)
    if po.sent_at is None:
        raise supplier_messages.NotSentYet(f"purchase order {po.number} is a draft: send it first")
    settings = request.app.state.settings
    now = utcnow()
    url = supplier_link_url(settings.public_url, settings.resolved_secret_key(), merchant_id, po.id, now=now)
    return json_response(SupplierLinkOut(url=url, expires_at=now + SUPPLIER_LINK_LIFETIME))


@router.post(
    "/api/v1/purchase-orders/{po_ref}/resend",
    response_model=PurchaseOrderOut,
    responses=error_responses(404, 409),
)
def resend_purchase_order(
    po_ref: PoRef,
    request: Request,
    merchant_id: str = Depends(current_merchant),
    actor: str = Depends(api_actor),
    db: Database = Depends(get_db),
) -> JSONResponse:
    """Email the order to its supplier again, with a fresh link (409 ``supplier_has_no_email``
    without an address, ``purchase_order_not_sent`` for a draft, cancelled or received order)."""

    def produce(uow: UnitOfWork) -> tuple[int, PurchaseOrderOut]:
        po = supplier_messages.send_again(uow, merchant_id, po_ref, actor=actor)
        return 200, purchase_order_views(uow, merchant_id, [po])[0]

    return idempotent_write(request, db, merchant_id, None, produce)
