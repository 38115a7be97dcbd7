"""The delivery figures' definitions, checked against numbers worked out by hand, and the
rollups: any split of the facts into cells, merged in any order, gives the same figures."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordertrack.analytics import figures as f
from ordertrack.analytics import lanes, rollup
from ordertrack.analytics.figures import DeliveryFacts, PromiseRevision, ScanStop, Share


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=UTC)


SP = "America/Sao_Paulo"  # UTC-3 all of 2024
BERLIN = "Europe/Berlin"  # UTC+1 in January


def ups(shipment_id: int, **facts) -> DeliveryFacts:
    base = dict(
        merchant_id=1, carrier="ups", destination_zone=SP, origin_country="US", destination_country="BR"
    )
    return DeliveryFacts(shipment_id=shipment_id, **{**base, **facts})


def dhl(shipment_id: int, **facts) -> DeliveryFacts:
    base = dict(
        merchant_id=1, carrier="dhl", destination_zone=BERLIN, origin_country="DE", destination_country="DE"
    )
    return DeliveryFacts(shipment_id=shipment_id, **{**base, **facts})


# Ten shipments, each figure worked out by hand below.
HAND = [
    # S1: processing 24 h, transit 50 h, delivered 09:00 local 11 Jan, window 10–12: inside;
    # carrier said 11 Jan: on time. Waited 30 h at Memphis Hub (two scans there are one stay:
    # 10:00 -> next place 16:00 next day), 20 h at Campinas; São Paulo is the last place.
    ups(
        1,
        ordered_at=at(8, 10),
        handed_off_at=at(9, 10),
        delivered_at=at(11, 12),
        promise_earliest=date(2024, 1, 10),
        promise_latest=date(2024, 1, 12),
        carrier_estimate=date(2024, 1, 11),
        scans=(
            ScanStop(at(9, 10), "Memphis", "US", "Memphis Hub"),
            ScanStop(at(9, 20), "Memphis", "us", "MEMPHIS HUB "),
            ScanStop(at(10, 16), "Campinas", "BR"),
            ScanStop(at(11, 12), "São Paulo", "BR"),
        ),
    ),
    # S2: processing 12 h; transit 22:00 8 Jan -> 02:30 13 Jan UTC = 100.5 h -> 100 h. Delivered
    # 23:30 on 12 Jan in São Paulo (13 Jan in UTC): inside the 10–12 window, late against the
    # carrier's 11 Jan. One failed attempt; address exception; revised once for delay. Scans
    # given out of order: Memphis Hub 10 h, Campinas 48 h.
    ups(
        2,
        ordered_at=at(8, 10),
        handed_off_at=at(8, 22),
        delivered_at=at(13, 2, 30),
        promise_earliest=date(2024, 1, 10),
        promise_latest=date(2024, 1, 12),
        revisions=(PromiseRevision(at(11, 9), date(2024, 1, 12), date(2024, 1, 14), "delay"),),
        carrier_estimate=date(2024, 1, 11),
        failed_attempts=1,
        exception_reasons=frozenset({"address"}),
        scans=(
            ScanStop(at(11, 8), "Sao Paulo", "BR"),
            ScanStop(at(8, 22), "Memphis", "US", "Memphis Hub"),
            ScanStop(at(9, 8), "Campinas", "BR"),
        ),
    ),
    # S3: processing 30 h; transit 06:00 9 Jan -> 15:00 16 Jan = 177 h; local day 16 Jan against
    # window 11–13: 3 days late; carrier said 15 Jan: late. Two failed attempts; weather and
    # address; revised twice (weather, delay).
    ups(
        3,
        ordered_at=at(8, 0),
        handed_off_at=at(9, 6),
        delivered_at=at(16, 15),
        promise_earliest=date(2024, 1, 11),
        promise_latest=date(2024, 1, 13),
        revisions=(
            PromiseRevision(at(12, 9), date(2024, 1, 13), date(2024, 1, 15), "weather"),
            PromiseRevision(at(14, 9), date(2024, 1, 15), date(2024, 1, 17), "delay"),
        ),
        carrier_estimate=date(2024, 1, 15),
        failed_attempts=2,
        exception_reasons=frozenset({"weather", "address"}),
    ),
    # S4: processing 8 h; transit 39 h; delivered 09:00 10 Jan in Berlin, window 11–13: one day
    # early. No carrier estimate. Leipzig Hub 12 h, then Berlin (last).
    dhl(
        4,
        ordered_at=at(8, 9),
        handed_off_at=at(8, 17),
        delivered_at=at(10, 8),
        promise_earliest=date(2024, 1, 11),
        promise_latest=date(2024, 1, 13),
        scans=(ScanStop(at(8, 17), "Leipzig", "DE", "Leipzig Hub"), ScanStop(at(9, 5), "Berlin", "DE")),
    ),
    # S5: processing 48 h; returned to the sender (not delivered); address exception; promised.
    dhl(
        5,
        ordered_at=at(7, 12),
        handed_off_at=at(9, 12),
        promise_earliest=date(2024, 1, 11),
        promise_latest=date(2024, 1, 12),
        returned_to_sender=True,
        exception_reasons=frozenset({"address"}),
    ),
    # S6: processing 23 h 59 min -> 23 h; still in transit; customs; no promise.
    dhl(
        6,
        ordered_at=at(9, 0),
        handed_off_at=at(9, 23, 59),
        exception_reasons=frozenset({"customs"}),
    ),
    # S7: cancelled: in no figure, although it carries a delivery, damage and scans.
    ups(
        7,
        ordered_at=at(8, 0),
        handed_off_at=at(8, 1),
        delivered_at=at(9, 1),
        promise_latest=date(2024, 1, 5),
        cancelled=True,
        exception_reasons=frozenset({"damaged"}),
        scans=(ScanStop(at(8, 1), "Nowhere", "US", "Ghost Hub"), ScanStop(at(9, 1), "Anywhere", "US")),
    ),
    # S8: never handed to the carrier: in no figure.
    dhl(8, ordered_at=at(9, 0), promise_latest=date(2024, 1, 12)),
    # S9: processing 12 h; transit 18:00 8 Jan -> 23:30 12 Jan UTC = 101.5 h -> 101 h. In Berlin
    # that is 00:30 on 13 Jan: inside the window 13–15 (a day early in UTC); late against the
    # carrier's 12 Jan (on time in UTC).
    dhl(
        9,
        ordered_at=at(8, 6),
        handed_off_at=at(8, 18),
        delivered_at=at(12, 23, 30),
        promise_earliest=date(2024, 1, 13),
        promise_latest=date(2024, 1, 15),
        carrier_estimate=date(2024, 1, 12),
    ),
    # S10: processing 24 h; transit 24 h; 10 Jan inside 10–12; carrier 10 Jan on time; damaged.
    ups(
        10,
        ordered_at=at(8, 12),
        handed_off_at=at(9, 12),
        delivered_at=at(10, 12),
        promise_earliest=date(2024, 1, 10),
        promise_latest=date(2024, 1, 12),
        carrier_estimate=date(2024, 1, 10),
        exception_reasons=frozenset({"damaged"}),
    ),
]


class TestHandComputedFigures:
    figures = f.delivery_figures(HAND)

    def test_cancelled_and_never_handed_off_shipments_are_in_no_figure(self) -> None:
        # S1–S6, S9, S10.
        assert self.figures.shipments == 8

    def test_on_time_against_the_promise_uses_the_destination_local_day(self) -> None:
        # Delivered with a promise: S1 S2 S3 S4 S9 S10; on time (inside or early): all but S3.
        # In UTC days S2 would be late (4 of 6).
        assert self.figures.on_time_promise == Share(5, 6)

    def test_on_time_against_the_carrier_counts_only_shipments_it_estimated(self) -> None:
        # Estimated and delivered: S1 S2 S3 S9 S10; on time: S1 S10 (S9 is late in Berlin's day,
        # on time in UTC's).
        assert self.figures.on_time_carrier == Share(2, 5)

    def test_processing_time_is_order_to_first_scan_by_nearest_rank(self) -> None:
        # 8 12 12 23 24 24 30 48: p50 rank ceil(4) = 4th = 23; p90 rank ceil(7.2) = 8th = 48.
        assert self.figures.processing == f.Durations(8, 23, 48, (4, 3, 1) + (0,) * 12)

    def test_transit_is_first_scan_to_delivery_of_delivered_shipments(self) -> None:
        # 24 39 50 100 101 177 (the returned S5 and the travelling S6 left out):
        # p50 rank 3 = 50; p90 rank ceil(5.4) = 6th = 177. Days: 1 1 2 4 4 7.
        assert self.figures.transit == f.Durations(6, 50, 177, (0, 2, 1, 0, 2, 0, 0, 1) + (0,) * 7)

    def test_first_attempt_rate_is_over_delivered_shipments(self) -> None:
        # Delivered 6; with no failed attempt: S1 S4 S9 S10.
        assert self.figures.first_attempt == Share(4, 6)

    def test_exception_rate_counts_each_shipment_once_per_reason_over_all_counted(self) -> None:
        # address S2 S3 S5; customs S6; damaged S10 (S7's is cancelled); weather S3. Of 8.
        assert self.figures.exceptions_by_reason == (
            ("address", Share(3, 8)),
            ("customs", Share(1, 8)),
            ("damaged", Share(1, 8)),
            ("weather", Share(1, 8)),
        )

    def test_returned_to_sender_is_over_all_counted(self) -> None:
        assert self.figures.returned_to_sender == Share(1, 8)

    def test_promise_accuracy_splits_inside_early_late_by_days(self) -> None:
        # Inside S1 S2 S9 S10; early S4 by 1; late S3 by 3.
        assert self.figures.promise_accuracy == f.PromiseAccuracy(6, 4, ((1, 1),), ((3, 1),))
        assert (self.figures.promise_accuracy.early, self.figures.promise_accuracy.late) == (1, 1)

    def test_revisions_are_shipments_revised_and_revisions_by_cause(self) -> None:
        # Promised and counted: S1 S2 S3 S4 S5 S9 S10 = 7; revised S2 S3. Causes: delay twice
        # (S2, S3), weather once.
        assert self.figures.revisions == f.Revisions(Share(2, 7), (("delay", 2), ("weather", 1)))

    def test_where_parcels_wait_is_the_stay_until_the_next_place_longest_median_first(self) -> None:
        # ups Campinas 20 and 48 h: p50 20, p90 48. dhl Leipzig Hub 12 h. ups Memphis Hub 30 and
        # 10 h: p50 10, p90 30. S7's Ghost Hub is cancelled.
        assert self.figures.where_parcels_wait == (
            f.PlaceDwell("ups", None, "CAMPINAS", "BR", 2, 20, 48),
            f.PlaceDwell("dhl", "LEIPZIG HUB", None, "DE", 1, 12, 12),
            f.PlaceDwell("ups", "MEMPHIS HUB", None, "US", 2, 10, 30),
        )

    def test_the_rollup_of_the_hand_fixture_gives_the_same_figures(self) -> None:
        cells = rollup.build(HAND)
        assert rollup.figures_of(rollup.merge_all(cells.values())) == self.figures

    def test_a_shipment_counts_on_its_local_delivery_day_or_hand_off_day(self) -> None:
        by_id = {fact.shipment_id: fact for fact in HAND}
        assert f.analytics_day(by_id[2]) == date(2024, 1, 12)  # 13 Jan in UTC
        assert f.analytics_day(by_id[9]) == date(2024, 1, 13)  # 12 Jan in UTC
        assert f.analytics_day(by_id[5]) == date(2024, 1, 9)  # returned: its hand-off day
        assert f.analytics_day(by_id[7]) is None
        assert f.analytics_day(by_id[8]) is None


def test_a_scan_naming_no_place_neither_ends_nor_starts_a_stay() -> None:
    scans = [
        ScanStop(at(1, 0), "Memphis", "US", "Memphis Hub"),
        ScanStop(at(1, 5), None, None),
        ScanStop(at(1, 9), "memphis", "US", "memphis hub"),
        ScanStop(at(2, 0), "Louisville", "US"),
    ]
    assert f.stays(scans) == [(("MEMPHIS HUB", None, "US"), 24)]


def test_cells_are_chosen_per_merchant_period_and_filter_and_grouped() -> None:
    other_merchant = [DeliveryFacts(**{**fact.__dict__, "merchant_id": 2}) for fact in HAND]
    cells = rollup.build(HAND + other_merchant)
    mine = rollup.select(cells, 1, date(2024, 1, 1), date(2024, 1, 31))
    assert rollup.figures_of(rollup.merge_all(mine.values())) == f.delivery_figures(HAND)
    # S4, S9 (delivered) and S5, S6 (hand-off days) are dhl's.
    dhl_only = rollup.select(cells, 1, date(2024, 1, 1), date(2024, 1, 31), carrier="dhl")
    assert rollup.figures_of(rollup.merge_all(dhl_only.values())).shipments == 4
    # Local days 10–12 Jan: delivered S1 (11), S2 (12), S4 (10), S10 (10), and S6, handed off at
    # 23:59 UTC on the 9th, which is 00:59 on the 10th in Berlin; S5 was handed off on the 9th.
    days = rollup.select(cells, 1, date(2024, 1, 10), date(2024, 1, 12))
    assert rollup.figures_of(rollup.merge_all(days.values())).shipments == 5
    by_carrier = rollup.figures_by(mine, lambda key: key.carrier)
    assert {name: figures.shipments for name, figures in by_carrier.items()} == {"ups": 4, "dhl": 4}
    assert by_carrier["ups"].transit.p50_hours == 50  # 24 50 100 177: rank 2
    try:
        rollup.select(cells, 1, date(2024, 1, 1), date(2024, 1, 31), colour="red")
    except ValueError as error:
        assert "colour" in str(error)
    else:
        raise AssertionError("an unknown filter must be refused")


def test_nearest_rank_percentile_is_a_value_that_occurred() -> None:
    assert f.nearest_rank({}, 50) is None
    assert f.nearest_rank({7: 1}, 90) == 7
    # 1 2 3 4 5 6 7 8 9 10: p50 rank 5 = 5; p90 rank 9 = 9; p91 rank ceil(9.1) = 10.
    hours = {value: 1 for value in range(1, 11)}
    assert (f.nearest_rank(hours, 50), f.nearest_rank(hours, 90), f.nearest_rank(hours, 91)) == (5, 9, 10)


def test_durations_are_whole_hours_rounded_down_and_capped() -> None:
    assert f.whole_hours(timedelta(minutes=119)) == 1
    assert f.whole_hours(timedelta(hours=-3)) == 0
    assert f.whole_hours(timedelta(days=400)) == f.LONGEST_HOURS


# -- lanes that got worse ----------------------------------------------------------------------

AS_OF = date(2024, 3, 31)  # the 7-day window is 25–31 March; the weeks before from 29 Jan


def lane_shipment(
    shipment_id: int, day: date, transit: int, late: bool, carrier: str = "ups"
) -> DeliveryFacts:
    delivered = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    handed = delivered - timedelta(hours=transit)
    return DeliveryFacts(
        shipment_id=shipment_id,
        merchant_id=1,
        carrier=carrier,
        destination_zone="UTC",
        origin_country="US",
        destination_country="BR",
        destination_region="SP",
        ordered_at=handed - timedelta(hours=5),
        handed_off_at=handed,
        delivered_at=delivered,
        promise_latest=day - timedelta(days=1) if late else day,
    )


def lane_history(carrier: str, window_transit: int, window_late: int, start_id: int) -> list[DeliveryFacts]:
    """8 usual weeks of 5 deliveries at 48 h (one week with a 72 h one; odd weeks one late: on
    time 0.8 or 1.0, p90 48 or 72), then the window's 5 deliveries."""
    facts: list[DeliveryFacts] = []
    next_id = start_id
    window_start = AS_OF - timedelta(days=6)
    for week in range(1, 9):
        monday = window_start - timedelta(days=7 * week)
        for n in range(5):
            transit = 72 if (week == 3 and n == 0) else 48
            facts.append(
                lane_shipment(next_id, monday + timedelta(days=n), transit, week % 2 == 1 and n == 0, carrier)
            )
            next_id += 1
    for n in range(5):
        facts.append(
            lane_shipment(next_id, window_start + timedelta(days=n), window_transit, n < window_late, carrier)
        )
        next_id += 1
    return facts


def test_a_lane_below_its_lowest_weekly_on_time_rate_got_worse_with_its_late_shipments() -> None:
    # Usual weeks: on time 0.8 or 1.0, so the range is 0.8–1.0; the window has 2 of 5 late:
    # 0.6 < 0.8. Transit p90 60 h is inside 48–72 h: no transit alert.
    facts = lane_history("ups", window_transit=60, window_late=2, start_id=1)
    alerts = lanes.lanes_that_got_worse(facts, AS_OF, 7)
    late_ids = tuple(fact.shipment_id for fact in facts[-5:-3])
    assert alerts == [lanes.LaneAlert(("ups", "US", "BR", "SP"), "on_time", 7, 0.6, 0.8, 1.0, late_ids)]


def test_a_lane_above_its_highest_weekly_transit_p90_got_worse() -> None:
    # Window transit 100 h > usual 48–72 h; one late of 5 (0.8) is inside the usual range.
    facts = lane_history("dhl", window_transit=100, window_late=1, start_id=1000)
    alerts = lanes.lanes_that_got_worse(facts, AS_OF, 7)
    assert [(a.figure, a.current, a.usual_low, a.usual_high) for a in alerts] == [
        ("transit_p90", 100, 48, 72)
    ]
    assert alerts[0].shipment_ids == tuple(fact.shipment_id for fact in facts[-5:])


def test_a_lane_with_too_few_usual_weeks_has_no_range_to_leave() -> None:
    facts = lane_history("ups", window_transit=500, window_late=5, start_id=1)
    recent_weeks_only = [x for x in facts if x.delivery_day >= AS_OF - timedelta(days=6 + 7 * 3)]
    assert lanes.lanes_that_got_worse(recent_weeks_only, AS_OF, 7) == []
    # A window with fewer than 5 deliveries says nothing either.
    assert lanes.lanes_that_got_worse(facts[:-1], AS_OF, 7) == []


def test_the_30_day_window_is_judged_against_the_8_weeks_before_it() -> None:
    spans = lanes.lane_spans(AS_OF, 30)
    assert spans[0] == (date(2024, 3, 2), AS_OF)
    assert spans[1] == (date(2024, 2, 24), date(2024, 3, 1))
    assert spans[-1] == (date(2024, 1, 6), date(2024, 1, 12))


# -- property tests: rollups add ---------------------------------------------------------------

ZONES = ["UTC", SP, BERLIN, "Asia/Tokyo"]
T0 = datetime(2024, 3, 1, tzinfo=UTC)


@st.composite
def shipment_facts(draw: st.DrawFn, shipment_id: int) -> DeliveryFacts:
    ordered = T0 + timedelta(minutes=draw(st.integers(0, 60 * 24 * 80)))
    handed: datetime | None = ordered + timedelta(minutes=draw(st.integers(0, 60 * 24 * 5)))
    if draw(st.integers(0, 9)) == 0:  # never handed to the carrier
        handed = None
    delivered = None
    if handed is not None and draw(st.integers(0, 3)) > 0:
        delivered = handed + timedelta(minutes=draw(st.integers(0, 60 * 24 * 15)))
    latest = None
    earliest = None
    if draw(st.integers(0, 4)) > 0:
        latest = (ordered + timedelta(days=draw(st.integers(1, 12)))).date()
        earliest = latest - timedelta(days=draw(st.integers(0, 3)))
    places = [("Memphis", "US", "Memphis Hub"), ("Campinas", "BR", None), ("Leipzig", "DE", "Leipzig Hub")]
    scans = tuple(
        ScanStop(ordered + timedelta(minutes=m), *draw(st.sampled_from(places)))
        for m in draw(st.lists(st.integers(0, 60 * 24 * 20), max_size=5))
    )
    return DeliveryFacts(
        shipment_id=shipment_id,
        merchant_id=1,
        carrier=draw(st.sampled_from(["ups", "dhl"])),
        service=draw(st.sampled_from([None, "ground"])),
        warehouse=draw(st.sampled_from(["east", "west"])),
        origin_country="US",
        destination_country=draw(st.sampled_from(["BR", "DE"])),
        destination_region=draw(st.sampled_from([None, "SP"])),
        destination_zone=draw(st.sampled_from(ZONES)),
        ordered_at=ordered,
        handed_off_at=handed,
        delivered_at=delivered,
        promise_earliest=earliest,
        promise_latest=latest,
        revisions=tuple(
            PromiseRevision(ordered, ordered.date(), ordered.date(), cause)
            for cause in draw(st.lists(st.sampled_from(["delay", "weather", "exception"]), max_size=2))
        ),
        carrier_estimate=latest + timedelta(days=draw(st.integers(-2, 2))) if latest else None,
        failed_attempts=draw(st.integers(0, 2)),
        exception_reasons=frozenset(
            draw(st.sets(st.sampled_from(["address", "customs", "damaged"]), max_size=2))
        ),
        returned_to_sender=delivered is None and draw(st.integers(0, 4)) == 0,
        cancelled=draw(st.integers(0, 14)) == 0,
        scans=scans,
    )


@st.composite
def many_facts(draw: st.DrawFn) -> list[DeliveryFacts]:
    count = draw(st.integers(0, 40))
    return [draw(shipment_facts(n)) for n in range(count)]


class TestRollupsAdd:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(facts=many_facts(), seed=st.integers(0, 2**32), groups=st.integers(1, 5))
    def test_any_split_merged_in_any_order_gives_the_figures_from_scratch(
        self, facts: list[DeliveryFacts], seed: int, groups: int
    ) -> None:
        rng = random.Random(seed)
        parts: list[list[DeliveryFacts]] = [[] for _ in range(groups)]
        for fact in facts:
            parts[rng.randrange(groups)].append(fact)
        cells = [cell for part in parts for cell in rollup.build(part).values()]
        rng.shuffle(cells)
        # Merge as an unbalanced tree in random pairings, not only left to right.
        while len(cells) > 1:
            i, j = sorted(rng.sample(range(len(cells)), 2))
            merged = rollup.merge(cells[i], cells[j])
            cells = [c for k, c in enumerate(cells) if k not in (i, j)] + [merged]
        total = cells[0] if cells else rollup.Cell()
        assert rollup.figures_of(total) == f.delivery_figures(facts)

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(facts=many_facts(), seed=st.integers(0, 2**32))
    def test_removing_what_was_added_leaves_an_empty_cell(
        self, facts: list[DeliveryFacts], seed: int
    ) -> None:
        cell = rollup.Cell()
        for fact in facts:
            rollup.add(cell, fact)
        random.Random(seed).shuffle(facts)
        for fact in facts:
            rollup.remove(cell, fact)
        assert cell == rollup.Cell()

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(facts=many_facts())
    def test_each_days_cells_give_the_figures_of_that_days_shipments(
        self, facts: list[DeliveryFacts]
    ) -> None:
        cells = rollup.build(facts)
        for day in {key.day for key in cells}:
            chosen = [fact for fact in facts if f.analytics_day(fact) == day]
            of_day = rollup.merge_all(cell for key, cell in cells.items() if key.day == day)
            assert rollup.figures_of(of_day) == f.delivery_figures(chosen)

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(facts=many_facts(), as_of_day=st.integers(20, 80), window=st.sampled_from([7, 30]))
    def test_lanes_from_cells_are_lanes_from_facts(
        self, facts: list[DeliveryFacts], as_of_day: int, window: int
    ) -> None:
        as_of = (T0 + timedelta(days=as_of_day)).date()
        from_facts = [
            lanes.LaneAlert(a.lane, a.figure, a.window_days, a.current, a.usual_low, a.usual_high)
            for a in lanes.lanes_that_got_worse(facts, as_of, window)
        ]
        assert rollup.lanes_that_got_worse(rollup.build(facts), as_of, window) == from_facts


def test_lanes_from_cells_find_the_worse_lane_of_the_hand_history() -> None:
    facts = lane_history("ups", window_transit=60, window_late=2, start_id=1)
    alerts = rollup.lanes_that_got_worse(rollup.build(facts), AS_OF, 7)
    assert [(a.lane, a.figure, a.current) for a in alerts] == [(("ups", "US", "BR", "SP"), "on_time", 0.6)]


@given(st.lists(st.integers(0, 500), min_size=1, max_size=60), st.integers(1, 100))
def test_nearest_rank_from_a_histogram_is_the_sorted_list_rank(values: list[int], percent: int) -> None:
    ordered = sorted(values)
    assert f.nearest_rank(Counter(values), percent) == ordered[math.ceil(percent * len(values) / 100) - 1]


@given(
    st.dictionaries(
        st.integers(min_value=0, max_value=f.LONGEST_HOURS), st.integers(min_value=1, max_value=50)
    )
)
def test_p50_and_p90_found_in_one_walk_are_the_nearest_ranks_of_every_value(hours: dict[int, int]) -> None:
    values = sorted(value for value, n in hours.items() for _ in range(n))
    found = f.durations(hours)
    if not values:
        assert (found.count, found.p50_hours, found.p90_hours) == (0, None, None)
        return
    assert found.count == len(values)
    assert found.p50_hours == values[math.ceil(len(values) * 50 / 100) - 1]
    assert found.p90_hours == values[math.ceil(len(values) * 90 / 100) - 1]
