"""An inbound shipment's status, derived from its parcels and the dock's counts (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ordertrack.statuses import ShipmentStatus
from ordertrack.suppliers.rules import (
    ArrivalFacts,
    InboundAttention,
    InboundFacts,
    InboundLineFacts,
    InboundStatus,
    InboundWatch,
    derive_arrived_at,
    derive_inbound_status,
    estimate_inbound_arrival,
    inbound_attention,
)

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LINE = InboundLineFacts(quantity=10)


def status(parcels: list[str], lines: list[InboundLineFacts] | None = None, cancelled: bool = False) -> str:
    return derive_inbound_status(InboundFacts(cancelled, parcels, lines or [LINE]))


class TestInboundStatusTable:
    def test_before_any_move_it_is_declared(self) -> None:
        assert status([]) == InboundStatus.declared
        assert status(["pending", "info_received"]) == InboundStatus.declared

    def test_one_parcel_moving_puts_it_in_transit(self) -> None:
        assert status(["pending", "in_transit"]) == InboundStatus.in_transit
        assert status(["delivered", "out_for_delivery"]) == InboundStatus.in_transit
        assert status(["failed_attempt"]) == InboundStatus.in_transit

    def test_it_arrives_when_every_parcel_was_delivered(self) -> None:
        assert status(["delivered", "delivered"]) == InboundStatus.arrived

    def test_a_parcel_in_trouble_makes_it_an_exception_until_counted(self) -> None:
        for trouble in ("exception", "returning", "returned"):
            assert status(["delivered", trouble]) == InboundStatus.exception
        assert status(["returned"], [InboundLineFacts(10, received=4)]) == InboundStatus.partially_received

    def test_counting_outranks_the_carrier(self) -> None:
        assert status(["in_transit"], [InboundLineFacts(10, received=3)]) == InboundStatus.partially_received
        assert status([], [InboundLineFacts(10, received=8, damaged=2)]) == InboundStatus.received
        two = [InboundLineFacts(10, received=10), InboundLineFacts(5)]
        assert status(["delivered"], two) == InboundStatus.partially_received

    def test_a_short_closed_line_expects_nothing_more(self) -> None:
        lines = [InboundLineFacts(10, received=7, closed=True), InboundLineFacts(5, received=5)]
        assert status(["delivered"], lines) == InboundStatus.received

    def test_over_counted_is_received(self) -> None:
        assert status(["delivered"], [InboundLineFacts(10, received=12)]) == InboundStatus.received

    def test_cancelled_is_final(self) -> None:
        assert (
            status(["delivered"], [InboundLineFacts(10, received=10)], cancelled=True)
            == InboundStatus.cancelled
        )


class TestInboundArrivalTime:
    def test_the_last_parcel_delivered_is_the_arrival(self) -> None:
        assert derive_arrived_at([AT, AT + timedelta(hours=5)], None) == AT + timedelta(hours=5)

    def test_not_arrived_while_a_parcel_is_out(self) -> None:
        assert derive_arrived_at([AT, None], None) is None

    def test_counted_without_scans_arrived_at_the_first_count(self) -> None:
        assert derive_arrived_at([], AT) == AT
        assert derive_arrived_at([None], AT) == AT


parcel_statuses = st.lists(st.sampled_from([str(s) for s in ShipmentStatus]), max_size=6)
line_facts = st.builds(
    InboundLineFacts,
    quantity=st.integers(1, 50),
    received=st.integers(0, 60),
    damaged=st.integers(0, 10),
    closed=st.booleans(),
)


class TestInboundStatusProperties:
    @given(parcel_statuses, st.lists(line_facts, min_size=1, max_size=5), st.booleans(), st.randoms())
    def test_the_order_of_parcels_and_lines_does_not_matter(self, parcels, lines, cancelled, rnd) -> None:
        first = derive_inbound_status(InboundFacts(cancelled, parcels, lines))
        parcels, lines = list(parcels), list(lines)
        rnd.shuffle(parcels)
        rnd.shuffle(lines)
        assert derive_inbound_status(InboundFacts(cancelled, parcels, lines)) == first

    @given(parcel_statuses, st.lists(line_facts, min_size=1, max_size=5))
    def test_the_status_says_what_the_facts_say(self, parcels, lines) -> None:
        found = derive_inbound_status(InboundFacts(False, parcels, lines))
        counted = any(line.counted for line in lines)
        if found == InboundStatus.received:
            assert counted and all(line.complete for line in lines)
        if found == InboundStatus.partially_received:
            assert counted and not all(line.complete for line in lines)
        if found == InboundStatus.arrived:
            assert not counted and parcels and set(parcels) == {"delivered"}
        if found in (InboundStatus.declared, InboundStatus.in_transit, InboundStatus.exception):
            assert not counted and "delivered" not in set(parcels) or set(parcels) != {"delivered"}
        if found == InboundStatus.declared:
            assert set(parcels) <= {"pending", "info_received"}
        assert found != InboundStatus.cancelled

    @given(parcel_statuses, st.lists(line_facts, min_size=1, max_size=5))
    def test_cancelled_wins_over_everything(self, parcels, lines) -> None:
        assert derive_inbound_status(InboundFacts(True, parcels, lines)) == InboundStatus.cancelled

    @given(st.lists(st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))), max_size=5), st.booleans())
    def test_arrival_is_a_delivery_or_the_first_count(self, delivered, counted) -> None:
        first_count = AT if counted else None
        found = derive_arrived_at(delivered, first_count)
        if delivered and None not in delivered:
            assert found == max(delivered)
        else:
            assert found == first_count


DAY = date(2026, 12, 7)


def arrival(**facts) -> tuple[date | None, str | None]:
    return estimate_inbound_arrival(ArrivalFacts(today=DAY, started=DAY - timedelta(days=2), **facts))


class TestInboundArrivalEstimate:
    def test_nothing_said_is_nothing_promised(self) -> None:
        assert arrival() == (None, None)

    def test_the_declared_date_then_the_orders_promise(self) -> None:
        assert arrival(declared=DAY + timedelta(days=4), promised=DAY) == (
            DAY + timedelta(days=4),
            "declared",
        )
        assert arrival(promised=DAY + timedelta(days=6)) == (DAY + timedelta(days=6), "purchase_order")

    def test_the_carrier_outranks_the_supplier(self) -> None:
        found = arrival(declared=DAY + timedelta(days=4), carrier_latest=DAY + timedelta(days=2))
        assert found == (DAY + timedelta(days=2), "carrier")

    def test_the_lane_is_believed_only_when_it_says_later(self) -> None:
        later = arrival(declared=DAY + timedelta(days=1), learned_transit_days=10)
        assert later == (DAY + timedelta(days=8), "learned")
        sooner = arrival(declared=DAY + timedelta(days=9), learned_transit_days=3)
        assert sooner == (DAY + timedelta(days=9), "declared")

    def test_arrived_is_a_fact(self) -> None:
        assert arrival(declared=DAY + timedelta(days=9), arrived=DAY - timedelta(days=1)) == (
            DAY - timedelta(days=1),
            "arrived",
        )

    def test_a_day_gone_by_is_today(self) -> None:
        assert arrival(declared=DAY - timedelta(days=5)) == (DAY, "declared")

    @given(
        st.one_of(st.none(), st.dates()),
        st.one_of(st.none(), st.dates()),
        st.one_of(st.none(), st.dates()),
        st.one_of(st.none(), st.integers(0, 90)),
    )
    def test_never_before_today_unless_arrived(self, declared, promised, carrier, transit) -> None:
        found, basis = arrival(
            declared=declared, promised=promised, carrier_latest=carrier, learned_transit_days=transit
        )
        if found is not None:
            assert found >= DAY and basis is not None
        else:
            assert declared is promised is carrier is transit is None


def watch(**changes) -> InboundWatch:
    base = {
        "status": "in_transit",
        "today": DAY,
        "now": datetime(2026, 12, 7, 12, tzinfo=UTC),
        "declared_at": datetime(2026, 12, 1, 12, tzinfo=UTC),
        "last_scan_at": datetime(2026, 12, 6, 12, tzinfo=UTC),
        "declared": None,
        "promised": None,
        "usual": None,
        "estimate": None,
    }
    return InboundWatch(**{**base, **changes})


class TestInboundAttention:
    def test_nothing_to_say_on_time(self) -> None:
        assert inbound_attention(watch(declared=DAY, estimate=DAY)) is None

    def test_late_against_the_notice_then_the_order_then_the_lead_time(self) -> None:
        yesterday = DAY - timedelta(days=1)
        assert inbound_attention(watch(declared=yesterday)) == (
            InboundAttention.late,
            f"not here: the supplier's notice said {yesterday.isoformat()}",
        )
        assert inbound_attention(watch(promised=yesterday))[1].startswith("not here: the purchase order")
        assert inbound_attention(watch(usual=yesterday))[1].startswith("not here: the supplier's lead time")
        # The notice's later date is what the supplier is held to, not the order's earlier one.
        assert inbound_attention(watch(declared=DAY + timedelta(days=3), promised=yesterday)) is None

    def test_late_as_soon_as_the_carrier_expects_it_after_the_date(self) -> None:
        found = inbound_attention(watch(declared=DAY + timedelta(days=1), estimate=DAY + timedelta(days=4)))
        assert found is not None and found[0] == InboundAttention.late

    def test_trouble_comes_first(self) -> None:
        found = inbound_attention(
            watch(status="exception", declared=DAY - timedelta(days=9), trouble="parcel X")
        )
        assert found == (InboundAttention.exception, "parcel X")

    def test_stalled_without_news(self) -> None:
        quiet = datetime(2026, 12, 1, 11, tzinfo=UTC)
        assert inbound_attention(watch(last_scan_at=quiet)) == (
            InboundAttention.stalled,
            "no carrier scan for 6 days",
        )
        assert inbound_attention(watch(status="declared", last_scan_at=None)) == (
            InboundAttention.stalled,
            "no carrier scan in the 6 days since it was declared",
        )

    def test_arrived_and_done_are_not_watched(self) -> None:
        for status in ("arrived", "partially_received", "received", "cancelled"):
            assert inbound_attention(watch(status=status, declared=DAY - timedelta(days=9))) is None
