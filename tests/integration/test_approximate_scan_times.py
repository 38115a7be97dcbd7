"""A carrier scan whose local time no zone places (UPS "label created" with only a country) is
stored, marked approximate, and shown as such: on SQLite and PostgreSQL, through the real UPS
mapping, the tracking API, the shopper's page and the merchant's timeline."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from ordertrack.carriers import intake
from ordertrack.carriers.registry import connector
from ordertrack.db.uow import Database
from ordertrack.links import tracking_token
from ordertrack.orders import service as orders_service
from ordertrack.tracking import timeline as tracking_timeline
from ordertrack.tracking.model import TrackingEvent
from ordertrack.web.dashboard.timeline import order_timeline
from tests.conftest import TEST_SECRET
from tests.integration.scenario import WINDOW, lookup, place_order, ship

NUMBER = "1Z999AA10123456784"


def ups_answer(label_day: str, origin_day: str) -> bytes:
    """A Track API answer: the label made somewhere in the US, then an origin scan in Utah."""
    activity = [
        {
            "date": origin_day,
            "time": "203000",
            "location": {"address": {"city": "SALT LAKE CITY", "stateProvince": "UT", "countryCode": "US"}},
            "status": {"type": "I", "code": "OR", "statusCode": "005", "description": "Origin Scan"},
        },
        {
            "date": label_day,
            "time": "101500",
            "location": {"address": {"countryCode": "US"}},
            "status": {
                "type": "M",
                "code": "MP",
                "statusCode": "003",
                "description": "Shipper created a label, UPS has not received the package yet.",
            },
        },
    ]
    body = {
        "trackResponse": {
            "shipment": [
                {"inquiryNumber": NUMBER, "package": [{"trackingNumber": NUMBER, "activity": activity}]}
            ]
        }
    }
    return json.dumps(body).encode()


def poll_answer(db: Database, merchant_id: str, body: bytes) -> intake.IntakeResult:
    with db.uow() as uow:
        result = intake.receive_payload(
            uow, merchant_id, connector("ups"), body, channel="poll", content_type=None, recycle_window=WINDOW
        )
        uow.commit()
        return result


def test_a_label_scan_without_a_zone_is_stored_approximate_and_shown_as_about(
    db: Database, make_merchant, server
) -> None:
    merchant = make_merchant().merchant_id
    order_id = place_order(db, merchant)
    ship(db, merchant, order_id, NUMBER, carrier="ups")
    label_day = datetime.now(UTC).date() - timedelta(days=2)
    origin_day = label_day + timedelta(days=1)
    body = ups_answer(f"{label_day:%Y%m%d}", f"{origin_day:%Y%m%d}")

    result = poll_answer(db, merchant, body)
    assert (result.state, result.accepted) == ("ingested", 2)
    with db.uow(write=False) as uow:
        label = uow.session.scalars(
            select(TrackingEvent).where(
                TrackingEvent.merchant_id == merchant, TrackingEvent.code == "M/MP/003"
            )
        ).one()
        assert label.parcel_id is not None
        assert (label.time_precision, label.timezone, label.utc_offset_minutes) == (
            "approximate",
            "America/Denver",
            -420,
        )
    # The same answer polled again is the same two scans.
    assert poll_answer(db, merchant, body).duplicates == 2

    tracking = lookup(db, merchant, NUMBER)
    label_out, origin_out = tracking.events
    assert label_out.time_precision == "approximate" and origin_out.time_precision == "exact"
    assert label_out.local_time == f"{label_day.isoformat()}T10:15:00-07:00"  # the clock UPS wrote

    with httpx.Client(base_url=server.base_url) as shopper:
        page = shopper.get(
            f"/track/{tracking_token(TEST_SECRET, order_id)}", headers={"accept-language": "en"}
        )
    assert page.status_code == 200
    # The clock as UPS wrote it, with no zone name (the page's scan times read "Mon, Dec 7, 4:31 AM EST").
    assert f"about {label_day:%a}, {label_day:%b} {label_day.day}, 10:15\u202fAM<" in page.text
    assert "local time" in page.text
    assert len(re.findall(r"<time [^>]*>about ", page.text)) == 1  # the origin scan's time is exact

    with db.uow(write=False) as uow:
        order = orders_service.order_view(uow, merchant, orders_service.find_order(uow, merchant, order_id))
        scans = tracking_timeline.events_for_parcels(uow, merchant, [label.parcel_id])
    entries = order_timeline(order, [(NUMBER, event) for _, event in scans], {}, {})
    assert [e.approximate for e in entries if e.kind == "scan"] == [True, False]


def test_a_scan_placed_again_in_another_zone_by_a_later_poll_is_not_stored_twice(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant().merchant_id
    order_id = place_order(db, merchant)
    ship(db, merchant, order_id, NUMBER, carrier="ups")
    label_day = datetime.now(UTC).date() - timedelta(days=2)
    label_only = json.loads(ups_answer(f"{label_day:%Y%m%d}", f"{label_day:%Y%m%d}"))
    package = label_only["trackResponse"]["shipment"][0]["package"][0]
    package["activity"] = package["activity"][1:]
    # First poll: the label alone, read in the country's principal zone (New York).
    assert poll_answer(db, merchant, json.dumps(label_only).encode()).accepted == 1
    # Next poll: the origin scan in Utah now suggests Denver for the same label scan.
    later = poll_answer(db, merchant, ups_answer(f"{label_day:%Y%m%d}", f"{label_day:%Y%m%d}"))
    assert (later.accepted, later.duplicates) == (1, 1)
    assert [e.time_precision for e in lookup(db, merchant, NUMBER).events] == ["approximate", "exact"]
