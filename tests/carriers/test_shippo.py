"""Shippo: recorded Track responses, our own payloads, robustness and the webhook signature."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.carriers.reading import Reading
from ordertrack.carriers.registry import BadSignature
from ordertrack.carriers.shippo.mapping import read
from ordertrack.carriers.shippo.webhook import verify
from tests.carriers.samples import sample, samples_in

FOLDER = "shippo"


def bodies(name: str) -> list[bytes]:
    """The recorded response bodies of one fixture (a list of request/response exchanges)."""
    exchanges = json.loads(sample(FOLDER, name))
    out = []
    for exchange in exchanges:
        body = exchange["response"]["body"]
        out.append(body.encode() if isinstance(body, str) else json.dumps(body).encode())
    return out


def test_recorded_delivered_track_reads_every_scan_oldest_first():
    (body,) = bodies("track__test_create.json")
    (tracking,) = read(body).trackings
    assert (tracking.tracking_number, tracking.carrier, tracking.service) == (
        "9205590164917337534322",
        "usps",
        "Priority Mail",
    )
    assert tracking.estimated_delivery is not None
    assert tracking.estimated_delivery.earliest.isoformat() == "2016-12-08"
    got = [
        (e.occurred_at.isoformat(), e.status.value, e.reason, e.code, e.location.city if e.location else None)
        for e in tracking.events
    ]
    # Shippo's status_date is UTC; shown in the scan place's zone (Berkeley/SF: America/Los_Angeles).
    assert got == [
        ("2016-12-07T00:00:00+00:00", "info_received", None, "UNKNOWN", None),
        ("2016-12-06T18:00:00-08:00", "info_received", None, "UNKNOWN", "San Francisco"),
        ("2016-12-07T11:04:00-08:00", "in_transit", None, "TRANSIT", "San Francisco"),
        ("2016-12-07T12:19:00-08:00", "in_transit", None, "TRANSIT", "San Francisco"),
        ("2016-12-07T13:45:00-08:00", "in_transit", None, "TRANSIT", "San Francisco"),
        ("2016-12-07T14:05:00-08:00", "in_transit", None, "TRANSIT", "Oakland"),
        ("2016-12-07T19:25:00-08:00", "in_transit", None, "TRANSIT", "Oakland"),
        ("2016-12-07T22:40:00-08:00", "in_transit", None, "TRANSIT", "Berkeley"),
        ("2016-12-08T02:19:00-08:00", "in_transit", None, "TRANSIT", "Berkeley"),
        ("2016-12-08T02:29:00-08:00", "in_transit", None, "TRANSIT", "Berkeley"),
        ("2016-12-08T07:19:00-08:00", "delivered", None, "DELIVERED", "Berkeley"),
    ]
    last = tracking.events[-1].location
    assert last is not None and (last.region, last.postal_code, last.country) == ("CA", "94705", "US")
    assert tracking.events[-1].event_id == "5040924378c645b8a4f542f9fbd0f7f5"
    assert tracking.signed_by is None and tracking.proof_of_delivery is None


def test_recorded_errors_become_messages_and_no_trackings():
    bad_carrier, unknown_number = bodies("track__test_invalid_create.json")
    assert [m.code for m in read(bad_carrier).messages] == ["carrier_error"]
    (empty,) = read(unknown_number).trackings
    assert empty.events == () and empty.estimated_delivery is None
    unsupported, missing = bodies("track__test_invalid_get_status.json")
    assert [m.code for m in read(unsupported).messages] == ["carrier_error"]
    assert [m.code for m in read(missing).messages] == ["not_found"]


OWN = {
    "event": "track_updated",
    "test": True,
    "data": {
        "carrier": "ups",
        "tracking_number": "1Z999AA10123456784",
        "eta": "2024-03-08T00:00:00Z",
        "servicelevel": {"token": "ups_ground", "name": "Ground"},
        "tracking_status": {
            "status": "DELIVERED",
            "substatus": {"code": "delivered", "text": "Delivered", "action_required": False},
            "status_details": "Delivered, front door",
            "status_date": "2024-03-08T18:02:00Z",
            "location": {"city": "Chicago", "state": "IL", "zip": "60601", "country": "US"},
        },
        "tracking_history": [
            {
                "status": "TRANSIT",
                "substatus": {"code": "package_damaged"},
                "status_details": "Box crushed",
                "status_date": "2024-03-06T10:00:00Z",
                "location": {"city": "Denver", "state": "CO", "country": "US"},
            },
            {
                "status": "TELEPORTED",
                "status_details": "??",
                "status_date": "2024-03-07T10:00:00Z",
                "location": None,
            },
            {
                "status": "DELIVERED",
                "substatus": {"code": "delivered"},
                "status_details": "Delivered, front door",
                "status_date": "2024-03-08T18:02:00Z",
                "location": {"city": "Chicago", "state": "IL", "zip": "60601", "country": "US"},
            },
        ],
    },
}


def test_own_webhook_body_maps_delivered_exception_and_unknown_status():
    reading = read(json.dumps(OWN).encode())
    (tracking,) = reading.trackings
    got = [(e.occurred_at.isoformat(), e.status.value, e.reason, e.code) for e in tracking.events]
    assert got == [
        ("2024-03-06T03:00:00-07:00", "exception", "damaged", "TRANSIT/package_damaged"),
        ("2024-03-07T10:00:00+00:00", "in_transit", None, "TELEPORTED"),
        ("2024-03-08T12:02:00-06:00", "delivered", None, "DELIVERED/delivered"),
    ]
    assert [m.code for m in tracking.messages] == ["unknown_code"]
    assert tracking.carrier == "ups" and tracking.service == "Ground"


def test_a_status_date_without_its_z_is_kept_on_the_scan_places_clock_as_approximate():
    # Shippo documents UTC with "Z"; a status that comes without it does not say its clock.
    body = json.loads(json.dumps(OWN))
    body["data"]["tracking_history"][0]["status_date"] = "2024-03-06T10:00:00"  # Denver
    body["data"]["tracking_history"][1]["status_date"] = "2024-03-07T10:00:00"  # no place
    for entry in (body["data"]["tracking_status"], body["data"]["tracking_history"][2]):
        entry["status_date"] = "2024-03-08T12:02:00"  # Chicago, repeated as the current status
    reading = read(json.dumps(body).encode())
    (tracking,) = reading.trackings
    got = [(e.occurred_at.isoformat(), e.time_precision) for e in tracking.events]
    assert got == [
        ("2024-03-06T10:00:00-07:00", "approximate"),
        ("2024-03-07T10:00:00+00:00", "approximate"),  # no place and no scan placed exactly
        ("2024-03-08T12:02:00-06:00", "approximate"),  # once: the current status repeats it
    ]
    assert "bad_time" not in [m.code for m in reading.all_messages()]


def test_substatus_cannot_undo_a_final_delivered_status():
    body = json.loads(json.dumps(OWN))
    body["data"]["tracking_history"] = [
        {
            "status": "DELIVERED",
            "substatus": {"code": "package_damaged"},
            "status_date": "2024-03-08T18:02:00Z",
        }
    ]
    (tracking,) = read(json.dumps(body).encode()).trackings
    assert [(e.status.value, e.reason) for e in tracking.events][0] == ("delivered", "damaged")


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
        mutate, st.just(document), st.lists(st.integers(0, 50), min_size=1, max_size=5), junk, st.booleans()
    )


def _payloads() -> list[bytes]:
    found = [json.dumps(OWN).encode()]
    for path in samples_in(FOLDER):
        found.append(path.read_bytes())
        try:
            for exchange in json.loads(path.read_bytes()):
                body = exchange["response"]["body"]
                found.append(body.encode() if isinstance(body, str) else json.dumps(body).encode())
        except (ValueError, KeyError, TypeError):
            pass
    return found


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


SECRET = "shippo-secret"
NOW = 1_700_000_000.0
BODY = json.dumps(OWN).encode()


def _signed(body: bytes, secret: str = SECRET, at: float = NOW) -> dict[str, str]:
    stamp = str(int(at))
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"shippo-auth-signature": f"t={stamp},v1={digest}"}


def test_webhook_signed_with_the_secret_is_accepted():
    verify(BODY, _signed(BODY), SECRET, now=NOW + 10)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (BODY + b" ", _signed(BODY)),
        (BODY, _signed(BODY, secret="other")),
        (BODY, {}),
        (BODY, _signed(BODY, at=NOW - 301)),
        (BODY, {"shippo-auth-signature": "garbage"}),
        (
            BODY,
            {"shippo-auth-signature": "t=\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660,v1=ab"},
        ),
        (BODY, {"shippo-auth-signature": "t=\u00b2,v1=ab"}),
        (BODY, {"shippo-auth-signature": f"t={'9' * 5000},v1=ab"}),
        (BODY, {"shippo-auth-signature": f"t={int(NOW)},v1=\u00e9\u00e9"}),
    ],
    ids=[
        "tampered_body",
        "wrong_secret",
        "missing_header",
        "replayed_old_timestamp",
        "malformed_header",
        "arabic_indic_digits",
        "superscript_digit",
        "five_thousand_digits",
        "non_ascii_signature",
    ],
)
def test_webhook_signature_problems_are_refused(body, headers):
    with pytest.raises(BadSignature):
        verify(body, headers, SECRET, now=NOW)
