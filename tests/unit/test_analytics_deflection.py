"""Deflection on orders worked out by hand: WISMO contacts per 100 orders, each week's orders
split by whether a proactive message reached the shopper before they asked, and by problem."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ordertrack.analytics.deflection import ContactRate, OrderDemand, deflection_by_week, total, week_of


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


# Week of Monday 2 November:
#   A  problem, message on the 4th, asked on the 5th            informed, 1 contact
#   B  problem, asked on the 4th and 7th, message on the 6th    not informed, 2 contacts
#   C  no problem, no message, never asked                      not informed, 0
#   D  placed Sunday 23:30 UTC, message after, never asked      informed, 0
# Week of Monday 9 November:
#   E  placed Monday 00:10 UTC, no message, asked on the 12th   not informed, 1
#   F  message at the very minute of the contact                not informed, 1
ORDERS = [
    OrderDemand("A", at(2), True, proactive_at=(at(4),), contacts_at=(at(5),)),
    OrderDemand("B", at(3), True, proactive_at=(at(6),), contacts_at=(at(7), at(4))),
    OrderDemand("C", at(4), False),
    OrderDemand("D", at(8, 23, 30), False, proactive_at=(at(10),)),
    OrderDemand("E", at(9, 0, 10), False, contacts_at=(at(12),)),
    OrderDemand("F", at(10), True, proactive_at=(at(11, 9),), contacts_at=(at(11, 9),)),
]


def rates(rate: ContactRate) -> tuple[int, int, float | None]:
    return rate.contacts, rate.orders, rate.per_100


def test_weeks_start_on_monday_in_utc() -> None:
    assert week_of(at(8, 23, 30)) == date(2026, 11, 2)
    assert week_of(at(9, 0, 10)) == date(2026, 11, 9)


def test_each_week_counts_its_orders_contacts_per_100_split_by_informed() -> None:
    first, second = deflection_by_week(ORDERS)
    assert first.week == date(2026, 11, 2) and second.week == date(2026, 11, 9)
    assert rates(first.orders.all) == (3, 4, 75.0)
    assert rates(first.orders.informed) == (1, 2, 50.0)
    assert rates(first.orders.not_informed) == (2, 2, 100.0)
    assert rates(first.with_problem.all) == (3, 2, 150.0)
    assert rates(first.with_problem.informed) == (1, 1, 100.0)
    assert rates(first.with_problem.not_informed) == (2, 1, 200.0)
    assert rates(first.without_problem.informed) == (0, 1, 0.0)
    assert rates(first.without_problem.not_informed) == (0, 1, 0.0)
    assert rates(second.orders.all) == (2, 2, 100.0)
    assert rates(second.orders.informed) == (0, 0, None)  # no orders: no rate, not 0
    assert rates(second.with_problem.not_informed) == (1, 1, 100.0)


def test_a_message_sent_the_same_instant_as_the_contact_did_not_come_first() -> None:
    assert not ORDERS[5].informed and ORDERS[3].informed and not ORDERS[1].informed


def test_the_total_adds_the_weeks() -> None:
    summed = total(deflection_by_week(ORDERS))
    assert rates(summed.orders.all) == (5, 6, 100 * 5 / 6)
    assert rates(summed.orders.informed) == (1, 2, 50.0)
    assert rates(summed.with_problem.all) == (4, 3, 100 * 4 / 3)
    assert rates(total([]).orders.all) == (0, 0, None)


def test_the_weekly_chart_carries_the_same_numbers_in_its_table() -> None:
    from ordertrack.analytics.wismo_charts import contacts_by_week

    chart = contacts_by_week(deflection_by_week(ORDERS))
    assert chart.rows[0] == (
        "2026-11-02",
        "75.0 (3 of 4 orders)",
        "50.0 (1 of 2 orders)",
        "100.0 (2 of 2 orders)",
    )
    assert chart.rows[1][2] == "—"
    assert "<script" not in chart.svg and 'role="img"' in chart.svg
    assert "50.0 contacts per 100 orders whose shopper was told first, against 100.0" in chart.description
