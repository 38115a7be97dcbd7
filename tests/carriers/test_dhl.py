"""DHL Shipment Tracking - Unified: recorded responses, our own payloads, mangled ones.

Statuses follow the Unified API's five ``statusCode`` values (see ``ordertrack.carriers.dhl.codes``).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordertrack.carriers.dhl.mapping import read
from ordertrack.carriers.reading import Reading
from tests.carriers.samples import sample, samples_in


def _address(locality: str, country: str, postal: str) -> dict[str, Any]:
    return {"address": {"addressLocality": locality, "countryCode": country, "postalCode": postal}}


OURS = {
    "shipments": [
        {
            "id": "00340434292135100124",
            "service": "parcel-de",
            "details": {
                "product": {"productName": "DHL PAKET"},
                "proofOfDelivery": {
                    "signatureUrl": "https://example.invalid/sig/1",
                    "signed": {"givenName": "Erika", "familyName": "Mustermann"},
                },
            },
            "estimatedTimeOfDelivery": "2025-02-04T00:00:00+01:00",
            "events": [
                {
                    "timestamp": "2025-02-04T11:15:00",
                    "statusCode": "delivered",
                    "status": "DELIVERED",
                    "description": "The shipment has been delivered.",
                    "location": _address("Bonn", "DE", "53113"),
                },
                {
                    "timestamp": "2025-02-03T18:00:00+01:00",
                    "statusCode": "on-a-cloud",
                    "description": "Something DHL adds later",
                },
                {
                    "timestamp": "2025-02-03T09:30:00",
                    "statusCode": "failure",
                    "description": "The shipment could not be delivered.",
                    "location": _address("Bonn", "DE", "53113"),
                },
                {"timestamp": "2025-02-01T08:00:00Z", "statusCode": "pre-transit", "description": "Label"},
            ],
        }
    ]
}


def test_recorded_shipment_reads_event_edd_signer_and_proof() -> None:
    reading = read(sample("dhl_universal", "TrackingResponseJSON.json"))
    assert reading.messages == ()
    (tracking,) = reading.trackings
    assert (tracking.tracking_number, tracking.carrier) == ("7777777770", "dhl")
    (event,) = tracking.events
    # The event's timestamp has no offset: Amsterdam in March is UTC+1.
    assert event.occurred_at.isoformat() == "2018-03-02T07:53:47+01:00"
    # statusCode is DHL's normalised code and wins over the free "status" text ("DELIVERED").
    assert (str(event.status), event.reason, event.code, event.description) == (
        "info_received",
        None,
        "pre-transit",
        "JESSICA",
    )
    assert event.location is not None
    assert (event.location.city, event.location.postal_code, event.location.country) == (
        "Amsterdam",
        "1043 AG",
        "NL",
    )
    edd = tracking.estimated_delivery
    assert edd is not None
    assert (edd.earliest.isoformat(), edd.latest.isoformat()) == ("2018-08-03", "2018-08-03")
    assert edd.earliest_time is not None and edd.earliest_time.isoformat() == "2018-08-03T00:00:00+00:00"
    assert edd.latest_time is not None and edd.latest_time.isoformat() == "2018-08-03T22:00:00+00:00"
    assert tracking.signed_by == "John"
    # signatureUrl is the placeholder "string"; the ePOD document link is real.
    assert tracking.proof_of_delivery == "https://webpod.dhl.com/webPOD/DHLePODRequest"
    # productName "UNKNOWN - Product unknown" is DHL not knowing; the DHL business is the service.
    assert tracking.service == "express"
    assert tracking.messages == ()


def test_problem_document_404_is_not_found() -> None:
    reading = read(sample("dhl_universal", "TrackingErrorResponseJSON.json"))
    assert reading.trackings == ()
    assert [m.code for m in reading.messages] == ["not_found"]
    assert "No shipment with given tracking number found" in reading.messages[0].text


def test_problem_document_401_is_an_auth_error_and_500_a_carrier_error() -> None:
    unauthorised = read(json.dumps({"status": 401, "title": "Unauthorized", "detail": "bad key"}).encode())
    failing = read(json.dumps({"status": 500, "title": "Internal Server Error"}).encode())
    assert [m.code for m in unauthorised.messages] == ["auth_error"]
    assert [m.code for m in failing.messages] == ["carrier_error"]


def test_request_bodies_are_not_trackings() -> None:
    for name in ("TRACKING_PAYLOAD.json", "TrackingRequestJSON.json"):
        reading = read(sample("dhl_universal", name))
        assert reading.trackings == () and [m.code for m in reading.messages] == ["unreadable_payload"]


def test_own_payload_delivered_failure_and_unknown_code() -> None:
    (tracking,) = read(json.dumps(OURS).encode()).trackings
    got = [(e.occurred_at.isoformat(), str(e.status), e.reason, e.code) for e in tracking.events]
    assert got == [
        ("2025-02-01T08:00:00+00:00", "info_received", None, "pre-transit"),
        ("2025-02-03T09:30:00+01:00", "exception", None, "failure"),
        ("2025-02-03T18:00:00+01:00", "in_transit", None, "on-a-cloud"),
        ("2025-02-04T11:15:00+01:00", "delivered", None, "delivered"),
    ]
    assert [(m.code, m.where) for m in tracking.messages] == [("unknown_code", "shipments[0].events[1]")]
    assert tracking.signed_by == "Erika Mustermann"
    assert tracking.proof_of_delivery == "https://example.invalid/sig/1"
    assert tracking.service == "DHL PAKET"
    assert tracking.estimated_delivery is not None
    assert tracking.estimated_delivery.earliest.isoformat() == "2025-02-04"
    assert tracking.status == "delivered"


def test_latest_status_stands_in_when_events_are_absent() -> None:
    body = {
        "shipments": [
            {"id": "1234567890", "status": {"timestamp": "2025-01-01T10:00:00Z", "statusCode": "transit"}}
        ]
    }
    (tracking,) = read(json.dumps(body).encode()).trackings
    assert [(e.occurred_at.isoformat(), str(e.status)) for e in tracking.events] == [
        ("2025-01-01T10:00:00+00:00", "in_transit")
    ]


def _shipment(*events: dict[str, Any]) -> bytes:
    return json.dumps(
        {"shipments": [{"id": "00340434292135100124", "service": "ecommerce", "events": list(events)}]}
    ).encode()


def _local_event(timestamp: str, code: str, location: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "statusCode": code,
        "description": "Processed",
        **({"location": location} if location else {}),
    }


def test_local_time_in_a_country_of_several_clocks_is_read_in_its_principal_zone_approximately() -> None:
    (tracking,) = read(
        _shipment(_local_event("2025-02-03T09:30:00", "transit", _address("Novosibirsk", "RU", "630000")))
    ).trackings
    (event,) = tracking.events
    # Moscow (zone.tab lists Kaliningrad first); Russia has eleven clocks, so only "about".
    assert event.occurred_at.isoformat() == "2025-02-03T09:30:00+03:00"
    assert event.time_precision == "approximate"
    assert event.location is not None and event.location.timezone == "Europe/Moscow"
    assert tracking.messages == ()


def test_local_time_without_any_place_takes_the_clock_of_the_shipments_nearest_event() -> None:
    payload = _shipment(
        _local_event("2025-02-04T11:15:00", "delivered", _address("Bonn", "DE", "53113")),
        _local_event("2025-02-04T07:40:00", "transit", None),
        _local_event("2025-02-01T08:00:00", "pre-transit", _address("Madrid", "ES", "28001")),
    )
    (tracking,) = read(payload).trackings
    got = [(e.occurred_at.isoformat(), e.time_precision) for e in tracking.events]
    assert got == [
        ("2025-02-01T08:00:00+01:00", "approximate"),  # Spain: Madrid's zone, but the Canaries differ
        ("2025-02-04T07:40:00+01:00", "approximate"),  # Bonn's clock, the nearest event
        ("2025-02-04T11:15:00+01:00", "exact"),  # Germany keeps one clock (Busingen agrees)
    ]
    assert tracking.messages == ()


def test_folder_declares_its_connector() -> None:
    from ordertrack.carriers.dhl import CONNECTOR

    assert (CONNECTOR.slug, CONNECTOR.media_type, CONNECTOR.read) == ("dhl", "json", read)


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
    found: list[Any] = [OURS]
    for path in samples_in("dhl_universal", (".json",)):
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
