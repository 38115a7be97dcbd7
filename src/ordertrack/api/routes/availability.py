"""Available to promise over HTTP: which customer orders wait on a purchase order and what an
order waits on, for the merchant; when a SKU can ship to a country, for a storefront."""

from __future__ import annotations

from typing import Annotated

from babel import Locale
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from ordertrack.api.auth import current_merchant, get_db
from ordertrack.api.references import DEFAULT, Limit
from ordertrack.api.transactions import json_response
from ordertrack.carriers.zones import principal_zone
from ordertrack.checks.promises import learned_history
from ordertrack.db.uow import Database
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import Unprocessable
from ordertrack.kit.pagination import Cursor, decode_cursor, encode_cursor
from ordertrack.kit.schema import error_responses
from ordertrack.purchasing import waiting
from ordertrack.purchasing.schemas import (
    AvailabilityOut,
    InboundDayOut,
    IncomingOut,
    WaitingLineOut,
    WaitingOnOut,
    WaitingOrdersOut,
    WindowOut,
)
from ordertrack.suppliers.purchase_orders import find_purchase_order
from ordertrack.suppliers.schemas import MAX_QUANTITY

router = APIRouter(tags=["available to promise"])

# Countries, not regions: a territory with a clock of its own ("ZZ", unknown, and "EU" have none).
_COUNTRIES = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and principal_zone(code) is not None
)


class UnknownCountry(Unprocessable):
    code = "unknown_country"


def line_out(line: waiting.WaitingLine) -> WaitingLineOut:
    return WaitingLineOut(
        order_id=line.order_id,
        order_number=line.order_number,
        placed_at=line.placed_at,
        order_line_id=line.order_line_id,
        sku=line.sku,
        quantity=line.quantity,
        incoming=[IncomingOut.model_validate(i) for i in line.incoming],
        uncovered=line.uncovered,
        arrives_on=line.arrives_on,
        ships_on=line.ships_on,
    )


@router.get(
    "/api/v1/purchase-orders/{po_ref}/waiting-orders",
    response_model=WaitingOrdersOut,
    responses=error_responses(404),
)
def purchase_order_waiting_orders(
    po_ref: Annotated[
        str, Path(min_length=1, max_length=64, description="the purchase order's id or number")
    ],
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
    cursor: Cursor = None,
    limit: Limit = DEFAULT,
) -> Response:
    """The customer order lines waiting on this purchase order's units, oldest order first, as
    receiving will fill them; each with everything it waits on and when it should ship."""
    with db.uow(write=False) as uow:
        po = find_purchase_order(uow, merchant_id, po_ref)
        lines = waiting.waiting_orders(uow, merchant_id, po.id, today=utcnow().date())
    # The queue is worked out whole (each line's place depends on every older one), then paged
    # after the cursor's line. A line filled since the last page is gone from the queue: the
    # next page then starts again at the oldest, so nothing is skipped.
    after = decode_cursor(cursor)
    keys = [x.order_line_id for x in lines]
    start = keys.index(after) + 1 if after in keys else 0
    page = lines[start : start + limit]
    more = start + limit < len(lines)
    return json_response(
        WaitingOrdersOut(
            purchase_order_id=po.id,
            items=[line_out(x) for x in page],
            next_cursor=encode_cursor(page[-1].order_line_id) if more and page else None,
        )
    )


@router.get(
    "/api/v1/orders/{order_ref}/waiting-on", response_model=WaitingOnOut, responses=error_responses(404)
)
def order_waiting_on(
    order_ref: Annotated[str, Path(min_length=1, max_length=64, description="the order's id or number")],
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """The order's backordered lines and the purchase orders and ASNs that will fill them."""
    with db.uow(write=False) as uow:
        order, lines = waiting.waiting_on(uow, merchant_id, order_ref, today=utcnow().date())
        return json_response(
            WaitingOnOut(order_id=order.id, order_number=order.number, items=[line_out(x) for x in lines])
        )


@router.get("/api/v1/availability", response_model=AvailabilityOut, responses=error_responses(422))
def sku_availability(
    sku: Annotated[
        str,
        Query(
            min_length=1, max_length=64, pattern=r"^[^\s\x00][^\x00\n\r]*$", description="the merchant's SKU"
        ),
    ],
    country: Annotated[
        str, Query(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 country code")
    ],
    quantity: Annotated[int, Query(ge=1, le=MAX_QUANTITY)] = 1,
    warehouse: Annotated[
        str | None,
        Query(min_length=1, max_length=32, description="a warehouse code: its stock and inbound only"),
    ] = None,
    merchant_id: str = Depends(current_merchant),
    db: Database = Depends(get_db),
) -> Response:
    """When ``quantity`` units of a SKU can ship to a country: now from the shelf, else from the
    inbound day that frees enough after the backorders ahead of it; and the delivery window."""
    code = country.upper()
    if code not in _COUNTRIES:
        raise UnknownCountry(
            f"no country {country!r}", details=[{"code": "unknown_country", "country": country}]
        )
    now = utcnow()
    with db.uow(write=False) as uow:
        answer = waiting.availability_to(
            uow,
            merchant_id,
            sku,
            code,
            quantity,
            now=now,
            history=learned_history(uow, merchant_id),
            warehouse=warehouse,
        )
    numbers = answer.numbers
    return json_response(
        AvailabilityOut(
            sku=sku,
            country=code,
            quantity=quantity,
            on_hand=numbers.on_hand,
            reserved=numbers.reserved,
            available=numbers.available,
            backordered=numbers.backordered,
            inbound=[InboundDayOut(date=day, quantity=q) for day, q in numbers.inbound],
            in_stock=answer.in_stock,
            ready_on=answer.ready_on,
            ships_on=answer.ships_on,
            warehouse=answer.warehouse,
            delivery=WindowOut(
                earliest=answer.delivery.earliest,
                latest=answer.delivery.latest,
                most_likely=answer.delivery.most_likely,
            )
            if answer.delivery is not None
            else None,
        )
    )
