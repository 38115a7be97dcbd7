"""Royal Mail Tracking API v2 JSON: the recorded replies, our own replies, and damaged ones.

Expectations are ours, checked by hand against the Royal Mail Tracking API v2 reference
(events, summary and error responses).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.carriers.reading import Reading
from ordertrack.carriers.royalmail import CONNECTOR
from ordertrack.carriers.royalmail.mapping import read
from ordertrack.statuses import EventStatus as S
from tests.carriers.samples import sample, samples_in

FOLDER = "royalmail"


def scans(reading: Reading) -> list[tuple[str, str, str | None, str | None]]:
    (tracking,) = reading.trackings
    return [(e.occurred_at.isoformat(), e.status, e.reason, e.code) for e in tracking.events]


def codes(reading: Reading) -> list[str]:
    return [m.code for m in reading.all_messages()]


# --- the recorded replies ---------------------------------------------------------------------


def test_recorded_reply_gives_the_missort_as_in_transit_in_british_summer_time():
    reading = read(sample(FOLDER, "TrackingResponseJSON.json"))

    assert scans(reading) == [("2016-10-20T10:04:00+01:00", S.in_transit, None, "EVNMI")]
    (event,) = reading.trackings[0].events
    assert event.description == "Forwarded - Mis-sort"
    assert (event.location.city, event.location.country, event.location.timezone) == (
        "Stafford DO",
        "GB",
        "Europe/London",
    )
    assert codes(reading) == []


def test_recorded_reply_gives_window_signature_and_service():
    (tracking,) = read(sample(FOLDER, "TrackingResponseJSON.json")).trackings

    assert tracking.tracking_number == "090367574000000FE1E1B"
    assert tracking.carrier == "royalmail"
    assert tracking.service == "Special Delivery Guaranteed"
    promise = tracking.estimated_delivery
    assert (str(promise.earliest), str(promise.latest)) == ("2017-02-20", "2017-02-20")
    assert (promise.earliest_time.isoformat(), promise.latest_time.isoformat()) == (
        "2017-02-20T08:00:00+01:00",
        "2017-02-20T11:00:00+01:00",
    )
    assert tracking.signed_by == "Simon"
    assert (
        tracking.proof_of_delivery
        == "https://api.royalmail.net/mailpieces/v2/090367574000000FE1E1B/signature"
    )


def test_recorded_error_is_a_carrier_error_with_no_tracking():
    reading = read(sample(FOLDER, "TrackingErrorResponseJSON.json"))

    assert reading.trackings == ()
    (message,) = reading.messages
    assert message.code == "carrier_error"
    assert message.text.startswith("Royal Mail E0004: Failed header validation for X-Accept-RMG-Terms")
    assert message.where == "errors[0]"


@pytest.mark.parametrize("name", ["TRACKING_PAYLOAD.json", "TrackingRequestJSON.json"])
def test_recorded_requests_are_not_replies(name: str):
    reading = read(sample(FOLDER, name))

    assert reading.trackings == ()
    assert codes(reading) == ["unreadable_payload"]


# --- our own replies, in the carrier's format ---------------------------------------------------


def event(code: str, name: str, when: str, place: str | None = "Chester MC") -> dict[str, Any]:
    raw = {"eventCode": code, "eventName": name, "eventDateTime": when}
    if place is not None:
        raw["locationName"] = place
    return raw


def reply(*events: dict[str, Any], **piece: Any) -> dict[str, Any]:
    return {
        "mailPieces": {
            "mailPieceId": "AB123456789GB",
            "summary": {"productName": "Royal Mail Tracked 24"},
            "events": list(events),
            **piece,
        }
    }


def payload(document: object) -> bytes:
    return json.dumps(document).encode()


DELIVERED = reply(
    event("EVKSP", "Delivered and signed for", "2024-01-16T12:31:00Z", "Leeds DO"),
    event("EVGPD", "Due to be delivered today", "2024-01-16T07:02:00+00:00", "Leeds DO"),
    event("EVAIP", "Sender despatching item", "2024-01-15T16:00:00", None),
    event("EVDAV", "Item received", "2024-01-15T19:45:00+00:00"),
    signature={"recipientName": "PATEL", "signatureDateTime": "2024-01-16T12:31:00Z", "imageId": "77"},
    estimatedDelivery={"date": "2024-01-16"},
)


def test_delivered_parcel_reads_oldest_first():
    reading = read(payload(DELIVERED))

    assert scans(reading) == [
        # No offset and no place: UK local time (GMT in January).
        ("2024-01-15T16:00:00+00:00", S.info_received, None, "EVAIP"),
        ("2024-01-15T19:45:00+00:00", S.in_transit, None, "EVDAV"),
        ("2024-01-16T07:02:00+00:00", S.out_for_delivery, None, "EVGPD"),
        ("2024-01-16T12:31:00+00:00", S.delivered, None, "EVKSP"),
    ]
    (tracking,) = reading.trackings
    assert tracking.status == "delivered"
    assert tracking.signed_by == "PATEL"
    assert tracking.proof_of_delivery == "https://api.royalmail.net/mailpieces/v2/AB123456789GB/signature"
    assert tracking.estimated_delivery.earliest_time is None
    assert codes(reading) == []


def test_local_time_without_offset_in_summer_is_british_summer_time():
    reading = read(payload(reply(event("EVORI", "Arrived at", "2024-07-01T05:10:00"))))

    assert scans(reading) == [("2024-07-01T05:10:00+01:00", S.in_transit, None, "EVORI")]


def test_a_local_time_without_offset_or_place_is_exact_because_the_uk_keeps_one_clock():
    # Royal Mail's mapping reads every time without an offset as UK time, so it never needs the
    # approximate placement other carriers' scans without a zone go through.
    reading = read(payload(reply(event("EVAIP", "Sender despatching item", "2024-01-15T16:00:00", None))))

    (scan,) = reading.trackings[0].events
    assert (scan.occurred_at.isoformat(), scan.time_precision) == ("2024-01-15T16:00:00+00:00", "exact")
    assert codes(reading) == []


def test_held_item_is_an_exception_with_its_reason():
    reading = read(payload(reply(event("EVNRT", "Item Retention", "2024-02-02T09:00:00+00:00"))))

    assert scans(reading) == [("2024-02-02T09:00:00+00:00", S.exception, "held_at_carrier", "EVNRT")]


def test_missed_delivery_with_no_answer_is_a_failed_attempt_for_an_absent_recipient():
    reading = read(
        payload(reply(event("EVKNA", "Delivery attempted - no answer", "2024-02-02T11:00:00+00:00")))
    )

    assert scans(reading) == [
        ("2024-02-02T11:00:00+00:00", S.failed_attempt, "recipient_unavailable", "EVKNA")
    ]


def test_unknown_code_falls_back_to_in_transit_and_says_so():
    reading = read(payload(reply(event("EVZZZ", "Something new", "2024-02-02T09:00:00+00:00"))))

    assert scans(reading) == [("2024-02-02T09:00:00+00:00", S.in_transit, None, "EVZZZ")]
    assert codes(reading) == ["unknown_code"]
    assert "EVZZZ" in reading.all_messages()[0].text


def test_placeholder_time_drops_the_event_and_says_so():
    reading = read(payload(reply(event("EVKSP", "Delivered", "string"))))

    assert scans(reading) == []
    assert codes(reading) == ["bad_time"]


def test_summary_reply_gives_the_last_event_and_reports_bad_numbers_beside_good_ones():
    document = {
        "mailPieces": [
            {
                "mailPieceId": "AB123456789GB",
                "summary": {
                    "lastEventCode": "EVKSF",
                    "lastEventName": "Delivered to safeplace",
                    "lastEventDateTime": "2024-03-04T13:00:00+00:00",
                    "lastEventLocationName": "Bath DO",
                },
            },
            {
                "mailPieceId": "XY000000000GB",
                "error": {"errorCode": "E1142", "errorDescription": "Barcode reference not recognised"},
            },
        ]
    }
    reading = read(payload(document))

    assert scans(reading) == [("2024-03-04T13:00:00+00:00", S.delivered, None, "EVKSF")]
    assert [(m.code, m.where) for m in reading.messages] == [("not_found", "mailPieces[1].error")]


@pytest.mark.parametrize(
    ("http_code", "kind"), [("401", "auth_error"), ("403", "auth_error"), ("404", "not_found")]
)
def test_error_reply_names_its_kind_from_the_http_status(http_code: str, kind: str):
    reading = read(
        payload({"httpCode": http_code, "errors": [{"errorCode": "E1", "errorDescription": "No"}]})
    )

    assert reading.trackings == ()
    assert codes(reading) == [kind]


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b"null", b'"mailPieces"', b"\xff", b"{}", b"[" * 5000])
def test_unreadable_documents_become_one_message(raw: bytes):
    reading = read(raw)

    assert reading.trackings == ()
    assert codes(reading) == ["unreadable_payload"]


def test_connector_declares_a_json_carrier():
    assert (CONNECTOR.slug, CONNECTOR.media_type, CONNECTOR.kind) == ("royalmail", "json", "carrier")
    assert CONNECTOR.read is read


# --- damaged replies never raise ------------------------------------------------------------------

WRONG = st.sampled_from(
    [None, "string", "", 0, -1, 1.5, True, [], {}, ["string"], {"x": None}, "2024-13-45T99:99"]
)


def originals() -> list[object]:
    recorded = []
    for path in samples_in(FOLDER):
        try:
            recorded.append(json.loads(path.read_bytes()))
        except ValueError:
            continue
    return [DELIVERED, *recorded]


def paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def mutate(document: object, path: tuple[object, ...], replacement: object, delete: bool) -> object:
    copied = copy.deepcopy(document)
    parent: Any = copied
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return copied


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    document = draw(st.sampled_from(originals()))
    for _ in range(draw(st.integers(0, 6))):
        found = paths(document)
        if not found:
            break
        path = draw(st.sampled_from(found))
        document = mutate(document, path, draw(WRONG), delete=draw(st.booleans()))
    raw = json.dumps(document).encode()
    if draw(st.booleans()):
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


@settings(max_examples=150, deadline=None)
@given(damaged())
def test_damaged_replies_never_raise(raw: bytes):
    assert isinstance(read(raw), Reading)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(raw: bytes):
    assert isinstance(read(raw), Reading)
