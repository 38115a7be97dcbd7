"""What stock an order holds now: its reservations by warehouse, and what is backordered.

A read for the pages that must say what an action will do to stock (cancelling an order
gives these units back) and where an order should ship from (the warehouse holding its units).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ordertrack.db.uow import UnitOfWork
from ordertrack.inventory import repository
from ordertrack.inventory.service import list_warehouses


@dataclass(frozen=True)
class OrderHoldings:
    """Units reserved for one order, per warehouse code and SKU, and the units backordered per SKU."""

    reserved: dict[str, dict[str, int]] = field(default_factory=dict)  # warehouse code -> sku -> units
    backordered: dict[str, int] = field(default_factory=dict)  # sku -> units

    @property
    def units_reserved(self) -> int:
        return sum(sum(skus.values()) for skus in self.reserved.values())

    def main_warehouse(self) -> str | None:
        """The warehouse holding the most of the order's units (ties: the first code)."""
        if not self.reserved:
            return None
        totals = Counter({code: sum(skus.values()) for code, skus in self.reserved.items()})
        return min(totals, key=lambda code: (-totals[code], code))


def held_for_order(uow: UnitOfWork, merchant_id: str, order_id: str) -> OrderHoldings:
    reservations = repository.reservations_of_order(uow, merchant_id, order_id)
    backorders = repository.backorders_of_order(uow, merchant_id, order_id)
    codes = {w.id: w.code for w in list_warehouses(uow, merchant_id)} if reservations else {}
    reserved: dict[str, dict[str, int]] = {}
    for r in reservations:
        if r.quantity <= 0:
            continue
        skus = reserved.setdefault(codes.get(r.warehouse_id, r.warehouse_id), {})
        skus[r.sku] = skus.get(r.sku, 0) + r.quantity
    backordered: dict[str, int] = {}
    for b in backorders:
        if b.quantity > 0:
            backordered[b.sku] = backordered.get(b.sku, 0) + b.quantity
    return OrderHoldings(reserved, backordered)
