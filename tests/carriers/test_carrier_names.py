"""Carrier display names: one table (the registry), so a carrier reads the same on every surface."""

from __future__ import annotations

from ordertrack.carriers.registry import carrier_name, carrier_names, connectors
from ordertrack.carriers.tracking_numbers import OWN_CARRIER, InvalidTrackingNumber, detect_carriers


def test_a_carrier_with_a_connector_is_named_by_its_connector() -> None:
    for slug, found in connectors().items():
        assert carrier_name(slug) == found.name
    assert carrier_name("dhl") == "DHL"
    assert carrier_name("dhl_express") == "DHL Express"


def test_a_carrier_known_only_by_its_numbers_has_a_name_and_an_unknown_one_its_slug() -> None:
    assert carrier_name("dpd") == "DPD"
    assert carrier_name(OWN_CARRIER) == "own courier"
    assert carrier_name("acme") == "ACME"


def test_every_carrier_a_tracking_number_can_belong_to_has_a_name() -> None:
    named = carrier_names()
    for number in ("1Z999AA10123456784", "1234567891", "9400111899223100000000"):
        for match in detect_carriers(number):
            assert match.carrier in named, match


def test_no_two_carriers_share_a_name() -> None:
    names = list(carrier_names().values())
    assert len(names) == len(set(names))


def test_a_refused_tracking_number_names_the_carrier_as_everywhere_else() -> None:
    assert "not a valid DHL tracking number" in str(InvalidTrackingNumber("dhl", "X", "too short"))
