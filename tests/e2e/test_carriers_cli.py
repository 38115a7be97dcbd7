"""``ordertrack carriers detect`` and ``carriers parse`` as a shell user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ordertrack.carriers.registry import connectors
from tests.carriers.samples import sample_path
from tests.e2e.test_cli import ordertrack

# A FedEx Track API answer written from FedEx's API reference: two scans, delivered.
FEDEX_ANSWER = {
    "output": {
        "completeTrackResults": [
            {
                "trackingNumber": "128667043726",
                "trackResults": [
                    {
                        "trackingNumberInfo": {"trackingNumber": "128667043726"},
                        "deliveryDetails": {"receivedByName": "J. Smith"},
                        "scanEvents": [
                            {
                                "date": "2026-11-19T10:12:00-06:00",
                                "eventType": "DL",
                                "eventDescription": "Delivered",
                                "scanLocation": {
                                    "city": "AUSTIN",
                                    "stateOrProvinceCode": "TX",
                                    "countryCode": "US",
                                },
                            },
                            {
                                "date": "2026-11-18T21:40:00-06:00",
                                "eventType": "AR",
                                "eventDescription": "Arrived at FedEx location",
                                "scanLocation": {
                                    "city": "MEMPHIS",
                                    "stateOrProvinceCode": "TN",
                                    "countryCode": "US",
                                },
                            },
                        ],
                    }
                ],
            }
        ]
    }
}


def test_parse_prints_the_unified_reading_as_json(tmp_path: Path) -> None:
    payload = tmp_path / "fedex.json"
    payload.write_text(json.dumps(FEDEX_ANSWER))
    done = ordertrack("carriers", "parse", "fedex", str(payload), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    reading = json.loads(done.stdout)
    assert set(reading) >= {
        "tracking_number",
        "carrier",
        "status",
        "estimated_delivery",
        "events",
        "messages",
    }
    assert (reading["tracking_number"], reading["carrier"], reading["status"]) == (
        "128667043726",
        "fedex",
        "delivered",
    )
    assert [(e["status"], e["occurred_at"], e["location"]["city"]) for e in reading["events"]] == [
        ("in_transit", "2026-11-18T21:40:00-06:00", "Memphis"),
        ("delivered", "2026-11-19T10:12:00-06:00", "Austin"),
    ]
    assert set(reading["events"][0]) == {
        "occurred_at",
        "time_precision",
        "status",
        "reason",
        "code",
        "description",
        "location",
    }
    # FedEx gives each scan's UTC offset, so the times are exact.
    assert {e["time_precision"] for e in reading["events"]} == {"exact"}


def test_parse_reads_a_recorded_ups_answer_when_the_samples_are_here(tmp_path: Path) -> None:
    path = sample_path("ups", "TrackingResponseJSON.json")
    if not path.is_file():
        pytest.skip(f"carrier sample {path} not found (shared data absent)")
    done = ordertrack("carriers", "parse", "ups", str(path), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tracking_number"] == "1Z023E2X0214323462"


def test_an_unreadable_payload_is_a_clear_message_and_a_failing_exit(tmp_path: Path) -> None:
    payload = tmp_path / "broken.xml"
    payload.write_bytes(b"<tracking-detail><pin>7023210039414604")
    done = ordertrack("carriers", "parse", "canadapost", str(payload), cwd=tmp_path)
    assert done.returncode == 1
    assert "nothing could be read" in done.stderr and "Traceback" not in done.stderr + done.stdout
    missing = ordertrack("carriers", "parse", "ups", str(tmp_path / "nope.json"), cwd=tmp_path)
    assert missing.returncode == 2 and "cannot read" in missing.stderr and "Traceback" not in missing.stderr
    unknown = ordertrack("carriers", "parse", "pigeon_post", str(payload), cwd=tmp_path)
    assert unknown.returncode == 2 and "no carrier connector 'pigeon_post'" in unknown.stderr


def test_detect_lists_every_candidate_most_likely_first(tmp_path: Path) -> None:
    done = ordertrack("carriers", "detect", "3205 9546 3938", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert [(c["carrier"], c["valid"]) for c in found["candidates"]] == [
        ("purolator", True),
        ("fedex", False),
    ]
    text = ordertrack("carriers", "detect", "1Z5R89390357567127", cwd=tmp_path)
    assert text.returncode == 0 and "UPS" in text.stdout and "valid check digit" in text.stdout


def test_every_carrier_folder_is_a_registered_connector() -> None:
    folders = {
        p.name
        for p in (Path(__file__).resolve().parents[2] / "src" / "ordertrack" / "carriers").iterdir()
        if (p / "__init__.py").is_file() and (p / "mapping.py").is_file()
    }
    assert folders == set(connectors())
    assert {"ups", "fedex", "usps", "dhl", "dhl_express", "canadapost", "royalmail"} <= folders
    assert {"easypost", "aftership", "shippo"} <= folders
