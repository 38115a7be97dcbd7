"""UPS Track API responses read into unified events: recorded samples, our own payloads, fuzzing."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrack.carriers.reading import Reading
from ordertrack.carriers.ups.mapping import read
from tests.carriers.samples import sample

OWN = {
    "trackResponse": {
        "shipment": [
            {
                "inquiryNumber": "1Z999AA10123456784",
                "package": [
                    {
                        "trackingNumber": "1Z999AA10123456784",
                        "service": {"code": "003", "description": "UPS Ground"},
                        "deliveryDate": [
                            {"type": "DEL", "date": "20240311"},
                            {"type": "SDD", "date": "20240311"},
                        ],
                        "deliveryInformation": {"receivedBy": "JONES"},
                        "activity": [
                            {
                                "date": "20240311",
                                "time": "142200",
                                "gmtOffset": "-05:00",
                                "location": {
                                    "address": {"city": "ATLANTA", "stateProvince": "GA", "countryCode": "US"}
                                },
                                "status": {
                                    "type": "D",
                                    "code": "FS",
                                    "statusCode": "011",
                                    "description": "DELIVERED",
                                },
                            },
                            {
                                "date": "20240309",
                                "time": "081500",
                                "location": {
                                    "address": {"city": "ATLANTA", "stateProvince": "GA", "countryCode": "US"}
                                },
                                "status": {
                                    "type": "X",
                                    "code": "2A",
                                    "statusCode": "048",
                                    "description": "Weather",
                                },
                            },
                            {
                                "date": "20240308",
                                "time": "200000",
                                "location": {
                                    "address": {
                                        "city": "Louisville",
                                        "stateProvince": "KY",
                                        "countryCode": "US",
                                    }
                                },
                                "status": {
                                    "type": "Q",
                                    "code": "9Q9",
                                    "statusCode": "999",
                                    "description": "Odd",
                                },
                            },
                        ],
                    }
                ],
            }
        ]
    }
}


def test_vendor_example_reads_its_one_activity_in_new_jersey_time() -> None:
    reading = read(sample("ups", "TrackingResponseJSON.json"))
    (tracking,) = reading.trackings
    assert tracking.tracking_number == "1Z023E2X0214323462"  # package trackingNumber is "string"
    assert tracking.carrier == "ups"
    assert tracking.service == "UPS Ground"
    (event,) = tracking.events
    # statusCode 003 "Shipment Ready for UPS" wins over the type letter X.
    assert (event.status, event.reason, event.code) == ("info_received", None, "X/SR/003")
    assert event.occurred_at.isoformat() == "2021-02-10T07:13:56-05:00"  # Wayne NJ, EST
    assert event.location is not None
    assert (
        event.location.city,
        event.location.region,
        event.location.postal_code,
        event.location.country,
    ) == (
        "Wayne",
        "NJ",
        "07470",
        "US",
    )
    # Placeholders ("string", "encoding Base64", receivedBy "163000") are messages, not data.
    assert tracking.estimated_delivery is None
    assert tracking.signed_by is None
    assert tracking.proof_of_delivery is None
    codes = [m.code for m in tracking.messages]
    assert codes.count("placeholder") == 2
    assert "unknown_code" in codes  # activity code SR is in none of UPS's published tables


def test_error_samples_give_messages_and_no_trackings() -> None:
    cases = {
        "InvalidTrackingNumberResponseJSON.json": "not_found",
        "TrackingNumberNotFoundResponseJSON.json": "not_found",
        "AuthError.json": "auth_error",
    }
    for name, code in cases.items():
        reading = read(sample("ups", name))
        assert reading.trackings == ()
        assert [m.code for m in reading.messages] == [code]


def test_own_payload_reads_delivery_weather_exception_and_unknown_code_oldest_first() -> None:
    (tracking,) = read(json.dumps(OWN).encode()).trackings
    unknown, weather, delivered = tracking.events
    assert (delivered.status, delivered.code) == ("delivered", "D/FS/011")
    assert delivered.occurred_at.isoformat() == "2024-03-11T14:22:00-05:00"  # gmtOffset wins
    assert (weather.status, weather.reason) == ("exception", "weather")  # 048 Delay + 2A weather
    assert weather.occurred_at.isoformat() == "2024-03-09T08:15:00-05:00"  # from Atlanta's zone
    assert (unknown.status, unknown.reason) == ("in_transit", None)
    assert unknown.occurred_at.isoformat() == "2024-03-08T20:00:00-05:00"
    assert [m.code for m in tracking.messages].count("unknown_code") == 3  # FS (unpublished), 999, 9Q9
    assert tracking.signed_by == "JONES"
    assert tracking.estimated_delivery is not None
    assert str(tracking.estimated_delivery.earliest) == "2024-03-11"
    assert tracking.status == "delivered"


def test_unreadable_payload_is_one_message() -> None:
    reading = read(b"<html>")
    assert reading.trackings == ()
    assert [m.code for m in reading.messages] == ["unreadable_payload"]


WRONG = st.one_of(
    st.none(), st.integers(), st.text(max_size=5), st.just("string"), st.lists(st.integers()), st.just({})
)


def _mutate(value: object, data: st.DataObject) -> object:
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            choice = data.draw(st.integers(0, 9))
            if choice == 0:
                continue
            out[key] = data.draw(WRONG) if choice == 1 else _mutate(child, data)
        return out
    if isinstance(value, list):
        return [_mutate(child, data) for child in value]
    return value


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_payloads_never_raise(data: st.DataObject) -> None:
    mutated = json.dumps(_mutate(OWN, data)).encode()
    cut = data.draw(st.integers(0, len(mutated)))
    assert isinstance(read(mutated), Reading)
    assert isinstance(read(mutated[:cut]), Reading)


def ups_package(*activities: dict) -> bytes:
    """A Track API answer for one package holding these activities (UPS lists newest first)."""
    return json.dumps(
        {
            "trackResponse": {
                "shipment": [
                    {
                        "inquiryNumber": "1Z999AA10123456784",
                        "package": [{"trackingNumber": "1Z999AA10123456784", "activity": list(activities)}],
                    }
                ]
            }
        }
    ).encode()


def label_created(day: str, clock: str, address: dict | None) -> dict:
    """UPS's "label created" activity: manifest type M, code MP, written where the label was made."""
    return {
        "date": day,
        "time": clock,
        **({"location": {"address": address}} if address is not None else {}),
        "status": {
            "type": "M",
            "code": "MP",
            "statusCode": "003",
            "description": "Shipper created a label, UPS has not received the package yet. ",
        },
    }


def origin_scan(day: str, clock: str, city: str, state: str) -> dict:
    return {
        "date": day,
        "time": clock,
        "location": {"address": {"city": city, "stateProvince": state, "countryCode": "US"}},
        "status": {"type": "I", "code": "OR", "statusCode": "005", "description": "Origin Scan"},
    }


def test_label_created_with_only_a_country_takes_the_zone_of_the_packages_scan_there() -> None:
    payload = ups_package(
        origin_scan("20240305", "203000", "SALT LAKE CITY", "UT"),
        label_created("20240305", "101500", {"countryCode": "US"}),
    )
    (tracking,) = read(payload).trackings
    label, origin = tracking.events
    assert label.status == "info_received"
    # Salt Lake City's zone, not New York's: the label was most likely made near the first scan.
    assert label.occurred_at.isoformat() == "2024-03-05T10:15:00-07:00"
    assert label.time_precision == "approximate"
    assert label.location is not None
    assert (label.location.country, label.location.timezone) == ("US", "America/Denver")
    assert origin.time_precision == "exact"
    assert "bad_time" not in [m.code for m in tracking.messages]


def test_label_created_alone_in_a_country_of_several_zones_is_read_in_its_principal_zone() -> None:
    (tracking,) = read(ups_package(label_created("20240305", "101500", {"countryCode": "CA"}))).trackings
    (label,) = tracking.events
    assert label.occurred_at.isoformat() == "2024-03-05T10:15:00-05:00"  # Toronto
    assert label.time_precision == "approximate"


def test_label_created_without_any_place_is_kept_as_an_approximate_utc_time() -> None:
    (tracking,) = read(ups_package(label_created("20240305", "101500", None))).trackings
    (label,) = tracking.events
    assert label.occurred_at.isoformat() == "2024-03-05T10:15:00+00:00"
    assert label.time_precision == "approximate"
    assert label.location is None


def test_a_country_with_one_zone_places_the_time_exactly() -> None:
    (tracking,) = read(ups_package(label_created("20240305", "101500", {"countryCode": "GB"}))).trackings
    (label,) = tracking.events
    assert label.occurred_at.isoformat() == "2024-03-05T10:15:00+00:00"  # Europe/London in winter
    assert label.time_precision == "exact"
    assert label.location is not None and label.location.timezone == "Europe/London"


def test_label_created_in_russia_is_read_in_moscow_and_marked_approximate() -> None:
    (tracking,) = read(ups_package(label_created("20240305", "101500", {"countryCode": "RU"}))).trackings
    (label,) = tracking.events
    # Not zone.tab's first Russian zone (Kaliningrad), and not "exact": Russia keeps eleven clocks.
    assert label.occurred_at.isoformat() == "2024-03-05T10:15:00+03:00"
    assert label.time_precision == "approximate"


@settings(max_examples=100, deadline=None)
@given(
    countries=st.lists(
        st.sampled_from(["US", "CA", "AU", "BR", "GB", "DE", "RU", "ES", "ZZ", None]), min_size=1, max_size=6
    ),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31)),
)
def test_no_scan_is_dropped_for_want_of_a_time_zone(countries: list[str | None], day: date) -> None:
    activities = [
        label_created(day.strftime("%Y%m%d"), f"{n % 24:02d}0000", {"countryCode": c} if c else None)
        for n, c in enumerate(countries)
    ]
    (tracking,) = read(ups_package(*activities)).trackings
    assert len(tracking.events) == len(activities)
    assert "bad_time" not in [m.code for m in tracking.messages]
    for event in tracking.events:
        # Only a country that keeps one clock places a time by itself (Busingen keeps Berlin's).
        placed = event.location is not None and event.location.country in ("GB", "DE")
        assert event.time_precision == ("exact" if placed else "approximate")
