"""FedEx Track API responses read into unified events: recorded samples, our own payloads, fuzzing."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.carriers.fedex.mapping import read
from ordertrack.carriers.reading import Reading
from tests.carriers.samples import sample
from tests.carriers.test_ups import _mutate

SEATTLE = {"city": "SEATTLE", "stateOrProvinceCode": "WA", "postalCode": "98101", "countryCode": "US"}
OWN = {
    "output": {
        "completeTrackResults": [
            {
                "trackingNumber": "794843185271",
                "trackResults": [
                    {
                        "trackingNumberInfo": {"trackingNumber": "794843185271", "carrierCode": "FDXE"},
                        "deliveryDetails": {"signedByName": "K.LEE"},
                        "scanEvents": [
                            {
                                "date": "2024-05-03T10:05:00-07:00",
                                "eventType": "DL",
                                "eventDescription": "Delivered",
                                "scanLocation": SEATTLE,
                            },
                            {
                                "date": "2024-05-02T09:00:00-07:00",
                                "eventType": "DY",
                                "eventDescription": "Delay",
                                "delayDetail": {"type": "WEATHER"},
                                "scanLocation": SEATTLE,
                            },
                            {
                                "date": "2024-05-01T18:00:00",
                                "eventType": "ZQ",
                                "eventDescription": "Odd",
                                "scanLocation": SEATTLE,
                            },
                        ],
                    }
                ],
            }
        ]
    }
}


def test_vendor_example_reads_one_pickup_scan_and_its_estimate() -> None:
    reading = read(sample("fedex", "TrackingResponse.json"))
    (tracking,) = reading.trackings
    assert tracking.tracking_number == "128667043726"
    assert tracking.carrier == "fedex"
    assert tracking.signed_by == "Reciever"
    assert tracking.service == "FedEx Freight Economy."
    (event,) = tracking.events
    assert (event.status, event.reason, event.code) == ("in_transit", None, "PU")
    assert event.occurred_at.isoformat() == "2018-02-02T12:01:00-07:00"
    assert event.location is not None
    assert (
        event.location.city,
        event.location.region,
        event.location.postal_code,
        event.location.country,
    ) == (
        "Seattle",
        "WA",
        "98101",
        "US",
    )
    edd = tracking.estimated_delivery
    assert edd is not None
    assert (str(edd.earliest), str(edd.latest)) == ("2021-10-01", "2021-10-15")
    assert edd.earliest_time is not None and edd.earliest_time.isoformat() == "2021-10-01T08:00:00-07:00"
    assert tracking.proof_of_delivery is None  # only a bill of lading image is offered
    assert [m.code for m in tracking.messages] == ["carrier_error"]
    assert [m.code for m in reading.messages] == ["not_found"]  # the second number


def test_error_response_is_a_message_and_no_trackings() -> None:
    reading = read(sample("fedex", "ErrorResponse.json"))
    assert reading.trackings == ()
    assert [m.code for m in reading.messages] == ["carrier_error"]


def test_own_payload_reads_delivery_weather_delay_and_unknown_code() -> None:
    (tracking,) = read(json.dumps(OWN).encode()).trackings
    unknown, delay, delivered = tracking.events
    assert delivered.status == "delivered"
    assert (delay.status, delay.reason) == ("exception", "weather")
    assert (unknown.status, unknown.code) == ("in_transit", "ZQ")
    assert unknown.occurred_at.isoformat() == "2024-05-01T18:00:00-07:00"  # Seattle's zone, no offset given
    assert [m.code for m in tracking.messages] == ["unknown_code"]
    assert tracking.signed_by == "K.LEE"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_payloads_never_raise(data: st.DataObject) -> None:
    mutated = json.dumps(_mutate(OWN, data)).encode()
    cut = data.draw(st.integers(0, len(mutated)))
    assert isinstance(read(mutated), Reading)
    assert isinstance(read(mutated[:cut]), Reading)


def _scan(date: str, event_type: str, description: str, place: dict[str, object]) -> dict[str, object]:
    return {"date": date, "eventType": event_type, "eventDescription": description, "scanLocation": place}


def _result(*scans: dict[str, object]) -> bytes:
    return json.dumps(
        {
            "output": {
                "completeTrackResults": [
                    {
                        "trackingNumber": "794843185271",
                        "trackResults": [
                            {
                                "trackingNumberInfo": {"trackingNumber": "794843185271"},
                                "scanEvents": list(scans),
                            }
                        ],
                    }
                ]
            }
        }
    ).encode()


def test_a_scan_without_offset_in_a_country_of_several_zones_is_kept_on_the_nearest_scans_clock() -> None:
    # FedEx writes offsets; a scan that comes without one, at a place with only its country
    # ("Shipment information sent to FedEx"), is kept rather than dropped, and marked approximate.
    reading = read(
        _result(
            _scan("2024-05-01T18:00:00-07:00", "PU", "Picked up", SEATTLE),
            _scan("2024-05-01T07:12:00", "OC", "Shipment information sent to FedEx", {"countryCode": "US"}),
        )
    )
    (tracking,) = reading.trackings
    got = [(e.code, e.occurred_at.isoformat(), e.time_precision) for e in tracking.events]
    assert got == [
        ("OC", "2024-05-01T07:12:00-07:00", "approximate"),  # Seattle's clock, not New York's
        ("PU", "2024-05-01T18:00:00-07:00", "exact"),
    ]
    assert reading.all_messages() == []


def test_an_unreadable_scan_date_is_still_a_message() -> None:
    reading = read(_result(_scan("05/01/2024 7:12", "OC", "Shipment information sent to FedEx", SEATTLE)))
    assert reading.trackings[0].events == ()
    assert [m.code for m in reading.all_messages()] == ["bad_time"]
