"""The order page as support needs it, as pure rules: when a problem began, the carrier and
warehouse the ship form proposes, the zone a timeline is written in, how recipients show."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from ordertrack.attention.rules import Kind, ShipmentWatch, Thresholds, evaluate
from ordertrack.eta.calendar import calendar_for
from ordertrack.fulfilment.ship_defaults import usual_carrier
from ordertrack.inventory.holdings import OrderHoldings
from ordertrack.web.dashboard.fulfilment import _beyond
from ordertrack.web.dashboard.orders_pages import masked_recipient
from ordertrack.web.dashboard.timeline import timeline_zone

T0 = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)  # Monday, 09:00 in Chicago


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


# --- attention: since when ---------------------------------------------------------------------


def test_a_stalled_parcel_has_been_in_trouble_since_its_last_scan_not_since_the_check() -> None:
    now = T0 + timedelta(days=3)
    verdict = evaluate(watch(), now, Thresholds())
    assert Kind.stalled in verdict.open
    assert verdict.began[Kind.stalled] == T0 + timedelta(hours=6)


def test_a_late_parcel_has_been_late_since_the_promised_day_ended_where_it_goes() -> None:
    now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    verdict = evaluate(watch(last_scan_at=now - timedelta(hours=1)), now, Thresholds())
    assert Kind.late in verdict.open
    assert verdict.began[Kind.late] == datetime(2026, 11, 21, 6, 0, tzinfo=UTC)  # midnight in Chicago


def test_an_exception_began_with_its_scan_and_a_pick_up_was_missed_at_its_deadline() -> None:
    scan = T0 + timedelta(hours=8)
    trouble = evaluate(
        watch(status="exception", reason="damaged", last_scan_at=scan),
        scan + timedelta(hours=1),
        Thresholds(),
    )
    assert trouble.began[Kind.exception] == scan
    label_only = watch(
        status="info_received", first_carrier_scan_at=None, last_scan_at=T0, promised_latest=None
    )
    verdict = evaluate(label_only, T0 + timedelta(days=5), Thresholds())
    assert Kind.not_picked_up in verdict.open
    assert verdict.began[Kind.not_picked_up] == datetime(2026, 11, 19, 6, 0, tzinfo=UTC)  # end of Wednesday


def test_a_problem_never_begins_after_the_check_that_sees_it() -> None:
    now = T0 + timedelta(hours=9)
    ahead = evaluate(watch(status="exception", last_scan_at=now + timedelta(minutes=30)), now, Thresholds())
    assert ahead.began[Kind.exception] == now


# --- the ship form's proposals -------------------------------------------------------------------


def test_the_carrier_used_most_for_the_destination_is_proposed() -> None:
    history = [("ups", "US"), ("dhl_express", "DE"), ("dhl", "DE"), ("dhl_express", "DE"), ("ups", "DE")]
    carrier, why = usual_carrier(history, "de")
    assert carrier == "dhl_express"
    assert "DE" in why and "2 of 4" in why


def test_a_tie_goes_to_the_carrier_used_most_recently_for_that_country() -> None:
    assert usual_carrier([("dhl", "DE"), ("ups", "DE"), ("ups", "DE"), ("dhl", "DE")], "DE")[0] == "dhl"


def test_a_new_destination_gets_the_last_carrier_used_then_the_own_courier() -> None:
    assert usual_carrier([("fedex", "US"), ("ups", "US")], "FR") == (
        "fedex",
        "the carrier of your last shipment",
    )
    assert usual_carrier([], "FR")[0] == "own"


def test_the_warehouse_proposed_is_the_one_holding_most_of_the_order() -> None:
    holdings = OrderHoldings(reserved={"AUS1": {"A": 1}, "LEI1": {"A": 1, "B": 2}})
    assert holdings.main_warehouse() == "LEI1"
    assert holdings.units_reserved == 4
    assert OrderHoldings().main_warehouse() is None


def test_removing_a_parcel_forgets_only_the_fields_of_the_parcels_past_the_count() -> None:
    assert _beyond("parcel3_weight_grams", 2)
    assert not _beyond("parcel2_weight_grams", 2)
    assert not _beyond("parcel_count", 1)
    assert not _beyond("carrier", 1)


# --- the timeline's one zone ---------------------------------------------------------------------

ZONES = {"LEI1": "Europe/Berlin"}


def test_a_timeline_is_in_the_warehouses_zone_unless_the_reader_chooses_another() -> None:
    default = timeline_zone(None, warehouse="LEI1", warehouse_zones=ZONES, shopper_zone="Europe/Paris")
    assert (default.zone, default.kind) == ("Europe/Berlin", "warehouse")
    assert "LEI1" in default.label
    shopper = timeline_zone("shopper", warehouse="LEI1", warehouse_zones=ZONES, shopper_zone="Europe/Paris")
    assert (shopper.zone, shopper.kind) == ("Europe/Paris", "shopper")
    own = timeline_zone("Asia/Tokyo", warehouse="LEI1", warehouse_zones=ZONES, shopper_zone=None)
    assert (own.zone, own.kind) == ("Asia/Tokyo", "chosen")
    assert timeline_zone("utc", warehouse=None, warehouse_zones={}, shopper_zone=None).zone == "UTC"


def test_without_a_known_warehouse_the_timeline_says_it_is_in_utc() -> None:
    choice = timeline_zone("warehouse", warehouse=None, warehouse_zones=ZONES, shopper_zone=None)
    assert choice.zone == "UTC" and "no warehouse" in choice.label


@pytest.mark.parametrize("asked", ["Mars/Olympus", "../../etc/passwd", "warehouse2", "Europe/Berlin\n"])
def test_a_zone_that_does_not_exist_is_refused(asked: str) -> None:
    with pytest.raises(ValueError):
        timeline_zone(asked, warehouse="LEI1", warehouse_zones=ZONES, shopper_zone=None)


# --- messages: whom they went to ------------------------------------------------------------------


def test_recipients_show_what_support_needs_and_hide_what_they_do_not() -> None:
    assert masked_recipient("email", "ann@example.com") == "ann@example.com"
    assert masked_recipient("sms", "+14155550123") == "+14•••••0123"
    assert (
        masked_recipient("webhook", "https://hooks.example.com/x/secret?token=abc")
        == "https://hooks.example.com/…"
    )
