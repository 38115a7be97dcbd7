"""Backorders: what no warehouse had when an order was confirmed, filled as units come free.

Units come free when goods arrive (a receipt, a count or an adjustment that finds more),
when an order lets go of its holds (cancelled) and when a shipment carries units from free
stock that another warehouse was holding. Each of those calls :func:`fill_backorders` in
the same transaction, so the level a caller reads back already shows the new holds. Filling
touches only inventory's own tables; each filled line is recorded as
:class:`~ordertrack.events.BackorderFilled` for whoever wants to react.
"""

from __future__ import annotations

from collections.abc import Iterable

from ordertrack.db.uow import UnitOfWork
from ordertrack.events import BackorderFilled
from ordertrack.inventory import repository
from ordertrack.inventory.ledger import add_reservation, move
from ordertrack.inventory.rules import MovementKind
from ordertrack.kit.clock import utcnow


def fill_backorders(uow: UnitOfWork, merchant_id: str, sku: str, *, actor: str) -> None:
    """Reserve newly available units of ``sku`` for backorders, oldest order first."""
    waiting = repository.waiting_backorders(uow, merchant_id, sku)
    if not waiting:
        return
    preference = {w.id: i for i, w in enumerate(repository.warehouses(uow, merchant_id))}
    levels = sorted(
        repository.locked_levels(uow, merchant_id, [sku]),
        key=lambda level: preference.get(level.warehouse_id, 0),
    )
    now = utcnow()
    for backorder in waiting:
        for level in levels:
            take = min(backorder.quantity, level.on_hand - level.reserved)
            if take <= 0:
                continue
            move(
                uow,
                level,
                MovementKind.reservation,
                take,
                actor=actor,
                reason="backorder filled",
                order_id=backorder.order_id,
                now=now,
            )
            add_reservation(
                uow,
                merchant_id,
                backorder.order_id,
                backorder.order_line_id,
                level.warehouse_id,
                sku,
                take,
                now,
            )
            backorder.quantity -= take
            uow.record(
                BackorderFilled(
                    merchant_id=merchant_id,
                    order_id=backorder.order_id,
                    order_line_id=backorder.order_line_id,
                    warehouse=repository.warehouse_code(uow, level.warehouse_id),
                    sku=sku,
                    quantity=take,
                    remaining=backorder.quantity,
                )
            )
            if backorder.quantity == 0:
                break
        if backorder.quantity == 0:
            uow.session.delete(backorder)
    uow.flush()


def fill_backorders_of(uow: UnitOfWork, merchant_id: str, skus: Iterable[str], *, actor: str) -> int:
    """Fill the backorders of every SKU here that has some; how many SKUs had backorders."""
    grown = set(skus)
    if not grown:
        return 0
    waiting = sorted(grown & repository.backordered_skus(uow, merchant_id))
    for sku in waiting:
        fill_backorders(uow, merchant_id, sku, actor=actor)
    return len(waiting)
