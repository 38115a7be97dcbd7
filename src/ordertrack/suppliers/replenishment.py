"""Pure reorder arithmetic: for one SKU at one warehouse, when the stock runs out at the recent
rate of sales, whether that is before the next inbound arrives, and how much to order.

No session, no clock. The rule (docs/suppliers.md, "Reorder suggestions"):

- ``rate`` = units shipped from the warehouse over the last :data:`SALES_WINDOW_DAYS` days ÷
  that many days.
- ``available`` = on hand − reserved − units backordered (waiting for stock, counted at the
  warehouse that ships the SKU first).
- days of cover = available ÷ rate; it runs out on today + ⌊days of cover⌋, *before the next
  inbound* when that is earlier than the first open purchase order's expected arrival or,
  with nothing on order, than an order placed today would arrive (today + lead days).
- the order-up-to level covers the supplier's lead time at its p90 (its business days turned
  into calendar days), a review period (:data:`REVIEW_DAYS`, how long until the merchant
  looks again) and safety stock (:data:`SAFETY_DAYS` of sales against a busier week than
  usual): ``target = ⌈rate × (lead days + REVIEW_DAYS + SAFETY_DAYS)⌉``.
- suggested = target − available − open inbound (units still to come on sent or draft
  purchase orders), never below zero.

Example: 4 units a day, 30 available, nothing on order, a supplier whose p90 is 10 business
days (14 calendar days): it runs out in 7 days, before anything could arrive; the target is
⌈4 × (14 + 7 + 7)⌉ = 112, so the suggestion is 112 − 30 − 0 = 82 units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

SALES_WINDOW_DAYS = 28
REVIEW_DAYS = 7
SAFETY_DAYS = 7


@dataclass(frozen=True)
class StockPosition:
    """One SKU at one warehouse, as the ledger and open purchase orders have it."""

    on_hand: int
    reserved: int
    backordered: int  # units of customer orders waiting for this SKU, counted here
    shipped_recently: int  # units shipped in the last SALES_WINDOW_DAYS days
    inbound: int  # units still to come on open purchase orders
    next_inbound_on: date | None  # when the first of them is expected; None: no date known


@dataclass(frozen=True)
class ReorderAdvice:
    daily_rate: float
    available: int
    days_of_cover: float | None  # None: nothing sells, it never runs out
    runs_out_on: date | None
    runs_out_before_inbound: bool
    order_up_to: int
    suggested_quantity: int


def sales_rate(shipped: int, window_days: int = SALES_WINDOW_DAYS) -> float:
    return max(0, shipped) / window_days


def advise(position: StockPosition, *, today: date, lead_days: int) -> ReorderAdvice:
    """What to do about one SKU at one warehouse; ``lead_days`` in calendar days."""
    rate = sales_rate(position.shipped_recently)
    available = position.on_hand - position.reserved - position.backordered
    if rate > 0:
        cover: float | None = max(0.0, available / rate)
        runs_out_on: date | None = today + timedelta(days=math.floor(cover))
    else:
        cover = None
        runs_out_on = today if available < 0 else None
    # Nothing (dated) on order: the next inbound is the earliest an order placed today arrives.
    coming = position.next_inbound_on if position.inbound > 0 else None
    next_inbound = coming or today + timedelta(days=lead_days)
    before_inbound = runs_out_on is not None and runs_out_on < next_inbound
    target = math.ceil(rate * (lead_days + REVIEW_DAYS + SAFETY_DAYS))
    # available is below zero when backorders exceed the stock: the suggestion covers them too.
    suggested = max(0, target - available - max(0, position.inbound))
    return ReorderAdvice(
        daily_rate=rate,
        available=available,
        days_of_cover=cover,
        runs_out_on=runs_out_on,
        runs_out_before_inbound=before_inbound,
        order_up_to=target,
        suggested_quantity=suggested,
    )
