"""Tracking numbers: carrier formats and check digits, detection, and our own issued numbers.

The carrier samples are the published valid/invalid numbers in jkeen/tracking_number_data,
read from ../shared/data/tracking_numbers; those tests skip when the folder is absent.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrack.carriers.tracking_numbers import (
    OWN_CARRIER,
    CarrierMatch,
    InvalidTrackingNumber,
    detect_carriers,
    formats_for,
    issue_tracking_number,
    validate_own_tracking_number,
    validate_tracking_number,
)

DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "tracking_numbers"
MISSING_DATA = f"tracking-number samples not found at {DATA_DIR} (jkeen/tracking_number_data)"


@dataclass(frozen=True)
class SampleSource:
    """Where a carrier's published samples are, and which of them are that carrier's."""

    file: str
    formats: frozenset[str] | None = None  # None: every format in the file
    belongs: Callable[[str], bool] = lambda number: True


SAMPLE_SOURCES: dict[str, SampleSource] = {
    "ups": SampleSource("ups.json"),
    "usps": SampleSource("usps.json"),
    "fedex": SampleSource("fedex.json"),
    # DHL eCommerce is a separate network with unchecked formats; only DHL Express is covered.
    "dhl": SampleSource("dhl.json", formats=frozenset({"DHL Express", "DHL Express (Piece ID)"})),
    "dpd": SampleSource("dpd.json"),
    # Royal Mail's international numbers are UPU S10 items ending in its country code, GB.
    "royalmail": SampleSource("s10.json", belongs=lambda number: number.strip().endswith("GB")),
    "canadapost": SampleSource("canadapost.json"),
    "amazon": SampleSource("amazon.json"),
    "ontrac": SampleSource("ontrac.json"),
    "lasership": SampleSource("lasership.json"),
    # The alpha format's "invalid" samples include a valid 12-digit number; only the 12 is covered.
    "purolator": SampleSource("purolator.json", formats=frozenset({"Purolator (12)"})),
}


def published_samples(
    kind: str,
    carriers: tuple[str, ...] = tuple(SAMPLE_SOURCES),
    keep: Callable[[str, str], bool] = lambda carrier, number: True,
) -> list:
    """(carrier, number) params for the "valid" or "invalid" samples, or one skipped param."""
    if not DATA_DIR.is_dir():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=MISSING_DATA))]
    params = []
    for carrier in carriers:
        source = SAMPLE_SOURCES[carrier]
        courier = json.loads((DATA_DIR / source.file).read_text(encoding="utf-8"))
        for fmt in courier["tracking_numbers"]:
            if source.formats is not None and fmt["name"] not in source.formats:
                continue
            for number in fmt["test_numbers"].get(kind, []):
                if (kind == "valid" and not source.belongs(number)) or not keep(carrier, number):
                    continue
                params.append(pytest.param(carrier, number, id=f"{carrier}-{fmt['name']}-{number.strip()}"))
    return params


def canonical(number: str) -> str:
    return re.sub(r"\s+", "", number).upper()


def check_digit_span(carrier: str, number: str) -> tuple[int, int]:
    """Where the check digit sits in a valid number, per the carrier format that accepts it."""
    for fmt in formats_for(carrier):
        match = fmt.pattern.fullmatch(number)
        if match and fmt.check_digit_agrees(match):
            return match.span("check")
    raise AssertionError(f"{number} is not valid for {carrier}")


def with_check_digit_changed(carrier: str, number: str) -> list[str]:
    start, end = check_digit_span(carrier, number)
    original = number[start:end]
    return [number[:start] + digit + number[end:] for digit in string.digits if digit != original]


# --- carrier samples -----------------------------------------------------------------------


@pytest.mark.parametrize(("carrier", "number"), published_samples("valid"))
def test_every_published_valid_sample_is_accepted_for_its_carrier(carrier: str, number: str) -> None:
    assert validate_tracking_number(carrier, number) == canonical(number)


@pytest.mark.parametrize(("carrier", "number"), published_samples("invalid"))
def test_every_published_invalid_sample_is_rejected_for_its_carrier(carrier: str, number: str) -> None:
    with pytest.raises(InvalidTrackingNumber) as rejected:
        validate_tracking_number(carrier, number)
    assert rejected.value.code == "invalid_tracking_number"


def is_usps_20(carrier: str, number: str) -> bool:
    return carrier == "usps" and len(canonical(number)) == 20


@pytest.mark.parametrize(
    ("carrier", "number"),
    published_samples("valid", ("ups", "usps", "fedex"), keep=lambda *sample: not is_usps_20(*sample)),
)
def test_a_ups_usps_or_fedex_number_with_its_check_digit_changed_is_rejected(
    carrier: str, number: str
) -> None:
    for typo in with_check_digit_changed(carrier, canonical(number)):
        with pytest.raises(InvalidTrackingNumber) as rejected:
            validate_tracking_number(carrier, typo)
        assert rejected.value.code == "invalid_tracking_number"
        assert rejected.value.reason == "check digit does not match"


@pytest.mark.parametrize(
    ("carrier", "number"),
    published_samples("valid", ("usps",), keep=is_usps_20),
)
def test_a_20_digit_usps_number_has_one_other_accepted_check_digit_the_legacy_form_with_implied_91(
    carrier: str, number: str
) -> None:
    # Legacy 20-digit USPS labels compute the check digit as if "91" were printed in front,
    # so each 20-digit number has two acceptable check digits; the other eight are typos.
    typos = with_check_digit_changed(carrier, canonical(number))
    accepted = [
        typo
        for typo in typos
        if any(found.valid for found in detect_carriers(typo) if found.carrier == "usps")
    ]
    assert len(accepted) == 1
    for typo in set(typos) - set(accepted):
        with pytest.raises(InvalidTrackingNumber, match="check digit does not match"):
            validate_tracking_number(carrier, typo)


def test_the_rejection_names_the_carrier_and_the_reason() -> None:
    with pytest.raises(InvalidTrackingNumber) as rejected:
        validate_tracking_number("ups", "1Z5R89390357567128")
    error = rejected.value
    assert error.status_code == 422
    assert error.carrier == "ups"
    assert "UPS" in error.message and "check digit does not match" in error.message
    assert error.details == {
        "carrier": "ups",
        "number": "1Z5R89390357567128",
        "reason": "check digit does not match",
    }


def test_a_number_of_the_wrong_shape_says_which_forms_the_carrier_uses() -> None:
    with pytest.raises(InvalidTrackingNumber, match="does not have the form of any of: UPS 1Z, UPS waybill"):
        validate_tracking_number("ups", "ABC123")


def test_numbers_are_returned_in_canonical_form() -> None:
    assert validate_tracking_number("ups", " 1z 5r8 939 0357 567 127 ") == "1Z5R89390357567127"


def test_a_carrier_without_rules_accepts_any_canonical_number() -> None:
    assert validate_tracking_number("speedyvan", " ab-12 3 ") == "AB-123"
    for bad in ("ab", "1Z/../etc", "x" * 65):
        with pytest.raises(InvalidTrackingNumber) as rejected:
            validate_tracking_number("speedyvan", bad)
        assert rejected.value.code == "invalid_tracking_number"


def test_a_malformed_number_is_rejected_before_carrier_rules() -> None:
    with pytest.raises(InvalidTrackingNumber, match="3 to 64"):
        validate_tracking_number("fedex", "7905/353123")


# --- detection -------------------------------------------------------------------------------


def test_detection_finds_ups_for_a_valid_1z_number() -> None:
    found = detect_carriers("1Z5R89390357567127")
    assert found[0] == CarrierMatch("ups", "UPS 1Z", valid=True)


def test_detection_reports_the_shape_even_when_the_check_digit_is_wrong() -> None:
    assert CarrierMatch("ups", "UPS 1Z", valid=False) in detect_carriers("1Z5R89390357567128")


def test_detection_lists_valid_matches_before_shape_only_matches() -> None:
    found = detect_carriers("986578788855")  # a FedEx Express 12 sample; other 12-digit shapes fail
    assert found[0] == CarrierMatch("fedex", "FedEx Express 12", valid=True)
    assert [match.valid for match in found] == sorted((match.valid for match in found), reverse=True)


def test_detection_of_unreadable_text_finds_nothing() -> None:
    assert detect_carriers("not a number!") == []


# --- our own numbers -----------------------------------------------------------------------

prefixes = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=4)
sequences = st.integers(min_value=0, max_value=10**10 - 1)


def test_own_numbers_are_prefix_then_zero_padded_sequence_then_a_check_character() -> None:
    number = issue_tracking_number("ACME", 42)
    assert re.fullmatch(r"ACME0000000042[0-9A-Z]", number)


@given(prefix=prefixes, sequence=sequences)
def test_issued_own_numbers_validate(prefix: str, sequence: int) -> None:
    number = issue_tracking_number(prefix, sequence)
    assert validate_own_tracking_number(number) == number
    assert validate_tracking_number(OWN_CARRIER, number.lower()) == number


@given(prefix=prefixes, sequence=sequences, data=st.data())
def test_any_single_character_change_in_an_own_number_is_detected(prefix: str, sequence: int, data) -> None:
    number = issue_tracking_number(prefix, sequence)
    position = data.draw(st.integers(min_value=0, max_value=len(number) - 1))
    replacement = data.draw(
        st.sampled_from(string.digits + string.ascii_uppercase).filter(lambda c: c != number[position])
    )
    with pytest.raises(InvalidTrackingNumber):
        validate_own_tracking_number(number[:position] + replacement + number[position + 1 :])


@pytest.mark.parametrize(("prefix", "sequence"), [("AB", 0), ("ACME", 42), ("ZZZZ", 10**10 - 1)])
def test_every_single_character_change_of_an_own_number_is_detected(prefix: str, sequence: int) -> None:
    number = issue_tracking_number(prefix, sequence)
    for position, original in enumerate(number):
        for replacement in string.digits + string.ascii_uppercase:
            if replacement != original:
                with pytest.raises(InvalidTrackingNumber):
                    validate_own_tracking_number(number[:position] + replacement + number[position + 1 :])


@pytest.mark.parametrize(
    ("prefix", "sequence"), [("A", 1), ("ACMEX", 1), ("ac", 1), ("A1", 1), ("AB", -1), ("AB", 10**10)]
)
def test_issuing_refuses_a_bad_prefix_or_a_sequence_out_of_range(prefix: str, sequence: int) -> None:
    with pytest.raises(ValueError):
        issue_tracking_number(prefix, sequence)


def test_a_twelve_digit_number_can_be_fedex_or_purolator_and_detection_says_both() -> None:
    # 320595463938 is a published Purolator number; FedEx Express 12 has the same shape.
    found = {(m.carrier, m.valid) for m in detect_carriers("320595463938")}
    assert ("purolator", True) in found and any(carrier == "fedex" for carrier, _ in found)
    ranked = detect_carriers("320595463938")
    assert ranked[0].valid  # a matching check digit ranks first
    assert validate_tracking_number("purolator", "KYV009956937") == "KYV009956937"
