"""DHL Express XML-PI tracking: recorded responses, our own payloads, mangled ones.

Statuses follow DHL Express's checkpoint codes (``ordertrack.carriers.dhl_express.codes``); local
times take the zone of the checkpoint's service area (``ordertrack.carriers.dhl_express.places``).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ordertrack.carriers.dhl_express.mapping import read
from ordertrack.carriers.reading import Reading
from tests.carriers.samples import sample, samples_in

# AWB 3180831640, oldest first: (local time with offset, status, reason, code, city, country).
RECORDED_DELIVERED = [
    ("2009-08-28T13:26:00+02:00", "in_transit", None, "PU", "Barcelona", "ES"),
    ("2009-08-28T19:27:00+02:00", "in_transit", None, "PO", "Barcelona", "ES"),
    ("2009-08-28T19:27:00+02:00", "in_transit", None, "RW", "Barcelona", "ES"),  # unknown: fallback
    ("2009-08-28T20:39:01+02:00", "in_transit", None, "PL", "Barcelona", "ES"),
    ("2009-08-28T21:17:57+02:00", "in_transit", None, "AF", "Barcelona", "ES"),
    ("2009-08-28T22:01:00+02:00", "in_transit", None, "DF", "Barcelona", "ES"),
    ("2009-08-29T00:32:16+02:00", "in_transit", None, "AF", "Leipzig", "DE"),
    ("2009-08-29T01:05:03+02:00", "in_transit", None, "PL", "Leipzig", "DE"),
    ("2009-08-29T05:52:19+02:00", "in_transit", None, "DF", "Leipzig", "DE"),
    ("2009-08-30T19:43:22+02:00", "in_transit", None, "AF", "Bergamo", "IT"),
    ("2009-08-30T23:30:00+02:00", "in_transit", None, "PL", "Bergamo", "IT"),
    ("2009-08-31T02:06:00+02:00", "in_transit", None, "DF", "Bergamo", "IT"),
    ("2009-08-31T06:23:00+02:00", "in_transit", None, "DF", "Milan", "IT"),
    ("2009-08-31T08:59:00+02:00", "in_transit", None, "AR", "Milan", "IT"),
    ("2009-08-31T09:19:00+02:00", "out_for_delivery", None, "WC", "Milan", "IT"),
    ("2009-08-31T10:09:00+02:00", "delivered", None, "OK", "Milan", "IT"),
]


def _rows(tracking):  # type: ignore[no-untyped-def]
    return [
        (
            e.occurred_at.isoformat(),
            str(e.status),
            e.reason,
            e.code,
            e.location.city if e.location else None,
            e.location.country if e.location else None,
        )
        for e in tracking.events
    ]


def test_recorded_response_reads_three_waybills() -> None:
    reading = read(sample("dhl_express", "TrackingResponseXML.xml"))
    assert reading.messages == ()
    delivered, singapore, hong_kong = reading.trackings
    assert [t.tracking_number for t in reading.trackings] == ["3180831640", "7740842550", "1815115363"]
    assert {t.carrier for t in reading.trackings} == {"dhl"}

    assert _rows(delivered) == RECORDED_DELIVERED
    # Spain keeps two clocks (the Canaries an hour behind) and a service area names no region
    # there, so Barcelona is read in Madrid's zone but marked approximate; Germany and Italy keep
    # one clock each and are exact.
    assert [e.time_precision for e in delivered.events] == ["approximate"] * 6 + ["exact"] * 10
    assert delivered.status == "delivered"
    # Only the delivery checkpoint's Signatory is a name (the pick-up one holds an account number).
    assert delivered.signed_by == "CAMPAGNA"
    assert delivered.events[-1].description == "Shipment delivered"
    assert delivered.events[4].description == "Arrived at DHL facility in Barcelona - Spain"
    assert [(m.code, m.where) for m in delivered.messages] == [
        ("unknown_code", "AWBInfo[0].ShipmentEvent[2]")
    ]
    assert (delivered.estimated_delivery, delivered.proof_of_delivery, delivered.service) == (
        None,
        None,
        None,
    )

    assert _rows(singapore) == [("2009-08-26T10:00:00+08:00", "in_transit", None, "PU", "Singapore", "SG")]
    assert singapore.messages == ()
    assert _rows(hong_kong) == [
        ("2009-08-13T23:58:00+08:00", "in_transit", None, "PU", "Hong Kong", "HK"),
        ("2009-08-14T02:19:50+08:00", "in_transit", None, "RW", "Hong Kong", "HK"),
    ]
    assert hong_kong.signed_by is None


def test_recorded_in_transit_reads_edd_and_product() -> None:
    (tracking,) = read(sample("dhl_express", "IntransitTrackingResponseXML.xml")).trackings
    # Kingston, Jamaica: UTC-5 all year.
    assert _rows(tracking) == [("2021-05-05T09:42:00-05:00", "in_transit", None, "PU", "Kingston", "JM")]
    edd = tracking.estimated_delivery
    assert edd is not None and (edd.earliest.isoformat(), edd.latest.isoformat()) == (
        "2021-05-07",
        "2021-05-07",
    )
    assert tracking.service == "Express Worldwide"  # GlobalProductCode P
    assert tracking.messages == ()


def test_no_shipment_found_is_not_found() -> None:
    reading = read(sample("dhl_express", "TrackingSingleNotFound.xml"))
    assert reading.trackings == ()
    assert [(m.code, m.where) for m in reading.messages] == [("not_found", "AWBInfo[0].Status")]


def test_rejected_credentials_are_an_auth_error() -> None:
    reading = read(sample("dhl_express", "AuthError.xml"))
    assert reading.trackings == ()
    assert [m.code for m in reading.messages] == ["auth_error"]
    assert "Password" in reading.messages[0].text


def test_request_documents_are_unreadable_not_trackings() -> None:
    for name in ("TrackingRequestXML.xml", "TrackingPayload.json"):
        reading = read(sample("dhl_express", name))
        assert reading.trackings == () and [m.code for m in reading.messages] == ["unreadable_payload"]


def _checkpoint(day: str, time: str, code: str, description: str, area: str, where: str) -> str:
    return f"""
            <ShipmentEvent>
                <Date>{day}</Date><Time>{time}</Time>
                <ServiceEvent><EventCode>{code}</EventCode><Description>{description}</Description></ServiceEvent>
                <Signatory>{"J DOE" if code == "OK" else ""}</Signatory>
                <ServiceArea><ServiceAreaCode>{area}</ServiceAreaCode><Description>{where}</Description></ServiceArea>
            </ShipmentEvent>"""


OURS = f"""<?xml version="1.0" encoding="UTF-8"?>
<req:TrackingResponse xmlns:req="http://www.dhl.com">
    <AWBInfo>
        <AWBNumber>1234567890</AWBNumber>
        <Status><ActionStatus>success</ActionStatus></Status>
        <ShipmentInfo>
            <GlobalProductCode>N</GlobalProductCode>
            <EstDlvyDate>2025-06-03 23:59:00 GMT-04:00</EstDlvyDate>
            {_checkpoint("2025-06-01", "08:00:00", "PU", "Shipment picked up", "LAX", "LOS ANGELES,CA-USA")}
            {_checkpoint("2025-06-02", "03:10:00", "AF", "Arrived", "CVG", "CINCINNATI HUB - CINCINNATI-USA")}
            {_checkpoint("2025-06-02", "09:00:00", "ZZ", "Unheard of", "LGA", "SPRINGFIELD GARDENS,NY-USA")}
            {_checkpoint("2025-06-02", "17:00:00", "BA", "Bad address", "LGA", "SPRINGFIELD GARDENS,NY-USA")}
            {_checkpoint("2025-06-02", "18:00:00", "PL", "Processed", "XXX", "SOMEWHERE - USA")}
            {_checkpoint("2025-06-03", "12:30:00", "OK", "Delivered", "LGA", "SPRINGFIELD GARDENS,NY-USA")}
        </ShipmentInfo>
    </AWBInfo>
</req:TrackingResponse>
"""


def test_own_payload_delivered_exception_unknown_code_and_a_checkpoint_without_a_zone() -> None:
    reading = read(OURS.encode())
    (tracking,) = reading.trackings
    got = [(e.occurred_at.isoformat(), str(e.status), e.reason, e.code) for e in tracking.events]
    assert got == [
        ("2025-06-01T08:00:00-07:00", "in_transit", None, "PU"),
        # Cincinnati's description has no state: the CVG gateway (Hebron, Kentucky) places it.
        ("2025-06-02T03:10:00-04:00", "in_transit", None, "AF"),
        ("2025-06-02T09:00:00-04:00", "in_transit", None, "ZZ"),
        ("2025-06-02T17:00:00-04:00", "exception", "address_issue", "BA"),
        # "SOMEWHERE - USA" with an unknown gateway names no zone: kept on the clock of the
        # waybill's nearest checkpoint in the US (Springfield Gardens, an hour before), approximate.
        ("2025-06-02T18:00:00-04:00", "in_transit", None, "PL"),
        ("2025-06-03T12:30:00-04:00", "delivered", None, "OK"),
    ]
    assert [e.time_precision for e in tracking.events] == ["exact"] * 4 + ["approximate", "exact"]
    assert [(m.code, m.where) for m in tracking.messages] == [("unknown_code", "AWBInfo[0].ShipmentEvent[2]")]
    assert tracking.events[3].location is not None
    assert (tracking.events[3].location.city, tracking.events[3].location.region) == (
        "Springfield Gardens",
        "NY",
    )
    assert tracking.signed_by == "J DOE"
    assert tracking.service == "Domestic Express"
    assert tracking.estimated_delivery is not None
    assert tracking.estimated_delivery.latest.isoformat() == "2025-06-03"
    assert tracking.status == "delivered"


def test_entities_are_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><TrackingResponse>&a;</TrackingResponse>'
    reading = read(bomb)
    assert reading.trackings == () and [m.code for m in reading.messages] == ["unreadable_payload"]


def test_folder_declares_its_connector() -> None:
    from ordertrack.carriers.dhl_express import CONNECTOR

    assert (CONNECTOR.slug, CONNECTOR.media_type, CONNECTOR.read) == ("dhl_express", "xml", read)


# --- robustness ---------------------------------------------------------------------------------


def _documents() -> list[str]:
    found = [OURS]
    for path in samples_in("dhl_express", (".xml",)):
        found.append(path.read_text(encoding="utf-8"))
    return found


_ELEMENT_TEXT = st.one_of(
    st.just(""), st.just("string"), st.just("None"), st.text(max_size=12), st.just("<X/>")
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mangled_documents_never_raise(data: st.DataObject) -> None:
    document = data.draw(st.sampled_from(_documents()))
    # Replace the content of one element (dates included) or drop one element's line entirely.
    lines = document.splitlines()
    index = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    if data.draw(st.booleans()):
        del lines[index]
    else:
        line = lines[index]
        start, end = line.find(">"), line.rfind("<")
        if 0 <= start < end:
            lines[index] = line[: start + 1] + data.draw(_ELEMENT_TEXT) + line[end:]
    raw = "\n".join(lines).encode()
    cut = data.draw(st.integers(min_value=0, max_value=len(raw)))
    assert isinstance(read(raw), Reading)
    assert isinstance(read(raw[:cut]), Reading)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_a_reading(raw: bytes) -> None:
    assert isinstance(read(raw), Reading)
