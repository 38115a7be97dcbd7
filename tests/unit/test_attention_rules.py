"""Alert rules with an injected clock: each kind opens when its condition holds, stays shut
when it does not, and says when the next check is due."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ordertrack.attention.rules import Kind, ShipmentWatch, Thresholds, evaluate
from ordertrack.eta.calendar import calendar_for

T0 = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # Monday, 09:00 in Chicago
RULES = Thresholds()


def watch(**changes: object) -> ShipmentWatch:
    base = ShipmentWatch(
        status="in_transit",
        reason=None,
        created_at=T0,
        first_carrier_scan_at=T0 + timedelta(hours=6),
        last_scan_at=T0 + timedelta(hours=6),
        promised_latest=date(2026, 11, 20),
        destination_timezone="America/Chicago",
        origin_timezone="America/Chicago",
        origin_calendar=calendar_for("US"),
        international=False,
        usual_gap=timedelta(days=2),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def kinds(shipment: ShipmentWatch, now: datetime) -> set[Kind]:
    return set(evaluate(shipment, now, RULES).open)


def test_a_parcel_scanned_recently_and_within_its_promise_raises_nothing() -> None:
    verdict = evaluate(watch(), T0 + timedelta(days=1), RULES)
    assert verdict.open == {}
    assert verdict.next_check_at == T0 + timedelta(hours=6) + timedelta(days=2)  # when it would stall


def test_stalled_after_the_lanes_usual_gap_and_cleared_by_the_next_scan() -> None:
    silent = watch()
    assert kinds(silent, T0 + timedelta(hours=6) + timedelta(days=2, minutes=1)) == {Kind.stalled}
    moved_on = watch(last_scan_at=T0 + timedelta(days=2, hours=5))
    assert kinds(moved_on, T0 + timedelta(days=2, hours=7)) == set()


def test_old_scans_arriving_now_are_not_silence_until_the_carrier_goes_quiet() -> None:
    # A backfill (or a carrier catching up): scans from ten days ago reach us only now.
    now = T0 + timedelta(days=10, hours=6)
    backfilled = watch(promised_latest=None, last_heard_at=now - timedelta(minutes=5))
    verdict = evaluate(backfilled, now, RULES)
    assert verdict.open == {}
    assert verdict.next_check_at == now - timedelta(minutes=5) + timedelta(days=2)
    # If nothing more comes within the lane's usual gap, the old silence counts in full.
    assert kinds(backfilled, verdict.next_check_at) == {Kind.likely_lost}
    # Heard long ago: the rules are as before.
    assert kinds(watch(promised_latest=None, last_heard_at=T0 + timedelta(hours=6)), now) == {
        Kind.likely_lost
    }


def test_the_gap_is_the_lanes_own_not_a_fixed_number() -> None:
    now = T0 + timedelta(days=3, hours=7)
    assert kinds(watch(usual_gap=timedelta(days=2)), now) == {Kind.stalled}
    assert kinds(watch(usual_gap=timedelta(days=4)), now) == set()


def test_likely_lost_replaces_stalled_after_seven_days_at_home_and_twenty_abroad() -> None:
    eight_days = T0 + timedelta(hours=6) + timedelta(days=8)
    assert Kind.likely_lost in kinds(watch(promised_latest=None), eight_days)
    assert Kind.stalled not in kinds(watch(promised_latest=None), eight_days)
    abroad = watch(promised_latest=None, international=True)
    assert kinds(abroad, eight_days) == {Kind.stalled}
    assert kinds(abroad, T0 + timedelta(days=21)) == {Kind.likely_lost}
    stricter = Thresholds(lost_domestic=timedelta(days=3))  # configurable, but never under 2 usual gaps
    assert set(evaluate(watch(promised_latest=None), T0 + timedelta(days=4), stricter).open) == {Kind.stalled}
    assert set(evaluate(watch(promised_latest=None), T0 + timedelta(days=5), stricter).open) == {
        Kind.likely_lost
    }


def test_late_from_the_day_after_the_promise_in_the_destinations_calendar() -> None:
    # 2026-11-21 00:30 in Chicago is 06:30 UTC: the promised Friday is over there.
    assert Kind.late in kinds(watch(), datetime(2026, 11, 21, 6, 30, tzinfo=UTC))
    # 23:30 on Friday in Chicago is already Saturday in UTC: not late yet.
    on_the_day = datetime(2026, 11, 21, 5, 30, tzinfo=UTC)
    assert Kind.late not in kinds(watch(last_scan_at=on_the_day), on_the_day)


def test_exception_and_failed_attempt_are_trouble_until_the_status_moves_on() -> None:
    failed = watch(status="failed_attempt", reason="recipient_unavailable")
    verdict = evaluate(failed, T0 + timedelta(hours=8), RULES)
    assert verdict.open == {Kind.exception: "failed attempt (recipient unavailable)"}
    assert kinds(watch(status="out_for_delivery"), T0 + timedelta(hours=8)) == set()


def test_not_picked_up_after_two_business_days_counting_holidays_at_the_origin() -> None:
    # A label on Wednesday 2026-11-25: Thanksgiving (26th) and the weekend do not count,
    # so the second business day is Monday the 30th; the alert opens on Tuesday.
    label = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    waiting = watch(created_at=label, first_carrier_scan_at=None, last_scan_at=None, promised_latest=None)
    verdict = evaluate(waiting, datetime(2026, 11, 30, 20, 0, tzinfo=UTC), RULES)
    assert verdict.open == {}
    assert verdict.next_check_at == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # midnight in Chicago
    assert kinds(waiting, datetime(2026, 12, 1, 6, 0, tzinfo=UTC)) == {Kind.not_picked_up}
    picked_up = replace(waiting, first_carrier_scan_at=datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    assert Kind.not_picked_up not in kinds(picked_up, datetime(2026, 12, 1, 8, 0, tzinfo=UTC))


def test_a_missed_checkpoint_is_not_an_alarm() -> None:
    # Label scan, then nothing until "out for delivery" (every hub scan in between missing).
    jumped = watch(status="out_for_delivery", last_scan_at=T0 + timedelta(days=1, hours=2))
    assert kinds(jumped, T0 + timedelta(days=1, hours=3)) == set()


def test_delivered_or_returned_ends_everything() -> None:
    far_later = T0 + timedelta(days=60)
    for status in ("delivered", "returned"):
        verdict = evaluate(watch(status=status), far_later, RULES)
        assert verdict == type(verdict)({}, None)


def test_waiting_at_a_pickup_point_is_quiet_not_stalled() -> None:
    waiting = watch(status="available_for_pickup", promised_latest=None)
    assert kinds(waiting, T0 + timedelta(days=5)) == set()


@given(
    hours=st.integers(min_value=0, max_value=24 * 40), gap_hours=st.integers(min_value=1, max_value=24 * 6)
)
def test_the_next_check_is_never_in_the_past_and_nothing_new_opens_before_it(
    hours: int, gap_hours: int
) -> None:
    shipment = watch(usual_gap=timedelta(hours=gap_hours))
    now = T0 + timedelta(hours=hours)
    verdict = evaluate(shipment, now, RULES)
    if verdict.next_check_at is not None:
        assert verdict.next_check_at > now
        just_before = verdict.next_check_at - timedelta(seconds=1)
        assert set(evaluate(shipment, just_before, RULES).open) == set(verdict.open)
