"""The weekly digest's figures, checked against numbers worked out by hand (docs/analytics.md,
"Weekly digest"): the week against each of the four before and their mean, and the worst lanes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ordertrack.analytics import digest, rollup
from ordertrack.analytics.figures import DeliveryFacts, Share

SP = "America/Sao_Paulo"  # UTC-3 all of 2026


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def delivered(
    shipment_id: int,
    day: date,
    transit: int,
    *,
    promise: int | None = 0,
    carrier: int | None = None,
    merchant_id: int = 1,
    lane: tuple[str, str, str, str | None] = ("ups", "US", "BR", "SP"),
    **facts,
) -> DeliveryFacts:
    """Delivered at noon UTC on ``day`` after ``transit`` hours; ``promise``: days the delivery
    is after the promise's last day (0 on it, 1 a day late), None: no promise; same for the
    carrier's estimate."""
    at = facts.pop("delivered_at", noon(day))
    return DeliveryFacts(
        shipment_id=shipment_id,
        merchant_id=merchant_id,
        carrier=lane[0],
        origin_country=lane[1],
        destination_country=lane[2],
        destination_region=lane[3],
        destination_zone=facts.pop("zone", "UTC"),
        ordered_at=at - timedelta(hours=transit + 5),
        handed_off_at=at - timedelta(hours=transit),
        delivered_at=at,
        promise_earliest=day - timedelta(days=promise + 3) if promise is not None else None,
        promise_latest=day - timedelta(days=promise) if promise is not None else None,
        carrier_estimate=day - timedelta(days=carrier) if carrier is not None else None,
        **facts,
    )


MONDAY = date(2026, 11, 30)  # the digest's week: Mon 30 Nov – Sun 6 Dec 2026
D = MONDAY

HAND = [
    # The week: 4 shipments.
    delivered(1, D + timedelta(days=1), 24, promise=0, carrier=0),  # on time both, first attempt
    delivered(
        2,
        D + timedelta(days=3),
        48,
        promise=1,
        carrier=1,
        failed_attempts=1,
        exception_reasons=frozenset({"address"}),
    ),  # late both, not first attempt
    # Sunday 23:30 in São Paulo is Monday 02:30 UTC: still the week (destination's local day).
    delivered(
        3, date(2026, 12, 6), 72, promise=0, zone=SP, delivered_at=datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
    ),
    DeliveryFacts(
        4,
        1,
        "ups",
        datetime(2026, 12, 3, tzinfo=UTC),
        "UTC",
        handed_off_at=datetime(2026, 12, 4, tzinfo=UTC),
        delivered_at=datetime(2026, 12, 5, tzinfo=UTC),
        returned_to_sender=True,
        exception_reasons=frozenset({"address", "damaged"}),
    ),
    # One week before: 2 on time, 24 h each, carrier on time.
    delivered(5, D - timedelta(days=7), 24, carrier=0),
    delivered(6, D - timedelta(days=2), 24, carrier=-1),
    # Two weeks before: nothing. Three: one late, 96 h, failed once, no carrier estimate.
    delivered(7, D - timedelta(days=20), 96, promise=2, failed_attempts=1),
    # Four weeks before: one on time, 48 h.
    delivered(8, D - timedelta(days=28), 48, carrier=0),
    # Five weeks before: not in the digest at all.
    delivered(9, D - timedelta(days=29), 500, promise=9),
    # Another merchant's week: never in merchant 1's digest.
    delivered(10, D + timedelta(days=2), 900, promise=9, merchant_id=2),
]


@pytest.fixture(scope="module")
def hand() -> digest.Digest:
    return digest.digest(rollup.build(HAND), 1, MONDAY)


def test_weeks_run_monday_to_sunday_newest_first() -> None:
    assert digest.week_before(date(2026, 12, 7)) == (date(2026, 11, 30), date(2026, 12, 6))  # a Monday
    assert digest.week_before(date(2026, 12, 13)) == (date(2026, 11, 30), date(2026, 12, 6))  # a Sunday
    assert digest.weeks(MONDAY)[0] == (MONDAY, date(2026, 12, 6))
    assert digest.weeks(MONDAY)[-1] == (date(2026, 11, 2), date(2026, 11, 8))
    with pytest.raises(ValueError, match="Monday"):
        digest.weeks(date(2026, 12, 1))


def test_each_figure_against_the_four_weeks_before_and_their_mean(hand: digest.Digest) -> None:
    m = {measure.name: measure for measure in hand.measures}
    # shipments: 4 against 2, 0, 1, 1: mean 1.
    assert (m["shipments"].week, m["shipments"].before, m["shipments"].mean) == (4, (2, 0, 1, 1), 1)
    assert (m["shipments"].change, m["shipments"].direction, m["shipments"].verdict) == (3, "up", "none")
    # on time vs promise: 2 of 3 (the returned one has no delivery) against 1, —, 0, 1: mean 2/3.
    assert m["on_time_promise"].week == pytest.approx(2 / 3)
    assert m["on_time_promise"].before == (1.0, None, 0.0, 1.0)
    assert (m["on_time_promise"].change, m["on_time_promise"].verdict) == (0.0, "same")
    # carrier: 1 of 2 (shipment 3 had no estimate) against 1, —, — (no estimate), 1.
    assert m["on_time_carrier"].week == 0.5
    assert m["on_time_carrier"].before == (1.0, None, None, 1.0)
    assert (m["on_time_carrier"].change, m["on_time_carrier"].verdict) == (-50.0, "worse")
    # transit 24, 48, 72 h: p50 the 2nd (48), p90 the 3rd (72); before 24, —, 96, 48: mean 56.
    assert (m["transit_p50"].week, m["transit_p50"].mean, m["transit_p50"].change) == (48, 56, -8)
    assert m["transit_p50"].verdict == "better"
    assert (m["transit_p90"].week, m["transit_p90"].change, m["transit_p90"].verdict) == (72, 16, "worse")
    # first attempt 2 of 3 delivered; exceptions: 3 reasons over 4 shipments; 1 of 4 returned.
    assert m["first_attempt"].week == pytest.approx(2 / 3)
    assert m["first_attempt"].before == (1.0, None, 0.0, 1.0)
    assert (m["exceptions"].week, m["exceptions"].before, m["exceptions"].change) == (
        0.75,
        (0, None, 0, 0),
        75.0,
    )
    assert (m["returned"].week, m["returned"].change, m["returned"].verdict) == (0.25, 25.0, "worse")


def test_as_printed(hand: digest.Digest) -> None:
    m = {measure.name: measure for measure in hand.measures}
    assert digest.shown("rate", m["on_time_promise"].week) == "66.7%"
    assert digest.shown_change(m["on_time_promise"]) == "±0.0 pts"
    assert digest.shown_change(m["on_time_carrier"]) == "−50.0 pts"
    assert digest.shown("hours", m["transit_p90"].week) == "72 h"
    assert digest.shown_change(m["transit_p50"]) == "−8 h"
    assert digest.shown_change(m["shipments"]) == "+3"
    assert digest.shown("rate", None) == "—"
    assert digest.week_words(*hand.weeks[0]) == "Mon 30 Nov – Sun 6 Dec 2026"


def test_another_merchants_shipments_are_never_in_the_digest() -> None:
    theirs = digest.digest(rollup.build(HAND), 2, MONDAY)
    assert [m.week for m in theirs.measures][:2] == [1, 0.0]
    mine = digest.digest(rollup.build([f for f in HAND if f.merchant_id == 1]), 1, MONDAY)
    assert mine == digest.digest(rollup.build(HAND), 1, MONDAY)


A, B, C, E = (
    ("ups", "US", "BR", "SP"),
    ("dhl", "US", "DE", None),
    ("fedex", "US", "US", "CA"),
    ("usps", "US", "MX", None),
)
F = ("ups", "US", "CL", None)


def lane_week(lane, on_time: int, late: int, first_id: int) -> list[DeliveryFacts]:
    return [
        delivered(first_id + n, D + timedelta(days=n % 7), 30, promise=0 if n < on_time else 1, lane=lane)
        for n in range(on_time + late)
    ]


def test_the_three_worst_lanes() -> None:
    facts = (
        lane_week(A, 3, 2, 100)  # 60%: worst
        + lane_week(B, 4, 1, 200)  # 80%, one late
        + lane_week(C, 6, 0, 300)  # all on time: never a worst lane
        + lane_week(E, 0, 4, 400)  # 0%, but only 4 deliveries: too few to judge
        + lane_week(F, 8, 2, 500)  # 80%, two late: before B
    )
    worst = digest.worst_lanes(rollup.build(facts))
    assert [(w.lane, w.on_time, w.late) for w in worst] == [
        (A, Share(3, 5), 2),
        (F, Share(8, 10), 2),
        (B, Share(4, 5), 1),
    ]
    assert worst[0].transit_p90_hours == 30
    assert digest.lane_words(A) == "ups: US → BR (SP)"
    # The digest names the week's worst lanes only: last week's late ones are not this week's.
    earlier = [delivered(600 + n, D - timedelta(days=3), 30, promise=1, lane=C) for n in range(6)]
    assert [w.lane for w in digest.digest(rollup.build(facts + earlier), 1, MONDAY).worst_lanes] == [A, F, B]
