"""What inventory records on the unit of work: the facts other features react to.

Inventory sits low in the layers: it never calls orders or notifications. A receipt, a count
that finds more, a filled backorder and a level falling below its threshold are recorded as
events; the handler table decides who hears of them (the staff's low-stock message).
"""

from __future__ import annotations

from ordertrack.db.uow import Database, UnitOfWork
from ordertrack.events import BackorderFilled, Event, StockRanLow, StockReceived
from ordertrack.inventory import count_import
from ordertrack.inventory import service as inventory
from ordertrack.inventory.stock_csv import StockRow
from tests.integration.test_inventory import TENT, confirm, place, stock, warehouse


def recorded(uow: UnitOfWork) -> list[Event]:
    """The events recorded so far in this unit of work, handlers not yet run."""
    return list(uow.events)


def test_a_receipt_records_the_units_and_each_backorder_it_fills_oldest_first(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    newer = place(db, m, "new", [(TENT, 2)], placed_at="2026-11-05T10:00:00Z")
    older = place(db, m, "old", [(TENT, 2)], placed_at="2026-11-01T10:00:00Z")
    confirm(db, m, newer)
    confirm(db, m, older)
    with db.uow() as uow:
        inventory.receive_stock(uow, m, "EAST", TENT, 3, actor="test")
        events = recorded(uow)
        uow.commit()
    assert events[0] == StockReceived(merchant_id=m, warehouse="EAST", sku=TENT, quantity=3)
    fills = [e for e in events if isinstance(e, BackorderFilled)]
    assert [(f.order_id, f.warehouse, f.quantity, f.remaining) for f in fills] == [
        (older, "EAST", 2, 0),
        (newer, "EAST", 1, 1),
    ]


def test_a_count_records_a_receipt_only_for_units_it_finds(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    stock(db, m, "EAST", TENT, 5)
    with db.uow() as uow:
        inventory.set_stock(uow, m, "EAST", TENT, 3, actor="test")
        inventory.adjust_stock(uow, m, "EAST", TENT, -1, actor="test", reason="damaged")
        fewer = recorded(uow)
        inventory.set_stock(uow, m, "EAST", TENT, 6, actor="test")
        more = recorded(uow)[len(fewer) :]
        uow.commit()
    assert [e for e in fewer if isinstance(e, StockReceived)] == []
    assert more == [StockReceived(merchant_id=m, warehouse="EAST", sku=TENT, quantity=4)]


def test_falling_below_the_threshold_records_stock_ran_low_once_per_crossing(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    with db.uow() as uow:
        inventory.set_stock(uow, m, "EAST", TENT, 5, threshold=4, actor="test")
        inventory.adjust_stock(uow, m, "EAST", TENT, -2, actor="test", reason="damaged")  # 3 < 4
        inventory.adjust_stock(uow, m, "EAST", TENT, -1, actor="test", reason="damaged")  # still below
        inventory.adjust_stock(uow, m, "EAST", TENT, 5, actor="test", reason="found")  # back above
        inventory.adjust_stock(uow, m, "EAST", TENT, -6, actor="test", reason="lost")  # below again
        lows = [e for e in recorded(uow) if isinstance(e, StockRanLow)]
        uow.commit()
    assert [(e.warehouse, e.sku, e.available, e.threshold) for e in lows] == [
        ("EAST", TENT, 3, 4),
        ("EAST", TENT, 1, 4),
    ]
    assert len({e.alert_id for e in lows}) == 2


def test_a_count_import_records_what_a_count_at_a_time_would(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    stock(db, m, "EAST", "LAMP", 9)
    rows = [
        StockRow(2, "EAST", TENT, 5, None),
        StockRow(3, "EAST", "MUG", 1, 2),  # found, and under its threshold
        StockRow(4, "EAST", "LAMP", 4, None),  # fewer than before: no receipt
    ]
    with db.uow() as uow:
        plan = count_import.plan_counts(uow, m, rows)
        count_import.apply_counts(uow, plan, actor="test", reason="import")
        events = recorded(uow)
        uow.commit()
    received = sorted((e.sku, e.quantity) for e in events if isinstance(e, StockReceived))
    assert received == [("MUG", 1), (TENT, 5)]
    assert [(e.sku, e.available, e.threshold) for e in events if isinstance(e, StockRanLow)] == [
        ("MUG", 1, 2)
    ]
