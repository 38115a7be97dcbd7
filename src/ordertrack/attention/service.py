"""Attention items: a shipment in trouble, opened when the rules find it and closed by itself
when the shipment moves on.

The checks (:mod:`ordertrack.checks`) evaluate the rules and hand the verdicts here; this
feature keeps its items and records ``AttentionOpened``/``AttentionClosed`` (the order's
``attention`` flag and the staff's ``needs_attention`` message are handlers of those).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ordertrack.attention import repository, workflow
from ordertrack.attention.model import AttentionItem
from ordertrack.attention.rules import Kind, Verdict
from ordertrack.db.uow import UnitOfWork
from ordertrack.events import AttentionClosed, AttentionOpened
from ordertrack.kit.ids import new_id
from ordertrack.kit.pagination import Page
from ordertrack.statuses import FINISHED_SHIPMENT_STATUSES

DETAIL_LENGTH = 300
# Kinds staff open through another feature, not the checks: the checks neither open nor close them.
LOW_RATING = "low_rating"
NOT_FROM_CHECKS = frozenset({LOW_RATING})


@dataclass(frozen=True)
class Finding:
    """The rules' verdict on one shipment, with what closing an item needs to say."""

    shipment_id: str
    order_id: str
    status: str
    verdict: Verdict


@dataclass
class Changes:
    opened: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    closed: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def apply_findings(uow: UnitOfWork, merchant_id: str, findings: Sequence[Finding], now: datetime) -> Changes:
    """Open an item for each kind found that has none open, refresh what was seen on the open
    ones, close the kinds no longer found; record each opening and closing."""
    changes = Changes()
    current = repository.open_items(uow, merchant_id, [f.shipment_id for f in findings])
    quiet = repository.resolved_while_holding(uow, merchant_id, [f.shipment_id for f in findings])
    for finding in findings:
        items = current.get(finding.shipment_id, {})
        resolved = quiet.get(finding.shipment_id, {})
        for name, item in resolved.items():
            # The problem staff resolved by hand has gone: if it comes back, it is a new item.
            if name not in NOT_FROM_CHECKS and Kind(name) not in finding.verdict.open:
                item.problem_ended_at = now
        for kind, detail in finding.verdict.open.items():
            detail = detail[:DETAIL_LENGTH]
            if kind not in items and str(kind) in resolved:
                continue  # staff resolved this very problem and it still holds: not a new one
            if kind not in items:
                uow.session.add(
                    AttentionItem(
                        id=new_id("att"),
                        merchant_id=merchant_id,
                        shipment_id=finding.shipment_id,
                        order_id=finding.order_id,
                        kind=str(kind),
                        detail=detail,
                        # Since when the problem is there, not since the check saw it.
                        opened_at=finding.verdict.began.get(kind, now),
                    )
                )
                uow.record(
                    AttentionOpened(
                        merchant_id, finding.shipment_id, finding.order_id, str(kind), detail=detail, at=now
                    )
                )
                changes.opened[str(kind)] += 1
            elif items[kind].detail != detail:
                items[kind].detail = detail
        for name, item in items.items():
            if name not in NOT_FROM_CHECKS and Kind(name) not in finding.verdict.open:
                item.closed_at = now
                item.problem_ended_at = now
                item.close_reason = why_closed(Kind(name), finding.status)
                workflow.log_closed_by_itself(uow, item, item.close_reason, now)
                uow.record(AttentionClosed(merchant_id, finding.shipment_id, finding.order_id, name))
                changes.closed[name] += 1
    return changes


def open_for_low_rating(
    uow: UnitOfWork, merchant_id: str, shipment_id: str, order_id: str, detail: str, now: datetime
) -> AttentionItem:
    """A shopper rated the delivery 1-2 stars: an item on the shipment (the open one, refreshed,
    when it has one already). Staff resolve it; the checks never close it."""
    detail = detail[:DETAIL_LENGTH]
    item = repository.open_items(uow, merchant_id, [shipment_id]).get(shipment_id, {}).get(LOW_RATING)
    if item is not None:
        item.detail = detail
        return item
    item = AttentionItem(
        id=new_id("att"),
        merchant_id=merchant_id,
        shipment_id=shipment_id,
        order_id=order_id,
        kind=LOW_RATING,
        detail=detail,
        opened_at=now,
    )
    uow.session.add(item)
    uow.record(AttentionOpened(merchant_id, shipment_id, order_id, LOW_RATING, detail=detail, at=now))
    return item


def why_closed(kind: Kind, status: str) -> str:
    if status in FINISHED_SHIPMENT_STATUSES:
        return f"the shipment was {status}"
    return {
        Kind.stalled: "a new scan",
        Kind.likely_lost: "a new scan",
        Kind.not_picked_up: "the carrier scanned it",
        Kind.exception: f"the shipment moved on ({status.replace('_', ' ')})",
        Kind.late: "the promise was kept after all",
    }[kind]


def orders_needing_attention(uow: UnitOfWork, merchant_id: str, order_ids: Sequence[str]) -> set[str]:
    """Those of these orders with an open item (the order's ``attention`` flag)."""
    return repository.orders_with_open_items(uow, merchant_id, order_ids)


def list_items(
    uow: UnitOfWork,
    merchant_id: str,
    *,
    state: str | None,
    kind: str | None,
    order_id: str | None,
    shipment_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[AttentionItem]:
    return repository.list_items(
        uow,
        merchant_id,
        state=state,
        kind=kind,
        order_id=order_id,
        shipment_id=shipment_id,
        cursor=cursor,
        limit=limit,
    )


def items_for_orders(
    uow: UnitOfWork, merchant_id: str, order_ids: list[str]
) -> dict[str, list[AttentionItem]]:
    return repository.items_for_orders(uow, merchant_id, order_ids)


def open_items(uow: UnitOfWork, merchant_id: str, limit: int = 200) -> list[AttentionItem]:
    """Open items, newest first (the dashboard's list)."""
    return repository.newest_open_items(uow, merchant_id, limit)
