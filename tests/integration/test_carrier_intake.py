"""Carrier payload intake on both databases: read, ingest, quarantine, replay, unknown codes.

The connector here is a small one defined in the test (JSON lines of "number,code,when"),
so the intake rules are tested apart from any real carrier's mapping.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ordertrack.carriers import intake
from ordertrack.carriers.codes import CodeTable, meanings
from ordertrack.carriers.reading import CarrierEvent, CarrierTracking, Message, Notes, Reading, location
from ordertrack.carriers.registry import BadSignature, Connector
from ordertrack.carriers.scan_times import parse_local_time
from ordertrack.db.uow import Database
from ordertrack.statuses import EventStatus
from ordertrack.tracking import timeline as tracking_timeline

WINDOW = timedelta(days=60)
CODES = CodeTable(
    "acme_post",
    {
        **meanings(EventStatus.in_transit, "AR DP"),
        **meanings(EventStatus.delivered, "OK"),
        **meanings(EventStatus.exception, "BA", "address_issue"),
    },
)
# What the test mapping understands; a "fixed" mapping adds a code to show replay.
FIXED_CODES = {"WHEN": "%Y-%m-%d %H:%M"}


def read_acme(payload: bytes, *, time_formats: tuple[str, ...] = ()) -> Reading:
    notes = Notes()
    try:
        document = json.loads(payload)
        rows = document["scans"]
        number = document["number"]
    except (ValueError, KeyError, TypeError):
        return Reading(messages=(Message("unreadable_payload", "not an acme scan document"),))
    events = []
    for index, row in enumerate(rows):
        place = location(city=row.get("city"), country=row.get("country"), region=row.get("region"))
        when = parse_local_time(notes, f"scans[{index}]", row.get("at"), formats=time_formats, place=place)
        if when is None:
            continue
        status, reason = CODES.lookup(row.get("code"), notes, f"scans[{index}]", row.get("text"))
        events.append(
            CarrierEvent(when, status, reason, row.get("code"), row.get("text"), place, row.get("id"))
        )
    return Reading(trackings=(CarrierTracking(number, "acme_post", tuple(events), messages=notes.freeze()),))


def verify(body: bytes, headers: dict[str, str], secret: str, *, now: float) -> None:
    if headers.get("x-acme-secret") != secret:
        raise BadSignature("the push is not signed with this merchant's secret")


ACME = Connector("acme_post", "Acme Post", "carrier", read_acme, verify_webhook=verify)
ACME_FIXED = Connector(
    "acme_post", "Acme Post", "carrier", lambda p: read_acme(p, time_formats=("%d.%m.%Y %H:%M",))
)


def payload(*scans: dict) -> bytes:
    return json.dumps({"number": "AP123456", "scans": list(scans)}).encode()


def receive(db: Database, merchant_id: str, body: bytes, connector: Connector = ACME) -> intake.IntakeResult:
    with db.uow() as uow:
        result = intake.receive_payload(
            uow,
            merchant_id,
            connector,
            body,
            channel="webhook",
            content_type="application/json",
            recycle_window=WINDOW,
            received_at=datetime(2026, 11, 20, tzinfo=UTC),
        )
        uow.commit()
    return result


SCAN_1 = {"id": "e1", "code": "AR", "at": "2026-11-18T08:00:00-06:00", "city": "DALLAS", "country": "US"}
SCAN_2 = {"id": "e2", "code": "OK", "at": "2026-11-19T10:30:00-06:00", "city": "Austin", "country": "US"}


def test_a_readable_push_is_ingested_once_and_replays_count_as_duplicates(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant().merchant_id
    first = receive(db, merchant, payload(SCAN_1, SCAN_2))
    assert (first.state, first.accepted, first.duplicates, first.trackings) == (
        "ingested",
        2,
        0,
        ["AP123456"],
    )
    again = receive(db, merchant, payload(SCAN_1, SCAN_2))
    assert (again.state, again.accepted, again.duplicates) == ("ingested", 0, 2)
    with db.uow(write=False) as uow:
        events = tracking_timeline.list_events(
            uow, merchant, tracking_number="AP123456", status=None, unmatched=None, cursor=None, limit=10
        )
    cities = sorted(e.location.city for e in events.items if e.location)
    assert cities == ["Austin", "Dallas"]  # shouted city names are shown as people write them


def test_an_unreadable_push_is_quarantined_with_its_reason_and_nothing_is_lost(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant().merchant_id
    body = b'{"this is": "not what acme sends"'
    result = receive(db, merchant, body)
    assert result.state == "quarantined" and result.accepted == 0
    with db.uow(write=False) as uow:
        stored = intake.get_payload(uow, merchant, result.payload_id)
        page = intake.list_payloads(uow, merchant, states=["quarantined"], cursor=None, limit=10)
    assert stored.body == body and stored.reason.startswith("unreadable_payload")
    assert [row.id for row in page.items] == [result.payload_id]
    with db.uow() as uow, pytest.raises(intake.StillUnreadable):
        intake.replay_payload(uow, merchant, result.payload_id, ACME, recycle_window=WINDOW)


def test_a_partly_read_push_keeps_the_rest_and_a_replay_after_a_fix_adds_the_missing_event(
    db: Database, make_merchant
) -> None:
    merchant = make_merchant().merchant_id
    odd_time = {
        "id": "e3",
        "code": "DP",
        "at": "19.11.2026 07:15",
        "city": "Austin",
        "region": "TX",
        "country": "US",
    }
    result = receive(db, merchant, payload(SCAN_1, odd_time))
    assert (result.state, result.accepted) == ("partial", 1)
    assert any(m.code == "bad_time" for m in result.messages)
    with db.uow() as uow:
        replayed = intake.replay_payload(uow, merchant, result.payload_id, ACME_FIXED, recycle_window=WINDOW)
        uow.commit()
    assert (replayed.state, replayed.accepted, replayed.duplicates) == ("replayed", 1, 1)
    with db.uow(write=False) as uow:
        events = tracking_timeline.list_events(
            uow, merchant, tracking_number="AP123456", status=None, unmatched=None, cursor=None, limit=10
        )
    # The local wall time in Texas became the right instant.
    assert datetime(2026, 11, 19, 13, 15, tzinfo=UTC) in [e.occurred_at for e in events.items]


def test_unknown_codes_are_stored_safely_and_counted_per_merchant(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    odd = {"id": "e4", "code": "ZZ9", "text": "Parcel sunbathing", "at": "2026-11-18T09:00:00-06:00"}
    receive(db, merchant, payload(SCAN_1, odd))
    receive(db, merchant, payload({**odd, "id": "e5", "at": "2026-11-18T10:00:00-06:00"}))
    with db.uow(write=False) as uow:
        counted = intake.unknown_code_page(uow, merchant, None, 50).items
        events = tracking_timeline.list_events(
            uow, merchant, tracking_number="AP123456", status=None, unmatched=None, cursor=None, limit=10
        )
    assert [(c.carrier, c.code, c.seen, c.example) for c in counted] == [
        ("acme_post", "ZZ9", 2, "Parcel sunbathing")
    ]
    unknown = [e for e in events.items if e.code == "ZZ9"]
    assert len(unknown) == 2 and all(e.status == "in_transit" for e in unknown)


def test_webhook_tokens_identify_the_merchant_and_rotate(db: Database, make_merchant) -> None:
    merchant = make_merchant().merchant_id
    with db.uow() as uow:
        old = intake.configure_webhook(uow, merchant, "acme_post", "s3cret-s3cret")
        new = intake.configure_webhook(uow, merchant, "acme_post", "s3cret-s3cret")
        uow.commit()
    with db.uow(write=False) as uow:
        settings = intake.webhook_for_token(uow, "acme_post", new)
        assert settings.merchant_id == merchant
        with pytest.raises(intake.UnknownWebhookToken):
            intake.webhook_for_token(uow, "acme_post", old)
        with pytest.raises(intake.UnknownWebhookToken):
            intake.webhook_for_token(uow, "other_post", new)
        intake.verify_push(ACME, settings, b"{}", {"X-Acme-Secret": "s3cret-s3cret"})
        with pytest.raises(BadSignature):
            intake.verify_push(ACME, settings, b"{}", {"X-Acme-Secret": "guess"})


def test_a_mapping_that_crashes_becomes_a_quarantined_payload_not_an_error(
    db: Database, make_merchant
) -> None:
    def broken(payload: bytes) -> Reading:
        raise RuntimeError("mapping bug")

    merchant = make_merchant().merchant_id
    result = receive(db, merchant, b"{}", Connector("acme_post", "Acme Post", "carrier", broken))
    assert result.state == "quarantined"
    assert result.messages[0].code == "mapping_failed" and "mapping bug" in result.messages[0].text
