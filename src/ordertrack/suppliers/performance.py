"""Supplier performance read from the facts: each sent purchase order's lines, its receipts and
its ASNs' arrivals, turned into the pure :mod:`ordertrack.suppliers.scoring` outcomes.

``learned_lead_time`` is what other features ask (late inbound checks, promises from inbound,
reorder suggestions): business days from sending an order to its first goods arriving.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, timedelta

from ordertrack.db.uow import UnitOfWork
from ordertrack.kit.clock import utcnow
from ordertrack.suppliers import repository
from ordertrack.suppliers.calendar import SupplierCalendar, local_date
from ordertrack.suppliers.model import PurchaseOrder, Supplier
from ordertrack.suppliers.rules import PurchaseOrderStatus
from ordertrack.suppliers.scoring import (
    WINDOW_DAYS,
    LeadTime,
    LineOutcome,
    PurchaseOutcome,
    Scorecard,
    scorecard,
)
from ordertrack.suppliers.service import find_supplier


def calendar_of(supplier: Supplier) -> SupplierCalendar:
    return SupplierCalendar(supplier.holiday_country, supplier.holiday_subdivision)


def _outcomes(
    uow: UnitOfWork, merchant_id: str, suppliers: Collection[Supplier], since: datetime
) -> dict[str, list[PurchaseOutcome]]:
    """Each supplier's orders sent since ``since`` (not cancelled), as outcomes: three queries."""
    by_id = {s.id: s for s in suppliers}
    orders = repository.sent_purchase_orders(uow, merchant_id, set(by_id), since)
    arrivals = repository.arrival_times(uow, merchant_id, [po.id for po in orders])
    outcomes: dict[str, list[PurchaseOutcome]] = defaultdict(list)
    for po in orders:
        supplier = by_id[po.supplier_id]
        times = arrivals.get(po.id, [])
        days = sorted(local_date(at, supplier.timezone) for at in times)
        outcomes[po.supplier_id].append(_outcome(po, supplier, days))
    return outcomes


def _outcome(po: PurchaseOrder, supplier: Supplier, arrival_days: list[date]) -> PurchaseOutcome:
    assert po.sent_at is not None
    return PurchaseOutcome(
        sent_on=local_date(po.sent_at, supplier.timezone),
        promised_arrival=po.promised_arrival_date,
        first_arrival=arrival_days[0] if arrival_days else None,
        last_arrival=arrival_days[-1] if arrival_days else None,
        closed=po.status == PurchaseOrderStatus.received,
        lines=tuple(
            LineOutcome(
                ordered=line.quantity,
                confirmed=line.confirmed_quantity,
                received=line.received_quantity,
                damaged=line.damaged_quantity,
                short_closed=line.short_closed_at is not None,
            )
            for line in po.lines
        ),
    )


def scorecards(
    uow: UnitOfWork, merchant_id: str, suppliers: Collection[Supplier], *, now: datetime | None = None
) -> dict[str, Scorecard]:
    """The performance of each of ``suppliers`` over the last :data:`WINDOW_DAYS` days."""
    now = now or utcnow()
    outcomes = _outcomes(uow, merchant_id, suppliers, now - timedelta(days=WINDOW_DAYS))
    cards = {}
    for supplier in suppliers:
        calendar = calendar_of(supplier)
        cards[supplier.id] = scorecard(
            outcomes.get(supplier.id, []),
            today=local_date(now, supplier.timezone),
            default_lead_time_days=supplier.lead_time_days,
            business_days_between=calendar.business_days_between,
        )
    return cards


def supplier_scorecard(
    uow: UnitOfWork, merchant_id: str, supplier_id: str, *, now: datetime | None = None
) -> tuple[Supplier, Scorecard]:
    """One supplier's performance (404 supplier_not_found for another merchant's)."""
    supplier = find_supplier(uow, merchant_id, supplier_id)
    return supplier, scorecards(uow, merchant_id, [supplier], now=now)[supplier.id]


def learned_lead_time(
    uow: UnitOfWork, merchant_id: str, supplier_id: str, *, now: datetime | None = None
) -> LeadTime:
    """Business days from sending an order to its first goods arriving, p50 and p90, learned
    from the supplier's orders of the last :data:`WINDOW_DAYS` days; with fewer than
    ``scoring.MIN_LEAD_TIME_SAMPLES`` of them, the supplier's stated lead time
    (``basis="default"``)."""
    return supplier_scorecard(uow, merchant_id, supplier_id, now=now)[1].lead_time


def learned_lead_times(
    uow: UnitOfWork, merchant_id: str, suppliers: Collection[Supplier], *, now: datetime | None = None
) -> dict[str, LeadTime]:
    """:func:`learned_lead_time` for several suppliers at once (three queries in all)."""
    return {sid: card.lead_time for sid, card in scorecards(uow, merchant_id, suppliers, now=now).items()}


def expected_arrival(supplier: Supplier, sent_at: datetime, lead_time: LeadTime, *, p90: bool = True) -> date:
    """The day an order sent at ``sent_at`` should arrive by the lead time (its p90 by default:
    later than that is late for this supplier), in the supplier's calendar."""
    days = lead_time.p90_days if p90 else lead_time.p50_days
    return calendar_of(supplier).add_business_days(local_date(sent_at, supplier.timezone), days)
