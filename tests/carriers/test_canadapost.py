"""Canada Post tracking details XML: the recorded replies, our own replies, and damaged ones.

Expectations are ours, checked by hand against the Canada Post Developer Program reference
(Tracking > Get Tracking Details; Messages and Code Tables > Tracking scan events).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordertrack.carriers.canadapost import CONNECTOR
from ordertrack.carriers.canadapost.mapping import read
from ordertrack.carriers.reading import Reading
from ordertrack.statuses import EventStatus as S
from tests.carriers.samples import sample, samples_in

FOLDER = "canadapost"


def scans(reading: Reading) -> list[tuple[str, str, str | None, str | None]]:
    (tracking,) = reading.trackings
    return [(e.occurred_at.isoformat(), e.status, e.reason, e.code) for e in tracking.events]


def codes(reading: Reading) -> list[str]:
    return [m.code for m in reading.all_messages()]


# --- the recorded replies ---------------------------------------------------------------------


def test_recorded_reply_gives_every_scan_oldest_first_in_eastern_standard_time():
    reading = read(sample(FOLDER, "TrackingResponseXml.xml"))

    assert scans(reading) == [
        ("2011-02-01T07:59:52-05:00", S.delivered, None, "1496"),
        ("2011-02-01T07:59:52-05:00", S.delivered, None, "20"),  # signature recorded with the delivery
        ("2011-02-02T06:19:57-05:00", S.exception, "address_issue", "0173"),
        ("2011-02-02T14:45:48-05:00", S.in_transit, None, "0100"),
        ("2011-02-03T08:27:43-05:00", S.out_for_delivery, None, "0174"),
        ("2011-02-03T11:59:59-05:00", S.delivered, None, "20"),
    ]
    assert codes(reading) == []


def test_recorded_reply_keeps_the_carriers_words_and_places():
    (tracking,) = read(sample(FOLDER, "TrackingResponseXml.xml")).trackings

    first, *_, out_for_delivery, last = tracking.events
    assert first.description == "Item successfully delivered"
    assert out_for_delivery.description == "Item out for delivery"
    assert (first.location.city, first.location.region, first.location.country) == ("Quebec", "QC", "CA")
    assert (last.location.city, last.location.region, last.location.country) == ("Sainte-Foy", "QC", "CA")
    assert first.location.timezone == "America/Toronto"
    assert first.location.postal_code is None


def test_recorded_reply_gives_number_service_promise_and_newest_signatory():
    (tracking,) = read(sample(FOLDER, "TrackingResponseXml.xml")).trackings

    assert tracking.tracking_number == "7023210039414604"
    assert tracking.carrier == "canadapost"
    assert tracking.service == "Expedited Parcels"
    assert (str(tracking.estimated_delivery.earliest), str(tracking.estimated_delivery.latest)) == (
        "2011-04-05",
        "2011-04-05",
    )
    assert tracking.signed_by == "HETU"  # 2011-02-03, newer than R GREGOIRE on 2011-02-01
    assert tracking.proof_of_delivery is None  # signature-image-exists is false
    assert tracking.status == "delivered"


def test_unknown_pin_is_not_found_and_gives_no_tracking():
    reading = read(sample(FOLDER, "UnknownTrackingNumberResponse.xml"))

    assert reading.trackings == ()
    assert [(m.code, m.text) for m in reading.messages] == [("not_found", "Canada Post 004: No Pin History")]


def test_authentication_failure_is_an_auth_error_and_gives_no_tracking():
    reading = read(sample(FOLDER, "AuthError.xml"))

    assert reading.trackings == ()
    assert [(m.code, m.text) for m in reading.messages] == [
        ("auth_error", "Canada Post E002: AAA Authentication Failure")
    ]


def test_recorded_request_is_not_a_reply():
    assert codes(read(sample(FOLDER, "TRACKING_PAYLOAD.json"))) == ["unreadable_payload"]


# --- our own replies, in the carrier's format ---------------------------------------------------

NAMESPACE = "http://www.canadapost.ca/ws/track-v2"


def occurrence(
    code: str, day: str, time: str, zone: str, description: str, site: str, province: str, **extra: str
):
    more = "".join(f"<{tag}>{value}</{tag}>" for tag, value in extra.items())
    return (
        f"<occurrence><event-identifier>{code}</event-identifier><event-date>{day}</event-date>"
        f"<event-time>{time}</event-time><event-time-zone>{zone}</event-time-zone>"
        f"<event-description>{description}</event-description><event-site>{site}</event-site>"
        f"<event-province>{province}</event-province>{more}</occurrence>"
    )


def detail(*occurrences: str, pin: str = "1371134583769923", head: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><tracking-detail xmlns="{NAMESPACE}"><pin>{pin}</pin>'
        f"{head}<significant-events>{''.join(occurrences)}</significant-events></tracking-detail>"
    ).encode()


DELIVERED = detail(
    occurrence(
        "1421", "2024-07-09", "14:02:11", "EDT", "Delivered to recipient's front door", "OTTAWA", "ON"
    ),
    occurrence("0174", "2024-07-09", "08:15:00", "EDT", "Item out for delivery", "OTTAWA", "ON"),
    occurrence(
        "20",
        "2024-07-09",
        "14:02:11",
        "EDT",
        "Signature image recorded for Online viewing",
        "OTTAWA",
        "ON",
        **{"signatory-name": "J TREMBLAY"},
    ),
    occurrence(
        "3000", "2024-07-05", "17:40:00", "EDT", "Electronic information submitted by shipper", "", ""
    ),
    head=(
        "<expected-delivery-date>2024-07-10</expected-delivery-date>"
        "<changed-expected-date>2024-07-09</changed-expected-date>"
        "<service-name>Xpresspost</service-name><signature-image-exists>true</signature-image-exists>"
    ),
)


def test_delivered_parcel_reads_in_the_namespace_with_daylight_time():
    reading = read(DELIVERED)

    assert scans(reading) == [
        ("2024-07-05T17:40:00-04:00", S.info_received, None, "3000"),
        ("2024-07-09T08:15:00-04:00", S.out_for_delivery, None, "0174"),
        ("2024-07-09T14:02:11-04:00", S.delivered, None, "1421"),
        ("2024-07-09T14:02:11-04:00", S.delivered, None, "20"),
    ]
    assert reading.trackings[0].events[0].location is None  # no site for the shipper's data
    assert codes(reading) == []


def test_scan_with_neither_zone_nor_province_is_kept_on_the_clock_of_the_parcels_nearest_scan():
    reading = read(
        detail(
            occurrence("0174", "2024-07-09", "08:15:00", "EDT", "Item out for delivery", "OTTAWA", "ON"),
            occurrence("0100", "2024-07-08", "22:10:00", "", "Item processed", "MISSISSAUGA", ""),
        )
    )

    (tracking,) = reading.trackings
    got = [(e.occurred_at.isoformat(), e.time_precision) for e in tracking.events]
    assert got == [("2024-07-08T22:10:00-04:00", "approximate"), ("2024-07-09T08:15:00-04:00", "exact")]
    assert tracking.events[0].location.timezone == "America/Toronto"
    assert codes(reading) == []


def test_scan_abroad_with_neither_zone_nor_province_alone_is_kept_as_approximate_utc():
    reading = read(detail(occurrence("4500", "2024-07-02", "09:00:00", "", "Released", "ISRAEL", "")))

    (scan,) = reading.trackings[0].events
    assert (scan.occurred_at.isoformat(), scan.time_precision) == ("2024-07-02T09:00:00+00:00", "approximate")
    assert codes(reading) == []


def test_an_unreadable_time_is_still_refused_with_a_message():
    reading = read(detail(occurrence("0100", "2024-07-02", "9h00", "EDT", "Item processed", "OTTAWA", "ON")))

    assert reading.trackings[0].events == ()
    assert codes(reading) == ["bad_time"]


def test_changed_expected_date_replaces_the_first_promise():
    (tracking,) = read(DELIVERED).trackings

    assert str(tracking.estimated_delivery.earliest) == "2024-07-09"
    assert tracking.signed_by == "J TREMBLAY"
    assert (
        tracking.proof_of_delivery == "https://soa-gw.canadapost.ca/vis/track/pin/1371134583769923/signature"
    )
    assert tracking.service == "Xpresspost"


def test_weather_delay_is_an_exception_with_its_reason_in_pacific_time():
    reading = read(
        detail(
            occurrence(
                "159",
                "2024-12-20",
                "06:30:00",
                "PST",
                "Delivery may be delayed due to extreme weather conditions",
                "VANCOUVER",
                "BC",
            )
        )
    )

    assert scans(reading) == [("2024-12-20T06:30:00-08:00", S.exception, "weather", "159")]
    assert reading.trackings[0].events[0].location.timezone == "America/Vancouver"


def test_newfoundland_daylight_time_is_two_and_a_half_hours_behind():
    reading = read(
        detail(occurrence("0100", "2024-06-03", "10:00:00", "NDT", "Item processed", "ST. JOHN'S", "NL"))
    )

    assert scans(reading) == [("2024-06-03T10:00:00-02:30", S.in_transit, None, "0100")]
    assert reading.trackings[0].events[0].location.city == "St. John's"


def test_unknown_code_falls_back_to_in_transit_and_says_so():
    reading = read(
        detail(occurrence("9876", "2024-06-03", "10:00:00", "CDT", "Something new", "WINNIPEG", "MB"))
    )

    assert scans(reading) == [("2024-06-03T10:00:00-05:00", S.in_transit, None, "9876")]
    assert codes(reading) == ["unknown_code"]
    assert "9876" in reading.all_messages()[0].text


def test_offset_that_disagrees_with_the_province_is_kept_and_noted():
    reading = read(
        detail(occurrence("0100", "2024-07-02", "09:00:00", "EST", "Item processed", "TORONTO", "ON"))
    )

    assert scans(reading) == [("2024-07-02T09:00:00-05:00", S.in_transit, None, "0100")]
    assert codes(reading) == ["time_zone_mismatch"]


def test_scan_without_zone_abbreviation_takes_its_provinces_zone():
    reading = read(detail(occurrence("0100", "2024-07-02", "09:00:00", "", "Item processed", "REGINA", "SK")))

    # Saskatchewan keeps Central Standard Time all year.
    assert scans(reading) == [("2024-07-02T09:00:00-06:00", S.in_transit, None, "0100")]


def test_delivery_back_to_the_sender_is_returned_not_delivered():
    reading = read(
        detail(
            occurrence(
                "1496",
                "2024-07-02",
                "09:00:00",
                "EDT",
                "L'article a été renvoyé avec succès à l'expéditeur.",
                "LAVAL",
                "QC",
            )
        )
    )

    assert scans(reading) == [("2024-07-02T09:00:00-04:00", S.returned, "returned_to_sender", "1496")]


def test_refused_parcel_is_on_its_way_back_with_the_reason():
    reading = read(
        detail(
            occurrence(
                "1417",
                "2024-07-02",
                "09:00:00",
                "ADT",
                "Item refused by recipient. Item being returned to sender.",
                "HALIFAX",
                "NS",
            )
        )
    )

    assert scans(reading) == [("2024-07-02T09:00:00-03:00", S.returning, "refused", "1417")]


def test_detail_without_pin_gives_no_tracking_and_says_why():
    reading = read(detail(pin=""))

    assert reading.trackings == ()
    assert codes(reading) == ["missing_tracking_number"]


@pytest.mark.parametrize(
    "payload", [b"", b"<tracking-detail", b"{}", b"\xff\xfe<a/>", b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>']
)
def test_unreadable_documents_become_one_message(payload: bytes):
    reading = read(payload)

    assert reading.trackings == ()
    assert [m.code for m in reading.messages] == ["unreadable_payload"]


def test_connector_declares_an_xml_carrier():
    assert (CONNECTOR.slug, CONNECTOR.media_type, CONNECTOR.kind) == ("canadapost", "xml", "carrier")
    assert CONNECTOR.read is read


# --- damaged replies never raise ------------------------------------------------------------------

LEAF = re.compile(rb"<([\w-]+)>([^<]*)</\1>")
ODD_VALUES = [
    b"",
    b"string",
    b"null",
    b"<x/>",
    b"<x>1</x><y/>",
    b"99999999",
    b"2024-13-45",
    b"25:61:00",
    b"&amp;",
]


def originals() -> list[bytes]:
    recorded = [path.read_bytes() for path in samples_in(FOLDER)]
    return [DELIVERED, *recorded]


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    document = draw(st.sampled_from(originals()))
    leaves = list(LEAF.finditer(document))
    for _ in range(draw(st.integers(0, 6))):
        if not leaves:
            break
        leaf = draw(st.sampled_from(leaves))
        replacement = draw(
            st.one_of(
                st.just(b""),  # the element deleted
                st.sampled_from(ODD_VALUES).map(
                    lambda value, tag=leaf[1]: b"<%s>%s</%s>" % (tag, value, tag)
                ),
                st.text(max_size=12).map(
                    lambda value, tag=leaf[1]: (
                        b"<%s>%s</%s>" % (tag, value.replace("&", "").replace("<", "").encode(), tag)
                    )
                ),
            )
        )
        document = document.replace(leaf[0], replacement, 1)
        leaves = list(LEAF.finditer(document))
    if draw(st.booleans()):
        document = document[: draw(st.integers(0, len(document)))]
    return document


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_replies_never_raise(payload: bytes):
    assert isinstance(read(payload), Reading)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(payload: bytes):
    assert isinstance(read(payload), Reading)
