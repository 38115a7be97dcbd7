"""AfterShip: recorded Tracking API results, our own payloads, robustness and the webhook signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.carriers.aftership.mapping import read
from ordertrack.carriers.aftership.webhook import verify
from ordertrack.carriers.reading import CarrierTracking, Reading
from ordertrack.carriers.registry import BadSignature
from tests.carriers.samples import sample, samples_in

FOLDER = "aftership"


def events(tracking: CarrierTracking) -> list[tuple[object, ...]]:
    return [
        (
            e.occurred_at.isoformat(),
            e.status.value,
            e.reason,
            e.code,
            e.location.city if e.location else None,
            e.location.region if e.location else None,
            e.location.country if e.location else None,
        )
        for e in tracking.events
    ]


# checkpoint_time carries the carrier's own offset here (Checkpoint model: "It uses the timezone of
# the checkpoint"), so each scan keeps it: Memphis -05:00, China +08:00, Japan +09:00. Subtags per
# https://www.aftership.com/docs/tracking/enum/delivery-sub-statuses.
FEDEX_CN_TO_JP = [
    ("2018-07-23T01:21:39-05:00", "info_received", None, "InfoReceived_001", None, None, None),
    ("2018-07-23T16:58:00+08:00", "in_transit", None, "InTransit_002", None, None, "CN"),
    ("2018-07-23T20:45:00+08:00", "in_transit", None, "InTransit_007", None, None, "CN"),
    ("2018-07-23T23:13:00+08:00", "in_transit", None, "InTransit_001", None, None, "CN"),
    ("2018-07-23T23:14:00+08:00", "in_transit", None, "InTransit_003", None, None, "CN"),
    ("2018-07-23T23:14:00+08:00", "in_transit", None, "InTransit_007", None, None, "CN"),
    ("2018-07-24T03:26:00+08:00", "in_transit", None, "InTransit_007", None, None, "CN"),
    ("2018-07-24T04:01:00+08:00", "in_transit", None, "InTransit_001", None, None, "CN"),
    ("2018-07-24T04:03:00+08:00", "in_transit", None, "InTransit_001", None, None, "CN"),
    ("2018-07-24T08:27:00+09:00", "in_transit", None, "InTransit_004", None, None, "JP"),
    ("2018-07-24T09:35:00+09:00", "in_transit", None, "InTransit_001", None, None, "JP"),
    ("2018-07-24T11:12:00+09:00", "in_transit", None, "InTransit_007", None, None, "JP"),
    ("2018-07-24T13:02:00+09:00", "out_for_delivery", None, "OutForDelivery_001", None, None, "JP"),
    ("2018-07-25T10:10:00+09:00", "delivered", None, "Delivered_001", None, None, "JP"),
]


def test_get_tracking_reads_fourteen_checkpoints_with_their_own_offsets():
    reading = read(sample(FOLDER, "endpoint__tracking__GetTrackingResult.json"))
    assert reading.messages == ()
    (tracking,) = reading.trackings
    assert (tracking.tracking_number, tracking.carrier, tracking.service, tracking.signed_by) == (
        "111111111111",
        "fedex",
        "FedEx International Economy",
        "..KOSUTOKO",
    )
    assert events(tracking) == FEDEX_CN_TO_JP
    assert tracking.events[-1].location is not None and tracking.events[-1].location.timezone == "Asia/Tokyo"
    # expected_delivery is null; latest_estimated_delivery gives 2022-01-05 (the merchant's custom
    # estimate is not the carrier's and is not read).
    assert tracking.estimated_delivery is not None
    assert tracking.estimated_delivery.earliest.isoformat() == "2022-01-05"
    assert tracking.estimated_delivery.latest.isoformat() == "2022-01-05"
    assert tracking.messages == () and str(tracking.status) == "delivered"


def test_mark_as_completed_reads_the_same_checkpoints_and_no_estimate():
    (tracking,) = read(sample(FOLDER, "endpoint__tracking__MarkAsCompletedResult.json")).trackings
    assert (tracking.tracking_number, tracking.carrier, tracking.signed_by) == (
        "111111111111",
        "fedex",
        "..KOSUTOKO",
    )
    assert events(tracking) == FEDEX_CN_TO_JP
    assert tracking.estimated_delivery is None


def test_update_tracking_reads_local_times_in_the_us_state_zone_and_keeps_a_placeless_one_approximate():
    (tracking,) = read(sample(FOLDER, "endpoint__tracking__UpdateTrackingResult.json")).trackings
    assert (tracking.tracking_number, tracking.carrier, tracking.service) == (
        "1111111111111",
        "fedex",
        "FedEx Home Delivery",
    )
    # "Signature not required" is a note, not who signed.
    assert tracking.signed_by is None
    # No offset in checkpoint_time: NY/NJ with the shipment's only country (US) give America/New_York
    # (EDT, -04:00 in August). The first checkpoint has no place at all: it is kept, on the clock of
    # the nearest placed checkpoint (Brooklyn), and marked approximate.
    assert events(tracking) == [
        ("2018-07-31T14:33:00-04:00", "info_received", None, "InfoReceived_001", None, None, None),
        ("2018-07-31T20:47:00-04:00", "in_transit", None, "InTransit_002", "Brooklyn", "NY", None),
        ("2018-07-31T21:51:00-04:00", "in_transit", None, "InTransit_003", "Brooklyn", "NY", None),
        ("2018-08-01T00:29:29-04:00", "in_transit", None, "InTransit_007", "Brooklyn", "NY", None),
        ("2018-08-01T04:13:04-04:00", "exception", None, "Exception_001", "Keasbey", "NJ", None),
        ("2018-08-01T04:17:00-04:00", "in_transit", None, "InTransit_003", "Keasbey", "NJ", None),
        ("2018-08-01T08:30:14-04:00", "in_transit", None, "InTransit_007", "Keasbey", "NJ", None),
        ("2018-08-01T10:29:00-04:00", "in_transit", None, "InTransit_007", "Dayton", "NJ", None),
        ("2018-08-01T10:31:00-04:00", "in_transit", None, "InTransit_003", "Dayton", "NJ", None),
        ("2018-08-01T10:41:00-04:00", "out_for_delivery", None, "OutForDelivery_001", "Dayton", "NJ", None),
        ("2018-08-01T17:19:47-04:00", "delivered", None, "Delivered_001", "Deal", "NJ", None),
    ]
    assert [e.time_precision for e in tracking.events] == ["approximate"] + ["exact"] * 10
    assert tracking.messages == ()
    assert tracking.estimated_delivery is None


@pytest.mark.parametrize(
    ("name", "number", "carrier"),
    [
        ("endpoint__tracking__CreateTrackingResult.json", "1111111111111", "fedex"),
        ("endpoint__tracking__ReTrackResult.json", "RA223547577RU", "russian_post"),
        ("endpoint__tracking__DeleteTrackingResult.json", "772857780801111", "fedex"),
    ],
)
def test_results_without_checkpoints_give_a_tracking_with_no_events(name, number, carrier):
    reading = read(sample(FOLDER, name))
    assert reading.messages == ()
    (tracking,) = reading.trackings
    assert (tracking.tracking_number, tracking.carrier, tracking.events) == (number, carrier, ())
    assert tracking.estimated_delivery is None and tracking.signed_by is None


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("endpoint__courier__DetectCouriersResult.json", "couriers, total"),
        ("endpoint__courier__ListAllCouriersResult.json", "couriers, total"),
        ("endpoint__courier__ListCouriersResult.json", "couriers, total"),
        (
            "endpoint__estimateddeliverydate__BatchPredictEstimatedDeliveryDateResult.json",
            "estimated_delivery_dates",
        ),
        ("endpoint__notification__AddNotificationResult.json", "notification"),
        ("endpoint__notification__GetNotificationResult.json", "notification"),
        ("endpoint__notification__RemoveNotificationResult.json", "notification"),
        ("endpoint__courier__CourierDetectRequest.json", "not an AfterShip tracking result"),
        (
            "endpoint__estimateddeliverydate__BatchPredictEstimatedDeliveryDateRequest.json",
            "not an AfterShip",
        ),
        ("endpoint__notification__AddNotificationRequest.json", "not an AfterShip tracking result"),
        ("endpoint__notification__RemoveNotificationRequest.json", "not an AfterShip tracking result"),
        ("endpoint__tracking__CreateTrackingRequest.json", "not an AfterShip tracking result"),
        ("endpoint__tracking__UpdateTrackingRequest.json", "not an AfterShip tracking result"),
        ("endpoint__tracking__GetTrackingParams.json", "not an AfterShip tracking result"),
    ],
)
def test_non_tracking_payloads_are_unsupported_objects_without_trackings(name, said):
    reading = read(sample(FOLDER, name))
    assert reading.trackings == ()
    assert [m.code for m in reading.messages] == ["unsupported_object"]
    assert said in reading.messages[0].text


def test_error_envelope_is_an_auth_error():
    reading = read(sample(FOLDER, "error__Error.json"))
    assert reading.trackings == ()
    assert [(m.code, m.text) for m in reading.messages] == [("auth_error", "Unauthorized Invalid API Key.")]


OWN = {
    "event": "tracking_update",
    "ts": 1_709_920_000,
    "msg": {
        "tracking_number": "1Z999AA10123456784",
        "slug": "ups",
        "shipment_type": "UPS Ground",
        "signed_by": "N/A",
        "origin_country_iso3": "USA",
        "destination_country_iso3": "USA",
        "expected_delivery": "2024-03-08",
        "checkpoints": [
            {
                "checkpoint_time": "2024-03-08T12:02:00-06:00",
                "city": "CHICAGO",
                "state": "IL",
                "zip": "60601",
                "country_iso3": "USA",
                "coordinate": {"latitude": 41.88, "longitude": -87.62},
                "tag": "Delivered",
                "subtag": "Delivered_001",
                "message": "Delivered, front door",
            },
            {
                "checkpoint_time": "2024-03-06T03:00:00",
                "city": "Denver",
                "state": "CO",
                "country_iso3": "USA",
                "tag": "Exception",
                "subtag": "Exception_012",
                "message": "Box crushed",
            },
            {
                "checkpoint_time": "2024-03-07T10:00:00+00:00",
                "tag": "Teleported",
                "subtag": "Teleported_001",
                "message": "??",
            },
        ],
    },
}


def test_own_webhook_body_maps_delivered_exception_and_unknown_subtag():
    (tracking,) = read(json.dumps(OWN).encode()).trackings
    assert events(tracking) == [
        ("2024-03-06T03:00:00-07:00", "exception", "damaged", "Exception_012", "Denver", "CO", "US"),
        ("2024-03-07T10:00:00+00:00", "in_transit", None, "Teleported_001", None, None, None),
        ("2024-03-08T12:02:00-06:00", "delivered", None, "Delivered_001", "Chicago", "IL", "US"),
    ]
    assert [(m.code, m.subject) for m in tracking.messages] == [
        ("unknown_code", "Teleported_001"),
        ("unknown_code", "Teleported"),
    ]
    last = tracking.events[-1].location
    assert last is not None and (last.latitude, last.longitude, last.postal_code) == (41.88, -87.62, "60601")
    assert (tracking.carrier, tracking.service, tracking.signed_by) == ("ups", "UPS Ground", None)
    assert (
        tracking.estimated_delivery is not None
        and tracking.estimated_delivery.earliest.isoformat() == "2024-03-08"
    )


def _checkpoint(time: str, **place: str) -> dict[str, str]:
    return {
        "checkpoint_time": time,
        **place,
        "tag": "InTransit",
        "subtag": "InTransit_002",
        "message": "In transit",
    }


def test_a_checkpoint_in_a_country_of_several_clocks_is_read_in_its_principal_zone_approximately():
    body = json.loads(json.dumps(OWN))
    body["msg"] |= {"origin_country_iso3": "CHN", "destination_country_iso3": "RUS"}
    body["msg"]["checkpoints"] = [_checkpoint("2024-03-06T09:00:00", city="NOVOSIBIRSK", country_iso3="RUS")]
    (tracking,) = read(json.dumps(body).encode()).trackings
    (scan,) = tracking.events
    # Moscow, not zone.tab's first Russian zone (Kaliningrad); Russia spans eleven clocks.
    assert scan.occurred_at.isoformat() == "2024-03-06T09:00:00+03:00"
    assert scan.time_precision == "approximate"
    assert scan.location is not None and scan.location.timezone == "Europe/Moscow"


def test_a_checkpoint_without_offset_takes_the_zone_of_the_parcels_checkpoint_in_the_same_country():
    body = json.loads(json.dumps(OWN))
    body["msg"] |= {"origin_country_iso3": "CHN", "destination_country_iso3": "RUS"}
    body["msg"]["checkpoints"] = [
        _checkpoint("2024-03-07T18:00:00+07:00", city="NOVOSIBIRSK", country_iso3="RUS"),
        _checkpoint("2024-03-07T11:00:00", city="NOVOSIBIRSK", country_iso3="RUS"),
        _checkpoint("2024-03-06T09:00:00", city="SHANGHAI", country_iso3="CHN"),
    ]
    (tracking,) = read(json.dumps(body).encode()).trackings
    got = [(e.occurred_at.isoformat(), e.time_precision) for e in tracking.events]
    assert got == [
        ("2024-03-06T09:00:00+08:00", "approximate"),  # China's principal zone (Urumqi keeps +06:00)
        ("2024-03-07T11:00:00+07:00", "approximate"),  # beside the Novosibirsk scan, not in Moscow
        ("2024-03-07T18:00:00+07:00", "exact"),
    ]


def test_a_checkpoint_in_a_country_of_one_clock_is_exact():
    body = json.loads(json.dumps(OWN))
    body["msg"]["checkpoints"] = [_checkpoint("2024-03-06T09:00:00", city="BERLIN", country_iso3="DEU")]
    (tracking,) = read(json.dumps(body).encode()).trackings
    (scan,) = tracking.events
    assert (scan.occurred_at.isoformat(), scan.time_precision) == ("2024-03-06T09:00:00+01:00", "exact")


@pytest.mark.parametrize(
    ("subtag", "status", "reason"),
    [
        ("AttemptFail_001", "failed_attempt", None),
        ("AttemptFail_002", "failed_attempt", "recipient_unavailable"),
        ("AttemptFail_003", "failed_attempt", "business_closed"),
        ("InTransit_008", "in_transit", None),
        ("InTransit_009", "in_transit", None),
        ("OutForDelivery_002", "available_for_pickup", None),
        ("OutForDelivery_003", "out_for_delivery", None),
        ("OutForDelivery_004", "in_transit", "delivery_scheduled"),
        ("Pending_001", "info_received", None),
        ("Expired_001", "exception", "tracking_expired"),
        ("Exception_010", "returning", "returned_to_sender"),
        ("Exception_011", "returned", "returned_to_sender"),
    ],
)
def test_subtags_mean_what_the_aftership_table_says(subtag, status, reason):
    body = json.loads(json.dumps(OWN))
    body["msg"]["checkpoints"] = [
        {"checkpoint_time": "2024-03-07T10:00:00+00:00", "tag": subtag.split("_")[0], "subtag": subtag}
    ]
    (tracking,) = read(json.dumps(body).encode()).trackings
    assert [(e.status.value, e.reason) for e in tracking.events] == [(status, reason)]
    assert tracking.messages == ()


def test_legacy_coordinates_array_of_unknown_order_is_not_taken_as_a_position():
    body = json.loads(json.dumps(OWN))
    body["msg"]["checkpoints"] = [
        {"checkpoint_time": "2024-03-07T10:00:00+00:00", "tag": "InTransit", "coordinates": [-87.62, 41.88]}
    ]
    (tracking,) = read(json.dumps(body).encode()).trackings
    assert tracking.events[0].location is None


@pytest.mark.parametrize("note", ["Signature not required", "N/A", "Not Required", "--"])
def test_a_note_in_signed_by_is_not_taken_for_a_name(note):
    body = json.loads(json.dumps(OWN))
    body["msg"]["signed_by"] = note
    (tracking,) = read(json.dumps(body).encode()).trackings
    assert tracking.signed_by is None


def test_unreadable_payload_is_a_message():
    reading = read(b"{not json")
    assert reading.trackings == () and [m.code for m in reading.messages] == ["unreadable_payload"]


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


SECRET = "aftership-secret"
NOW = 1_709_920_000.0


def _body(ts: float) -> bytes:
    return json.dumps({**OWN, "ts": int(ts)}).encode()


def _signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    # The documented scheme: base64 of HMAC-SHA256 over the raw body, keyed with the webhook secret,
    # in the aftership-hmac-sha256 header (https://www.aftership.com/docs/tracking/webhook/webhook-signature).
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"aftership-hmac-sha256": base64.b64encode(digest).decode()}


def test_webhook_signed_with_the_secret_is_accepted():
    body = _body(NOW)
    verify(body, _signed(body), SECRET, now=NOW + 10)


def test_a_retry_within_72_hours_is_accepted():
    body = _body(NOW - 71 * 3600)
    verify(body, _signed(body), SECRET, now=NOW)


@pytest.mark.parametrize(
    "body", [b'{"event": "tracking_update"}', b'{"ts": "yesterday"}', b"not json", b"\xff\xfe", b"[1, 2]"]
)
def test_a_signed_body_without_a_usable_ts_is_let_through_to_be_read(body):
    # Genuine (signed) but undatable: the reading quarantines it, a 401 would only make AfterShip retry.
    verify(body, _signed(body), SECRET, now=NOW)


BODY = _body(NOW)
OLD = _body(NOW - 72 * 3600 - 1)
AHEAD = _body(NOW + 301)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (BODY + b" ", _signed(BODY)),
        (BODY, _signed(BODY, secret="other")),
        (BODY, {}),
        (OLD, _signed(OLD)),
        (AHEAD, _signed(AHEAD)),
        (b"not json", _signed(b"not json", secret="other")),
    ],
    ids=[
        "tampered_body",
        "wrong_secret",
        "missing_header",
        "replayed_old_ts",
        "ts_in_the_future",
        "undatable_body_wrong_secret",
    ],
)
def test_webhook_signature_problems_are_refused(body, headers):
    with pytest.raises(BadSignature):
        verify(body, headers, SECRET, now=NOW)
