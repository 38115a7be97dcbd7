"""Stock on a real database: reservations, splits, backorders, releases, shipments, races."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import func, select

from ordertrack.db.uow import Database
from ordertrack.inventory import count_import
from ordertrack.inventory import service as inventory
from ordertrack.inventory.model import Backorder, Reservation, StockAlert, StockLevel
from ordertrack.inventory.rules import MAX_ON_HAND, StockOutOfRange
from ordertrack.inventory.schemas import WarehouseIn
from ordertrack.inventory.stock_csv import StockRow
from ordertrack.kit.schema import AddressIn
from ordertrack.orders import service as orders_service
from ordertrack.orders.schemas import OrderIn
from tests.integration.scenario import order_payload, ship

TENT, MUG = "TENT-2P", "MUG-STEEL"


def warehouse(db: Database, merchant_id: str, code: str, priority: int = 100, country: str = "US") -> None:
    with db.uow() as uow:
        inventory.create_warehouse(
            uow,
            merchant_id,
            WarehouseIn(
                code=code,
                name=f"Warehouse {code}",
                address=AddressIn(line1="1 Dock Road", city="Austin", country=country),
                timezone="America/Chicago",
                priority=priority,
            ),
        )
        uow.commit()


def stock(
    db: Database, merchant_id: str, code: str, sku: str, on_hand: int, threshold: int | None = None
) -> None:
    with db.uow() as uow:
        inventory.set_stock(uow, merchant_id, code, sku, on_hand, threshold=threshold, actor="test")
        uow.commit()


def receive(db: Database, merchant_id: str, code: str, sku: str, quantity: int) -> None:
    with db.uow() as uow:
        inventory.receive_stock(uow, merchant_id, code, sku, quantity, actor="test")
        uow.commit()


def place(
    db: Database, merchant_id: str, number: str, lines: list[tuple[str, int]], placed_at: str | None = None
) -> str:
    payload = order_payload(number, lines=[{"sku": s, "quantity": q, "unit_price": "10"} for s, q in lines])
    if placed_at:
        payload["placed_at"] = placed_at
    with db.uow() as uow:
        order = orders_service.place_order(uow, merchant_id, OrderIn.model_validate(payload))
        uow.commit()
        return order.id


def confirm(db: Database, merchant_id: str, order_id: str) -> None:
    with db.uow() as uow:
        orders_service.confirm_order(uow, merchant_id, order_id)
        uow.commit()


def cancel(db: Database, merchant_id: str, order_id: str) -> None:
    with db.uow() as uow:
        orders_service.cancel_order(uow, merchant_id, order_id)
        uow.commit()


def levels(db: Database, merchant_id: str) -> dict[tuple[str, str], tuple[int, int]]:
    with db.uow(write=False) as uow:
        return {
            (code, lvl.sku): (lvl.on_hand, lvl.reserved)
            for lvl, code in inventory.list_stock(uow, merchant_id, sku=None, warehouse=None, low=None)
        }


def held(db: Database, merchant_id: str, order_id: str) -> dict[str, int]:
    with db.uow(write=False) as uow:
        rows = uow.session.scalars(select(Reservation).where(Reservation.order_id == order_id)).all()
        codes = {w.id: w.code for w in inventory.list_warehouses(uow, merchant_id)}
        return {f"{codes[r.warehouse_id]}:{r.sku}": r.quantity for r in rows}


def backordered(db: Database, order_id: str) -> dict[str, int]:
    with db.uow(write=False) as uow:
        return {
            b.sku: b.quantity
            for b in uow.session.scalars(select(Backorder).where(Backorder.order_id == order_id))
        }


def assert_levels_equal_ledger(db: Database, merchant_id: str) -> None:
    with db.uow(write=False) as uow:
        sums = inventory.ledger_sums(uow, merchant_id)
        for level in uow.session.scalars(select(StockLevel).where(StockLevel.merchant_id == merchant_id)):
            assert sums.get((level.warehouse_id, level.sku), (0, 0)) == (level.on_hand, level.reserved)
            assert 0 <= level.reserved <= level.on_hand


def test_confirmation_reserves_from_the_one_warehouse_that_fills_the_order(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST", priority=1)
    warehouse(db, m, "WEST", priority=2)
    stock(db, m, "EAST", TENT, 5)
    stock(db, m, "WEST", TENT, 5)
    stock(db, m, "WEST", MUG, 5)
    order = place(db, m, "1", [(TENT, 2), (MUG, 1)])
    confirm(db, m, order)
    assert held(db, m, order) == {f"WEST:{TENT}": 2, f"WEST:{MUG}": 1}
    assert levels(db, m)[("WEST", TENT)] == (5, 2)
    assert_levels_equal_ledger(db, m)


def test_a_warehouse_in_the_shoppers_country_is_preferred_over_priority(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "LEJ", priority=1, country="DE")
    warehouse(db, m, "AUS", priority=2)  # the shopper in order_payload lives in the US
    for code in ("LEJ", "AUS"):
        stock(db, m, code, TENT, 5)
    domestic = place(db, m, "1", [(TENT, 2)])
    confirm(db, m, domestic)
    assert held(db, m, domestic) == {f"AUS:{TENT}": 2}
    # When the domestic warehouse cannot fill the order alone, one abroad that can wins.
    abroad = place(db, m, "2", [(TENT, 4)])
    confirm(db, m, abroad)
    assert held(db, m, abroad) == {f"LEJ:{TENT}": 4}
    assert_levels_equal_ledger(db, m)


def test_order_whose_lines_sit_in_two_warehouses_ships_as_two_shipments(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    warehouse(db, m, "WEST")
    stock(db, m, "EAST", TENT, 2)
    stock(db, m, "WEST", MUG, 1)
    order = place(db, m, "1", [(TENT, 2), (MUG, 1)])
    confirm(db, m, order)
    assert held(db, m, order) == {f"EAST:{TENT}": 2, f"WEST:{MUG}": 1}

    ship(db, m, order, "1ZEAST1", warehouse="EAST", lines=[{"sku": TENT, "quantity": 2}])
    with db.uow(write=False) as uow:
        assert orders_service.find_order(uow, m, order).status == "partially_shipped"
    assert held(db, m, order) == {f"WEST:{MUG}": 1}  # the rest stays reserved
    assert levels(db, m)[("EAST", TENT)] == (0, 0)

    ship(db, m, order, "1ZWEST1", warehouse="WEST")
    with db.uow(write=False) as uow:
        assert orders_service.find_order(uow, m, order).status == "shipped"
    assert held(db, m, order) == {}
    assert levels(db, m)[("WEST", MUG)] == (0, 0)
    assert_levels_equal_ledger(db, m)


def test_backorders_fill_oldest_order_first_when_stock_arrives(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    stock(db, m, "EAST", TENT, 1)
    newer = place(db, m, "new", [(TENT, 2)], placed_at="2026-11-05T10:00:00Z")
    older = place(db, m, "old", [(TENT, 2)], placed_at="2026-11-01T10:00:00Z")
    confirm(db, m, newer)  # takes the one unit there is
    confirm(db, m, older)
    assert (backordered(db, newer), backordered(db, older)) == ({TENT: 1}, {TENT: 2})

    receive(db, m, "EAST", TENT, 2)
    assert backordered(db, older) == {} and held(db, m, older) == {f"EAST:{TENT}": 2}
    assert backordered(db, newer) == {TENT: 1}
    receive(db, m, "EAST", TENT, 5)
    assert backordered(db, newer) == {}
    assert levels(db, m)[("EAST", TENT)] == (8, 4)
    assert_levels_equal_ledger(db, m)


def test_cancelling_releases_everything_the_order_held(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    stock(db, m, "EAST", TENT, 3)
    first = place(db, m, "1", [(TENT, 3)])
    second = place(db, m, "2", [(TENT, 2)])
    confirm(db, m, first)
    confirm(db, m, second)
    assert backordered(db, second) == {TENT: 2}
    cancel(db, m, first)
    # The released units go straight to the waiting order.
    assert held(db, m, first) == {} and held(db, m, second) == {f"EAST:{TENT}": 2}
    assert levels(db, m)[("EAST", TENT)] == (3, 2)
    cancel(db, m, second)
    assert levels(db, m)[("EAST", TENT)] == (3, 0)
    assert_levels_equal_ledger(db, m)


def test_low_stock_alert_is_raised_once_per_crossing(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    stock(db, m, "EAST", TENT, 10, threshold=5)
    for number in ("1", "2", "3"):
        confirm(db, m, place(db, m, number, [(TENT, 2)]))  # available 8, 6, 4: crosses once
    receive(db, m, "EAST", TENT, 10)  # back above
    confirm(db, m, place(db, m, "4", [(TENT, 10)]))  # 14 - 10 = 4: crosses again
    with db.uow(write=False) as uow:
        alerts = uow.session.scalars(select(StockAlert).order_by(StockAlert.raised_at)).all()
    assert [(a.available, a.threshold) for a in alerts] == [(4, 5), (4, 5)]


def test_merchant_without_warehouses_tracks_without_stock_rules(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    order = place(db, m, "1", [(TENT, 1)])
    confirm(db, m, order)
    ship(db, m, order, "1ZFREE", warehouse="ANYWHERE")
    assert backordered(db, order) == {} and levels(db, m) == {}


@pytest.mark.parametrize("seed", range(3))
def test_random_orders_stock_and_cancellations_keep_levels_equal_to_the_ledger(
    db: Database, make_merchant, seed: int
) -> None:
    rng = random.Random(seed)
    m = make_merchant().merchant_id
    for code in ("EAST", "WEST"):
        warehouse(db, m, code)
        for sku in (TENT, MUG):
            stock(db, m, code, sku, rng.randint(0, 6))
    orders: list[str] = []
    for i in range(12):
        action = rng.random()
        if action < 0.55 or not orders:
            order = place(db, m, f"R{i}", [(rng.choice([TENT, MUG]), rng.randint(1, 4))])
            confirm(db, m, order)
            orders.append(order)
        elif action < 0.8:
            cancel(db, m, orders.pop(rng.randrange(len(orders))))
        else:
            receive(db, m, rng.choice(["EAST", "WEST"]), rng.choice([TENT, MUG]), rng.randint(1, 5))
        assert_levels_equal_ledger(db, m)
    for order in orders:
        cancel(db, m, order)
    assert all(reserved == 0 for _, reserved in levels(db, m).values())
    assert_levels_equal_ledger(db, m)


def test_fifty_concurrent_confirmations_never_oversell_ten_units(
    db: Database, make_merchant, backend: str
) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    stock(db, m, "EAST", TENT, 10)
    orders = [place(db, m, f"RACE-{i}", [(TENT, 1)]) for i in range(50)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(10)

    def confirm_some(chunk: list[str]) -> None:
        try:
            barrier.wait()
            for order in chunk:
                with db.uow() as uow:
                    orders_service.confirm_order(uow, m, order)
                    uow.commit()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=confirm_some, args=(orders[i::10],)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert levels(db, m)[("EAST", TENT)] == (10, 10)
    with db.uow(write=False) as uow:
        waiting = uow.session.scalar(
            select(func.count()).select_from(Backorder).where(Backorder.merchant_id == m)
        )
    assert waiting == 40
    assert_levels_equal_ledger(db, m)


# --- bounds ---------------------------------------------------------------------------------


def test_stock_beyond_what_a_level_holds_is_refused_before_the_database_sees_it(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    stock(db, m, "EAST", TENT, 1_000_000_000)
    receive(db, m, "EAST", TENT, 1_000_000_000)
    refused = [
        lambda uow: inventory.receive_stock(uow, m, "EAST", TENT, 1_000_000_000, actor="test"),
        lambda uow: inventory.adjust_stock(uow, m, "EAST", TENT, 147_483_648, actor="test", reason="found"),
        lambda uow: inventory.set_stock(uow, m, "EAST", TENT, MAX_ON_HAND + 1, actor="test"),
    ]
    for change in refused:
        with db.uow() as uow, pytest.raises(StockOutOfRange) as caught:
            change(uow)
        assert caught.value.code == "stock_out_of_range" and "2,147,483,647" in caught.value.message
    adjusted = 147_483_647  # exactly to the top is allowed
    with db.uow() as uow:
        inventory.adjust_stock(uow, m, "EAST", TENT, adjusted, actor="test", reason="found")
        uow.commit()
    assert levels(db, m)[("EAST", TENT)] == (MAX_ON_HAND, 0)
    assert_levels_equal_ledger(db, m)


# --- many counts at once --------------------------------------------------------------------


def import_counts(db: Database, merchant_id: str, rows: list[StockRow]) -> count_import.CountSummary:
    with db.uow() as uow:
        plan = count_import.plan_counts(uow, merchant_id, rows)
        assert plan.problems == []
        summary = count_import.apply_counts(uow, plan, actor="test", reason="import")
        uow.commit()
    return summary


def outcome(db: Database, merchant_id: str) -> dict[str, object]:
    """Everything a count touches, comparable between two merchants."""
    with db.uow(write=False) as uow:
        codes = {w.id: w.code for w in inventory.list_warehouses(uow, merchant_id)}
        level_rows = uow.session.scalars(select(StockLevel).where(StockLevel.merchant_id == merchant_id))
        return {
            "levels": sorted(
                (
                    codes[lv.warehouse_id],
                    lv.sku,
                    lv.on_hand,
                    lv.reserved,
                    lv.low_stock_threshold,
                    lv.below_threshold,
                    lv.location,
                )
                for lv in level_rows
            ),
            "ledger": sorted(
                (codes[w], s, sums) for (w, s), sums in inventory.ledger_sums(uow, merchant_id).items()
            ),
            "alerts": sorted(
                (codes[a.warehouse_id], a.sku, a.available, a.threshold)
                for a in uow.session.scalars(select(StockAlert).where(StockAlert.merchant_id == merchant_id))
            ),
            "backordered": sorted(
                (b.sku, b.quantity)
                for b in uow.session.scalars(select(Backorder).where(Backorder.merchant_id == merchant_id))
            ),
        }


@pytest.mark.parametrize("seed", range(2))
def test_a_count_import_ends_where_the_same_counts_one_by_one_end(
    db: Database, make_merchant, seed: int
) -> None:
    rng = random.Random(seed)
    skus = [TENT, MUG, "STOVE", "LAMP"]
    merchants = [make_merchant("One by one").merchant_id, make_merchant("Imported").merchant_id]
    first_counts = [
        (code, sku, rng.randint(0, 6), rng.choice([None, 2, 4])) for code in ("EAST", "WEST") for sku in skus
    ]
    orders = [(f"O{i}", [(rng.choice(skus), rng.randint(1, 5))]) for i in range(6)]
    recounts = [
        (code, sku, rng.randint(0, 9), rng.choice([None, 1, 5]), rng.choice([None, f"A-{n}"]))
        for n, (code, sku) in enumerate((c, s) for c in ("EAST", "WEST") for s in skus)
        if rng.random() < 0.8
    ]
    for index, m in enumerate(merchants):
        for code in ("EAST", "WEST"):
            warehouse(db, m, code)
        for code, sku, on_hand, threshold in first_counts:
            stock(db, m, code, sku, on_hand, threshold)
        for number, lines in orders:
            confirm(db, m, place(db, m, number, lines, placed_at=f"2026-11-0{1 + int(number[1:])}T09:00:00Z"))
        # Recounts never go under what is reserved: that is refused, tested below.
        reserved = {key: held for key, (_, held) in levels(db, m).items()}
        rows = [
            StockRow(line, code, sku, max(on_hand, reserved.get((code, sku), 0)), threshold, location)
            for line, (code, sku, on_hand, threshold, location) in enumerate(recounts, start=2)
        ]
        if index == 0:
            with db.uow() as uow:
                for row in rows:
                    inventory.set_stock(
                        uow,
                        m,
                        row.warehouse,
                        row.sku,
                        row.on_hand,
                        threshold=row.low_stock_threshold,
                        location=row.location,
                        actor="test",
                    )
                uow.commit()
        else:
            import_counts(db, m, rows)
        assert_levels_equal_ledger(db, m)
    assert outcome(db, merchants[0]) == outcome(db, merchants[1])


def test_a_count_import_names_every_row_it_cannot_apply_and_writes_nothing(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    stock(db, m, "EAST", TENT, 5)
    stock(db, m, "EAST", "LAMP", 7)
    confirm(db, m, place(db, m, "1", [(TENT, 3)]))
    before = outcome(db, m)
    rows = [StockRow(line, "EAST", f"SKU-{line}", line, None) for line in range(2, 600)]
    rows += [StockRow(600, "EAST", TENT, 2, None), StockRow(601, "NOWHERE", MUG, 1, None)]
    with db.uow() as uow:
        plan = count_import.plan_counts(uow, m, rows)
    assert [(p.line, p.message) for p in plan.problems] == [
        (600, "EAST/TENT-2P: 3 reserved; adjustment of -3 would leave 2 on hand under 3 reserved"),
        (601, "merchant has no warehouse 'NOWHERE'"),
    ]
    with db.uow() as uow, pytest.raises(ValueError):
        count_import.apply_counts(uow, plan, actor="test", reason="import")
    assert outcome(db, m) == before


def test_counting_again_what_was_imported_changes_nothing(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    rows = [StockRow(line, "EAST", f"SKU-{line}", line % 4, 2, "B-1") for line in range(2, 40)]
    first = import_counts(db, m, rows)
    assert (first.created, first.movements, first.alerts) == (38, 29, 18)  # counts 0 and 1 fall under 2
    again = import_counts(db, m, rows)
    assert (again.created, again.changed, again.unchanged, again.movements, again.alerts) == (0, 0, 38, 0, 0)
    with db.uow(write=False) as uow:
        assert (
            len(inventory.movement_page(uow, m, sku=None, warehouse=None, cursor=None, limit=200).items) == 29
        )


def test_an_imported_threshold_or_location_alone_leaves_the_count_and_its_time(
    db: Database, make_merchant
) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    import_counts(db, m, [StockRow(2, "EAST", TENT, 4, None), StockRow(3, "EAST", MUG, 4, None)])

    def stamped() -> dict[str, tuple[object, ...]]:
        with db.uow(write=False) as uow:
            return {
                lv.sku: (lv.on_hand, lv.low_stock_threshold, lv.location, lv.below_threshold, lv.updated_at)
                for lv, _ in inventory.list_stock(uow, m, sku=None, warehouse=None, low=None)
            }

    before = stamped()
    summary = import_counts(
        db, m, [StockRow(2, "EAST", TENT, 4, 5, "A-1"), StockRow(3, "EAST", MUG, 6, None)]
    )
    after = stamped()
    assert (summary.changed, summary.movements, summary.alerts) == (2, 1, 1)
    assert after[TENT] == (4, 5, "A-1", True, before[TENT][4])
    assert after[MUG][:4] == (6, None, None, False) and after[MUG][4] > before[MUG][4]


def test_imported_skus_and_locations_keep_every_character(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    odd = ['TAB\\t-"Q"', "CAFÉ-ß-雪", "NULL", "\\N", "A,B"]
    import_counts(
        db, m, [StockRow(n, "EAST", sku, n, None, f"{sku}@B") for n, sku in enumerate(odd, start=2)]
    )
    import_counts(
        db, m, [StockRow(n, "EAST", sku, n + 1, 1, f"{sku}@C") for n, sku in enumerate(odd, start=2)]
    )
    with db.uow(write=False) as uow:
        got = {
            lv.sku: (lv.on_hand, lv.location)
            for lv, _ in inventory.list_stock(uow, m, sku=None, warehouse=None, low=None)
        }
    assert got == {sku: (n + 1, f"{sku}@C") for n, sku in enumerate(odd, start=2)}


def test_imported_units_fill_backorders_oldest_order_first(db: Database, make_merchant) -> None:
    m = make_merchant().merchant_id
    warehouse(db, m, "EAST")
    newer = place(db, m, "2", [(TENT, 2)], placed_at="2026-11-02T09:00:00Z")
    older = place(db, m, "1", [(TENT, 2)], placed_at="2026-11-01T09:00:00Z")
    confirm(db, m, newer)
    confirm(db, m, older)
    summary = import_counts(db, m, [StockRow(2, "EAST", TENT, 3, None)])
    assert summary.backordered_skus_filled == 1
    assert held(db, m, older) == {f"EAST:{TENT}": 2} and backordered(db, newer) == {TENT: 1}
    assert_levels_equal_ledger(db, m)
