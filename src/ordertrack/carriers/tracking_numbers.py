"""Tracking-number formats and check digits: validate for a carrier, detect carriers, issue our own.

Pure functions over strings; no I/O.

Formats are written here from the carriers' published structures as collected in
jkeen/tracking_number_data (MIT); the check-digit arithmetic uses python-stdnum where the
carrier uses a standard algorithm (GS1 mod 10, ISO 7064 Mod 37,36, Luhn) and a few lines of
our own where the carrier's algorithm is its own (UPS, FedEx, DHL, UPU S10).

Decisions:

- A carrier slug ordertrack has no rules for (a regional courier, a merchant's van) accepts
  any canonical number: 3 to 64 of A-Z, 0-9 and '-', after upper-casing and removing
  spaces. Refusing a real number because we do not know its carrier would block a
  merchant; a wrong-but-well-formed number only costs a failed carrier lookup later.
- A number is valid for a carrier if any one of that carrier's formats matches it *and*
  that format's check digit (if it has one) agrees.
- Our own numbers (carrier slug ``own``) are a 2-4 letter merchant prefix, a zero-padded
  10-digit sequence and one ISO 7064 Mod 37,36 check character over both, which catches
  every single-character substitution anywhere in the number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import ean, luhn
from stdnum.iso7064 import mod_37_36

from ordertrack.carriers.registry import carrier_name
from ordertrack.kit.errors import Unprocessable
from ordertrack.kit.schema import normalise_tracking_number

OWN_CARRIER = "own"
OWN_SEQUENCE_DIGITS = 10


class InvalidTrackingNumber(Unprocessable):
    """A tracking number that cannot belong to the named carrier."""

    code = "invalid_tracking_number"

    def __init__(self, carrier: str, number: str, reason: str) -> None:
        name = carrier_name(carrier)
        super().__init__(
            f"{number!r} is not a valid {name} tracking number: {reason}",
            details={"carrier": carrier, "number": number, "reason": reason},
        )
        self.carrier = carrier
        self.number = number
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CarrierMatch:
    """A carrier format a number has the shape of, and whether its check digit agrees."""

    carrier: str
    format_name: str
    valid: bool


CheckDigitRule = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class TrackingNumberFormat:
    """One printed form of a carrier's numbers.

    ``pattern`` must fully match the canonical number; when ``check_digit`` is set the
    pattern has groups ``payload`` (what the check digit is computed over) and ``check``.
    """

    carrier: str
    name: str
    pattern: re.Pattern[str]
    check_digit: CheckDigitRule | None = None

    def check_digit_agrees(self, match: re.Match[str]) -> bool:
        if self.check_digit is None:
            return True
        return self.check_digit(match["payload"]) == match["check"]


# --- check-digit rules -------------------------------------------------------------------


def gs1_mod10(payload: str) -> str:
    """GS1 mod 10 (weights 3,1 from the right): USPS, Canada Post, FedEx Ground, SSCC-18."""
    return ean.calc_check_digit(payload)


def iso7064_mod_37_36(payload: str) -> str:
    """ISO 7064 Mod 37,36 over 0-9A-Z: DPD parcel numbers and ordertrack's own numbers."""
    return mod_37_36.calc_check_digit(payload)


def ups_mod10(payload: str) -> str:
    """UPS mod 10: letters become (ord - 3) mod 10, every second character counts double.

    Unlike Luhn, a doubled value is not reduced to its digit sum (UPS "1Z" label spec).
    """
    values = [int(char) if char.isdigit() else (ord(char) - 3) % 10 for char in payload]
    total = sum(value * (2 if index % 2 else 1) for index, value in enumerate(values))
    return str(-total % 10)


def fedex_mod11(payload: str) -> str:
    """FedEx Express: weights 1,3,7 repeating from the rightmost digit, sum mod 11 mod 10."""
    weights = (1, 3, 7)
    total = sum(int(digit) * weights[index % 3] for index, digit in enumerate(reversed(payload)))
    return str(total % 11 % 10)


def dhl_mod7(payload: str) -> str:
    """DHL Express air waybills: the serial number modulo 7."""
    return str(int(payload) % 7)


def upu_s10(payload: str) -> str:
    """UPU S10 international item identifiers: weights 8,6,4,2,3,5,9,7, mod 11 (10 → 0, 11 → 5)."""
    total = sum(int(digit) * weight for digit, weight in zip(payload, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: "0", 11: "5"}.get(check, str(check))


def luhn_mod10(payload: str) -> str:
    """Luhn: Purolator's 12-digit piece numbers."""
    return luhn.calc_check_digit(payload)


def with_prefix(prefix: str, rule: CheckDigitRule) -> CheckDigitRule:
    """A rule computed over ``prefix + payload`` (numbers that omit a leading constant)."""
    return lambda payload: rule(prefix + payload)


# --- the formats ---------------------------------------------------------------------------


def _format(
    carrier: str, name: str, pattern: str, check_digit: CheckDigitRule | None = None
) -> TrackingNumberFormat:
    return TrackingNumberFormat(carrier, name, re.compile(pattern), check_digit)


def _s10(carrier: str, country: str) -> TrackingNumberFormat:
    # Postal operators number registered and international items by UPU S10:
    # two service letters, 8 digits, a check digit, the operator's ISO country code.
    return _format(
        carrier, f"UPU S10 ({country})", rf"[A-Z]{{2}}(?P<payload>\d{{8}})(?P<check>\d){country}", upu_s10
    )


# USPS Intelligent Mail package barcodes (IMpb) may be printed with a "420" + ZIP (or
# ZIP+4) routing prefix in front of the 22/26/30-digit package identifier.
_USPS_PACKAGE_ID = r"(?P<payload>9[1-5](?:\d{19}|\d{23}|\d{27}))(?P<check>\d)"

FORMATS: tuple[TrackingNumberFormat, ...] = (
    _format("ups", "UPS 1Z", r"1Z(?P<payload>[A-Z0-9]{15})(?P<check>\d)", ups_mod10),
    _format("ups", "UPS waybill", r"[AHJKTV](?P<payload>\d{9})(?P<check>\d)", ups_mod10),
    _format("usps", "USPS 20", r"(?P<payload>\d{19})(?P<check>\d)", gs1_mod10),
    # Legacy 20-digit labels leave out the "91" application identifier the check covers.
    _format("usps", "USPS legacy 20", r"(?P<payload>\d{19})(?P<check>\d)", with_prefix("91", gs1_mod10)),
    _format("usps", "USPS IMpb", _USPS_PACKAGE_ID, gs1_mod10),
    _format("usps", "USPS IMpb with ZIP", r"420\d{5}" + _USPS_PACKAGE_ID, gs1_mod10),
    _format("usps", "USPS IMpb with ZIP+4", r"420\d{9}" + _USPS_PACKAGE_ID, gs1_mod10),
    _s10("usps", "US"),
    _format("fedex", "FedEx Express 12", r"(?P<payload>\d{11})(?P<check>\d)", fedex_mod11),
    _format("fedex", "FedEx Ground 15", r"(?P<payload>\d{14})(?P<check>\d)", gs1_mod10),
    _format("fedex", "FedEx Ground SSCC-18", r"(?P<payload>\d{17})(?P<check>\d)", gs1_mod10),
    # The "96" barcodes carry the package number in their last 15 digits.
    _format("fedex", "FedEx Ground 96 (22)", r"96\d{5}(?P<payload>\d{14})(?P<check>\d)", gs1_mod10),
    _format("fedex", "FedEx Ground GSN (34)", r"96\d{18}(?P<payload>\d{13})(?P<check>\d)", fedex_mod11),
    _format("fedex", "FedEx Express 34", r"[0-8]\d{19}(?P<payload>\d{13})(?P<check>\d)", fedex_mod11),
    _format("fedex", "FedEx ASTRA 32", r"3\d{15}(?P<payload>\d{11})(?P<check>\d)\d{4}", fedex_mod11),
    _format("dhl", "DHL Express waybill", r"(?P<payload>\d{9,10})(?P<check>\d)", dhl_mod7),
    _format("dhl", "DHL Express piece ID", r"J[A-Z]{2,3}\d{9,10}"),
    _format("dpd", "DPD 28", r"(?P<payload>\d{27})(?P<check>[0-9A-Z])", iso7064_mod_37_36),
    _format("dpd", "DPD 14", r"(?P<payload>\d{14})(?P<check>[0-9A-Z])", iso7064_mod_37_36),
    _s10("royalmail", "GB"),
    _format("canadapost", "Canada Post 16", r"(?P<payload>\d{15})(?P<check>\d)", gs1_mod10),
    _s10("canadapost", "CA"),
    _format("amazon", "Amazon Logistics", r"TB[ACM]\d{12}"),
    _format("amazon", "Amazon International", r"[ACF]\d{10}"),
    # OnTrac's check digit covers a leading "4" (C numbers) or "5" (D numbers) not printed.
    _format("ontrac", "OnTrac C", r"C(?P<payload>\d{13})(?P<check>\d)", with_prefix("4", ups_mod10)),
    _format("ontrac", "OnTrac D", r"D(?P<payload>\d{13})(?P<check>\d)", with_prefix("5", ups_mod10)),
    _format("lasership", "LaserShip L", r"L[AEHINX][1-3]\d{7}"),
    _format("lasership", "LaserShip 1LS7 (15)", r"1LS7[12]\d{10}"),
    _format("lasership", "LaserShip 1LS7 (18)", r"1LS7[12]\d{2}01[1-4]\d{6}-1"),
    _format("lasership", "LaserShip 1LSCX", r"1LSCX[0-9A-Z]{10}"),
    # Purolator's 12 digits overlap FedEx Express 12: detection returns both, ranked by check digit.
    _format("purolator", "Purolator 12", r"(?P<payload>[0-5]\d{10})(?P<check>\d)", luhn_mod10),
    _format("purolator", "Purolator alpha", r"[A-Z]{3}\d{9}"),
    _format(
        OWN_CARRIER,
        "ordertrack own courier",
        rf"(?P<payload>[A-Z]{{2,4}}\d{{{OWN_SEQUENCE_DIGITS}}})(?P<check>[0-9A-Z])",
        iso7064_mod_37_36,
    ),
)

SUPPORTED_CARRIERS: frozenset[str] = frozenset(fmt.carrier for fmt in FORMATS)


def formats_for(carrier: str) -> tuple[TrackingNumberFormat, ...]:
    """The formats ordertrack knows for a carrier slug (empty for an unknown carrier)."""
    return tuple(fmt for fmt in FORMATS if fmt.carrier == carrier)


# --- the public operations -----------------------------------------------------------------


def canonical_tracking_number(carrier: str, number: str) -> str:
    """Upper case, spaces removed, 3-64 of A-Z 0-9 '-'; otherwise InvalidTrackingNumber."""
    try:
        return normalise_tracking_number(number)
    except ValueError as error:
        raise InvalidTrackingNumber(carrier, number, str(error)) from None


def validate_tracking_number(carrier: str, number: str) -> str:
    """Return the canonical number if it can be one of ``carrier``'s, else raise InvalidTrackingNumber."""
    canonical = canonical_tracking_number(carrier, number)
    formats = formats_for(carrier)
    if not formats:
        return canonical
    shaped = [(fmt, match) for fmt in formats if (match := fmt.pattern.fullmatch(canonical))]
    if not shaped:
        names = ", ".join(fmt.name for fmt in formats)
        raise InvalidTrackingNumber(carrier, number, f"does not have the form of any of: {names}")
    if not any(fmt.check_digit_agrees(match) for fmt, match in shaped):
        raise InvalidTrackingNumber(carrier, number, "check digit does not match")
    return canonical


def detect_carriers(number: str) -> list[CarrierMatch]:
    """Every known format the number has the shape of; those whose check digit agrees first."""
    try:
        canonical = normalise_tracking_number(number)
    except ValueError:
        return []
    matches = [
        CarrierMatch(fmt.carrier, fmt.name, fmt.check_digit_agrees(match))
        for fmt in FORMATS
        if (match := fmt.pattern.fullmatch(canonical))
    ]
    return sorted(matches, key=lambda found: not found.valid)


def issue_tracking_number(prefix: str, sequence: int) -> str:
    """Our own number for a merchant's courier: PREFIX + zero-padded sequence + check character."""
    if not re.fullmatch(r"[A-Z]{2,4}", prefix):
        raise ValueError(f"prefix must be 2 to 4 capital letters A-Z, got {prefix!r}")
    if not 0 <= sequence < 10**OWN_SEQUENCE_DIGITS:
        raise ValueError(f"sequence must be between 0 and {10**OWN_SEQUENCE_DIGITS - 1}, got {sequence}")
    payload = f"{prefix}{sequence:0{OWN_SEQUENCE_DIGITS}d}"
    return payload + iso7064_mod_37_36(payload)


def validate_own_tracking_number(number: str) -> str:
    """Return the canonical form of a number we issued, else raise InvalidTrackingNumber."""
    return validate_tracking_number(OWN_CARRIER, number)
