"""Simulated journeys written in each carrier's own format read back through its real connector."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.carriers.reading import CarrierTracking
from ordertrack.carriers.registry import connector
from ordertrack.simulate.formats import NATIVE_FORMATS, encode, reads_back
from ordertrack.simulate.generator import SimConfig, generate
from ordertrack.simulate.journeys import FaultRates

START = datetime(2026, 9, 1, tzinfo=UTC)
ESTIMATE = date(2026, 9, 9)
# Troubles far above their real rates, so every kind of event turns up in a few hundred parcels.
TROUBLED = FaultRates(
    missed_scan=0.05,
    duplicate=0.05,
    late=0.1,
    failed_attempt=0.3,
    address_issue=0.15,
    damaged=0.05,
    customs_hold=0.6,
    lost=0.0,
    return_to_sender=0.15,
    recycled_number=0.0,
)
CARRIERS = sorted(NATIVE_FORMATS - {"aftership"})
# What the simulator's journeys produce (journeys.py), per status.
SIMULATED = {
    ("info_received", None),
    ("in_transit", None),
    ("out_for_delivery", None),
    ("delivered", None),
    ("failed_attempt", "recipient_unavailable"),
    ("failed_attempt", "no_safe_place"),
    ("failed_attempt", "business_closed"),
    ("exception", "address_issue"),
    ("exception", "customs_hold"),
    ("exception", "damaged"),
    ("exception", "refused"),
    ("returning", "address_issue"),
    ("returning", "damaged"),
    ("returning", "refused"),
    ("returned", None),
}


@cache
def parcels() -> dict[tuple[str, str], tuple[dict[str, Any], ...]]:
    """Every simulated parcel's events as the carrier sent them, by (carrier, number)."""
    config = SimConfig(orders=400, seed=11, start=START, days=10, faults=TROUBLED, easypost_share=0.0)
    found: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for record in generate(config):
        if record["kind"] == "events":
            for event in record["events"]:
                found[(event["carrier"], event["tracking_number"])].append(event)
    return {key: tuple(events) for key, events in found.items()}


def journeys_of(fmt: str) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(carrier, number, events) of the parcels ``fmt`` carries (AfterShip: all of them)."""
    return [
        (carrier, number, list(events))
        for (carrier, number), events in parcels().items()
        if fmt in ("aftership", carrier)
    ]


def read_back(fmt: str, body: dict | str) -> tuple[CarrierTracking, list[str]]:
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    reading = connector(fmt).read(raw)
    assert len(reading.trackings) == 1, reading
    return reading.trackings[0], [f"{m.code}: {m.text}" for m in reading.all_messages()]


def differences(
    fmt: str, carrier: str, number: str, sent: list[dict[str, Any]], body: dict | str
) -> list[str]:
    """Everything the connector reads differently from what the encoder promises; [] when none."""
    tracking, messages = read_back(fmt, body)
    problems = list(messages)
    if tracking.tracking_number != number or tracking.carrier != carrier:
        problems.append(f"read {tracking.carrier} {tracking.tracking_number}, sent {carrier} {number}")
    # Sorted by their text: two scans at one instant may differ only by a reason that is None.
    expected = sorted(
        (
            (datetime.fromisoformat(e["occurred_at"]), *reads_back(fmt, e["status"], e["reason"]))
            for e in sent
        ),
        key=str,
    )
    got = sorted(((e.occurred_at, str(e.status), e.reason) for e in tracking.events), key=str)
    if got != expected:
        problems.append(f"events {got} != {expected}")
    places = sorted(
        (
            (
                e["occurred_at"],
                e["location"]["city"],
                "GB" if fmt == "royalmail" else e["location"]["country"],
            )
            for e in sent
        ),
        key=str,
    )
    read_places = sorted(
        (
            (
                e.occurred_at.isoformat(),
                e.location.city if e.location else None,
                e.location.country if e.location else None,
            )
            for e in tracking.events
        ),
        key=str,
    )
    if read_places != places:
        problems.append(f"places {read_places} != {places}")
    return problems


@pytest.mark.parametrize("fmt", CARRIERS)
def test_the_simulated_journeys_hold_every_trouble_for_each_carrier(fmt: str) -> None:
    seen = {(e["status"], e["reason"]) for _, _, events in journeys_of(fmt) for e in events}
    # USPS and DHL domestic parcels never meet customs in the simulated network.
    assert seen >= SIMULATED - {("exception", "customs_hold")}, SIMULATED - seen


@pytest.mark.parametrize("fmt", sorted(NATIVE_FORMATS))
def test_every_simulated_journey_reads_back_through_the_carriers_connector(fmt: str) -> None:
    journeys = journeys_of(fmt)
    assert len(journeys) > 20
    for carrier, number, events in journeys:
        assert differences(fmt, carrier, number, events, encode(fmt, number, events, ESTIMATE)) == []


@pytest.mark.parametrize("fmt", sorted(NATIVE_FORMATS))
def test_journeys_read_back_at_every_step_of_the_way(fmt: str) -> None:
    """The generator sends the events reported so far: every prefix is a payload too."""
    carrier, number, events = next(j for j in journeys_of(fmt) if len(j[2]) > 8)
    for end in range(1, len(events) + 1):
        assert differences(fmt, carrier, number, events[:end], encode(fmt, number, events[:end], None)) == []


@pytest.mark.parametrize("fmt", sorted(NATIVE_FORMATS))
def test_the_carriers_estimate_is_carried(fmt: str) -> None:
    carrier, number, events = journeys_of(fmt)[0]
    with_estimate, _ = read_back(fmt, encode(fmt, number, events, ESTIMATE))
    without, _ = read_back(fmt, encode(fmt, number, events, None))
    assert with_estimate.estimated_delivery is not None
    assert (with_estimate.estimated_delivery.earliest, with_estimate.estimated_delivery.latest) == (
        ESTIMATE,
        ESTIMATE,
    )
    assert without.estimated_delivery is None


# Statuses a carrier's table cannot say, and what the connector reads instead.
STATUS_LOST = {
    "ups": {},
    "aftership": {},
    "fedex": {"failed_attempt": "exception", "returned": "delivered"},
    "usps": {"returned": "delivered"},
    "dhl": {
        "out_for_delivery": "in_transit",
        "available_for_pickup": "in_transit",
        "failed_attempt": "exception",
        "returning": "exception",
        "returned": "exception",
    },
    "royalmail": {"returning": "exception", "returned": "exception"},
}


@pytest.mark.parametrize("fmt", sorted(NATIVE_FORMATS))
def test_a_status_changes_only_where_the_carrier_has_no_code_for_it(fmt: str) -> None:
    statuses = {status for status, _ in SIMULATED} | {"available_for_pickup", "exception"}
    changed = {s: reads_back(fmt, s, None)[0] for s in statuses if reads_back(fmt, s, None)[0] != s}
    assert changed == STATUS_LOST[fmt]


@pytest.mark.parametrize(
    ("fmt", "final"),
    [
        ("ups", "returned"),
        ("fedex", "returned"),  # DL at the sender after RS: folded into returned
        ("usps", "returned"),
        ("aftership", "returned"),
        ("dhl", "exception"),
        ("royalmail", "exception"),
    ],
)
def test_a_returned_parcel_never_reads_as_delivered_to_the_shopper(fmt: str, final: str) -> None:
    # Only parcels whose "returning" scan was sent: FedEx and USPS write the return's end as a
    # delivery, which reads as returned only after it (see formats.py).
    returned = [
        j
        for j in journeys_of(fmt)
        if j[2][-1]["status"] == "returned"
        and j[0] != "dpd"
        and any(e["status"] == "returning" for e in j[2])
    ]
    assert returned
    for _, number, events in returned:
        tracking, _ = read_back(fmt, encode(fmt, number, events, None))
        assert tracking.status == final


# Where each format keeps the newest event's code, and an in-transit code of that carrier.
def _newest_code(fmt: str, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    if fmt == "ups":
        activity = body["trackResponse"]["shipment"][0]["package"][0]["activity"][0]
        return activity["status"], {"type": "I", "code": "AR", "statusCode": "005"}
    if fmt == "fedex":
        scan = body["output"]["completeTrackResults"][0]["trackResults"][0]["scanEvents"][0]
        return scan, {"eventType": "AR"}
    if fmt == "usps":
        return body["trackingEvents"][0], {"eventCode": "10"}
    if fmt == "dhl":
        return body["shipments"][0]["events"][0], {"statusCode": "transit"}
    if fmt == "royalmail":
        return body["mailPieces"]["events"][0], {"eventCode": "EVOCO"}
    return body["msg"]["checkpoints"][-1], {"tag": "InTransit", "subtag": "InTransit_001"}


def _delivered_journey(fmt: str) -> tuple[str, str, list[dict[str, Any]]]:
    return next(j for j in journeys_of(fmt) if j[2][-1]["status"] == "delivered" and j[0] != "dpd")


@pytest.mark.parametrize("fmt", sorted(NATIVE_FORMATS))
def test_a_code_the_carriers_table_does_not_know_is_caught(fmt: str) -> None:
    carrier, number, events = _delivered_journey(fmt)
    body = encode(fmt, number, events, None)
    assert isinstance(body, dict)
    holder, codes = _newest_code(fmt, body)
    for key in codes:
        if key != "type":
            holder[key] = "NOPE7"
    found = differences(fmt, carrier, number, events, body)
    assert any(problem.startswith("unknown_code") for problem in found), found


@pytest.mark.parametrize("fmt", sorted(NATIVE_FORMATS))
def test_a_known_code_of_the_wrong_status_is_caught(fmt: str) -> None:
    carrier, number, events = _delivered_journey(fmt)
    body = encode(fmt, number, events, None)
    assert isinstance(body, dict)
    holder, in_transit = _newest_code(fmt, body)
    holder.update(in_transit)
    found = differences(fmt, carrier, number, events, body)
    assert len(found) == 1 and found[0].startswith("events"), found


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="no native format"):
        encode("dpd", "X1", [], None)


_PLACES = [
    ("Chicago", "IL", "US", "America/Chicago"),
    ("Leeds", "ENG", "GB", "Europe/London"),
    ("Köln", "07", "DE", "Europe/Berlin"),
]


@st.composite
def unified_events(draw: st.DrawFn) -> dict[str, Any]:
    status, reason = draw(st.sampled_from(sorted(SIMULATED, key=str) + [("available_for_pickup", None)]))
    city, region, country, zone_name = draw(st.sampled_from(_PLACES))
    minutes = draw(st.integers(0, 60 * 24 * 40))
    offset = timezone(timedelta(minutes=draw(st.sampled_from([-300, -240, 0, 60, 120, 330]))))
    at = (START + timedelta(minutes=minutes)).astimezone(offset)
    return {
        "occurred_at": at.isoformat(),
        "status": status,
        "reason": reason,
        "description": draw(st.sampled_from(["Scan", "Arrived at hub", "Ausgeliefert"])),
        "carrier": "ups",
        "location": {"city": city, "region": region, "country": country, "timezone": zone_name},
    }


def _instant(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["occurred_at"])


@settings(max_examples=40, deadline=None)
@given(
    # Scans at distinct instants: two scans at one instant that a format reads back alike (two
    # deliveries; a return it cannot tell from returning) are one scan to ordertrack, which is
    # right, but the comparison below could not say which of the two was kept.
    events=st.lists(unified_events(), min_size=1, max_size=6, unique_by=_instant),
    fmt=st.sampled_from(sorted(NATIVE_FORMATS)),
)
def test_any_events_in_any_order_read_back_the_same(events: list[dict[str, Any]], fmt: str) -> None:
    number = "1Z999AA10123456784"
    carrier = "ups" if fmt == "aftership" else fmt  # AfterShip names the carrier that moves it
    assert differences(fmt, carrier, number, events, encode(fmt, number, events, None)) == []
