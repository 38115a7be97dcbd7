"""The dashboard's needs-attention workflow: the list (filters kept in the URL) and one item's
page, where staff assign, acknowledge, note, write to the shopper, open a carrier claim and
resolve it with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ordertrack.api.routes.attention import open_claim_for
from ordertrack.api.transactions import in_transaction
from ordertrack.attention import claims as claims_service
from ordertrack.attention import workflow
from ordertrack.attention.model import AttentionItem
from ordertrack.attention.prepared import prepared_message, text_locale
from ordertrack.attention.service import LOW_RATING
from ordertrack.carriers.registry import carrier_names
from ordertrack.customers import service as customers_service
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.kit.errors import OrdertrackError
from ordertrack.orders import service as orders_service
from ordertrack.shipments import service as shipments_service
from ordertrack.staff import service as staff_service
from ordertrack.web.dashboard.access import DashboardRoute, Staff, current_staff, database, page, staff_form
from ordertrack.web.dashboard.ratings_pages import low_rating_context
from ordertrack.web.forms import Form

router = APIRouter(prefix="/dashboard", route_class=DashboardRoute)

KIND_WORDS = {
    "late": "Late",
    "stalled": "Stalled",
    "likely_lost": "Likely lost",
    "exception": "Exception",
    "not_picked_up": "Not picked up",
    "low_rating": "Low rating",
}
STATE_WORDS = {"open": "Open", "acknowledged": "Acknowledged", "resolved": "Resolved"}
STATE_FILTER_WORDS = {
    "active": "Open or acknowledged",
    "open": "Open",
    "acknowledged": "Acknowledged",
    "resolved": "Resolved",
    "all": "All",
}
AGE_WORDS = {"": "Any age", "1d": "Older than 1 day", "3d": "Older than 3 days", "7d": "Older than 7 days"}
ACTION_WORDS = {
    "note": "Note",
    "assigned": "Assigned to",
    "unassigned": "Unassigned",
    "acknowledged": "Acknowledged",
    "messaged": "Message to the shopper",
    "claim_opened": "Claim opened",
    "claim_updated": "Claim updated",
    "resolved": "Resolved",
    "closed": "Closed by itself",
}
CLAIM_STATUS_WORDS = {"open": "Open", "submitted": "Submitted", "settled": "Settled"}
LANGUAGE_WORDS = {"en": "English", "es": "Spanish", "pt_BR": "Portuguese (Brazil)"}


# The list shows this many at most (it says so); narrower filters find the rest.
LIST_LIMIT = 200


class BadFilter(OrdertrackError):
    status_code = 400
    code = "bad_filter"


@dataclass(frozen=True)
class Row:
    item: AttentionItem
    state: str
    order_number: str
    carrier: str | None
    assignee: str | None


def _choice(request: Request, name: str, allowed: Any, default: str = "") -> str:
    value = request.query_params.get(name, default).strip() or default
    if value not in allowed:
        raise BadFilter(f"the {name} filter cannot be {value[:40]!r}")
    return value


@router.get("/attention")
def attention_list(request: Request, staff: Staff = Depends(current_staff)) -> Response:
    state = _choice(request, "state", workflow.STATE_FILTERS, "active")
    kind = _choice(request, "kind", ["", *KIND_WORDS])
    age = _choice(request, "age", AGE_WORDS)
    with database(request).uow(write=False) as uow:
        people = {u.id: u.name for u in staff_service.list_staff(uow, staff.merchant_id)}
        assignee = _choice(request, "assignee", ["", "mine", "unassigned", *people])
        filters = workflow.Filters(
            state=state,
            kind=kind or None,
            assignee=staff.id if assignee == "mine" else assignee or None,
            older_than=workflow.AGES[age] if age else None,
        )
        now = utcnow()
        items = workflow.find_items(uow, staff.merchant_id, filters, now=now, limit=LIST_LIMIT)
        orders = orders_service.orders_by_id(uow, staff.merchant_id, {i.order_id for i in items})
        shipments = {
            s.id: s
            for s in shipments_service.shipments_by_id(uow, staff.merchant_id, {i.shipment_id for i in items})
        }
    rows = [
        Row(
            item,
            str(workflow.state_of(item)),
            orders[item.order_id].number if item.order_id in orders else item.order_id,
            shipments[item.shipment_id].carrier if item.shipment_id in shipments else None,
            people.get(item.assignee_id or ""),
        )
        for item in items
    ]
    chosen = {"state": state, "kind": kind, "assignee": assignee, "age": age}
    return page(
        request,
        staff,
        "dashboard/attention.html",
        {
            "rows": rows,
            "limit": LIST_LIMIT,
            "filters": chosen,
            "filtered": any(v for k, v in chosen.items() if k != "state") or state != "active",
            "people": people,
            "kinds": KIND_WORDS,
            "states": STATE_FILTER_WORDS,
            "state_words": STATE_WORDS,
            "ages": AGE_WORDS,
            "carrier_names": carrier_names(),
            "link": lambda **changes: list_query(chosen, **changes),
            "age_of": lambda opened: age_of(opened, now),
        },
        section="attention",
    )


def _item_context(uow: UnitOfWork, staff: Staff, item_id: str) -> dict[str, Any]:
    item = workflow.get_item(uow, staff.merchant_id, item_id)
    order = orders_service.find_order(uow, staff.merchant_id, item.order_id)
    shipment = shipments_service.get_shipment(uow, staff.merchant_id, item.shipment_id)
    customer = (
        customers_service.get_customers(uow, staff.merchant_id, {order.customer_id}).get(order.customer_id)
        if order.customer_id
        else None
    )
    people = staff_service.list_staff(uow, staff.merchant_id)
    locale = text_locale(customer.locale if customer else None)
    return {
        "item": item,
        "state": str(workflow.state_of(item)),
        "order": order,
        "shipment": shipment,
        "parcels": [p.tracking_number for p in shipment.parcels],
        "customer": customer,
        "history": workflow.history(uow, staff.merchant_id, item.id),
        "claims": claims_service.claims_of_items(uow, staff.merchant_id, [item.id])[item.id],
        "assignable": [(u.id, u.name) for u in people if staff_service.status_of(u) == "active"],
        "names": {u.id: u.name for u in people},
        "prepared": prepared_message(item.kind, locale, order.number, detail=item.detail),
        "language": LANGUAGE_WORDS[locale],
        # A low rating: the shopper's words beside what happened to the order.
        **(low_rating_context(uow, staff.merchant_id, order) if item.kind == LOW_RATING else {}),
    }


def _item_page(
    request: Request,
    staff: Staff,
    item_id: str,
    *,
    error: str = "",
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    if len(item_id) > 32:
        raise BadFilter("that is not an attention item")
    with database(request).uow(write=False) as uow:
        context = _item_context(uow, staff, item_id)
    return page(
        request,
        staff,
        "dashboard/attention_item.html",
        {
            **context,
            "error": error,
            "done": DONE_WORDS.get(request.query_params.get("done", "")) if not error else "",
            "form": form or {},
            "kinds": KIND_WORDS,
            "state_words": STATE_WORDS,
            "action_words": ACTION_WORDS,
            "resolutions": workflow.RESOLUTIONS,
            "claim_reasons": claims_service.REASONS,
            "claim_statuses": CLAIM_STATUS_WORDS,
            "claim_moves": claims_service.MOVES,
            "carrier_names": carrier_names(),
        },
        status_code=status_code,
        section="attention",
    )


@router.get("/attention/{item_id}")
def attention_item(item_id: str, request: Request, staff: Staff = Depends(current_staff)) -> Response:
    return _item_page(request, staff, item_id)


DONE_WORDS = {
    "assign": "Assignment saved.",
    "acknowledge": "Acknowledged.",
    "note": "Note added.",
    "message": "Message queued for the shopper.",
    "claim": "Claim opened.",
    "claim-update": "Claim updated.",
    "resolve": "Resolved.",
}


def _act(request: Request, staff: Staff, form: Form, item_id: str, action: str) -> Response:
    actor = workflow.Actor(staff.id, staff.name)
    now = utcnow()
    merchant = staff.merchant_id

    def work(uow: UnitOfWork) -> None:
        if action == "assign":
            chosen = form.text("assignee", 32)
            target = staff.id if chosen == "me" else chosen or None
            workflow.assign(uow, merchant, item_id, target, actor, now=now)
        elif action == "acknowledge":
            workflow.acknowledge(uow, merchant, item_id, actor, now=now)
        elif action == "note":
            workflow.add_note(
                uow, merchant, item_id, form.get("text")[: workflow.NOTE_LENGTH + 1], actor, now=now
            )
        elif action == "message":
            text = form.get("text")[: workflow.MESSAGE_LENGTH + 1]
            workflow.message_shopper(uow, merchant, item_id, text, actor, now=now)
        elif action == "claim":
            amount = claims_service.read_amount(form.text("amount", 20))
            open_claim_for(
                uow,
                merchant,
                item_id,
                actor,
                reason=form.text("reason", 24),
                tracking_number=form.text("tracking_number", 64) or None,
                amount=amount,
                currency=form.text("currency", 3).upper() or None,
                reference=form.text("reference", 200) or None,
            )
        elif action == "resolve":
            workflow.resolve(
                uow, merchant, item_id, form.text("reason", 24), form.text("note", 400), actor, now=now
            )

    try:
        in_transaction(database(request), work)
    except OrdertrackError as refused:
        kept = {name: form.get(name)[:4000] for name in ("text", "note", "amount", "reference", "reason")}
        return _item_page(
            request,
            staff,
            item_id,
            error=refused.message,
            status_code=refused.status_code,
            form={**kept, "action": action},
        )
    return RedirectResponse(f"/dashboard/attention/{item_id}?done={action}#outcome", status_code=303)


@router.post("/attention/{item_id}/{action}")
def attention_action(
    item_id: str, action: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)
) -> Response:
    staff, form = posted
    if action not in DONE_WORDS or action == "claim-update" or len(item_id) > 32:
        raise BadFilter("There is no such action on an attention item.")
    return _act(request, staff, form, item_id, action)


@router.post("/claims/{claim_id}")
def claim_update(
    claim_id: str, request: Request, posted: tuple[Staff, Form] = Depends(staff_form)
) -> Response:
    staff, form = posted
    if len(claim_id) > 32:
        raise BadFilter("that is not a claim")
    item_id = form.text("item_id", 32)
    status = form.text("status", 16) or None
    reference = form.text("reference", 200)

    def work(uow: UnitOfWork) -> None:
        claims_service.update_claim(
            uow,
            staff.merchant_id,
            claim_id,
            status=status,
            reference=reference,
            actor=workflow.Actor(staff.id, staff.name),
            now=utcnow(),
        )

    try:
        in_transaction(database(request), work)
    except OrdertrackError as refused:
        if not item_id:
            raise
        return _item_page(request, staff, item_id, error=refused.message, status_code=refused.status_code)
    return RedirectResponse(f"/dashboard/attention/{item_id}?done=claim-update#outcome", status_code=303)


def list_query(filters: dict[str, str], **changes: str) -> str:
    """The list's URL with these filters changed (empty ones left out)."""
    merged = {k: v for k, v in {**filters, **changes}.items() if v and not (k == "state" and v == "active")}
    return "/dashboard/attention" + (f"?{urlencode(merged)}" if merged else "")


def age_of(opened_at: datetime, now: datetime) -> str:
    hours = (now - opened_at).total_seconds() / 3600
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{int(hours)} h"
    return f"{int(hours // 24)} days"
