"""USPS Tracking v3: recorded responses, our own payloads, and mangled ones that must not raise.

Expected statuses follow USPS Publication 97 Appendix I and the code table in
``ordertrack.carriers.usps.codes``; times are USPS's local ``eventTimestamp`` at its ``GMTOffset``.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordertrack.carriers.reading import Reading
from ordertrack.carriers.usps.mapping import read
from tests.carriers.samples import sample, samples_in

# (local time with offset, status, reason, code, city, region, postal code) oldest first, by hand.
RECORDED = [
    ("2024-11-15T11:32:00-05:00", "info_received", None, "GX", "Springfield Gardens", "NY", "11413"),
    ("2024-11-18T11:10:00-05:00", "in_transit", None, "03", "Jamaica", "NY", "11430"),
    ("2024-11-18T17:01:00-05:00", "in_transit", None, "SF", "Jamaica", "NY", "11430"),
    ("2024-11-18T18:02:00-05:00", "in_transit", None, "10", "Queens", "NY", None),
    ("2024-11-19T06:16:00-05:00", "in_transit", None, "T1", "Queens", "NY", None),
    ("2024-11-19T12:11:00-05:00", "in_transit", None, "TL", None, None, None),
    ("2024-11-19T18:07:00-05:00", "in_transit", None, "TL", None, None, None),
    ("2024-11-20T01:11:00-05:00", "in_transit", None, "TL", None, None, None),
    ("2024-11-20T01:13:00-05:00", "in_transit", None, "A1", "Jacksonville", "FL", None),
    ("2024-11-22T08:59:00-05:00", "in_transit", None, "07", "Lecanto", "FL", "34461"),
    ("2024-11-22T09:10:00-05:00", "out_for_delivery", None, "OF", "Hernando", "FL", "34442"),
    ("2024-11-22T13:58:00-05:00", "delivered", None, "01", "Hernando", "FL", "34442"),
]


def _event(code: str, kind: str, stamp: str, **extra: Any) -> dict[str, Any]:
    return {
        "eventType": kind,
        "eventTimestamp": stamp,
        "GMTOffset": "-06:00",
        "eventCity": "AUSTIN",
        "eventState": "TX",
        "eventZIP": "78701",
        "eventCountry": None,
        "eventCode": code,
        **extra,
    }


OURS = {
    "trackingNumber": "9205590164917312751089",
    "mailClass": "Priority Mail<SUP>&#174;</SUP>",
    "expectedDeliveryDate": "2025-03-06",
    "trackingEvents": [
        _event("01", "Delivered, Left with Individual", "2025-03-05T14:02:00", name="R SMITH"),
        _event("ZZ", "Something New", "2025-03-05T08:00:00"),
        _event("05", "Undeliverable as Addressed", "2025-03-04T15:30:00"),
        _event("02", "Notice Left (No Authorized Recipient Available)", "2025-03-04T11:00:00"),
        {"eventType": "Shipping Label Created", "eventTimestamp": "2025-03-01T10:00:00", "eventCode": "GX"},
    ],
}


def test_recorded_delivered_parcel_reads_every_scan_in_local_time() -> None:
    reading = read(sample("usps", "TrackingResponse.json"))
    assert reading.messages == ()
    (tracking,) = reading.trackings
    assert tracking.tracking_number == "9400109104250532908587"
    assert tracking.carrier == "usps"
    assert tracking.messages == ()
    got = [
        (
            e.occurred_at.isoformat(),
            str(e.status),
            e.reason,
            e.code,
            e.location.city if e.location else None,
            e.location.region if e.location else None,
            e.location.postal_code if e.location else None,
        )
        for e in tracking.events
    ]
    assert got == RECORDED
    assert tracking.status == "delivered"
    assert tracking.service == "USPS Ground Advantage\u2122"
    assert tracking.events[-1].description == "Delivered, Parcel Locker"
    assert tracking.events[-1].location is not None and tracking.events[-1].location.country == "US"
    # No EDD, no signer and no proof-of-delivery link in this response (proofOfDeliveryEnabled false).
    assert (tracking.estimated_delivery, tracking.signed_by, tracking.proof_of_delivery) == (None, None, None)


def test_placeholder_error_body_is_a_carrier_error_without_trackings() -> None:
    reading = read(sample("usps", "ErrorResponse.json"))
    assert reading.trackings == ()
    assert [m.code for m in reading.messages] == ["carrier_error"]


def test_oauth_refusal_is_an_auth_error() -> None:
    reading = read(sample("usps", "AuthErrorResponse.json"))
    assert reading.trackings == ()
    assert [m.code for m in reading.messages] == ["auth_error"]
    assert "Client authentication failed" in reading.messages[0].text


def test_request_body_is_not_mistaken_for_a_tracking() -> None:
    reading = read(sample("usps", "TrackingPayload.json"))
    assert reading.trackings == ()
    assert reading.messages


def test_api_not_found_error_is_not_found() -> None:
    body = {"apiVersion": "3.0", "error": {"code": "404", "message": "Tracking number not found"}}
    reading = read(json.dumps(body).encode())
    assert (reading.trackings, [m.code for m in reading.messages]) == ((), ["not_found"])


def test_own_payload_delivered_exception_attempt_unknown_code_and_a_placeless_label() -> None:
    (tracking,) = read(json.dumps(OURS).encode()).trackings
    got = [(e.occurred_at.isoformat(), str(e.status), e.reason, e.code) for e in tracking.events]
    assert got == [
        # No GMTOffset and no place: kept on the clock of the parcel's Austin scans, as approximate.
        ("2025-03-01T10:00:00-06:00", "info_received", None, "GX"),
        ("2025-03-04T11:00:00-06:00", "failed_attempt", "recipient_unavailable", "02"),
        ("2025-03-04T15:30:00-06:00", "exception", "address_issue", "05"),
        ("2025-03-05T08:00:00-06:00", "in_transit", None, "ZZ"),
        ("2025-03-05T14:02:00-06:00", "delivered", None, "01"),
    ]
    assert [e.time_precision for e in tracking.events] == ["approximate"] + ["exact"] * 4
    assert [(m.code, m.where) for m in tracking.messages] == [("unknown_code", "$.trackingEvents[1]")]
    assert tracking.signed_by == "R SMITH"
    assert tracking.service == "Priority Mail\u00ae"
    assert tracking.estimated_delivery is not None
    assert tracking.estimated_delivery.earliest.isoformat() == "2025-03-06"
    assert tracking.status == "delivered"


def test_scan_without_offset_takes_the_zone_of_its_state() -> None:
    event = _event("07", "Arrived at Post Office", "2025-07-01T08:00:00", eventState="CA")
    del event["GMTOffset"]
    body = {"trackingNumber": "9400100000000000000000", "trackingEvents": [event]}
    (tracking,) = read(json.dumps(body).encode()).trackings
    assert tracking.events[0].occurred_at.isoformat() == "2025-07-01T08:00:00-07:00"


def test_a_scan_with_a_zip_but_no_state_nor_offset_is_kept_on_the_clock_of_the_parcels_us_scan() -> None:
    # An International Service Center scan: a ZIP (so the US), no state, no GMTOffset.
    isc = {
        "eventType": "Processed Through Facility",
        "eventTimestamp": "2025-03-02T07:45:00",
        "eventCity": "ISC NEW YORK NY(USPS)",
        "eventZIP": "11430",
        "eventCode": "10",
    }
    arrived = _event("07", "Arrived at Post Office", "2025-03-03T08:00:00")  # Austin, -06:00
    body = {"trackingNumber": "9400100000000000000000", "trackingEvents": [arrived, isc]}
    reading = read(json.dumps(body).encode())
    (tracking,) = reading.trackings
    got = [(e.occurred_at.isoformat(), e.time_precision) for e in tracking.events]
    assert got == [("2025-03-02T07:45:00-06:00", "approximate"), ("2025-03-03T08:00:00-06:00", "exact")]
    assert reading.all_messages() == []
    # Alone, it is read in the country's most populous zone.
    (alone,) = read(json.dumps({**body, "trackingEvents": [isc]}).encode()).trackings
    assert [(e.occurred_at.isoformat(), e.time_precision) for e in alone.events] == [
        ("2025-03-02T07:45:00-05:00", "approximate")
    ]


def test_an_unreadable_time_is_still_a_message_not_a_guess() -> None:
    body = {"trackingNumber": "9400100000000000000000", "trackingEvents": [_event("07", "Arrived", "03/02")]}
    (tracking,) = read(json.dumps(body).encode()).trackings
    assert tracking.events == ()
    assert [m.code for m in tracking.messages] == ["bad_time"]


def test_folder_declares_its_connector() -> None:
    from ordertrack.carriers.usps import CONNECTOR

    assert (CONNECTOR.slug, CONNECTOR.media_type, CONNECTOR.read) == ("usps", "json", read)


# --- robustness ---------------------------------------------------------------------------------

_WRONG = st.one_of(
    st.none(), st.integers(), st.just("string"), st.lists(st.integers(), max_size=2), st.just({})
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _mutate(document: Any, path: tuple[Any, ...], replacement: Any, delete: bool) -> Any:
    copy = json.loads(json.dumps(document))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return copy


def _documents() -> list[Any]:
    found = [OURS]
    for path in samples_in("usps", (".json",)):
        try:
            found.append(json.loads(path.read_bytes()))
        except ValueError:
            continue
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mangled_payloads_never_raise(data: st.DataObject) -> None:
    document = data.draw(st.sampled_from(_documents()))
    paths = _paths(document)
    if paths:
        path = data.draw(st.sampled_from(paths))
        document = _mutate(document, path, data.draw(_WRONG), data.draw(st.booleans()))
    raw = json.dumps(document).encode()
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    assert isinstance(read(raw), Reading)
    assert isinstance(read(raw[:cut]), Reading)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_a_reading(raw: bytes) -> None:
    assert isinstance(read(raw), Reading)
