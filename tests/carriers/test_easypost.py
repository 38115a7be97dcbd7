"""EasyPost: recorded Trackers and Events, our own payloads, robustness and the webhook signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from email.utils import formatdate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.carriers.easypost.mapping import read
from ordertrack.carriers.easypost.webhook import verify
from ordertrack.carriers.reading import CarrierTracking, Reading
from ordertrack.carriers.registry import BadSignature
from tests.carriers.samples import sample, samples_in

FOLDER = "easypost"


def events(tracking: CarrierTracking) -> list[tuple[object, ...]]:
    return [
        (
            e.occurred_at.isoformat(),
            e.status.value,
            e.reason,
            e.code,
            e.location.city if e.location else None,
            e.location.region if e.location else None,
            e.location.postal_code if e.location else None,
        )
        for e in tracking.events
    ]


# The docs' Tracker (create, retrieve and the one in a list): two pre_transit/status_update details
# (https://docs.easypost.com/docs/trackers). Houston comes without a country, so no zone can be
# inferred and EasyPost's UTC instant is shown as given.
DOCS_TRACKER_EVENTS = [
    ("2025-04-09T20:40:17+00:00", "info_received", None, "pre_transit/status_update", None, None, None),
    (
        "2025-04-10T09:17:17+00:00",
        "info_received",
        None,
        "pre_transit/status_update",
        "Houston",
        "TX",
        "77063",
    ),
]


@pytest.mark.parametrize(
    "name",
    [
        "docs__responses__trackers__trackers-create.json",
        "docs__responses__trackers__trackers-retrieve.json",
        "docs__responses__trackers__trackers-list.json",
    ],
)
def test_docs_tracker_reads_both_pre_transit_details_oldest_first(name):
    reading = read(sample(FOLDER, name))
    assert reading.messages == ()
    (tracking,) = reading.trackings
    assert (tracking.tracking_number, tracking.carrier, tracking.service) == (
        "EZ1000000001",
        "usps",
        "First-Class Package Service",
    )
    assert events(tracking) == DOCS_TRACKER_EVENTS
    # est_delivery_date_local is null, so EasyPost's UTC est_delivery_date gives the day.
    assert tracking.estimated_delivery is not None
    assert tracking.estimated_delivery.earliest.isoformat() == "2025-05-09"
    assert tracking.estimated_delivery.latest.isoformat() == "2025-05-09"
    assert tracking.signed_by is None and tracking.messages == ()


def test_landing_page_tracker_without_object_or_carrier_is_still_read():
    (tracking,) = read(
        sample(FOLDER, "landing_pages__built_for_developers__create_tracker_response.json")
    ).trackings
    assert (tracking.tracking_number, tracking.carrier, tracking.service) == (
        "EZ1000000001",
        "easypost",
        None,
    )
    assert events(tracking) == [
        ("2014-07-19T03:12:00+00:00", "info_received", None, "pre_transit", None, None, None),
        ("2014-07-21T10:12:00+00:00", "in_transit", None, "in_transit", None, None, None),
        ("2014-07-22T10:09:00+00:00", "delivered", None, "delivered", None, None, None),
    ]
    assert tracking.estimated_delivery is None and tracking.signed_by is None


def test_landing_page_webhook_event_shows_san_francisco_scans_in_pacific_time():
    reading = read(sample(FOLDER, "landing_pages__tracking_webhooks__tracking_webhook_response.json"))
    (tracking,) = reading.trackings
    assert (tracking.tracking_number, tracking.carrier, tracking.signed_by) == (
        "EZ4000000004",
        "ups",
        "John Tester",
    )
    # August 2014: PDT, UTC-7.
    assert events(tracking) == [
        ("2014-08-21T14:24:00+00:00", "info_received", None, "pre_transit", None, None, None),
        ("2014-08-21T07:48:00-07:00", "in_transit", None, "in_transit", "South San Francisco", "CA", None),
        ("2014-08-22T01:51:00-07:00", "in_transit", None, "in_transit", "South San Francisco", "CA", None),
        ("2014-08-23T02:31:00-07:00", "in_transit", None, "in_transit", "San Francisco", "CA", None),
        (
            "2014-08-24T01:10:00-07:00",
            "out_for_delivery",
            None,
            "out_for_delivery",
            "San Francisco",
            "CA",
            None,
        ),
        ("2014-08-24T08:33:00-07:00", "delivered", None, "delivered", "San Francisco", "CA", None),
    ]
    assert tracking.events[-1].location is not None
    assert (tracking.events[-1].location.country, tracking.events[-1].location.timezone) == (
        "US",
        "America/Los_Angeles",
    )
    assert tracking.estimated_delivery is not None
    assert tracking.estimated_delivery.earliest.isoformat() == "2014-08-27"
    assert str(tracking.status) == "delivered"


def test_guide_webhook_event_keeps_its_out_of_order_delivered_scan_where_its_time_puts_it():
    # The guide's DELIVERED detail is stamped 2014-11-19, before the other scans (a docs quirk);
    # the mapping orders by time and does not invent a different one. November: PST, UTC-8.
    (tracking,) = read(sample(FOLDER, "guides__tracking-guide__json__tracking-webhook.json")).trackings
    assert (tracking.tracking_number, tracking.carrier, tracking.signed_by) == (
        "EZ4000000004",
        "ups",
        "John Tester",
    )
    assert events(tracking) == [
        ("2014-11-19T02:51:54-08:00", "delivered", None, "delivered", "San Francisco", "CA", None),
        ("2014-11-21T14:24:00+00:00", "info_received", None, "pre_transit", None, None, None),
        ("2014-11-21T06:48:00-08:00", "in_transit", None, "in_transit", "South San Francisco", "CA", None),
        ("2014-11-22T00:51:00-08:00", "in_transit", None, "in_transit", "South San Francisco", "CA", None),
        ("2014-11-23T01:31:00-08:00", "in_transit", None, "in_transit", "San Francisco", "CA", None),
        (
            "2014-11-24T00:10:00-08:00",
            "out_for_delivery",
            None,
            "out_for_delivery",
            "San Francisco",
            "CA",
            None,
        ),
    ]
    assert tracking.estimated_delivery is not None
    assert tracking.estimated_delivery.earliest.isoformat() == "2014-11-27"


def test_fixture_event_with_tracking_code_1_is_refused_with_a_message():
    reading = read(sample(FOLDER, "fixtures__event-body.json"))
    assert reading.trackings == ()
    assert [(m.code, m.where) for m in reading.messages] == [("missing_tracking_number", "$.result")]
    assert "'1'" in reading.messages[0].text


def test_fixture_event_with_a_real_number_reads_fedex_scans_in_eastern_time():
    document = json.loads(sample(FOLDER, "fixtures__event-body.json"))
    document["result"]["tracking_code"] = "794644790138"
    reading = read(json.dumps(document).encode())
    assert reading.messages == ()
    (tracking,) = reading.trackings
    assert (tracking.tracking_number, tracking.carrier, tracking.service) == (
        "794644790138",
        "fedex",
        "FEDEX_GROUND",
    )
    # Details are UTC ("Z"); Florida, North Carolina and New Jersey are on EDT (UTC-4) in summer.
    # The first scan has only country US and a ZIP: the US has several zones, so it stays UTC.
    assert events(tracking) == [
        (
            "2024-07-31T15:00:00+00:00",
            "info_received",
            None,
            "pre_transit/label_created",
            None,
            None,
            "32837",
        ),
        (
            "2024-07-31T15:27:00-04:00",
            "in_transit",
            None,
            "in_transit/arrived_at_facility",
            "Orlando",
            "FL",
            "32809",
        ),
        (
            "2024-07-31T18:35:00-04:00",
            "in_transit",
            None,
            "in_transit/arrived_at_facility",
            "Orlando",
            "FL",
            "32809",
        ),
        (
            "2024-08-01T10:42:13-04:00",
            "in_transit",
            None,
            "in_transit/departed_facility",
            "Orlando",
            "FL",
            "32809",
        ),
        ("2024-08-01T22:46:19-04:00", "in_transit", None, "in_transit/unknown", "Kenly", "NC", "27542"),
        ("2024-08-02T14:35:20-04:00", "in_transit", None, "in_transit/unknown", "Edison Twp", "NJ", "08817"),
        (
            "2024-08-02T14:50:00-04:00",
            "in_transit",
            None,
            "in_transit/arrived_at_facility",
            "Edison",
            "NJ",
            "08817",
        ),
    ]
    # The carrier's local day (est_delivery_date_local) is used.
    assert tracking.estimated_delivery is not None
    assert tracking.estimated_delivery.earliest.isoformat() == "2024-08-05"
    assert tracking.signed_by is None


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("docs__responses__events__events-list.json", "'tracker.created' carries no Tracker result"),
        ("docs__responses__events__events-retrieve.json", "'tracker.created' carries no Tracker result"),
        ("guides__webhooks-guide__event__event_example.json", "'tracker.updated' carries no Tracker result"),
        (
            "guides__webhooks-guide__event__post_json_example.json",
            "'batch.created' carries no Tracker result",
        ),
        (
            "docs__responses__smartrate__smartrate-retrieve-time-in-transit-statistics.json",
            "is not tracking data",
        ),
    ],
)
def test_non_tracking_payloads_are_unsupported_objects_without_trackings(name, said):
    reading = read(sample(FOLDER, name))
    assert reading.trackings == ()
    assert [m.code for m in reading.messages] == ["unsupported_object"]
    assert said in reading.messages[0].text


OWN = {
    "object": "Event",
    "description": "tracker.updated",
    "result": {
        "object": "Tracker",
        "tracking_code": "1Z999AA10123456784",
        "carrier": "UPS",
        "signed_by": "Signature not required",
        "est_delivery_date": "2024-03-09T00:00:00Z",
        "carrier_detail": {"service": "Ground", "est_delivery_date_local": "2024-03-08"},
        "tracking_details": [
            {
                "status": "delivered",
                "status_detail": "arrived_at_destination",
                "message": "Delivered, front door",
                "datetime": "2024-03-08T18:02:00Z",
                "tracking_location": {"city": "CHICAGO", "state": "IL", "zip": "60601", "country": "US"},
            },
            {
                "status": "failure",
                "status_detail": "weather_delay",
                "message": "Severe weather",
                "datetime": "2024-03-06T10:00:00Z",
                "tracking_location": {"city": "Denver", "state": "CO", "country": "US"},
            },
            {
                "status": "teleported",
                "status_detail": "beamed_up",
                "message": "??",
                "datetime": "2024-03-07T10:00:00Z",
                "tracking_location": None,
            },
        ],
    },
}


def test_own_event_maps_delivered_exception_and_unknown_status():
    reading = read(json.dumps(OWN).encode())
    assert reading.messages == ()
    (tracking,) = reading.trackings
    assert events(tracking) == [
        ("2024-03-06T03:00:00-07:00", "exception", "weather", "failure/weather_delay", "Denver", "CO", None),
        ("2024-03-07T10:00:00+00:00", "in_transit", None, "teleported/beamed_up", None, None, None),
        (
            "2024-03-08T12:02:00-06:00",
            "delivered",
            None,
            "delivered/arrived_at_destination",
            "Chicago",
            "IL",
            "60601",
        ),
    ]
    assert [(m.code, m.where) for m in tracking.messages] == [
        ("unknown_code", "$.result.tracking_details[2].status"),
        ("unknown_code", "$.result.tracking_details[2].status_detail"),
    ]
    assert tracking.carrier == "ups" and tracking.service == "Ground"
    assert (
        tracking.estimated_delivery is not None
        and tracking.estimated_delivery.earliest.isoformat() == "2024-03-08"
    )


def test_a_datetime_without_its_z_is_kept_on_the_scan_places_clock_as_approximate():
    # EasyPost documents UTC with "Z"; a detail that comes without it does not say its clock.
    body = json.loads(json.dumps(OWN))
    details = body["result"]["tracking_details"]
    details[1]["datetime"] = "2024-03-06T10:00:00"  # Denver
    details[2]["datetime"] = "2024-03-07T10:00:00"  # no place: the nearest US scan's clock
    reading = read(json.dumps(body).encode())
    (tracking,) = reading.trackings
    got = [(e.occurred_at.isoformat(), e.time_precision) for e in tracking.events]
    assert got == [
        ("2024-03-06T10:00:00-07:00", "approximate"),
        ("2024-03-07T10:00:00-06:00", "approximate"),
        ("2024-03-08T12:02:00-06:00", "exact"),
    ]
    assert "bad_time" not in [m.code for m in reading.all_messages()]


def test_a_utc_instant_in_a_country_of_several_clocks_is_not_given_a_zone_by_its_utc_offset():
    # Portugal keeps three clocks; the Azores show +00:00 in summer, but EasyPost's "Z" is UTC's.
    body = json.loads(json.dumps(OWN))
    body["result"]["tracking_details"] = [
        {
            "status": "in_transit",
            "message": "Arrived",
            "datetime": "2024-07-06T10:00:00Z",
            "tracking_location": {"city": "LISBOA", "country": "PT"},
        }
    ]
    (tracking,) = read(json.dumps(body).encode()).trackings
    (scan,) = tracking.events
    assert (scan.occurred_at.isoformat(), scan.time_precision) == ("2024-07-06T10:00:00+00:00", "exact")
    assert scan.location is not None and scan.location.timezone is None


@pytest.mark.parametrize("note", ["Signature not required", "N/A", "Released", "  ", "string"])
def test_a_note_in_signed_by_is_not_taken_for_a_name(note):
    body = json.loads(json.dumps(OWN))
    body["result"]["signed_by"] = note
    (tracking,) = read(json.dumps(body).encode()).trackings
    assert tracking.signed_by is None


def test_unreadable_payload_is_a_message():
    reading = read(b"{not json")
    assert reading.trackings == () and [m.code for m in reading.messages] == ["unreadable_payload"]


def test_error_body_is_a_not_found_message():
    reading = read(
        b'{"error": {"code": "TRACKER.NOT_FOUND", "message": "The requested resource could not be found."}}'
    )
    assert reading.trackings == () and [m.code for m in reading.messages] == ["not_found"]


def _mutations(document: object) -> st.SearchStrategy[object]:
    junk = st.one_of(
        st.none(), st.just("string"), st.integers(), st.lists(st.integers(), max_size=2), st.just({})
    )

    def mutate(value: object, draw_path: list[int], replacement: object, delete: bool) -> object:
        if isinstance(value, dict) and value:
            keys = sorted(value)
            key = keys[draw_path[0] % len(keys)] if draw_path else keys[0]
            copy = dict(value)
            if len(draw_path) <= 1:
                if delete:
                    copy.pop(key)
                else:
                    copy[key] = replacement
            else:
                copy[key] = mutate(value[key], draw_path[1:], replacement, delete)
            return copy
        if isinstance(value, list) and value:
            index = draw_path[0] % len(value) if draw_path else 0
            copy = list(value)
            copy[index] = (
                replacement
                if len(draw_path) <= 1
                else mutate(value[index], draw_path[1:], replacement, delete)
            )
            return copy
        return replacement

    return st.builds(
        mutate, st.just(document), st.lists(st.integers(0, 50), min_size=1, max_size=6), junk, st.booleans()
    )


def _payloads() -> list[bytes]:
    return [json.dumps(OWN).encode(), *(path.read_bytes() for path in samples_in(FOLDER))]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_read_never_raises_on_mutated_or_truncated_payloads(data):
    payload = data.draw(st.sampled_from(_payloads()))
    if data.draw(st.booleans()):
        payload = payload[: data.draw(st.integers(0, len(payload)))]
    else:
        try:
            document = json.loads(payload)
        except ValueError:
            document = None
        payload = json.dumps(data.draw(_mutations(document))).encode()
    assert isinstance(read(payload), Reading)


SECRET = "easypost-secret"
NOW = 1_700_000_000.0
BODY = json.dumps(OWN).encode()
PATH = "/webhooks/easypost"


def _signed_v2(body: bytes, secret: str = SECRET, at: float = NOW) -> dict[str, str]:
    # The documented V2 scheme: hex HMAC-SHA256 of X-Timestamp + "POST" + X-Path + raw body,
    # sent as "hmac-sha256-hex=<hex>" (EasyPost help centre, "Webhook HMAC Validation").
    stamp = formatdate(at, usegmt=True)
    digest = hmac.new(secret.encode(), stamp.encode() + b"POST" + PATH.encode() + body, hashlib.sha256)
    return {
        "x-hmac-signature-v2": f"hmac-sha256-hex={digest.hexdigest()}",
        "x-timestamp": stamp,
        "x-path": PATH,
    }


def _signed_legacy(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"x-hmac-signature": f"hmac-sha256-hex={digest}"}


def test_v2_webhook_signed_with_the_secret_is_accepted():
    verify(BODY, _signed_v2(BODY), SECRET, now=NOW + 10)


def test_legacy_webhook_signed_with_the_secret_is_accepted():
    verify(BODY, _signed_legacy(BODY), SECRET, now=NOW)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (BODY + b" ", _signed_v2(BODY)),
        (BODY, _signed_v2(BODY, secret="other")),
        (BODY, {}),
        (BODY, {k: v for k, v in _signed_v2(BODY).items() if k != "x-timestamp"}),
        (BODY, _signed_v2(BODY, at=NOW - 301)),
        (BODY, _signed_v2(BODY, at=NOW + 301)),
        (BODY + b" ", _signed_legacy(BODY)),
        (BODY, _signed_legacy(BODY, secret="other")),
    ],
    ids=[
        "tampered_body",
        "wrong_secret",
        "missing_header",
        "missing_timestamp",
        "replayed_old_timestamp",
        "timestamp_in_the_future",
        "legacy_tampered_body",
        "legacy_wrong_secret",
    ],
)
def test_webhook_signature_problems_are_refused(body, headers):
    with pytest.raises(BadSignature):
        verify(body, headers, SECRET, now=NOW)
