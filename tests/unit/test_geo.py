"""Where places are, roughly (kit.geo): towns, then regions, then countries; continents; the EU
customs area; great-circle distance."""

from __future__ import annotations

import pytest

from ordertrack.kit import geo


def test_a_town_is_found_whatever_its_case_accents_and_dashes() -> None:
    exact = geo.locate("FR", None, "Saint-Étienne")
    assert exact is not None
    assert geo.locate("fr", None, "saint etienne") == exact


def test_a_town_of_the_same_name_is_taken_in_the_given_region() -> None:
    portland_or = geo.locate("US", "OR", "Portland")
    portland_me = geo.locate("US", "ME", "Portland")
    assert portland_or is not None and portland_or.longitude < -120
    assert portland_me is not None and portland_me.longitude > -75


def test_a_small_or_unknown_town_falls_back_to_its_region_then_its_country() -> None:
    assert geo.locate("US", "NV", "Nowhere Junction") == geo.locate("US", "NV")
    assert geo.locate("CA", "ON", None) is not None  # provinces by their postal abbreviations
    assert geo.locate("DE", "ZZ", "Nowhere") == geo.locate("DE")
    assert geo.locate("XX", None, "Nowhere") is None


def test_continents_and_the_customs_area() -> None:
    assert [geo.continent(c) for c in ("FR", "us", "AU", "BR", "XX")] == ["EU", "NA", "OC", "SA", None]
    assert geo.customs_area("DE") == geo.customs_area("fr") == "EU"
    assert geo.customs_area("GB") == "GB" and geo.customs_area("CH") == "CH"


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [(("FR", "Paris"), ("DE", "Leipzig"), 770), (("GB", "London"), ("US", "New York"), 5570)],
)
def test_great_circle_distances_are_right_to_a_few_percent(
    a: tuple[str, str], b: tuple[str, str], km: float
) -> None:
    first, second = geo.locate(a[0], None, a[1]), geo.locate(b[0], None, b[1])
    assert first is not None and second is not None
    assert geo.distance_km(first, second) == pytest.approx(km, rel=0.03)
