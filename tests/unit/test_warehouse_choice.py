"""Which warehouse a merchant would ship from (inventory.rules.rank_warehouses): the pure rule."""

from __future__ import annotations

from random import Random

from hypothesis import given
from hypothesis import strategies as st

from ordertrack.inventory.rules import Destination, LineNeed, Site, allocate, rank_warehouses
from ordertrack.kit import geo

SPARKS = Site("rno", "RNO1", "US", geo.locate("US", "NV", "Sparks"), priority=10)
LEIPZIG = Site("lej", "LEJ1", "DE", geo.locate("DE", None, "Leipzig"), priority=20)
NORTHAMPTON = Site("nth", "NTH1", "GB", geo.locate("GB", None, "Northampton"), priority=30)
LOUISVILLE = Site("sdf", "SDF1", "US", geo.locate("US", "KY", "Louisville"), priority=40)
SITES = [SPARKS, LEIPZIG, NORTHAMPTON, LOUISVILLE]


def to(country: str, city: str, region: str | None = None) -> Destination:
    return Destination(country, geo.locate(country, region, city))


def test_a_paris_order_looks_to_leipzig_first_inside_the_customs_union_then_northampton_then_the_us() -> None:
    assert rank_warehouses(SITES, to("FR", "Paris")) == ["lej", "nth", "sdf", "rno"]


def test_a_us_order_stays_in_the_us_and_takes_the_nearer_warehouse() -> None:
    assert rank_warehouses(SITES, to("US", "Los Angeles", "CA"))[:2] == ["rno", "sdf"]
    assert rank_warehouses(SITES, to("US", "New York", "NY"))[:2] == ["sdf", "rno"]


def test_a_country_without_a_warehouse_takes_the_one_on_its_continent() -> None:
    assert rank_warehouses(SITES, to("CA", "Toronto", "ON"))[:2] == ["sdf", "rno"]
    assert rank_warehouses(SITES, to("CH", "Zurich"))[0] == "lej"  # outside the EU, still in Europe


def test_the_merchants_priority_breaks_a_tie_and_an_unplaced_warehouse_comes_last_in_its_group() -> None:
    twin = Site("lej2", "LEJ2", "DE", LEIPZIG.point, priority=5)
    unplaced = Site("xx", "XX1", "DE", None, priority=1)
    assert rank_warehouses([LEIPZIG, unplaced, twin], to("DE", "Berlin")) == ["lej2", "lej", "xx"]


def test_the_first_warehouse_that_fills_the_whole_order_wins_over_a_nearer_partial_one() -> None:
    needs = [LineNeed("l1", "TENT", 2), LineNeed("l2", "MUG", 1)]
    available = {"lej": {"TENT": 2}, "nth": {"TENT": 1}, "rno": {"TENT": 5, "MUG": 5}}
    order = rank_warehouses([SPARKS, LEIPZIG, NORTHAMPTON], to("FR", "Paris"))
    assert allocate(needs, available, order).warehouses == ["rno"]
    available["nth"] = {"TENT": 2, "MUG": 1}
    assert allocate(needs, available, order).warehouses == ["nth"]


def test_the_order_is_split_only_when_no_single_warehouse_can_fill_it() -> None:
    needs = [LineNeed("l1", "TENT", 2), LineNeed("l2", "MUG", 1)]
    available = {"lej": {"TENT": 2}, "nth": {"MUG": 1}, "rno": {"MUG": 1}}
    order = rank_warehouses([SPARKS, LEIPZIG, NORTHAMPTON], to("FR", "Paris"))
    assert allocate(needs, available, order).warehouses == ["lej", "nth"]


COUNTRIES = ["US", "CA", "DE", "FR", "GB", "NL", "AU", "JP"]
sites = st.lists(
    st.builds(
        lambda code, country, priority, placed: Site(
            code, code, country, geo.locate(country) if placed else None, priority
        ),
        st.text("ABCDEFGH", min_size=3, max_size=3),
        st.sampled_from(COUNTRIES),
        st.integers(0, 100),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda site: site.code,
)


@given(sites, st.sampled_from(COUNTRIES), st.randoms(use_true_random=False))
def test_the_ranking_puts_the_shoppers_country_first_and_does_not_depend_on_the_listing_order(
    listed: list[Site], country: str, rng: Random
) -> None:
    destination = Destination(country, geo.locate(country))
    ranked = rank_warehouses(listed, destination)
    shuffled = list(listed)
    rng.shuffle(shuffled)
    assert rank_warehouses(shuffled, destination) == ranked
    assert sorted(ranked) == sorted(site.id for site in listed)
    home = [site.id for site in listed if site.country == country]
    assert ranked[: len(home)] == [i for i in ranked if i in home]
