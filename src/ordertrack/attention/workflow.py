"""What staff do with an attention item: assign it, acknowledge it, write a note, message the
shopper, resolve it with a reason. Every step is a line of the item's history.

The states are ``open`` -> ``acknowledged`` -> ``resolved``; an item also closes by itself
when the checks stop finding its problem (:func:`ordertrack.attention.service.apply_findings`).
An item staff resolved while the problem still holds keeps that problem quiet until the
checks stop finding it; if it comes back after that, it is a new item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ordertrack.attention import repository
from ordertrack.attention.model import AttentionActivity, AttentionItem
from ordertrack.db.uow import UnitOfWork
from ordertrack.events import AttentionClosed, AttentionResolved, ShopperMessaged
from ordertrack.kit.errors import Conflict, NotFound, Unprocessable
from ordertrack.kit.ids import new_id
from ordertrack.staff import service as staff_service

NOTE_LENGTH = 4000
MESSAGE_LENGTH = 2000
RESOLUTION_NOTE_LENGTH = 200
SYSTEM_AUTHOR = "ordertrack"


class State(StrEnum):
    open = "open"
    acknowledged = "acknowledged"
    resolved = "resolved"


# Why staff resolved an item; the words are the dashboard's.
RESOLUTIONS = {
    "delivered": "Delivered after all",
    "shopper_informed": "Shopper informed",
    "reshipped": "Replacement sent",
    "refunded": "Refunded",
    "claim_filed": "Claim filed with the carrier",
    "carrier_fixed": "The carrier sorted it out",
    "not_a_problem": "Not a problem",
    "other": "Other",
}

# The ages the list filters by ("older than").
AGES = {"1d": timedelta(days=1), "3d": timedelta(days=3), "7d": timedelta(days=7)}
STATE_FILTERS = ("open", "acknowledged", "active", "resolved", "all")


class AttentionItemNotFound(NotFound):
    code = "attention_item_not_found"


class AttentionItemClosed(Conflict):
    code = "attention_item_closed"


class InvalidAttentionTransition(Conflict):
    code = "invalid_attention_transition"


class InvalidAttentionAction(Unprocessable):
    code = "invalid_attention_action"


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff member (id and name as the history keeps them), or an API key (no id)."""

    staff_id: str | None
    name: str


@dataclass(frozen=True)
class Filters:
    """The list's filters: state, kind, assignee (a staff id, or "unassigned"), older than."""

    state: str = "active"
    kind: str | None = None
    assignee: str | None = None
    older_than: timedelta | None = None


def state_of(item: AttentionItem) -> State:
    if item.closed_at is not None:
        return State.resolved
    if item.acknowledged_at is not None:
        return State.acknowledged
    return State.open


def get_item(uow: UnitOfWork, merchant_id: str, item_id: str, *, lock: bool = False) -> AttentionItem:
    item = repository.item(uow, merchant_id, item_id, lock=lock)
    if item is None:
        raise AttentionItemNotFound(f"no attention item {item_id!r}")
    return item


def history(uow: UnitOfWork, merchant_id: str, item_id: str) -> list[AttentionActivity]:
    """The item's history, oldest first."""
    return repository.activity(uow, merchant_id, [item_id]).get(item_id, [])


def find_items(
    uow: UnitOfWork, merchant_id: str, filters: Filters, *, now: datetime, limit: int = 200
) -> list[AttentionItem]:
    """The items the filters keep, longest waiting first among the unresolved, newest first otherwise."""
    return repository.find_items(uow, merchant_id, filters, now=now, limit=limit)


def log_activity(
    uow: UnitOfWork, item: AttentionItem, action: str, actor: Actor | None, body: str, now: datetime
) -> AttentionActivity:
    entry = AttentionActivity(
        id=new_id("aac"),
        merchant_id=item.merchant_id,
        item_id=item.id,
        action=action,
        staff_id=actor.staff_id if actor else None,
        author=actor.name if actor else SYSTEM_AUTHOR,
        body=body,
        at=now,
    )
    uow.session.add(entry)
    return entry


def log_closed_by_itself(uow: UnitOfWork, item: AttentionItem, reason: str, now: datetime) -> None:
    """The history's line for an item the checks closed."""
    log_activity(uow, item, "closed", None, reason, now)


def _open(item: AttentionItem) -> None:
    if item.closed_at is not None:
        raise AttentionItemClosed("this item is resolved already; nothing more can be done to it but notes")


def assign(
    uow: UnitOfWork, merchant_id: str, item_id: str, assignee_id: str | None, actor: Actor, *, now: datetime
) -> AttentionItem:
    """Give the item to a staff member of the same merchant (None: to nobody)."""
    item = get_item(uow, merchant_id, item_id, lock=True)
    _open(item)
    if assignee_id == item.assignee_id:
        return item
    if assignee_id is None:
        item.assignee_id = None
        log_activity(uow, item, "unassigned", actor, "", now)
        return item
    assignee = staff_service.colleague(uow, merchant_id, assignee_id)
    item.assignee_id = assignee.id
    log_activity(uow, item, "assigned", actor, assignee.name, now)
    return item


def acknowledge(
    uow: UnitOfWork, merchant_id: str, item_id: str, actor: Actor, *, now: datetime
) -> AttentionItem:
    """Someone is on it: open -> acknowledged (taking it, when nobody has it)."""
    item = get_item(uow, merchant_id, item_id, lock=True)
    _open(item)
    if item.acknowledged_at is not None:
        raise InvalidAttentionTransition("this item is acknowledged already")
    item.acknowledged_at = now
    item.acknowledged_by = actor.staff_id
    log_activity(uow, item, "acknowledged", actor, "", now)
    if item.assignee_id is None and actor.staff_id is not None:
        item.assignee_id = actor.staff_id
        log_activity(uow, item, "assigned", actor, actor.name, now)
    return item


def add_note(
    uow: UnitOfWork, merchant_id: str, item_id: str, text: str, actor: Actor, *, now: datetime
) -> AttentionActivity:
    """A note on the item (allowed after it is resolved too: the history goes on)."""
    text = text.strip()
    if not 1 <= len(text) <= NOTE_LENGTH:
        raise InvalidAttentionAction(f"a note must be 1 to {NOTE_LENGTH} characters")
    item = get_item(uow, merchant_id, item_id)
    return log_activity(uow, item, "note", actor, text, now)


def resolve(
    uow: UnitOfWork,
    merchant_id: str,
    item_id: str,
    resolution: str,
    note: str,
    actor: Actor,
    *,
    now: datetime,
) -> AttentionItem:
    """Open or acknowledged -> resolved, with a reason from :data:`RESOLUTIONS` and free text."""
    if resolution not in RESOLUTIONS:
        raise InvalidAttentionAction(f"the reason must be one of {', '.join(RESOLUTIONS)}")
    note = " ".join(note.split())
    if resolution == "other" and not note:
        raise InvalidAttentionAction("say why when the reason is 'other'")
    if len(note) > RESOLUTION_NOTE_LENGTH:
        raise InvalidAttentionAction(
            f"the resolution note must be at most {RESOLUTION_NOTE_LENGTH} characters"
        )
    item = get_item(uow, merchant_id, item_id, lock=True)
    _open(item)
    item.closed_at = now
    item.resolution = resolution
    item.close_reason = note or None
    item.resolved_by = actor.staff_id
    log_activity(uow, item, "resolved", actor, RESOLUTIONS[resolution] + (f": {note}" if note else ""), now)
    uow.record(AttentionClosed(merchant_id, item.shipment_id, item.order_id, item.kind))
    uow.record(
        AttentionResolved(
            merchant_id, item.id, item.shipment_id, item.order_id, item.kind, resolution, actor.staff_id
        )
    )
    return item


def message_shopper(
    uow: UnitOfWork, merchant_id: str, item_id: str, text: str, actor: Actor, *, now: datetime
) -> AttentionActivity:
    """Send the shopper ``text`` (their channels, their opt-outs) and keep it on the item."""
    text = text.strip()
    if not 1 <= len(text) <= MESSAGE_LENGTH:
        raise InvalidAttentionAction(f"a message must be 1 to {MESSAGE_LENGTH} characters")
    item = get_item(uow, merchant_id, item_id)
    entry = log_activity(uow, item, "messaged", actor, text, now)
    uow.record(ShopperMessaged(merchant_id, entry.id, item.order_id, item.shipment_id, text))
    return entry
