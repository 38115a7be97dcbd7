"""Carrier claims: a parcel lost, damaged or late is claimed with the carrier, and the claim is
followed until the carrier settles it (open -> submitted -> settled)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from ordertrack.attention import repository
from ordertrack.attention.model import AttentionItem, CarrierClaim
from ordertrack.attention.workflow import (
    Actor,
    InvalidAttentionAction,
    InvalidAttentionTransition,
    get_item,
    log_activity,
)
from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.errors import NotFound
from ordertrack.kit.ids import new_id

REASONS = {
    "lost": "Lost",
    "damaged": "Damaged",
    "late": "Delivered late",
    "missing_items": "Items missing",
    "other": "Other",
}
STATUSES = ("open", "submitted", "settled")
# Forward only: a settled claim is history.
MOVES = {"open": {"submitted", "settled"}, "submitted": {"settled"}, "settled": set()}
MAX_AMOUNT = Decimal("99999999")
REFERENCE_LENGTH = 100


class ClaimNotFound(NotFound):
    code = "claim_not_found"


def read_amount(text: str | None) -> Decimal | None:
    """An amount as typed ("49.90"); empty is none; anything else is refused."""
    if text is None or not str(text).strip():
        return None
    try:
        amount = Decimal(str(text).strip())
    except InvalidOperation:
        raise InvalidAttentionAction(f"{text!r} is not an amount") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != round(amount, 2):
        raise InvalidAttentionAction("the amount must be above 0, at most 99999999, with at most 2 decimals")
    return amount


def open_claim(
    uow: UnitOfWork,
    merchant_id: str,
    item_id: str,
    *,
    carrier: str,
    tracking_number: str,
    reason: str,
    amount: Decimal | None,
    currency: str | None,
    reference: str | None,
    actor: Actor,
    now: datetime,
) -> CarrierClaim:
    """A claim for the item's parcel, recorded on the item. The caller names the parcel
    (``carrier``, ``tracking_number``): attention knows shipments by id only."""
    if reason not in REASONS:
        raise InvalidAttentionAction(f"the claim reason must be one of {', '.join(REASONS)}")
    reference = (reference or "").strip() or None
    if reference is not None and len(reference) > REFERENCE_LENGTH:
        raise InvalidAttentionAction(f"the reference must be at most {REFERENCE_LENGTH} characters")
    if amount is not None and not currency:
        raise InvalidAttentionAction("an amount needs a currency")
    item: AttentionItem = get_item(uow, merchant_id, item_id)
    claim = CarrierClaim(
        id=new_id("clm"),
        merchant_id=merchant_id,
        item_id=item.id,
        shipment_id=item.shipment_id,
        order_id=item.order_id,
        carrier=carrier,
        tracking_number=tracking_number,
        reason=reason,
        amount=amount,
        currency=currency.upper() if amount is not None and currency else None,
        status="open",
        reference=reference,
        opened_by=actor.staff_id,
        opened_at=now,
        updated_at=now,
    )
    uow.session.add(claim)
    log_activity(uow, item, "claim_opened", actor, f"{REASONS[reason]} · {carrier} {tracking_number}", now)
    return claim


def update_claim(
    uow: UnitOfWork,
    merchant_id: str,
    claim_id: str,
    *,
    status: str | None,
    reference: str | None,
    actor: Actor,
    now: datetime,
) -> CarrierClaim:
    """Move a claim on (submitted, settled) and/or note the carrier's reference."""
    claim = repository.claim(uow, merchant_id, claim_id)
    if claim is None:
        raise ClaimNotFound(f"no claim {claim_id!r}")
    words: list[str] = []
    if status is not None and status != claim.status:
        if status not in STATUSES:
            raise InvalidAttentionAction(f"the claim status must be one of {', '.join(STATUSES)}")
        if status not in MOVES[claim.status]:
            raise InvalidAttentionTransition(f"a {claim.status} claim cannot become {status}")
        claim.status = status
        words.append(f"claim {status}")
    if reference is not None:
        reference = reference.strip() or None
        if reference is not None and len(reference) > REFERENCE_LENGTH:
            raise InvalidAttentionAction(f"the reference must be at most {REFERENCE_LENGTH} characters")
        if reference != claim.reference:
            claim.reference = reference
            words.append(f"reference {reference or '(none)'}")
    if words:
        claim.updated_at = now
        if claim.item_id:
            log_activity(
                uow, get_item(uow, merchant_id, claim.item_id), "claim_updated", actor, ", ".join(words), now
            )
    return claim


def claims_of_items(uow: UnitOfWork, merchant_id: str, item_ids: list[str]) -> dict[str, list[CarrierClaim]]:
    return repository.claims_of_items(uow, merchant_id, item_ids)
